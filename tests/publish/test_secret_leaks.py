"""The Postiz API key must not appear in logs, console output, exports, the profile's database or its folder."""

from __future__ import annotations

import logging
import zipfile

import pytest

from editfactory.profiles.export import export_profile
from editfactory.publish import (
    PostizAuthError,
    RetryPolicy,
    api_key_masked,
    load_config,
    publish_clip,
    refresh_status,
    resume_pending,
    save_config,
    check_connection,
)
from tests.fakes.postiz_server import Faults
from tests.publish.conftest import add_clip, standard_integrations

SECRET = "pz-SECRETKEY-7f3a9c1e5b"


def _zip_contains(path, needle: bytes) -> bool:
    with zipfile.ZipFile(path) as archive:
        return any(needle in archive.read(name) for name in archive.namelist())


@pytest.fixture
def log_file(tmp_path):
    """A log file at DEBUG on the root logger, as a deployment would write it."""
    path = tmp_path / "logs" / "editfactory.log"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    yield path
    logging.getLogger().removeHandler(handler)
    handler.close()


def _use_the_key_every_way(profile, server, sample_mp4):
    """Configure, test the connection, publish under faults, follow up, use a wrong key, and resume."""
    save_config(profile, url=server.backend_url, enabled=True, api_key=SECRET, default_channels=["a-x"])
    policy = RetryPolicy(max_attempts=30, base_delay=0.001, max_delay=0.002, retry_after_cap=0.001)
    print(check_connection(profile, policy=policy))
    print(load_config(profile), api_key_masked(profile))
    clip = add_clip(profile, sample_mp4)
    for result in publish_clip(profile, clip, ["a-x", "a-tiktok"], caption="Hello", policy=policy):
        print(result)
    server.faults = Faults()
    refresh_status(profile, policy=policy)
    save_config(profile, api_key=SECRET[::-1])  # a wrong key: the error must not echo either key
    with pytest.raises(PostizAuthError) as refused:
        check_connection(profile, policy=policy)
    print(refused.value, repr(refused.value))
    save_config(profile, api_key=SECRET)
    print(resume_pending(profile, policy=policy))


def test_key_is_nowhere_but_the_secret_store(workspace, postiz_factory, sample_mp4, tmp_path, caplog, capsys,
                                             log_file):
    caplog.set_level(logging.DEBUG)  # everything, including httpx/httpcore debug lines
    profile = workspace.create("Store A")
    server = postiz_factory(SECRET, standard_integrations("a"),
                            faults=Faults(server_error=0.3, drop_after=0.2, rate_limit=0.1), seed=3)
    _use_the_key_every_way(profile, server, sample_mp4)
    export = export_profile(profile, tmp_path / "export.zip")
    with profile.db.read() as cursor:
        cursor.execute("CHECKPOINT")
    database_files = [p for p in profile.folder.iterdir() if p.name.startswith("profile.duckdb")]
    secret_file = profile.paths.secrets / "secrets.json"
    # Every other file of the workspace: settings, profile.json, renders, lock files, the WAL…
    workspace_files = [p for p in workspace.root.rglob("*") if p.is_file() and p != secret_file]

    captured = capsys.readouterr()
    logged = log_file.read_text(encoding="utf-8")
    assert caplog.records and "Postiz" in logged, "debug logging was captured"
    assert database_files and len(workspace_files) > len(database_files)
    for needle in (SECRET, SECRET[::-1]):
        assert needle not in caplog.text
        assert needle not in logged
        assert needle not in captured.out + captured.err
        assert not _zip_contains(export, needle.encode())
        for path in database_files:
            assert needle.encode() not in path.read_bytes()
            assert needle.encode("utf-16-le") not in path.read_bytes()
        for path in workspace_files:
            assert needle.encode() not in path.read_bytes(), path
    assert "pz-S" not in captured.out + logged  # not even a prefix; only the masked tail is ever shown
    assert api_key_masked(profile) in captured.out

    # Positive controls: the key does exist where it belongs, so the searches above could have found it.
    assert SECRET.encode() in secret_file.read_bytes()
    assert _zip_contains(export_profile(profile, tmp_path / "with-secrets.zip", include_secrets=True),
                         SECRET.encode())
    assert set(server.auth_headers) >= {SECRET}
