"""The model's API key is nowhere but the secret store: not in errors, logs, console output, exports or rows."""

from __future__ import annotations

import logging
import traceback
import zipfile

import pytest

from editfactory.core.errors import EditFactoryError
from editfactory.costs import ledger
from editfactory.profiles.export import export_profile
from editfactory.writing import Brief, ModelClient, ModelConfig, save_model_config, suggest_post_copy, write_scripts
from editfactory.writing.model_client import api_key_masked
from tests.fakes.openai_server import FakeOpenAI

SECRET = "sk-proj-SECRETMODELKEY-4f9a2c7e1b"


@pytest.fixture
def log_file(tmp_path):
    """A log file at DEBUG on the root logger, as a deployment would write it (httpx logs its requests)."""
    path = tmp_path / "logs" / "editfactory.log"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield path
    logging.getLogger().removeHandler(handler)
    handler.close()


def _zip_contains(path, needle: bytes) -> bool:
    with zipfile.ZipFile(path) as archive:
        return any(needle in archive.read(name) for name in archive.namelist())


def test_the_model_key_is_nowhere_but_the_secret_store(workspace, tmp_path, caplog, capsys, log_file):
    caplog.set_level(logging.DEBUG)
    profile = workspace.create("Store A")
    errors: list[BaseException] = []
    with FakeOpenAI(api_key=SECRET, reply="Stop scrolling. Get it now.\n---\nCold coffee? Not anymore.") as server:
        save_model_config(profile, ModelConfig(server.base_url, "fake-gpt", 1.0, 2.0), api_key=SECRET)
        print(ModelClient(profile).test_connection(), api_key_masked(profile), ModelClient(profile))
        print(write_scripts(profile, Brief("Aroma Mug"), 2))
        for fault in ("echo_key", "unauthorized", "rate_limited", "server_error", "malformed"):
            server.inject(fault)
            with pytest.raises(EditFactoryError) as failed:
                write_scripts(profile, Brief("Aroma Mug"), 2)
            errors.append(failed.value)
        server.inject("echo_key")
        with pytest.raises(EditFactoryError) as failed:
            ModelClient(profile).test_connection()
        errors.append(failed.value)
        with pytest.raises(EditFactoryError) as failed:  # a wrong key: the error must not echo it either
            ModelClient(profile, api_key=SECRET[::-1]).test_connection()
        errors.append(failed.value)
        print(suggest_post_copy(profile, Brief("Aroma Mug"), ["tiktok"]))
        seen_headers = {r["authorization"] for r in server.requests}
    export = export_profile(profile, tmp_path / "export.zip")
    with profile.db.read() as cursor:
        cursor.execute("CHECKPOINT")
        rows = str(cursor.execute("SELECT * FROM settings").fetchall()) + str(ledger.month_entries(profile))
    secret_file = profile.paths.secrets / "secrets.json"
    files = [p for p in workspace.root.rglob("*") if p.is_file() and p != secret_file]
    captured = capsys.readouterr()
    logged = log_file.read_text(encoding="utf-8")

    raised = "".join(str(e) + repr(e) + "".join(traceback.format_exception(e)) for e in errors)
    assert "[redacted]" in raised  # the echoing server was heard, without the key
    for needle in (SECRET, SECRET[::-1], SECRET[:16]):
        assert needle not in raised
        assert needle not in caplog.text and needle not in logged
        assert needle not in captured.out + captured.err
        assert needle not in rows
        assert not _zip_contains(export, needle.encode())
        for path in files:
            assert needle.encode() not in path.read_bytes(), path
    assert api_key_masked(profile) in captured.out
    # Positive controls: the key is where it belongs, so the searches above could have found it.
    assert f"Bearer {SECRET}" in seen_headers and SECRET.encode() in secret_file.read_bytes()
    assert "fake-gpt" in rows and any("fake-gpt" in path.read_bytes().decode("latin-1") for path in files)
