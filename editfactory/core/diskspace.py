"""Recognize a full disk and say so plainly: which folder could not be written, what is left, what to free."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from editfactory.core.errors import DiskFullError

_NO_SPACE_TEXTS = ("no space left on device", "disk quota exceeded")


def is_disk_full(error: BaseException | str) -> bool:
    """True for ENOSPC/EDQUOT errors and for messages (ffmpeg's stderr, DuckDB's errors) that carry their text."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(error).lower()
    return any(marker in text for marker in _NO_SPACE_TEXTS)


def _existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _mount_point(path: Path) -> Path:
    while not os.path.ismount(path) and path != path.parent:
        path = path.parent
    return path


def _size(count: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GB"


def disk_full_error(what: str, folder: Path | str) -> DiskFullError:
    """The error to raise when ``what`` could not write into ``folder`` because its disk is full."""
    folder = Path(folder)
    existing = _existing(folder)
    try:
        free = _size(shutil.disk_usage(existing).free)
    except OSError:
        free = "almost nothing"
    return DiskFullError(
        f"{what} stopped because the disk is full: there was no space left to write in {folder} (the disk mounted at "
        f"{_mount_point(existing)} has {free} free). Free space on that disk (delete old renders, previews, exports or "
        "other large files) or move the workspace to a larger disk, then try again. Nothing of this attempt was kept."
    )
