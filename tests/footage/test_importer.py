from __future__ import annotations

import shutil
import subprocess

import duckdb
import pytest

from editfactory.core.errors import ValidationError
from editfactory.footage.importer import import_library, main
from editfactory.media.runner import ffmpeg_path
from editfactory.services import projects
from editfactory.storage.migrations import migrate


def _video(path, pattern: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [ffmpeg_path(), "-v", "error", "-y", "-f", "lavfi", "-i", f"{pattern}=size=160x120:rate=10:duration=1",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mp4", str(path)],
        check=True, timeout=60,
    )


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("videos")
    _video(folder / "a.mp4", "testsrc2")
    _video(folder / "b.mov", "smptebars")
    return folder


def _library(tmp_path, videos):
    lib = tmp_path / "old-library"
    (lib / "videos").mkdir(parents=True)
    (lib / "clips").mkdir()
    shutil.copyfile(videos / "a.mp4", lib / "videos" / "a.mp4")
    shutil.copyfile(videos / "b.mov", lib / "videos" / "b.MOV")
    shutil.copyfile(videos / "a.mp4", lib / "videos" / "a-copy.mp4")  # same content as a.mp4
    (lib / "clips" / "final.mp4").write_bytes(b"clip-1" * 100)
    (lib / "notes.txt").write_text("not a video")
    return lib


def _counts(profile):
    return {t: profile.db.fetchone(f"SELECT count(*) FROM {t}")[0] for t in ("source_videos", "clips", "projects", "segments")}


def test_folder_import_is_complete_and_idempotent(workspace, tmp_path, videos):
    lib = _library(tmp_path, videos)
    profile = workspace.default()
    report = import_library(profile, lib)
    assert (report.sources_added, report.clips_added) == (2, 1)
    assert _counts(profile) == {"source_videos": 2, "clips": 1, "projects": 1, "segments": 0}
    for (stored,) in profile.db.fetchall("SELECT path FROM source_videos UNION ALL SELECT path FROM clips"):
        assert profile.paths.absolute(stored).is_file()
    # Sources went through the library's import: probed, with a thumbnail.
    for duration, thumbnail in profile.db.fetchall("SELECT duration, thumbnail_path FROM source_videos"):
        assert duration == pytest.approx(1.0, abs=0.15) and profile.paths.absolute(thumbnail).is_file()
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


def test_database_and_folder_import_into_a_chosen_profile(workspace, tmp_path, videos):
    lib = _library(tmp_path, videos)
    old = _old_database(tmp_path, lib)
    other = workspace.default()
    target = workspace.create("Store B")
    import_library(target, lib, database=old)
    counts = _counts(target)
    assert counts == {"source_videos": 2, "clips": 2, "projects": 2, "segments": 1}
    assert projects.get_project(target, "proj_old")["name"] == "Spring"
    # The old source id maps to the profile's source for the same content (ids come from the library's import).
    (a_source,) = target.db.fetchone("SELECT id FROM source_videos WHERE filename = 'a.mp4'")
    assert projects.project_sources(target, "proj_old") == [a_source]
    assert target.db.fetchall("SELECT source_id FROM segments WHERE id = 'seg_old'") == [(a_source,)]
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


def test_command_line(workspace, tmp_path, capsys, videos):
    lib = _library(tmp_path, videos)
    workspace.create("Store C")
    assert main([str(lib), "--profile", "store c", "--data-dir", str(workspace.root)]) == 0
    assert "Imported 2 source videos, 1 clip files" in capsys.readouterr().out
    assert main([str(lib), "--profile", "nope", "--data-dir", str(workspace.root)]) == 2
    assert "No profile is named 'nope'" in capsys.readouterr().err


def test_an_unusable_video_is_reported_and_the_rest_still_imported(workspace, tmp_path, videos):
    lib = _library(tmp_path, videos)
    (lib / "videos" / "broken.mp4").write_bytes(b"not really a video" * 50)
    profile = workspace.default()
    report = import_library(profile, lib)
    assert report.sources_added == 2
    assert [what.rsplit("/", 1)[-1] for what, _ in report.rejected] == ["broken.mp4"]
    assert "Not imported:" in str(report) and "broken.mp4" in str(report)
    assert profile.db.fetchone("SELECT count(*) FROM source_videos")[0] == 2


def test_rows_of_an_unusable_old_source_are_reported_not_left_dangling(workspace, tmp_path, videos):
    lib = _library(tmp_path, videos)
    (lib / "videos" / "broken.mp4").write_bytes(b"garbage" * 100)
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, up_to=1)
    con.execute("INSERT INTO source_videos (id, filename, path, content_hash, size_bytes) VALUES ('src_bad', 'broken.mp4', 'videos/broken.mp4', 'h', 1)")
    con.execute("INSERT INTO segments (id, source_id, start_s, end_s) VALUES ('seg_bad', 'src_bad', 0, 1)")
    con.close()
    profile = workspace.default()
    report = import_library(profile, lib, database=path)
    reasons = dict(report.rejected)
    assert any(what.endswith("broken.mp4") for what in reasons)
    assert any("seg_bad" in what and "not imported" in why for what, why in report.rejected)
    assert profile.db.fetchone("SELECT count(*) FROM segments")[0] == 0
