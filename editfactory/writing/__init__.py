"""Writing: scripts and post copy for a product, from a brief — offline templates or an OpenAI-compatible model.

The Python API::

    from editfactory.writing import Brief, write_scripts, suggest_post_copy
    brief = Brief("Aroma Mug", price="$25", offer="free shipping", language="ro")
    batch = write_scripts(profile, brief, 3)          # the profile's model, or templates when none is set
    copy = suggest_post_copy(profile, brief, ["tiktok", "youtube"], script=batch.variants[0].text)
"""

from __future__ import annotations

from editfactory.writing.brief import LANGUAGES, TONES, Brief, load_brief, save_brief
from editfactory.writing.language import detect_language, voice_mismatch
from editfactory.writing.model_client import (
    PRESETS,
    ModelClient,
    ModelConfig,
    ModelError,
    load_model_config,
    save_model_config,
    with_preset,
)
from editfactory.writing.post_copy import PostCopy, PostCopySuggestion, suggest_post_copy
from editfactory.writing.scripts import ScriptBatch, write_scripts
from editfactory.writing.templates import ScriptVariant, template_scripts

__all__ = [
    "LANGUAGES", "PRESETS", "TONES", "Brief", "ModelClient", "ModelConfig", "ModelError", "PostCopy",
    "PostCopySuggestion", "ScriptBatch", "ScriptVariant", "detect_language", "load_brief", "load_model_config",
    "save_brief", "save_model_config", "suggest_post_copy", "template_scripts", "voice_mismatch", "with_preset",
    "write_scripts",
]
