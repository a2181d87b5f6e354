"""API keys must not appear in logs, console output, exception messages or reprs, exports, the database or the folder.

One run uses the Postiz key every way a store can (including servers that echo
request headers in their error bodies and keys pasted with a stray character),
then searches everything that run left behind.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import stat
import traceback
import zipfile
from urllib.parse import quote

import pytest

from editfactory.core.errors import EditFactoryError, ValidationError
from editfactory.profiles.export import export_profile
from editfactory.storage.secrets import set_secret
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


# -- keys echoed transformed ---------------------------------------------------------------------------------------

ODD = 'pz+Sk/2=Q"a7+Rt/9c=W"x4m'
"""A key with the characters that URL-encoding, HTML- and JSON-escaping change, none of its plain runs 8 long:
an echo in one of those forms is caught only by redacting that very form."""


def _echoes(key: str) -> dict[str, str]:
    """Every way a server or proxy has been seen to echo a key."""
    return {"exact": key, "url-encoded": quote(key, safe=""), "html-escaped": html.escape(key),
            "json-escaped": json.dumps(key)[1:-1].replace("/", "\\/"), "lower-cased": key.lower(),
            "upper-cased": key.upper(), "base64": base64.b64encode(f"Authorization: {key}".encode()).decode(),
            "prefix": key[:14]}


def _leaks(haystack: str, key: str) -> list[str]:
    """Each 8-character run of any echo of ``key`` found in ``haystack`` (letter case ignored but for base64)."""
    found = []
    for name, form in _echoes(key).items():
        if name == "base64":  # only the part that encodes the key's own bytes
            form = base64.b64encode(key.encode()).decode()[:-4]
        text, runs = (haystack, form) if name == "base64" else (haystack.lower(), form.lower())
        found += [f"{name}: {runs[i:i + 8]!r}" for i in range(len(runs) - 7) if runs[i:i + 8] in text]
    return found


def test_a_key_echoed_escaped_encoded_or_cut_is_kept_nowhere(workspace, postiz_factory, sample_mp4, tmp_path,
                                                             caplog, log_file):
    """HTML-, JSON-escaped, lower-cased, base64 and prefix echoes used to reach errors, rows, exports and logs."""
    from editfactory.publish.client import REASON_LIMIT
    from editfactory.publish import list_publications

    caplog.set_level(logging.DEBUG)
    profile = workspace.create("Store A")
    server = postiz_factory(ODD, standard_integrations("a"))
    save_config(profile, url=server.backend_url, enabled=True, api_key=ODD)
    policy = RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.002)
    errors: list[BaseException] = []
    echoes = _echoes(ODD)
    for name, form in echoes.items():  # in the body and in a response header (httpcore logs those at DEBUG)
        server.fail_next(400, {"statusCode": 400, "message": f"bad request from key {form} ({name})",
                               "error": "Bad Request"}, {"X-Echo-Authorization": form}, path="/integrations")
        with pytest.raises(EditFactoryError) as echoed:
            check_connection(profile, policy=policy)
        errors.append(echoed.value)
    # The key starting just before the point where a long message is cut: shortening first would keep its start.
    server.fail_next(400, {"message": "x" * (REASON_LIMIT - 5) + ODD + " was refused"}, path="/integrations")
    with pytest.raises(EditFactoryError) as cut:
        check_connection(profile, policy=policy)
    errors.append(cut.value)
    everything = " ".join(echoes.values())
    server.fail_next(400, {"statusCode": 400, "message": [f"authorization {everything}"], "provider": "x",
                           "name": f"a X {ODD}"}, method="POST", path="/posts")
    server.fail_next(400, {"msg": f"No file provided for {everything}"}, path="/upload")
    rows = [*publish_clip(profile, add_clip(profile, sample_mp4), ["a-x"], caption="Hi", policy=policy),
            *publish_clip(profile, add_clip(profile, sample_mp4), ["a-tiktok"], caption="Hi", policy=policy)]
    assert [r.status for r in rows] == ["failed", "failed"] and all("[redacted]" in r.last_error for r in rows)
    export = export_profile(profile, tmp_path / "export.zip")
    with profile.db.read() as cursor:
        cursor.execute("CHECKPOINT")

    raised = "".join(str(e) + repr(e) + "".join(traceback.format_exception(e)) for e in errors)
    stored = " ".join(str(p.last_error) for p in list_publications(profile))
    database = b"".join(p.read_bytes() for p in profile.folder.iterdir() if p.name.startswith("profile.duckdb"))
    with zipfile.ZipFile(export) as archive:
        exported = b"".join(archive.read(n) for n in archive.namelist())
    places = {"errors": raised, "rows": stored, "database": database.decode("latin-1"),
              "export": exported.decode("latin-1"), "debug log": log_file.read_text(encoding="utf-8"),
              "log records": caplog.text}
    for place, text in places.items():
        assert _leaks(text, ODD) == [], place
    assert ODD[:5] not in str(cut.value)  # not even the start of the key the cut went through
    assert raised.count("[redacted]") >= len(errors) and "(base64)" in raised  # heard, without the key
    assert set(server.auth_headers) >= {ODD}  # the key really went out with every request
    assert len(raised) > 1000 and len(str(cut.value)) < 600  # a short reason, not the server's whole body
    runs = sum(len(form) - 7 for form in echoes.values())
    print(f"\nFIGURE: secrets echoed: a key with + / = \" echoed {len(echoes)} ways (exact, URL-encoded, HTML- and "
          f"JSON-escaped, lower/upper case, base64, a 14-character prefix) in bodies and a response header, and "
          f"once from character {REASON_LIMIT - 5} of a long message; {runs} 8-character runs searched in "
          f"{len(errors)} errors, the rows, the database, the export, the DEBUG log: found 0 times")
