"""Render a clip into a profile's renders folder, with scratch files in the profile's own tmp folder."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from editfactory.errors import ValidationError
from editfactory.media.render import RenderResult, RenderSpec, render_clip
from editfactory.profiles import Profile
from editfactory.progress import ProgressCallback

_SAFE_NAME = re.compile(r"^[\w][\w .-]{0,120}$")


def render_for_profile(
    profile: Profile,
    spec: RenderSpec,
    filename: str,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> RenderResult:
    """Render ``spec`` to ``<profile>/renders/<filename>``; a killed render leaves only a stale tmp folder,
    which the next render or the next profile open removes."""
    if not _SAFE_NAME.match(filename) or not filename.lower().endswith(".mp4"):
        raise ValidationError(f"{filename!r} is not a usable clip file name; use letters, digits, '-', '_' and end in .mp4.")
    output = profile.paths.renders / Path(filename).name
    return render_clip(spec, output, progress, cancel, work_root=profile.paths.tmp)
