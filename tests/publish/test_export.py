"""Profile export (editfactory/profiles/export.py): the folder as a zip, secrets only when asked."""

from __future__ import annotations

import json
import stat
import zipfile

import pytest

from editfactory.core.errors import ValidationError
from editfactory.profiles.export import export_profile
from editfactory.storage.secrets import set_secret
from editfactory.storage.settings import get_setting, set_setting
from tests.publish.conftest import add_clip


def test_export_has_the_folder_but_not_secrets_or_temp(workspace, sample_mp4, tmp_path):
    profile = workspace.create("Store A")
    clip = add_clip(profile, sample_mp4)
    set_setting(profile, "captions.style", {"font": "Inter"})
    set_secret(profile, "postiz.api_key", "exported-key-never-1234")
    (profile.paths.tmp / "scratch.txt").write_text("scratch")
    progress = []
    out = export_profile(profile, tmp_path / "out" / "a.zip", progress=lambda m, f: progress.append(f))
    root = profile.folder.name
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert f"{root}/profile.duckdb" in names and f"{root}/profile.json" in names
        assert f"{root}/renders/{clip}.mp4" in names
        assert not any("/secrets/" in n or "/tmp/" in n for n in names)
        assert all(b"exported-key-never-1234" not in archive.read(n) for n in names)
    assert progress and progress[-1] == 1.0
    assert not list(out.parent.glob("*.partial"))

    # The exported database opens and holds the data.
    restored = tmp_path / "restored"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(restored)
    import duckdb

    connection = duckdb.connect(str(restored / root / "profile.duckdb"), read_only=True)
    try:
        assert connection.execute("SELECT count(*) FROM clips").fetchone()[0] == 1
    finally:
        connection.close()
    assert get_setting(profile, "captions.style") == {"font": "Inter"}


def test_export_with_secrets_when_asked(workspace, tmp_path):
    profile = workspace.create("Store A")
    set_secret(profile, "postiz.api_key", "exported-key-asked-5678")
    out = export_profile(profile, tmp_path / "with.zip", include_secrets=True)
    with zipfile.ZipFile(out) as archive:
        info = archive.getinfo(f"{profile.folder.name}/secrets/secrets.json")
        assert json.loads(archive.read(info)) == {"postiz.api_key": "exported-key-asked-5678"}
        assert stat.S_IMODE(info.external_attr >> 16) == 0o600


def test_export_destination_checks(workspace, tmp_path):
    profile = workspace.create("Store A")
    with pytest.raises(ValidationError, match=".zip"):
        export_profile(profile, tmp_path / "a.tar")
    with pytest.raises(ValidationError, match="outside the profile"):
        export_profile(profile, profile.folder / "self.zip")
