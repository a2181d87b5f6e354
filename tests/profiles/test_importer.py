from __future__ import annotations

import duckdb
import pytest

from editfactory import projects
from editfactory.errors import ValidationError
from editfactory.profiles.importer import import_library, main
from editfactory.storage.migrations import migrate


def _library(tmp_path):
    lib = tmp_path / "old-library"
    (lib / "videos").mkdir(parents=True)
    (lib / "clips").mkdir()
    (lib / "videos" / "a.mp4").write_bytes(b"video-a" * 100)
    (lib / "videos" / "b.MOV").write_bytes(b"video-b" * 100)
    (lib / "videos" / "a-copy.mp4").write_bytes(b"video-a" * 100)  # same content as a.mp4
    (lib / "clips" / "final.mp4").write_bytes(b"clip-1" * 100)
    (lib / "notes.txt").write_text("not a video")
    return lib


def _counts(profile):
    return {t: profile.db.fetchone(f"SELECT count(*) FROM {t}")[0] for t in ("source_videos", "clips", "projects", "segments")}


def test_folder_import_is_complete_and_idempotent(workspace, tmp_path):
    lib = _library(tmp_path)
    profile = workspace.default()
    report = import_library(profile, lib)
    assert (report.sources_added, report.clips_added) == (2, 1)
    assert _counts(profile) == {"source_videos": 2, "clips": 1, "projects": 1, "segments": 0}
    for (stored,) in profile.db.fetchall("SELECT path FROM source_videos UNION ALL SELECT path FROM clips"):
        assert profile.paths.absolute(stored).is_file()
    assert (lib / "videos" / "a.mp4").exists()  # copied, never moved

    again = import_library(profile, lib)
    assert (again.sources_added, again.clips_added) == (0, 0)
    assert _counts(profile) == {"source_videos": 2, "clips": 1, "projects": 1, "segments": 0}


def _old_database(tmp_path, lib):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, up_to=1)
    con.execute("INSERT INTO source_videos (id, filename, path, content_hash, size_bytes) VALUES ('src_old', 'a.mp4', 'videos/a.mp4', 'h', 1)")
    con.execute("INSERT INTO projects (id, name) VALUES ('proj_old', 'Spring')")
    con.execute("INSERT INTO project_sources VALUES ('proj_old', 'src_old')")
    con.execute("INSERT INTO segments (id, source_id, start_s, end_s, keywords) VALUES ('seg_old', 'src_old', 1, 3, ['shoe'])")
    con.execute("INSERT INTO clips (id, project_id, name, status, path) VALUES ('clip_old', 'proj_old', 'Spring v1', 'rendered', 'clips/final.mp4')")
    con.execute("INSERT INTO clips (id, project_id, name, status) VALUES ('clip_draft', 'proj_old', 'Spring v2', 'draft')")
    con.close()
    return path


def test_database_and_folder_import_into_a_chosen_profile(workspace, tmp_path):
    lib = _library(tmp_path)
    old = _old_database(tmp_path, lib)
    other = workspace.default()
    target = workspace.create("Store B")
    import_library(target, lib, database=old)
    counts = _counts(target)
    assert counts == {"source_videos": 2, "clips": 2, "projects": 2, "segments": 1}
    assert projects.get_project(target, "proj_old")["name"] == "Spring"
    assert projects.project_sources(target, "proj_old") == ["src_old"]
    clip = projects.get_clip(target, "clip_old")
    assert target.paths.absolute(clip["path"]).is_file()
    assert _counts(other) == {"source_videos": 0, "clips": 0, "projects": 0, "segments": 0}

    import_library(target, lib, database=old)
    assert _counts(target) == counts


def test_importer_errors_are_clear(workspace, tmp_path):
    profile = workspace.default()
    with pytest.raises(ValidationError, match="not a folder"):
        import_library(profile, tmp_path / "missing")
    with pytest.raises(ValidationError, match="does not exist"):
        import_library(profile, database=tmp_path / "missing.duckdb")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(ValidationError, match="none of the library tables"):
        import_library(profile, database=empty)
    with pytest.raises(ValidationError, match="folder, its database file, or both"):
        import_library(profile)


def test_command_line(workspace, tmp_path, capsys):
    lib = _library(tmp_path)
    workspace.create("Store C")
    assert main([str(lib), "--profile", "store c", "--data-dir", str(workspace.root)]) == 0
    assert "Imported 2 source videos, 1 clip files" in capsys.readouterr().out
    assert main([str(lib), "--profile", "nope", "--data-dir", str(workspace.root)]) == 2
    assert "No profile is named 'nope'" in capsys.readouterr().err
