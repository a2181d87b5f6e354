"""API keys must not appear in logs, console output, exception messages or reprs, exports, the database or the folder.

One run uses the Postiz key every way a store can (including servers that echo
request headers in their error bodies and keys pasted with a stray character),
then searches everything that run left behind.
"""

from __future__ import annotations

import logging
import stat
import traceback
import zipfile

import pytest

from editfactory.errors import EditFactoryError, ValidationError
from editfactory.profiles.export import export_profile
from editfactory.secrets import set_secret
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
PASTED = "pz-SECRETKEY-7f3a\u200b9c1e5b…"  # the same key copied with a zero-width space and an ellipsis
ELEVEN = "el-SECRETKEY-d41d8cd98f"


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


def _use_the_key_every_way(profile, server, sample_mp4) -> list[BaseException]:
    """Configure, test the connection, publish under faults, follow up, use a wrong key, and resume.

    Returns every error raised on the way, for the caller to search.
    """
    errors: list[BaseException] = []
    for bad in (PASTED, " " + PASTED + "\n"):  # refused at save time, for Postiz and ElevenLabs alike
        with pytest.raises(ValidationError) as pasted:
            save_config(profile, url=server.backend_url, enabled=True, api_key=bad)
        errors.append(pasted.value)
        with pytest.raises(ValidationError) as pasted:
            set_secret(profile, "elevenlabs.api_key", bad)
        errors.append(pasted.value)
    set_secret(profile, "elevenlabs.api_key", ELEVEN)
    save_config(profile, url=server.backend_url, enabled=True, api_key=SECRET, default_channels=["a-x"])
    policy = RetryPolicy(max_attempts=30, base_delay=0.001, max_delay=0.002, retry_after_cap=0.001)
    print(check_connection(profile, policy=policy))
    print(load_config(profile), api_key_masked(profile))
    clip = add_clip(profile, sample_mp4)
    for result in publish_clip(profile, clip, ["a-x", "a-tiktok"], caption="Hello", policy=policy):
        print(result)
    # Servers and proxies that echo the request's headers in their error bodies.
    server.fail_next(400, {"statusCode": 400, "message": [f"authorization: {SECRET}"]}, path="/integrations")
    server.fail_next(403, {"msg": f"Forbidden (Authorization={SECRET})"}, method="POST", path="/posts")
    with pytest.raises(EditFactoryError) as echoed:
        check_connection(profile, policy=policy)
    errors.append(echoed.value)
    for result in publish_clip(profile, clip, ["a-bsky"], caption="Echo", policy=policy):
        print(result, result.last_error)
    server.faults = Faults()
    refresh_status(profile, policy=policy)
    save_config(profile, api_key=SECRET[::-1])  # a wrong key: the error must not echo either key
    with pytest.raises(PostizAuthError) as refused:
        check_connection(profile, policy=policy)
    errors.append(refused.value)
    print(refused.value, repr(refused.value))
    save_config(profile, api_key=SECRET)
    print(resume_pending(profile, policy=policy))
    return errors


def test_key_is_nowhere_but_the_secret_store(workspace, postiz_factory, sample_mp4, tmp_path, caplog, capsys,
                                             log_file):
    caplog.set_level(logging.DEBUG)  # everything, including httpx/httpcore debug lines
    profile = workspace.create("Store A")
    server = postiz_factory(SECRET, standard_integrations("a"),
                            faults=Faults(server_error=0.3, drop_after=0.2, rate_limit=0.1), seed=3)
    errors = _use_the_key_every_way(profile, server, sample_mp4)
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
    assert len(errors) == 6
    raised = "".join(str(e) + repr(e) + "".join(traceback.format_exception(e)) for e in errors)
    needles = (SECRET, SECRET[::-1], PASTED, PASTED.strip()[:12], ELEVEN)
    for needle in needles:
        assert needle not in raised
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

    # Key files are the owner's only.
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(secret_file.parent.stat().st_mode) == 0o700
    assert "[redacted]" in raised  # the echoing server was heard, without the key

    # Positive controls: the key does exist where it belongs, so the searches above could have found it.
    assert SECRET.encode() in secret_file.read_bytes() and ELEVEN.encode() in secret_file.read_bytes()
    assert _zip_contains(export_profile(profile, tmp_path / "with-secrets.zip", include_secrets=True),
                         SECRET.encode())
    assert set(server.auth_headers) >= {SECRET}
    with capsys.disabled():
        print(f"\nFIGURE: secrets: {len(needles)} forms of the keys searched in {len(errors)} errors (message, repr, traceback), "
              f"log records, the log file, console output, the export, {len(database_files)} database files and "
              f"{len(workspace_files)} other workspace files: found 0 times; key file 0600 in a 0700 folder")
