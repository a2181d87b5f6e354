"""Ordered schema migrations for a profile's DuckDB file.

Each module ``mNNNN_<name>.py`` defines ``STATEMENTS`` (a list of SQL strings).
Numbers only grow; a module is never edited once released — add a new one.
Ranges by area keep parallel work apart: 1–9 foundation, 10–19 media,
20–29 voices, 30–39 publishing, 40–49 jobs and costs, 50–59 writing (briefs, scripts).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass

import duckdb

_MODULE_NAME = re.compile(r"^m(\d{4})_(\w+)$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def all_migrations() -> list[Migration]:
    """Every migration shipped with the package, in the order they apply."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        match = _MODULE_NAME.match(info.name)
        if not match:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append(Migration(int(match.group(1)), match.group(2), tuple(module.STATEMENTS)))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"Two migrations share a version number: {versions}")
    return found


def applied_versions(connection: duckdb.DuckDBPyConnection) -> set[int]:
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT now())"
    )
    return {row[0] for row in connection.execute("SELECT version FROM schema_migrations").fetchall()}


def migrate(connection: duckdb.DuckDBPyConnection, *, up_to: int | None = None) -> list[int]:
    """Apply pending migrations (each in its own transaction); returns the versions applied."""
    done = applied_versions(connection)
    applied = []
    for migration in all_migrations():
        if up_to is not None and migration.version > up_to:
            break
        if migration.version in done:
            continue
        connection.execute("BEGIN TRANSACTION")
        try:
            for statement in migration.statements:
                connection.execute(statement)
            connection.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [migration.version, migration.name]
            )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied


def latest_version() -> int:
    return all_migrations()[-1].version
