"""API keys set in the notebooks' profile, and the search for them in what an executed notebook shows and saves.

The keys (Postiz and ElevenLabs, each with a fake server on 127.0.0.1 so the notebooks can use them) are set
before a notebook runs; afterwards every output of every cell (streams, every MIME type of every display, error
names, values and tracebacks) and the notebook saved to a file are searched for each key and every 8-character
slice of it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tests.fakes.elevenlabs_server import FakeElevenLabs
from tests.fakes.postiz_server import FakeIntegration, FakePostiz

POSTIZ_KEY = "pz-NOTEBOOKKEY-3e9b7c1d5a2f"
ELEVENLABS_KEY = "sk_NOTEBOOKKEY_8d2f6a0c4e1b"
SLICE = 8
"""The shortest piece of a key that must not show: 8 characters is already most of a masked key's hidden part."""


@dataclass
class SeededKeys:
    postiz: FakePostiz
    elevenlabs: FakeElevenLabs

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.postiz.api_key, self.elevenlabs.api_key)


@contextlib.contextmanager
def seeded_keys(workspace_root: Path, profile_name: str = "Notebooks") -> Iterator[SeededKeys]:
    """The profile the notebooks open, with a Postiz connection and an ElevenLabs key (fake servers)."""
    from editfactory.ops.notebook import profile_named
    from editfactory.profiles import Workspace
    from editfactory.publish import save_config
    from editfactory.storage.secrets import set_secret
    from editfactory.storage.settings import set_setting

    channels = [FakeIntegration("nb-tiktok", "Notebook TikTok", "tiktok")]
    with FakePostiz(POSTIZ_KEY, channels) as postiz, FakeElevenLabs(b"never requested", api_key=ELEVENLABS_KEY) as eleven:
        profile = profile_named(profile_name, workspace=Workspace(workspace_root))
        save_config(profile, url=postiz.backend_url, enabled=True, api_key=POSTIZ_KEY)
        set_secret(profile, "elevenlabs.api_key", ELEVENLABS_KEY)
        set_setting(profile, "tts.endpoints", {"elevenlabs": eleven.base_url})
        yield SeededKeys(postiz, eleven)


def stored_keys(workspace_root: Path) -> set[str]:
    """Every secret value any profile of the workspace holds at the end (a notebook may have set its own)."""
    values = set()
    for path in Path(workspace_root).glob("*/secrets/secrets.json"):
        values.update(v for v in json.loads(path.read_text(encoding="utf-8")).values() if isinstance(v, str))
    return values


def key_forms(keys: set[str] | tuple[str, ...]) -> set[str]:
    """Each key and every slice of ``SLICE`` characters of it."""
    return {key[i:i + SLICE] for key in keys for i in range(len(key) - SLICE + 1)} | set(keys)


def everything_shown(notebook) -> str:
    """All that the notebook's code cells output, as stored: text, every MIME bundle, errors with tracebacks."""
    return "\n".join(json.dumps(cell.get("outputs", []), ensure_ascii=False)
                     for cell in notebook.cells if cell.cell_type == "code")


def assert_no_key_shown(notebook, saved: Path, keys: set[str] | tuple[str, ...], *, write: bool = True) -> int:
    """No key, nor any 8-character slice of one, in the outputs or the saved file (written here unless a kernel
    run already saved it); returns the number of forms searched."""
    if write:
        nbformat.write(notebook, saved)
    shown = everything_shown(notebook)
    saved_bytes = saved.read_bytes()
    assert shown and saved_bytes
    forms = key_forms(keys)
    for form in sorted(forms):
        assert form not in shown, f"a notebook output shows {form!r}, part of an API key"
        assert form.encode() not in saved_bytes, f"the saved notebook {saved.name} holds {form!r}, part of an API key"
    return len(forms)


def errors_shown(notebook) -> list[dict]:
    return [output for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if output.get("output_type") == "error"]
