"""What the notebooks in notebooks/ share: pick a profile by name, and make footage to try things on.

Each notebook starts with ``profile = profile_named("...")`` on the workspace in ``$EDITFACTORY_DATA``
(or ``data/``), so the same notebook runs on a real workspace and, in the tests, on a temporary one.
"""

from __future__ import annotations

from pathlib import Path

from editfactory.core.errors import ValidationError
from editfactory.media.runner import run_ffmpeg
from editfactory.profiles import Profile, Workspace

FOOTAGE_PATTERNS = ("testsrc2", "smptehdbars", "mandelbrot", "rgbtestsrc", "cellauto")
"""ffmpeg's generated video sources (lavfi) that look different enough to tell products apart."""


def profile_named(name: str, description: str = "", workspace: Workspace | None = None) -> Profile:
    """The profile called ``name`` (as the studio shows it), created when it does not exist yet."""
    workspace = workspace or Workspace()
    found = workspace.find_by_name(name)
    if found is not None:
        return found
    try:
        return workspace.create(name, description)
    except ValidationError:
        # The studio (or another kernel) created it a moment ago: use theirs.
        found = workspace.find_by_name(name)
        if found is None:
            raise
        return found


def generate_footage(target: Path | str, *, seconds: float = 6.0, pattern: str = "testsrc2",
                     size: str = "1280x720", tone_hz: int = 440) -> Path:
    """A short H.264/AAC video made by ffmpeg's generated sources (deterministic), written to ``target``.

    Kept when it already exists, so re-running a notebook does not make new files.
    """
    target = Path(target)
    if target.is_file():
        return target
    if pattern not in FOOTAGE_PATTERNS:
        raise ValidationError(f"Unknown footage pattern {pattern!r}; choose one of: {', '.join(FOOTAGE_PATTERNS)}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial.mp4")
    run_ffmpeg(
        ["-y", "-f", "lavfi", "-i", f"{pattern}=size={size}:rate=30",
         "-f", "lavfi", "-i", f"sine=frequency={tone_hz}:sample_rate=48000",
         "-t", f"{seconds}", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(partial)],
        timeout=120, what=f"ffmpeg (generating {target.name})",
    )
    partial.replace(target)
    return target


def generate_photo(target: Path | str, *, pattern: str = "testsrc2", size: str = "1440x1920", frame: int = 0) -> Path:
    """A product-photo stand-in (a JPEG still of one of ffmpeg's generated sources), written to ``target``.

    ``frame`` picks which frame of the moving pattern it is, so photos of one pattern differ. Kept when it exists.
    """
    target = Path(target)
    if target.is_file():
        return target
    if pattern not in FOOTAGE_PATTERNS:
        raise ValidationError(f"Unknown photo pattern {pattern!r}; choose one of: {', '.join(FOOTAGE_PATTERNS)}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial.jpg")
    run_ffmpeg(["-y", "-f", "lavfi", "-i", f"{pattern}=size={size}:rate=10", "-vf", f"select=gte(n\\,{frame})",
                "-frames:v", "1", "-q:v", "3", str(partial)], timeout=120, what=f"ffmpeg (generating {target.name})")
    partial.replace(target)
    return target


def generate_music(target: Path | str, *, seconds: float = 16.0) -> Path:
    """A 120 BPM track (kick and chords, AAC) to try the music column on; kept when it exists."""
    from editfactory.ops.demo import generate_music as make

    target = Path(target)
    return target if target.is_file() else make(target, seconds)
