"""The profile handle that every service call takes explicitly."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from editfactory.storage.database import ProfileDatabase
from editfactory.storage.paths import ProfilePaths
from editfactory.storage.tempdirs import make_temp_dir, temp_dir


@dataclass(frozen=True)
class Profile:
    """One store: its identity, its folder and its database.

    Handles are cheap and immutable; renaming returns a new handle. Two handles
    of the same profile share the same underlying connection.
    """

    id: str
    name: str
    description: str
    folder: Path
    db: ProfileDatabase = field(repr=False, compare=False)

    @property
    def paths(self) -> ProfilePaths:
        return ProfilePaths(self.folder)

    @contextlib.contextmanager
    def temp_dir(self, purpose: str = "work") -> Iterator[Path]:
        """A scratch folder inside this profile, removed when the block ends."""
        with temp_dir(self.paths.tmp, purpose) as folder:
            yield folder

    def make_temp_dir(self, purpose: str = "work") -> Path:
        """A scratch folder the caller removes; if the process dies it goes on the next start."""
        return make_temp_dir(self.paths.tmp, purpose)
