"""Exporting a profile holds its database only while the database file is copied, never while media is zipped."""

from __future__ import annotations

import threading
import zipfile

import duckdb

from editfactory.profiles.export import export_profile
from editfactory.services import projects
from editfactory.storage.settings import get_setting, set_setting

WAIT = 60.0  # far longer than one small write; reaching it means the writer was stalled


def test_writers_are_not_stalled_while_media_is_zipped(workspace, tmp_path):
    profile = workspace.create("Store A")
    projects.create_project(profile, "Before the export")
    for index in range(3):
        (profile.paths.media / f"src_{index}.mp4").write_bytes(bytes(200_000))
    stalled, written, writers = [], threading.Event(), []

    def write_meanwhile(message, fraction):
        if message.startswith("Adding src_0") and not writers:
            writers.append(threading.Thread(target=lambda: (set_setting(profile, "during.export", 1), written.set())))
            writers[0].start()
            if not written.wait(WAIT):
                stalled.append(message)

    out = export_profile(profile, tmp_path / "a.zip", progress=write_meanwhile)
    writers[0].join()
    assert written.is_set() and stalled == [], "a write waited for the zipping of media"
    assert get_setting(profile, "during.export") == 1
    root = profile.folder.name
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert f"{root}/media/src_2.mp4" in names
        assert not [n for n in names if ".lock" in n or ".wait-" in n]  # hand-over files stay behind
        archive.extractall(tmp_path / "restored")
    copy = duckdb.connect(str(tmp_path / "restored" / root / "profile.duckdb"), read_only=True)
    try:
        assert copy.execute("SELECT name FROM projects").fetchall() == [("Before the export",)]
    finally:
        copy.close()
    assert list(profile.paths.tmp.iterdir()) == []
