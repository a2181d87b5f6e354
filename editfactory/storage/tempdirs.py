"""Per-profile temp folders that are removed when work ends, or on the next start if a process died.

Two processes (studio and notebook) share a profile, so a folder is only stale
when the process that made it is gone; each folder's name records its owner's
pid and start time, which also guards against pid reuse.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil


def _owner_tag(pid: int | None = None) -> str:
    process = psutil.Process(pid or os.getpid())
    return f"{process.pid}-{int(process.create_time())}"


def _owner_alive(tag: str) -> bool:
    try:
        pid_text, started_text = tag.split("-", 2)[:2]
        process = psutil.Process(int(pid_text))
        return int(process.create_time()) == int(started_text)
    except (ValueError, psutil.Error):
        return False


def make_temp_dir(tmp_root: Path, purpose: str = "work") -> Path:
    safe_purpose = "".join(ch for ch in purpose if ch.isalnum() or ch in "-_")[:32] or "work"
    folder = tmp_root / f"{_owner_tag()}-{safe_purpose}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    return folder


@contextlib.contextmanager
def temp_dir(tmp_root: Path, purpose: str = "work") -> Iterator[Path]:
    """A fresh folder under ``tmp_root`` that is deleted when the block ends, whatever happens."""
    folder = make_temp_dir(tmp_root, purpose)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def clean_stale_temp(tmp_root: Path) -> list[Path]:
    """Remove temp folders (and stray files) whose owning process no longer runs; returns what was removed."""
    removed: list[Path] = []
    if not tmp_root.is_dir():
        return removed
    for entry in tmp_root.iterdir():
        if _owner_alive(entry.name):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed
