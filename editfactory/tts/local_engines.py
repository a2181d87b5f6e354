"""Shared plumbing for the heavy local engines (XTTS, Kokoro): install checks, offline model checks, one load per process."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from editfactory.tts.errors import VoiceUnavailableError
from editfactory.tts.words import split_sentences  # noqa: F401  (the engines' modules import it from here)

_models: dict[str, Any] = {}
_models_lock = threading.Lock()


def package_installed(module: str) -> bool:
    """True when ``module`` can be imported, checked without importing it (importing pulls in PyTorch)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def load_once(key: str, loader: Callable[[], Any], *, label: str = "", fix: str = "") -> Any:
    """Load a model the first time it is asked for and reuse it for the life of the process.

    A loader that fails (weights half downloaded, a file it would have to fetch)
    becomes a VoiceUnavailableError naming ``label`` and saying ``fix``.
    """
    with _models_lock:
        if key not in _models:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never start a multi-GB download from a worker
            try:
                _models[key] = loader()
            except Exception as error:
                raise VoiceUnavailableError(
                    f"{label or key} could not be loaded ({type(error).__name__}: {error}). {fix}".strip()) from error
        return _models[key]


def loaded_models() -> list[str]:
    with _models_lock:
        return sorted(_models)


def to_float_array(audio: Any):
    """Audio from an engine (list, numpy array or torch tensor) as a 1-D float32 numpy array."""
    import numpy as np

    if hasattr(audio, "detach"):
        audio = audio.detach().cpu().numpy()
    return np.asarray(audio, dtype=np.float32).reshape(-1)


def hf_model_cached(repo_id: str, files: tuple[str, ...] = ()) -> bool:
    """Whether a Hugging Face model repo (and each of ``files`` in it) is in the local hub cache, so loading
    will not download."""
    hub = os.environ.get("HF_HUB_CACHE") or os.path.join(
        os.environ.get("HF_HOME", os.path.join(os.path.expanduser("~"), ".cache", "huggingface")), "hub")
    folder = Path(hub) / f"models--{repo_id.replace('/', '--')}" / "snapshots"
    if not folder.is_dir():
        return False
    snapshots = [s for s in folder.iterdir() if s.is_dir()]
    return any(all((s / name).is_file() for name in files) for s in snapshots)
