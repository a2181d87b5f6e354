"""The workspace: a root folder with one self-contained folder per profile.

Profile identity lives in each folder's ``profile.json`` and the workspace's
choices (default, last used) in ``workspace.json``, so listing profiles reads
small JSON files and never opens a DuckDB file. Changes to the set of profiles
happen under a file lock, so the studio and a notebook can both create or
rename profiles safely.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from editfactory.core.errors import EditFactoryError, NotFoundError, ProfileBusyError, StorageError, ValidationError
from editfactory.profiles.names import clean_description, clean_name, folder_name, name_key
from editfactory.profiles.profile import Profile
from editfactory.storage.database import DEFAULT_BUSY_TIMEOUT, ProfileDatabase, is_lock_conflict
from editfactory.storage.migrations import migrate
from editfactory.storage.paths import METADATA_FILE, ProfilePaths
from editfactory.storage.secrets import forget_profile_secrets
from editfactory.storage.tempdirs import clean_stale_temp

DATA_ENV_VAR = "EDITFACTORY_DATA"
DEFAULT_PROFILE_NAME = "Default"
_WORKSPACE_FILE = "workspace.json"
_LOCK_FILE = ".workspace.lock"
_TRASH_PREFIX = ".deleting-"


def default_workspace_root() -> Path:
    """``$EDITFACTORY_DATA`` if set, else ``data/`` in the source checkout (or the current folder)."""
    configured = os.environ.get(DATA_ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "editfactory").is_dir():
        return checkout / "data"
    return Path.cwd() / "data"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


class Workspace:
    """Create, list, get, update and delete profiles; remember the default and the last used one."""

    def __init__(self, root: Path | str | None = None, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
        self.root = Path(root) if root is not None else default_workspace_root()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(
                f"Cannot use {self.root} as the workspace ({error.strerror or error}). "
                f"Point {DATA_ENV_VAR} (or --data-dir) at a folder you can write to."
            ) from None
        self.root = self.root.resolve()
        self.busy_timeout = busy_timeout
        # The file lock serializes processes; it is shared by this object's threads (not thread-local), so a
        # second thread would walk straight in. The thread lock serializes those threads first.
        self._lock = FileLock(str(self.root / _LOCK_FILE), thread_local=False)
        self._thread_lock = threading.RLock()
        self._databases: dict[str, ProfileDatabase] = {}
        self._databases_lock = threading.Lock()
        self._cleaned: set[str] = set()

    # -- locking and workspace file ------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Change the set of profiles alone: no other thread of this process, no other process."""
        deadline = time.monotonic() + self.busy_timeout
        if not self._thread_lock.acquire(timeout=self.busy_timeout):
            raise ProfileBusyError(
                f"The workspace {self.root} is busy: another task of this program has been changing its profiles "
                f"for over {self.busy_timeout:.0f} s. Wait for it to finish, then try again."
            )
        try:
            try:
                self._lock.acquire(timeout=max(0.0, deadline - time.monotonic()))
            except Timeout:
                raise ProfileBusyError(
                    f"The workspace {self.root} is busy: another program has been changing its profiles for over "
                    f"{self.busy_timeout:.0f} s. Wait for it to finish (or close it), then try again."
                ) from None
            try:
                yield
            finally:
                self._lock.release()
        finally:
            self._thread_lock.release()

    def _settings(self) -> dict:
        return _read_json(self.root / _WORKSPACE_FILE)

    def _save_settings(self, settings: dict) -> None:
        _write_json_atomic(self.root / _WORKSPACE_FILE, settings)

    # -- reading profiles without opening databases ---------------------------

    def _scan(self) -> list[tuple[dict, Path]]:
        found = []
        for entry in sorted(self.root.iterdir()):
            if not entry.is_dir() or entry.name.startswith("."):
                continue
            meta = _read_json(entry / METADATA_FILE)
            if meta.get("id") and meta.get("name"):
                found.append((meta, entry))
        return found

    def _handle(self, meta: dict, folder: Path) -> Profile:
        return Profile(
            id=meta["id"],
            name=meta["name"],
            description=meta.get("description", ""),
            folder=folder,
            db=self._database(meta["id"], meta["name"], folder),
        )

    def _database(self, profile_id: str, name: str, folder: Path) -> ProfileDatabase:
        with self._databases_lock:
            db = self._databases.get(profile_id)
            if db is None or db.path.parent != folder.resolve():
                db = ProfileDatabase(
                    ProfilePaths(folder).database,
                    busy_timeout=self.busy_timeout,
                    on_open=_ProfileSchemaCheck(profile_id, name),
                    label=name,
                )
                self._databases[profile_id] = db
            else:
                db.label = name
            return db

    def list(self) -> list[Profile]:
        """Every profile, sorted by name; creates the 'Default' profile in an empty workspace."""
        found = self._scan()
        if not found:
            self._ensure_default()
            found = self._scan()
        profiles = [self._handle(meta, folder) for meta, folder in found]
        return sorted(profiles, key=lambda p: (name_key(p.name), p.id))

    def get(self, profile_id: str) -> Profile:
        """The profile with this id; also cleans temp files that a dead process left behind."""
        for meta, folder in self._scan():
            if meta["id"] == profile_id:
                profile = self._handle(meta, folder)
                if profile.id not in self._cleaned:
                    clean_stale_temp(profile.paths.tmp)
                    self._cleaned.add(profile.id)
                return profile
        raise NotFoundError("Profile", profile_id)

    def find_by_name(self, name: str) -> Profile | None:
        wanted = name_key(clean_name(name))
        for meta, folder in self._scan():
            if name_key(meta["name"]) == wanted:
                return self._handle(meta, folder)
        return None

    # -- changing the set of profiles ----------------------------------------

    def create(self, name: str, description: str = "") -> Profile:
        """A new profile with its own folder and database; names are unique regardless of case."""
        name = clean_name(name)
        description = clean_description(description)
        with self._locked():
            self._refuse_taken_name(name)
            profile_id = f"prof_{uuid.uuid4().hex}"
            folder = self.root / folder_name(name, profile_id)
            while folder.exists():  # astronomically unlikely, but never reuse a folder
                profile_id = f"prof_{uuid.uuid4().hex}"
                folder = self.root / folder_name(name, profile_id)
            staging = self.root / f"{_TRASH_PREFIX}new-{uuid.uuid4().hex[:8]}"
            paths = ProfilePaths(staging)
            paths.create()
            meta = {"id": profile_id, "name": name, "description": description, "created_at": _now(), "updated_at": _now()}
            try:
                connection = duckdb.connect(str(paths.database))
                try:
                    _ProfileSchemaCheck(profile_id, name)(connection)
                finally:
                    connection.close()
                _write_json_atomic(paths.metadata, meta)
                # The folder appears complete or not at all.
                os.replace(staging, folder)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            settings = self._settings()
            if not settings.get("default_profile") or not self._folder_of(settings["default_profile"]):
                settings["default_profile"] = profile_id
                self._save_settings(settings)
        return self._handle(meta, folder)

    def _refuse_taken_name(self, name: str, *, except_id: str | None = None) -> None:
        wanted = name_key(name)
        for meta, _ in self._scan():
            if meta["id"] != except_id and name_key(meta["name"]) == wanted:
                raise ValidationError(
                    f"A profile named {meta['name']!r} already exists (names are compared without case). "
                    "Choose another name."
                )

    def _folder_of(self, profile_id: str) -> Path | None:
        for meta, folder in self._scan():
            if meta["id"] == profile_id:
                return folder
        return None

    def update(self, profile_id: str, *, name: str | None = None, description: str | None = None) -> Profile:
        """Rename or re-describe a profile; its folder and data stay where they are."""
        with self._locked():
            folder = self._folder_of(profile_id)
            if folder is None:
                raise NotFoundError("Profile", profile_id)
            meta = _read_json(folder / METADATA_FILE)
            if name is not None:
                name = clean_name(name)
                self._refuse_taken_name(name, except_id=profile_id)
                meta["name"] = name
            if description is not None:
                meta["description"] = clean_description(description)
            meta["updated_at"] = _now()
            _write_json_atomic(folder / METADATA_FILE, meta)
        return self._handle(meta, folder)

    def delete(self, profile_id: str) -> None:
        """Delete a profile with its folder and its keys in the OS keyring. The last profile cannot be deleted."""
        with self._locked():
            folder = self._folder_of(profile_id)
            if folder is None:
                raise NotFoundError("Profile", profile_id)
            if len(self._scan()) == 1:
                raise ValidationError("This is the only profile; create another one before deleting it.")
            # Hold the hand-over lock so no process of ours opens the file between the check and the move.
            handover = FileLock(str(ProfilePaths(folder).database) + ".lock", thread_local=False)
            try:
                handover.acquire(timeout=min(self.busy_timeout, 5.0))
            except Timeout:
                raise ProfileBusyError(
                    "This profile is in use by another program (the studio or a notebook); close it there first."
                ) from None
            try:
                self._refuse_if_in_use(folder)
                # Keys in the OS keyring live outside the folder: remove them first (a refusal keeps the profile).
                forget_profile_secrets(profile_id, ProfilePaths(folder).secrets)
                trash = self.root / f"{_TRASH_PREFIX}{uuid.uuid4().hex[:8]}"
                os.replace(folder, trash)  # disappears from listings at once
            finally:
                handover.release()
            with self._databases_lock:
                self._databases.pop(profile_id, None)
            settings = self._settings()
            remaining = [meta["id"] for meta, _ in self._scan()]
            for key in ("default_profile", "last_used_profile"):
                if settings.get(key) == profile_id:
                    settings[key] = remaining[0] if key == "default_profile" else None
            self._save_settings(settings)
        shutil.rmtree(trash, ignore_errors=True)

    def _refuse_if_in_use(self, folder: Path) -> None:
        database = ProfilePaths(folder).database
        if not database.exists():
            return
        try:
            duckdb.connect(str(database)).close()
        except duckdb.Error as error:
            if is_lock_conflict(error):
                raise ProfileBusyError(
                    "This profile is open in another program (the studio or a notebook); close it there first."
                ) from None
            raise StorageError(f"Could not check the profile's database: {error}") from error

    # -- default and last used -------------------------------------------------

    def _ensure_default(self) -> Profile:
        with self._locked():
            found = self._scan()
        if found:
            return self.default()
        try:
            return self.create(DEFAULT_PROFILE_NAME, "Created automatically on first use.")
        except ValidationError:  # another process created it meanwhile
            return self.default()

    def default(self) -> Profile:
        """The default profile (created on first use of an empty workspace)."""
        found = self._scan()
        if not found:
            return self._ensure_default()
        wanted = self._settings().get("default_profile")
        for meta, folder in found:
            if meta["id"] == wanted:
                return self.get(meta["id"])
        return self.get(sorted(found, key=lambda f: f[0].get("created_at", ""))[0][0]["id"])

    def set_default(self, profile_id: str) -> Profile:
        with self._locked():
            if self._folder_of(profile_id) is None:
                raise NotFoundError("Profile", profile_id)
            settings = self._settings()
            settings["default_profile"] = profile_id
            self._save_settings(settings)
        return self.get(profile_id)

    def remember_last_used(self, profile_id: str) -> None:
        with self._locked():
            if self._folder_of(profile_id) is None:
                raise NotFoundError("Profile", profile_id)
            settings = self._settings()
            settings["last_used_profile"] = profile_id
            self._save_settings(settings)

    def last_used(self) -> Profile:
        """The profile used last (so the studio never opens on a blank screen), else the default."""
        wanted = self._settings().get("last_used_profile")
        if wanted and self._folder_of(wanted) is not None:
            return self.get(wanted)
        return self.default()


class _ProfileSchemaCheck:
    """Runs when a profile's file is opened: applies migrations and checks the file belongs to the profile."""

    def __init__(self, profile_id: str, name: str) -> None:
        self.profile_id = profile_id
        self.name = name
        self.checked = False
        self._lock = threading.Lock()

    def __call__(self, connection: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            if self.checked:
                return
            try:
                migrate(connection)
                row = connection.execute("SELECT value FROM meta WHERE key = 'profile_id'").fetchone()
                if row is None:
                    connection.execute("INSERT INTO meta VALUES ('profile_id', ?)", [self.profile_id])
                elif row[0] != self.profile_id:
                    raise EditFactoryError(
                        f"The database in profile {self.name!r} belongs to another profile ({row[0]}). "
                        "It was probably copied between profile folders; restore the right file."
                    )
            except duckdb.Error as error:
                raise StorageError(f"Could not prepare the database of profile {self.name!r}: {error}") from error
            self.checked = True
