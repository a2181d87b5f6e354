"""Files a user uploads (source videos and photos, voice samples), kept in the profile's scratch space until a job takes them.

The studio receives an upload as bytes; it stages them here and hands the path to
an import or cloning job. Staged files live under the profile's ``tmp`` folder, so
they go away with the job that used them, or on the next start if the process
died before a job ran. Size and type are checked before anything is written.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path
from typing import BinaryIO

from editfactory.core.errors import EditFactoryError, ValidationError
from editfactory.media.photos import PHOTO_SUFFIXES
from editfactory.profiles.profile import Profile

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 2 * 1024**3
"""2 GB per file: enough for several minutes of 4K phone footage; larger files should be trimmed first."""
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi")
"""Product photos are imported as footage too (:data:`editfactory.media.photos.PHOTO_SUFFIXES`)."""
FOOTAGE_SUFFIXES = VIDEO_SUFFIXES + PHOTO_SUFFIXES
AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".flac", ".ogg", ".opus", ".aac", ".webm")
_STAGING_PURPOSE = "upload"
_UNSAFE = re.compile(r"[^\w .()-]+")
_CHUNK = 4 * 1024 * 1024


def _safe_filename(filename: str) -> str:
    name = Path(str(filename or "").replace("\\", "/")).name.strip()
    name = _UNSAFE.sub("_", name).strip(" .")[:120]
    if not name:
        raise ValidationError("The upload has no file name; choose the file again.")
    return name


def empty_file_reason(name: str) -> str:
    """Why an empty file is refused: said the same whether the browser or the upload found it empty."""
    return (f"{name} is empty (0 bytes), so there is nothing in it to use; it may have been cut off while being "
            "copied or downloaded. Copy or download it again, then upload it.")


def _size_label(size: int) -> str:
    return f"{size / 1024**3:.1f} GB" if size >= 1024**3 else f"{size / 1024**2:.0f} MB"


def stage_upload(
    profile: Profile,
    filename: str,
    data: bytes | BinaryIO,
    *,
    accept: tuple[str, ...] = VIDEO_SUFFIXES,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> Path:
    """Write one uploaded file into the profile's scratch space and return its path (keeping its name).

    Raises ValidationError, with nothing written, for a file of another type, an empty file, or one
    above ``max_bytes``.
    """
    name = _safe_filename(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in accept:
        raise ValidationError(
            f"{name} is not a supported file type; upload one of: {', '.join(s.lstrip('.') for s in accept)}."
        )
    if isinstance(data, (bytes, bytearray, memoryview)):
        size = len(data)
        if size > max_bytes:
            raise ValidationError(
                f"{name} is {_size_label(size)}, above the upload limit of {_size_label(max_bytes)}; "
                "trim or compress it first."
            )
    if isinstance(data, (bytes, bytearray, memoryview)) and not data:
        raise ValidationError(empty_file_reason(name))
    folder = profile.make_temp_dir(_STAGING_PURPOSE)
    target = folder / name
    try:
        if isinstance(data, (bytes, bytearray, memoryview)):
            target.write_bytes(data)
        else:
            written = 0
            with target.open("wb") as handle:
                while chunk := data.read(_CHUNK):
                    written += len(chunk)
                    if written > max_bytes:
                        raise ValidationError(
                            f"{name} is above the upload limit of {_size_label(max_bytes)}; trim or compress it first."
                        )
                    handle.write(chunk)
            if written == 0:
                raise ValidationError(empty_file_reason(name))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return target


def is_staged(profile: Profile, path: Path | str) -> bool:
    """Whether ``path`` is an upload staged in this profile (and so may be removed once used)."""
    try:
        relative = Path(path).resolve().relative_to(profile.paths.tmp.resolve())
    except ValueError:
        return False
    return len(relative.parts) == 2 and f"-{_STAGING_PURPOSE}-" in relative.parts[0]


def discard_staged(profile: Profile, path: Path | str) -> None:
    """Remove a staged upload (its folder too); paths outside the profile's staging area are left alone."""
    if is_staged(profile, path):
        shutil.rmtree(Path(path).resolve().parent, ignore_errors=True)


def refusal_reason(profile: Profile, path: Path | str, error: EditFactoryError) -> str:
    """Why an uploaded or imported file was refused, for the user: the message's first line, with the file's
    staged path written as its name and no other folder of the profile; the whole message goes to the log."""
    path = Path(path)
    message = str(error)
    log.info("%s was refused: %s", path, message)
    first = message.strip().splitlines()[0] if message.strip() else f"{path.name} cannot be used."
    replacements = [(str(profile.paths.folder), "the profile's folder")]
    if path.is_absolute():  # a staged file: its own path first, then its folder
        replacements[:0] = [(str(path), path.name), (str(path.parent), "its folder")]
    for folder, shown in replacements:
        first = first.replace(folder, shown)
    return first.rstrip(":")
