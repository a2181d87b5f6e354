"""The fixed layout of one profile's self-contained folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATABASE_FILE = "profile.duckdb"
METADATA_FILE = "profile.json"


@dataclass(frozen=True)
class ProfilePaths:
    """Every file of a profile lives under ``folder``; exporting or deleting a profile is that folder."""

    folder: Path

    @property
    def database(self) -> Path:
        return self.folder / DATABASE_FILE

    @property
    def metadata(self) -> Path:
        return self.folder / METADATA_FILE

    @property
    def media(self) -> Path:
        """Imported source videos and their thumbnails."""
        return self.folder / "media"

    @property
    def segments_cache(self) -> Path:
        """Normalized segment files that renders may reuse."""
        return self.folder / "cache" / "segments"

    @property
    def tts_cache(self) -> Path:
        return self.folder / "cache" / "tts"

    @property
    def previews(self) -> Path:
        """Draft renders, caption-style previews and poster frames: made again when missing, safe to delete."""
        return self.folder / "cache" / "previews"

    @property
    def proxies(self) -> Path:
        """Low-resolution copies of source videos that draft previews decode: made again when missing, never exported."""
        return self.folder / "cache" / "proxies"

    @property
    def voices(self) -> Path:
        """Voice samples for cloned voices."""
        return self.folder / "voices"

    @property
    def renders(self) -> Path:
        """Finished clips."""
        return self.folder / "renders"

    @property
    def tmp(self) -> Path:
        return self.folder / "tmp"

    @property
    def secrets(self) -> Path:
        """Owner-only secret files, used when no OS keyring is available; never exported by default."""
        return self.folder / "secrets"

    def create(self) -> None:
        for folder in (self.media, self.segments_cache, self.tts_cache, self.voices, self.renders, self.tmp):
            folder.mkdir(parents=True, exist_ok=True)

    def relative(self, path: Path) -> str:
        """Store paths relative to the folder, so a moved or restored profile still works."""
        return Path(path).resolve().relative_to(self.folder.resolve()).as_posix()

    def absolute(self, stored: str) -> Path:
        return self.folder / stored
