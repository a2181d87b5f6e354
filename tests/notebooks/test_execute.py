"""Every notebook executed top to bottom (nbclient, a real kernel) on a temporary workspace, offline,
with checks that what it shows comes from the profile it names."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat
import pytest

from tests.fakes.elevenlabs_server import FakeElevenLabs
from tests.fakes.openai_server import FakeOpenAI
from tests.notebooks.notebook_outputs import check_batch, text_outputs
from tests.notebooks.notebook_secrets import SeededKeys, assert_no_key_shown, errors_shown, seeded_keys, stored_keys

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CHROMIUM = Path("/usr/bin/chromium")
# With a browser, test_notebook_with_studio runs the batch notebook next to the served studio and makes
# the same checks; running it here as well would only double the slowest notebook's time in CI.
EXECUTED_HERE = [
    pytest.param(path, marks=pytest.mark.skipif(CHROMIUM.exists(), reason="executed by test_notebook_with_studio"))
    if path.stem == "batch" else path
    for path in NOTEBOOKS
]


@contextlib.contextmanager
def _nothing(workspace_root: Path) -> Iterator[None]:
    yield None




# -- execution -----------------------------------------------------------------------------------

@contextlib.contextmanager
def _seed_costs(workspace_root: Path) -> Iterator[None]:
    """Paid calls in two months for the profiles notebook to read (the offline voices are free)."""
    from editfactory.costs import reserve, settle
    from editfactory.ops.notebook import profile_named
    from editfactory.profiles import Workspace

    profile = profile_named("Notebooks", workspace=Workspace(workspace_root))
    settle(reserve(profile, "elevenlabs", "eleven_multilingual_v2", 0.30, units=1000), 0.30)
    older = reserve(profile, "elevenlabs", "eleven_flash_v2_5", 0.05, units=500)
    profile.db.execute("UPDATE cost_entries SET month = '2026-01' WHERE id = ?", [older.id])
    other = profile_named("Someone Else", workspace=Workspace(workspace_root))
    reserve(other, "openai-not-ours", "x", 7.0)
    yield None


@contextlib.contextmanager
def _seed_elevenlabs(workspace_root: Path) -> Iterator[FakeElevenLabs]:
    """A paid provider that is available (the fake ElevenLabs server): the lab must list it and not spend."""
    from editfactory.ops.notebook import profile_named
    from editfactory.profiles import Workspace
    from editfactory.storage.secrets import set_secret
    from editfactory.storage.settings import set_setting

    with FakeElevenLabs(b"never requested") as server:
        profile = profile_named("Notebooks", workspace=Workspace(workspace_root))
        set_secret(profile, "elevenlabs.api_key", server.api_key)
        set_setting(profile, "tts.endpoints", {"elevenlabs": server.base_url})
        yield server


def _check_voice_lab(outputs: str, server: FakeElevenLabs, workspace_root: Path) -> None:
    assert "piper · Joe" in outputs and "at speed 0.9" in outputs
    assert "elevenlabs · Rachel" in outputs and "paid ($" in outputs  # listed with its price, not made
    assert "steady-tone.wav" in outputs and "no speech was detected" in outputs
    assert "ElevenLabs: paid; set INCLUDE_PAID = True" in outputs
    assert "no network" in outputs  # Edge TTS, offline
    assert server.calls("/v1/voices", "GET") and not server.calls("/v1/text-to-speech")
    assert not server.calls("/v1/voices/add")
    assert server.api_key not in outputs


def _check_profiles(outputs: str, seeded: None, workspace_root: Path) -> None:
    assert "2 paid call(s), $0.3500 in total" in outputs
    assert "2026-01" in outputs and "eleven" in outputs
    assert "openai-not-ours" not in outputs  # the other profile's costs never show here


def _check_studio(outputs: str, seeded: None, workspace_root: Path) -> None:
    assert "studio opens on 'Notebooks'" in outputs


def _check_batch(outputs: str, seeded: None, workspace_root: Path) -> None:
    check_batch(outputs, workspace_root)


SCRIPT_LAB_KEY = "sk-NOTEBOOKKEY-model-5c7e9a1b3d"
SCRIPT_LAB_MODELS = 'MODELS = ["fake-gpt-mini"]  # added by the test: a second model on the same server'
_HOOKS = {"en": ("Meet {p}, made for your day.", "Still waiting for a better {p}?", "Here is why everyone asks about {p}."),
          "ro": ("Fă cunoștință cu {p}, pentru fiecare zi.", "Încă aștepți un {p} mai bun?", "Iată de ce toată lumea întreabă de {p}.")}
_ENDINGS = {"en": "It is simple, it works, and you will use it every single day. Tap the link and get yours today.",
            "ro": "Este simplu, funcționează și îl vei folosi în fiecare zi. Apasă pe link și comandă-l acum."}


def _scripts_reply(messages: list[dict]) -> str:
    """What a model writes for the lab's prompt: as many scripts as asked, in the brief's language."""
    import re

    user = messages[-1]["content"]
    n = int(re.search(r"Write (\d+) different scripts", user).group(1))
    language = "ro" if " in Romanian" in user else "en"
    product = re.search(r"^Product: (.+)$", user, flags=re.M).group(1)
    hooks = _HOOKS[language]
    return "\n---\n".join(f"{hooks[k % len(hooks)].format(p=product)} {_ENDINGS[language]}" for k in range(n))


@contextlib.contextmanager
def _seed_model(workspace_root: Path) -> Iterator[FakeOpenAI]:
    """A paid model on the fake OpenAI-compatible server, with a key the outputs must not show."""
    from editfactory.ops.notebook import profile_named
    from editfactory.profiles import Workspace
    from editfactory.writing import ModelConfig, save_model_config

    with FakeOpenAI(api_key=SCRIPT_LAB_KEY, models=("fake-gpt", "fake-gpt-mini"), reply=_scripts_reply) as server:
        profile = profile_named("Notebooks", workspace=Workspace(workspace_root))
        save_model_config(profile, ModelConfig(server.base_url, "fake-gpt", 0.5, 1.5), api_key=server.api_key)
        yield server


def _check_script_lab(outputs: str, server: FakeOpenAI, workspace_root: Path) -> None:
    # Three briefs, each by the templates and two models: six chat calls, all streamed to the end.
    assert outputs.count("templates") >= 9 and outputs.count("fake-gpt-mini") >= 9
    assert "Meet Aroma Mug, made for your day." in outputs and "Încă aștepți un Cana Aroma mai bun?" in outputs
    assert "free" in outputs and "not written" not in outputs and "not kept" not in outputs
    sent = [r["body"]["model"] for r in server.requests if r.get("body")]
    assert sent == ["fake-gpt", "fake-gpt-mini"] * 3 and server.completed_streams == 6
    assert "This run: 6 model call(s), $0.0" in outputs and SCRIPT_LAB_KEY not in outputs


SEEDS: dict[str, Callable[[Path], contextlib.AbstractContextManager]] = {
    "profiles_and_costs": _seed_costs, "voice_lab": _seed_elevenlabs, "script_lab": _seed_model,
}
CHECKS: dict[str, Callable[..., None]] = {
    "profiles_and_costs": _check_profiles, "studio": _check_studio, "batch": _check_batch,
    "voice_lab": _check_voice_lab, "script_lab": _check_script_lab,
}


KEY_CELLS = [
    # What a user may type next to the studio: their settings shown back, a connection test against a server
    # that echoes the request's headers in its error, a key pasted with a stray character. Errors are kept as
    # outputs (with their tracebacks), as in a notebook someone saves and shares.
    ("from editfactory.publish import api_key_masked, check_connection, load_config\n"
     "from editfactory.storage.secrets import get_secret, set_secret\n"
     "print(load_config(profile), api_key_masked(profile))\n"
     "load_config(profile)", []),
    ("check_connection(profile)", ["raises-exception"]),
    ('set_secret(profile, "elevenlabs.api_key", get_secret(profile, "elevenlabs.api_key") + "\\u2026")',
     ["raises-exception"]),
]


def _add_key_cells(notebook, keys: SeededKeys) -> None:
    for source, tags in KEY_CELLS:
        notebook.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags}))
    keys.postiz.fail_next(400, {"statusCode": 400, "message": [f"authorization: {keys.postiz.api_key}"]},
                          path="/integrations")


def _check_key_cells(notebook, outputs: str, keys: SeededKeys) -> None:
    """Positive controls: the cells ran, the server's echo was heard (redacted), the masked key is shown."""
    errors = errors_shown(notebook)
    assert [e["ename"] for e in errors] == ["PostizValidationError", "ValidationError"], errors
    assert "[redacted]" in "".join(errors[0]["traceback"]) + errors[0]["evalue"]
    assert "••••" + keys.postiz.api_key[-4:] in outputs and "NOTEBOOKKEY" not in outputs


@pytest.mark.slow
@pytest.mark.parametrize("path", EXECUTED_HERE, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_on_a_temporary_workspace(path, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    workspace_root = tmp_path / "workspace"
    monkeypatch.setenv("EDITFACTORY_DATA", str(workspace_root))  # the kernel inherits it
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")  # never the machine's keyring
    # Offline even where CI has internet: online voices go through a proxy that refuses every connection
    # (their availability probe follows the proxy, so they show "no network"); local fakes are reached directly.
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    with seeded_keys(workspace_root) as keys, SEEDS.get(path.stem, _nothing)(workspace_root) as seeded:
        if path.stem == "studio":
            _add_key_cells(notebook, keys)
        if path.stem == "script_lab":  # after the parameters, as papermill would: compare a second model
            notebook.cells.insert(2, nbformat.v4.new_code_cell(SCRIPT_LAB_MODELS))
        client.execute()  # raises CellExecutionError with the cell and its traceback on any error
        outputs = text_outputs(notebook)
        assert "Traceback" not in outputs
        assert not (ROOT / "data").exists() or not any((ROOT / "data").glob("notebooks-*")), "wrote to data/"
        CHECKS[path.stem](outputs, seeded, workspace_root)
        # The Postiz and ElevenLabs keys (and any a notebook set itself): in no output, traceback or saved file.
        searched = assert_no_key_shown(notebook, tmp_path / f"{path.stem}-executed.ipynb",
                                       set(keys.keys) | stored_keys(workspace_root))
        if path.stem == "studio":
            _check_key_cells(notebook, outputs, keys)
        for committed in NOTEBOOKS:
            assert not any(key.encode() in committed.read_bytes() for key in keys.keys)
    print(f"\nFIGURE: secrets in notebooks: {path.stem}: {searched} forms of the keys (each key and every "
          f"8-character slice) in {len(notebook.cells)} cells' outputs, {len(errors_shown(notebook))} error tracebacks "
          "and the saved notebook: found 0 times")
