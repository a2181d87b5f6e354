"""Shared plumbing for the heavy local engines (XTTS, Kokoro): install checks, offline model checks, one load per process."""

from __future__ import annotations

import importlib.util
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

_models: dict[str, Any] = {}
_models_lock = threading.Lock()


def package_installed(module: str) -> bool:
    """True when ``module`` can be imported, checked without importing it (importing pulls in PyTorch)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def load_once(key: str, loader: Callable[[], Any]) -> Any:
    """Load a model the first time it is asked for and reuse it for the life of the process."""
    with _models_lock:
        if key not in _models:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never start a multi-GB download from a worker
            _models[key] = loader()
        return _models[key]


def loaded_models() -> list[str]:
    with _models_lock:
        return sorted(_models)


def split_sentences(text: str, max_chars: int) -> list[str]:
    """Sentences of ``text``, each at most ``max_chars`` (long ones are cut at commas, then at spaces)."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?。！？])\s+", text.strip()) if s.strip()]
    pieces: list[str] = []
    for sentence in sentences:
        while len(sentence) > max_chars:
            window = sentence[:max_chars]
            cut = max(window.rfind(", "), window.rfind("; "))
            cut = cut + 1 if cut > max_chars // 3 else window.rfind(" ")
            if cut <= 0:
                cut = max_chars
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            pieces.append(sentence)
    return pieces


def to_float_array(audio: Any):
    """Audio from an engine (list, numpy array or torch tensor) as a 1-D float32 numpy array."""
    import numpy as np

    if hasattr(audio, "detach"):
        audio = audio.detach().cpu().numpy()
    return np.asarray(audio, dtype=np.float32).reshape(-1)


def hf_model_cached(repo_id: str) -> bool:
    """Whether a Hugging Face model repo is in the local hub cache (so loading will not download)."""
    hub = os.environ.get("HF_HUB_CACHE") or os.path.join(
        os.environ.get("HF_HOME", os.path.join(os.path.expanduser("~"), ".cache", "huggingface")), "hub")
    folder = Path(hub) / f"models--{repo_id.replace('/', '--')}" / "snapshots"
    return folder.is_dir() and any(folder.iterdir())
