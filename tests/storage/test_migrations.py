"""Every older schema version upgrades to the latest without losing data, ending identical to a fresh file."""

from __future__ import annotations

import duckdb
import pytest

from editfactory.storage.migrations import all_migrations, latest_version, migrate

# A row for tables that hold user data, inserted at whatever version the table first appears.
SAMPLE_ROWS = {
    "settings": {"key": "tts.defaults", "value": '{"provider": "piper"}'},
    "source_videos": {"id": "src_1", "filename": "a.mp4", "path": "media/a.mp4", "content_hash": "abc", "size_bytes": 10},
    "segments": {"id": "seg_1", "source_id": "src_1", "start_s": 0.0, "end_s": 1.0},
    "projects": {"id": "proj_1", "name": "Launch"},
    "clips": {"id": "clip_1", "project_id": "proj_1", "name": "Clip"},
    "jobs": {"id": "job_1", "kind": "render"},
    "cost_entries": {"id": "cost_1", "provider": "elevenlabs", "cost_usd": 0.5, "status": "settled", "month": "2026-11"},
    "voices": {"id": "voice_1", "provider": "xtts", "name": "Ana"},
    "publications": {"id": "pub_1", "clip_id": "clip_1", "integration_id": "int_1"},
}


def _schema(connection: duckdb.DuckDBPyConnection) -> list[tuple]:
    return connection.execute(
        "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns "
        "WHERE table_name <> 'schema_migrations' ORDER BY table_name, column_name"
    ).fetchall()


def _tables(connection) -> set[str]:
    return {r[0] for r in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _fill(connection) -> dict[str, dict]:
    inserted = {}
    for table, row in SAMPLE_ROWS.items():
        if table in _tables(connection) and not connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:
            connection.execute(
                f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values())
            )
            inserted[table] = row
    return inserted


def test_versions_are_ordered_and_unique():
    versions = [m.version for m in all_migrations()]
    assert versions == sorted(set(versions)) and versions[0] == 1


OLDER = [m.version for m in all_migrations()][:-1]


@pytest.mark.parametrize("start", [0, *OLDER])
def test_upgrade_from_every_older_version(tmp_path, start):
    fresh = duckdb.connect(str(tmp_path / "fresh.duckdb"))
    migrate(fresh)
    expected_schema = _schema(fresh)
    fresh.close()

    connection = duckdb.connect(str(tmp_path / "old.duckdb"))
    if start:
        migrate(connection, up_to=start)
    inserted = _fill(connection) if start else {}
    applied = migrate(connection)
    assert applied == [m.version for m in all_migrations() if m.version > start]
    assert _schema(connection) == expected_schema
    versions = [r[0] for r in connection.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]
    assert versions[-1] == latest_version()
    for table, row in inserted.items():
        key, value = next(iter(row.items()))
        assert connection.execute(f"SELECT count(*) FROM {table} WHERE {key} = ?", [value]).fetchone()[0] == 1, table
    assert migrate(connection) == []  # nothing left to do, running again is harmless
    connection.close()


def test_failed_migration_rolls_back(tmp_path, monkeypatch):
    from editfactory.storage import migrations as module

    good = [m.version for m in all_migrations()]
    broken = module.Migration(9999, "broken", ("CREATE TABLE half_done (x INTEGER)", "THIS IS NOT SQL"))
    monkeypatch.setattr(module, "all_migrations", lambda: [*all_migrations(), broken])
    connection = duckdb.connect(str(tmp_path / "p.duckdb"))
    with pytest.raises(duckdb.Error):
        migrate(connection)
    assert "half_done" not in _tables(connection)
    assert 9999 not in {r[0] for r in connection.execute("SELECT version FROM schema_migrations").fetchall()}
    assert set(good) <= {r[0] for r in connection.execute("SELECT version FROM schema_migrations").fetchall()}
    connection.close()
