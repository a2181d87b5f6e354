"""The pure unit of render work: one variant, files in → one file out, no database.

It is what the job sends to a worker thread or to a Dask worker, so it must stay
picklable and must not touch a profile's database.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from editfactory.core.progress import ProgressCallback
from editfactory.media.render import RenderSpec, render_clip


@dataclass(frozen=True)
class VariantTask:
    """Render ``spec`` to ``output``; ``work_root`` is scratch space on the same drive (shared storage)."""

    spec: RenderSpec
    output: str
    work_root: str


@dataclass(frozen=True)
class VariantResult:
    output: str
    duration: float
    width: int
    height: int


def render_variant(task: VariantTask, cancel: threading.Event, progress: ProgressCallback | None = None) -> VariantResult:
    """Render one variant; honours ``cancel`` by stopping ffmpeg (CancelledError) and leaves no partial file."""
    result = render_clip(task.spec, Path(task.output), progress, cancel, work_root=Path(task.work_root))
    return VariantResult(str(result.path), result.duration, result.width, result.height)
