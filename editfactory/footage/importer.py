"""Bring a pre-profile library into a profile, without losing or duplicating anything.

A pre-profile library is a folder of videos (clips under a ``clips``,
``output``, ``renders`` or ``exports`` folder, every other video a source)
and/or a single-library DuckDB file with the same tables as a profile. Files
are copied (never moved) into the profile folder and de-duplicated by content;
source videos go through the library's own import (probed, thumbnail made), and
one that is unusable is reported while the rest is still imported; every imported item is recorded in the profile's ``imports`` table, so running
the importer again adds nothing twice.

Command line: ``python -m editfactory.footage.importer LIBRARY [--database FILE] [--profile NAME]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from editfactory.core.errors import EditFactoryError, ValidationError
from editfactory.core.ids import new_id
from editfactory.footage import segments
from editfactory.footage.sources import import_source
from editfactory.profiles.profile import Profile
from editfactory.profiles.workspace import Workspace
from editfactory.services import projects

VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi"}
CLIP_FOLDERS = {"clips", "output", "outputs", "renders", "exports"}
IMPORTED_PROJECT = "Imported library"
# Tables copied from an old single-library database, parents before children.
LIBRARY_TABLES = ("source_videos", "projects", "project_sources", "segments", "clips")


@dataclass
class ImportReport:
    sources_added: int = 0
    clips_added: int = 0
    rows_added: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    """(file or row, reason) for what could not be imported; everything else still was."""

    def __str__(self) -> str:
        rows = ", ".join(f"{n} {t}" for t, n in self.rows_added.items() if n) or "no rows"
        text = (
            f"Imported {self.sources_added} source videos, {self.clips_added} clip files and {rows}; "
            f"{self.skipped} items were already there."
        )
        for what, reason in self.rejected:
            text += f"\nNot imported: {what}: {reason}"
        return text


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_into(source: Path, target: Path) -> None:
    """Copy under a temporary name, then rename: an interrupted import leaves no half file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


class _Importer:
    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.report = ImportReport()
        self.paths = profile.paths

    def _seen(self, cur: duckdb.DuckDBPyConnection, origin_key: str) -> str | None:
        row = cur.execute("SELECT item_id FROM imports WHERE origin_key = ?", [origin_key]).fetchone()
        return row[0] if row else None

    def _record(self, cur: duckdb.DuckDBPyConnection, origin_key: str, kind: str, item_id: str) -> None:
        cur.execute("INSERT INTO imports (origin_key, item_kind, item_id) VALUES (?, ?, ?)", [origin_key, kind, item_id])

    # -- files -----------------------------------------------------------------

    def source_file(self, path: Path) -> str | None:
        """Import one source video through the library (probe, thumbnail, content de-dup).

        Returns the profile's source id for its content, or None when the file is refused
        (the reason goes into the report and the rest of the library is still imported).
        """
        count = "SELECT count(*) FROM source_videos"
        before = self.profile.db.fetchone(count)[0]
        try:
            source = import_source(self.profile, path)
        except EditFactoryError as error:
            self.report.rejected.append((str(path), str(error).splitlines()[0]))
            return None
        if self.profile.db.fetchone(count)[0] > before:
            self.report.sources_added += 1
        else:
            self.report.skipped += 1
        return source.id

    def clip_file(self, path: Path, project_id: str, *, row: dict | None = None) -> None:
        digest = file_sha256(path)
        origin = f"clipfile:{digest}"
        with self.profile.db.read() as cur:
            if self._seen(cur, origin):
                self.report.skipped += 1
                return
        target = self.paths.renders / "imported" / f"{digest[:16]}{path.suffix.lower()}"
        if not target.exists():
            _copy_into(path, target)
        values = dict(row or {})
        values.update(
            id=values.get("id") or new_id("clip"),
            project_id=values.get("project_id") or project_id,
            name=values.get("name") or path.stem,
            status=values.get("status") or "rendered",
            path=self.paths.relative(target),
        )
        with self.profile.db.transaction() as cur:
            if cur.execute("SELECT 1 FROM clips WHERE id = ?", [values["id"]]).fetchone() is None:
                _insert(cur, "clips", values)
                self.report.clips_added += 1
            self._record(cur, origin, "clip", values["id"])

    def imported_project(self) -> str:
        with self.profile.db.transaction() as cur:
            found = self._seen(cur, "project:imported-library")
            if found:
                return found
            project_id = new_id("proj")
            projects.insert_rows(cur, "projects", [{
                "id": project_id, "name": IMPORTED_PROJECT,
                "description": "Clips found in the library folder before profiles existed.",
            }])
            self._record(cur, "project:imported-library", "project", project_id)
            return project_id

    # -- an old database -----------------------------------------------------

    def database(self, database: Path, library: Path | None) -> None:
        try:
            old = duckdb.connect(str(database), read_only=True)
        except duckdb.Error as error:
            raise EditFactoryError(
                f"Could not open {database} as a DuckDB library ({error}). "
                "Check the path, and close any program that has it open."
            ) from error
        try:
            tables = {r[0] for r in old.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            if not tables & set(LIBRARY_TABLES):
                raise ValidationError(
                    f"{database} has none of the library tables ({', '.join(LIBRARY_TABLES)}); is it an Edit Factory library?"
                )
            source_ids: dict[str, str] = {}  # old id -> the profile's id for the same content
            rejected_sources: set[str] = set()
            for table in LIBRARY_TABLES:
                if table in tables:
                    for row in _rows(old, table):
                        self._database_row(table, row, library or database.parent, source_ids, rejected_sources)
        finally:
            old.close()

    def _database_row(
        self, table: str, row: dict, base: Path, source_ids: dict[str, str], rejected_sources: set[str]
    ) -> None:
        key = f"{table}:" + ("|".join(str(row.get(k)) for k in ("project_id", "source_id")) if table == "project_sources" else str(row.get("id")))
        with self.profile.db.read() as cur:
            known = self._seen(cur, key)
        if known:
            if table == "source_videos":
                source_ids[row["id"]] = known
            self.report.skipped += 1
            return
        if "source_id" in row:
            if row["source_id"] in rejected_sources:
                self.report.rejected.append((f"{table} row {key}", "its source video was not imported"))
                return
            row["source_id"] = source_ids.get(row["source_id"], row["source_id"])
        if table == "source_videos":
            file = _resolve(base, row.get("path"))
            if file is None:
                raise ValidationError(
                    f"Source video {row.get('filename') or row.get('id')!r} points at {row.get('path')!r}, which does not "
                    f"exist under {base}. Pass the library folder with --library so its files can be found."
                )
            new = self.source_file(file)
            if new is None:
                rejected_sources.add(row["id"])
                return
            source_ids[row["id"]] = new
            with self.profile.db.transaction() as cur:
                if self._seen(cur, key) is None:
                    self._record(cur, key, table, new)
            return
        if table == "clips" and row.get("path"):
            file = _resolve(base, row["path"])
            if file is not None:
                self.clip_file(file, row.get("project_id") or self.imported_project(), row=_without(row, "path"))
                with self.profile.db.transaction() as cur:
                    if self._seen(cur, key) is None:
                        self._record(cur, key, table, row["id"])
                return
        with self.profile.db.transaction() as cur:
            _insert(cur, table, row)
            self._record(cur, key, table, str(row.get("id", key)))
        self.report.rows_added[table] = self.report.rows_added.get(table, 0) + 1


def _rows(connection: duckdb.DuckDBPyConnection, table: str) -> list[dict]:
    result = connection.execute(f'SELECT * FROM "{table}"')
    names = [d[0] for d in result.description]
    return [dict(zip(names, r)) for r in result.fetchall()]


def _without(row: dict, *keys: str) -> dict:
    return {k: v for k, v in row.items() if k not in keys}


def _resolve(base: Path, stored: str | None) -> Path | None:
    if not stored:
        return None
    candidate = Path(stored)
    for path in (candidate, base / candidate, base / candidate.name):
        if path.is_file():
            return path
    return None


_OWNERS_INSERT = {
    "projects": lambda cur, rows: projects.insert_rows(cur, "projects", rows),
    "project_sources": lambda cur, rows: projects.insert_rows(cur, "project_sources", rows),
    "clips": lambda cur, rows: projects.insert_rows(cur, "clips", rows),
    "segments": segments.insert_segment_rows,
}
"""Old rows go in through the module that owns each table (source videos are imported as files, not rows)."""


def _insert(cur: duckdb.DuckDBPyConnection, table: str, values: dict) -> None:
    """Insert the columns the profile's table knows; unknown old columns are dropped."""
    columns = {r[0] for r in cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
    ).fetchall()}
    _OWNERS_INSERT[table](cur, [{k: v for k, v in values.items() if k in columns and v is not None}])


def _is_clip(path: Path, library: Path) -> bool:
    return any(part.lower() in CLIP_FOLDERS for part in path.relative_to(library).parts[:-1])


def import_library(
    profile: Profile, library: Path | None = None, *, database: Path | None = None
) -> ImportReport:
    """Import a pre-profile library folder and/or database into ``profile``; safe to run again."""
    if library is None and database is None:
        raise ValidationError("Give the old library folder, its database file, or both.")
    if library is not None and not Path(library).is_dir():
        raise ValidationError(f"{library} is not a folder; pass the folder that holds the old videos.")
    if database is not None and not Path(database).is_file():
        raise ValidationError(f"{database} does not exist; pass the old library's .duckdb file.")
    importer = _Importer(profile)
    if database is not None:
        importer.database(Path(database), Path(library) if library else None)
    if library is not None:
        library = Path(library)
        videos = sorted(p for p in library.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)
        for video in videos:
            if _is_clip(video, library):
                importer.clip_file(video, importer.imported_project())
            else:
                importer.source_file(video)
    return importer.report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", nargs="?", type=Path, help="folder of the old library (videos, clips)")
    parser.add_argument("--database", type=Path, help="the old single-library DuckDB file")
    parser.add_argument("--profile", help="profile name to import into (default: the default profile)")
    parser.add_argument("--data-dir", type=Path, help="workspace root (default: data/ or $EDITFACTORY_DATA)")
    args = parser.parse_args(argv)
    workspace = Workspace(args.data_dir)
    try:
        profile = workspace.default()
        if args.profile:
            profile = workspace.find_by_name(args.profile)
            if profile is None:
                raise ValidationError(f"No profile is named {args.profile!r}; create it first or check the spelling.")
        report = import_library(profile, args.library, database=args.database)
    except EditFactoryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{report} (profile {profile.name!r})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
