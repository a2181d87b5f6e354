"""Export a profile as a zip of its folder; secrets stay out unless explicitly asked for.

The folder is self-contained (database, media, renders, voices), so the zip is
that folder minus scratch files and the ``secrets/`` folder. With
``include_secrets=True`` the secrets are written into the zip in the file
backend's format, so importing the zip on another machine works even when the
values came from the OS keyring here.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from editfactory.core.errors import ValidationError
from editfactory.core.progress import ProgressCallback
from editfactory.profiles.profile import Profile
from editfactory.storage.paths import DATABASE_FILE
from editfactory.storage.secrets import SECRETS_FILE, get_secret, secret_names


_SKIPPED_TOP_FOLDERS = {"tmp", "secrets"}
_SKIPPED_FOLDERS = {("cache", "proxies")}
"""Folders below the top that are left out: the sources' proxies are made again from the sources."""


def _files_to_export(profile: Profile) -> list[Path]:
    folder = profile.folder
    files = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts[0] in _SKIPPED_TOP_FOLDERS or relative.parts[:2] in _SKIPPED_FOLDERS or path.is_dir() \
                or path.is_symlink():
            continue
        if relative.parts[0].startswith(DATABASE_FILE):  # the file, its WAL, hand-over lock and signals
            continue
        files.append(path)
    return files


def export_profile(
    profile: Profile,
    destination: Path | str,
    *,
    include_secrets: bool = False,
    progress: ProgressCallback | None = None,
) -> Path:
    """Write ``destination`` (a .zip) with the profile's folder; returns the path written.

    Writers wait only while the database file is checkpointed and copied (never
    while media is zipped); the zip is written to a temporary name and renamed
    when complete.
    """
    destination = Path(destination)
    if destination.suffix.lower() != ".zip":
        raise ValidationError("Export to a file ending in .zip, e.g. 'summer-shoes.zip'.")
    if destination.resolve().is_relative_to(profile.folder.resolve()):
        raise ValidationError("Choose a destination outside the profile's own folder.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    try:
        _write_zip(profile, partial, include_secrets, progress)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(destination)
    return destination


def _write_zip(profile: Profile, partial: Path, include_secrets: bool, progress: ProgressCallback | None) -> None:
    root = profile.folder.name
    with profile.temp_dir("export") as scratch:  # tmp/ itself is never exported
        # Only this copy holds the database (a moment); the media is zipped with no lock held.
        snapshot = scratch / DATABASE_FILE
        profile.db.copy_to(snapshot)
        files = _files_to_export(profile)
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for copy in (snapshot, Path(f"{snapshot}.wal")):
                if copy.exists():
                    archive.write(copy, f"{root}/{copy.name}")
            for index, path in enumerate(files, 1):
                if progress:
                    progress(f"Adding {path.name}", index / max(len(files), 1))
                compress = zipfile.ZIP_STORED if path.suffix.lower() in {".mp4", ".mp3", ".wav"} else None
                archive.write(path, f"{root}/{path.relative_to(profile.folder).as_posix()}", compress_type=compress)
            if include_secrets:
                _add_secrets(profile, archive, root)


def _add_secrets(profile: Profile, archive: zipfile.ZipFile, root: str) -> None:
    values = {name: get_secret(profile, name) for name in secret_names(profile)}
    info = zipfile.ZipInfo(f"{root}/secrets/{SECRETS_FILE}")
    info.external_attr = 0o600 << 16  # owner-only when unpacked
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, json.dumps({k: v for k, v in values.items() if v is not None}))

