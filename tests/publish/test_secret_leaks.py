"""The Postiz API key must not appear in logs, console output, exports or the profile's database."""

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


def test_key_is_nowhere_but_the_secret_store(workspace, postiz_factory, sample_mp4, tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)  # everything, including httpx/httpcore debug lines
    profile = workspace.create("Store A")
    server = postiz_factory(SECRET, standard_integrations("a"),
                            faults=Faults(server_error=0.3, drop_after=0.2, rate_limit=0.1), seed=3)
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

    export = export_profile(profile, tmp_path / "export.zip")
    with profile.db.read() as cursor:
        cursor.execute("CHECKPOINT")
    database_files = [p for p in profile.folder.iterdir() if p.name.startswith("profile.duckdb")]

    captured = capsys.readouterr()
    needles = [SECRET, SECRET[::-1]]
    assert caplog.records, "debug logging was captured"
    assert any("Postiz" in r.getMessage() for r in caplog.records)
    for needle in needles:
        assert needle not in caplog.text
        assert needle not in captured.out + captured.err
        assert not _zip_contains(export, needle.encode())
        for path in database_files:
            assert needle.encode() not in path.read_bytes()
            assert needle.encode("utf-16-le") not in path.read_bytes()
    assert "pz-S" not in captured.out  # not even a prefix; only the masked tail is ever shown
    assert api_key_masked(profile) in captured.out

    # Positive controls: the key does exist where it belongs, so the searches above could have found it.
    assert SECRET.encode() in (profile.paths.secrets / "secrets.json").read_bytes()
    assert _zip_contains(export_profile(profile, tmp_path / "with-secrets.zip", include_secrets=True),
                         SECRET.encode())
    assert set(server.auth_headers) >= {SECRET}
