"""Render a clip into a profile's renders folder, with scratch files in the profile's own tmp folder.

What a profile checks and keys is derived from the spec (:mod:`editfactory.media.spec`): the files that must lie
in the profile's folder are the spec's input files, and the render key names them by their path in the profile.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from pathlib import Path

from editfactory.core.errors import ValidationError
from editfactory.core.progress import ProgressCallback
from editfactory.media.render import RenderResult, RenderSpec, render_clip
from editfactory.media.spec import input_files, render_key
from editfactory.profiles import Profile

_SAFE_NAME = re.compile(r"^[\w][\w .-]{0,120}$")


def render_inputs(spec: RenderSpec) -> list[Path]:
    """Every file ``spec`` makes ffmpeg read (footage, voiceover, …): its fields declared as input files."""
    return input_files(spec)


def profile_render_key(profile: Profile, spec: RenderSpec) -> str:
    """The spec's render key, its files named by their path inside the profile (a moved profile keeps its keys)."""
    folder = profile.folder.resolve()

    def name_of(path: Path) -> str:
        real = path.resolve()
        return real.relative_to(folder).as_posix() if real.is_relative_to(folder) else real.as_posix()

    return render_key(spec, name_of)


def require_profile_inputs(profile: Profile, spec: RenderSpec, allowed: Iterable[Path | str] = ()) -> None:
    """Refuse a render that would read media of another profile (or any file outside this one).

    Symlinks are followed first, so a link inside the folder that points elsewhere is refused too.
    ``allowed`` names files outside the profile that the caller chose explicitly (e.g. a recorded voiceover).
    """
    folder = profile.folder.resolve()
    extra = {Path(p).resolve() for p in allowed}
    for path in render_inputs(spec):
        real = path.resolve()
        if real.is_relative_to(folder) or real in extra:
            continue
        raise ValidationError(
            f"{path.name} is not part of profile {profile.name!r}, so it cannot be used in this profile's clip. "
            "Import the video into this profile first (its copy then lives in the profile's folder)."
        )


def render_for_profile(
    profile: Profile,
    spec: RenderSpec,
    filename: str,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    *,
    outside_inputs: Iterable[Path | str] = (),
    timeout: float | None = None,
) -> RenderResult:
    """Render ``spec`` to ``<profile>/renders/<filename>``; a killed render leaves only a stale tmp folder,
    which the next render or the next profile open removes.

    Only media inside the profile's folder is read, plus ``outside_inputs``: files outside it that the
    caller picked explicitly (a voiceover recorded elsewhere, say). Anything else is refused before ffmpeg runs.
    """
    if not _SAFE_NAME.match(filename) or not filename.lower().endswith(".mp4"):
        raise ValidationError(f"{filename!r} is not a usable clip file name; use letters, digits, '-', '_' and end in .mp4.")
    require_profile_inputs(profile, spec, outside_inputs)
    output = profile.paths.renders / Path(filename).name
    return render_clip(spec, output, progress, cancel, work_root=profile.paths.tmp, timeout=timeout)
