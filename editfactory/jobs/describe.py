"""What a job makes, in words, from its kind and inputs: "3 variants of 'Spring launch', Piper Joe, TikTok".

One describe function per kind of :data:`editfactory.jobs.registry.STANDARD_KINDS` (a test checks none is missing).
Ids in the inputs are named through ``names`` (project, clip, source and cloned-voice ids to their names), which the
caller reads from the profile; an id it does not know is said as "a deleted …", never shown raw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any

from editfactory.jobs import registry as kinds
from editfactory.tts.naming import provider_words, voice_words  # noqa: F401 - named in job descriptions

Names = Mapping[str, str]



_PRESETS = {"tiktok": "TikTok", "reels": "Reels", "shorts": "Shorts", "square": "square", "landscape": "landscape"}


def _quoted(text: str, limit: int = 40) -> str:
    text = " ".join(str(text).split())
    return f"'{text if len(text) <= limit else text[:limit - 1] + '…'}'"


def _named(names: Names, item_id: str | None, what: str) -> str:
    if not item_id:
        return ""
    name = names.get(item_id)
    return _quoted(name) if name else f"a deleted {what}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _preset_words(preset: Any) -> str:
    if isinstance(preset, dict):
        return f"{preset.get('width', '?')}×{preset.get('height', '?')}"
    name = str(preset or "tiktok")
    draft = name.endswith("-draft")
    return _PRESETS.get(name.removesuffix("-draft"), name) + (" draft" if draft else "")


def _join(*parts: str) -> str:
    return ", ".join(p for p in parts if p)


def _production(inputs: Mapping[str, Any], names: Names) -> str:
    scripts = inputs.get("variant_scripts") or []
    count = len(scripts) or int(inputs.get("variants") or 1)
    what = "draft preview" if inputs.get("draft") else "variant"
    head = f"{_plural(count, what)} of {_named(names, inputs.get('project_id'), 'project')}"
    return _join(head, voice_words(inputs.get("voice"), names) or "the profile's voice",
                 _preset_words(inputs.get("preset")))


def _voiceover(inputs: Mapping[str, Any], names: Names) -> str:
    project = _named(names, inputs.get("project_id"), "project")
    subject = f"the script of {project}" if project and not inputs.get("script") else (
        _quoted(inputs.get("script") or "", 50) if inputs.get("script") else "a script")
    return _join(f"Voiceover of {subject}", voice_words(inputs.get("voice"), names) or "the profile's voice")


def _voice_preview(inputs: Mapping[str, Any], names: Names) -> str:
    voice = voice_words(inputs.get("voice"), names) or "the profile's voice"
    return f"Sample of {voice}: {_quoted(inputs.get('text') or '', 50)}"


def _clone_voice(inputs: Mapping[str, Any], names: Names) -> str:
    samples = len(inputs.get("samples") or [])
    provider = provider_words(str(inputs.get("provider") or ""))
    return _join(f"Clone the voice {_quoted(inputs.get('name') or '')} from {_plural(samples, 'sample')}",
                 f"with {provider}" if provider else "")


def _import_sources(inputs: Mapping[str, Any], names: Names) -> str:
    paths = [PurePath(str(p)).name for p in inputs.get("paths") or []]
    files = _quoted(paths[0]) if len(paths) == 1 else _plural(len(paths), "video")
    project = _named(names, inputs.get("project_id"), "project")
    return f"Import {files}" + (f" into {project}" if project else "")


def _analyze_source(inputs: Mapping[str, Any], names: Names) -> str:
    return f"Find the best moments of {_named(names, inputs.get('source_id'), 'video') or 'a video'}"


def _publish(inputs: Mapping[str, Any], names: Names) -> str:
    clip_ids = list(inputs.get("clip_ids") or [])
    targets = inputs.get("targets") or []
    channels = [names.get(t if isinstance(t, str) else t.get("integration_id", ""), "") for t in targets]
    clips = _named(names, clip_ids[0], "clip") if len(clip_ids) == 1 else _plural(len(clip_ids), "clip")
    to = (", ".join(c for c in channels if c) or _plural(len(targets), "channel")) if targets else "the default channels"
    when = "now"
    if inputs.get("draft"):
        when = "as drafts"
    elif inputs.get("start"):
        start = dt.datetime.fromisoformat(str(inputs["start"]))
        when = f"from {start:%Y-%m-%d %H:%M} UTC" if start.tzinfo else f"from {start:%Y-%m-%d %H:%M}"
        if inputs.get("spacing_minutes"):
            when += f", {float(inputs['spacing_minutes']):g} min apart"
    return f"Publish {clips} to {to}, {when}"


def _export(inputs: Mapping[str, Any], names: Names) -> str:
    target = PurePath(str(inputs.get("destination") or "")).name or "a file"
    return f"Export the profile to {_quoted(target)}" + (" with its API keys" if inputs.get("include_secrets") else "")


DESCRIBE: dict[str, Callable[[Mapping[str, Any], Names], str]] = {
    kinds.IMPORT_SOURCES: _import_sources,
    kinds.ANALYZE_SOURCE: _analyze_source,
    kinds.VOICEOVER: _voiceover,
    kinds.VOICE_PREVIEW: _voice_preview,
    kinds.CLONE_VOICE: _clone_voice,
    kinds.PRODUCTION: _production,
    kinds.PUBLISH: _publish,
    kinds.PUBLISH_REFRESH: lambda inputs, names: "Ask Postiz how the sent posts stand",
    kinds.PUBLISH_RESUME: lambda inputs, names: "Finish the posts left unsent (none is sent twice)",
    kinds.PUBLISH_RETRY_DUE: lambda inputs, names: "Send the posts whose wait is over",
    kinds.EXPORT: _export,
}
"""kind -> describe(inputs, names); a standard kind without one is caught by tests/jobs/test_describe.py."""


def describe_job(kind: str, inputs: Mapping[str, Any] | None, names: Names | None = None) -> str:
    """What a job of ``kind`` with ``inputs`` makes, in one line; a kind with no describe function says its name.
    Inputs that do not fit (an older job's, a hand-made one) fall back to the kind's name rather than failing."""
    inputs, names = inputs or {}, names or {}
    fallback = str(inputs.get("label") or kind.replace("_", " ").capitalize())
    describe = DESCRIBE.get(kind)
    if describe is None:
        return fallback
    try:
        return describe(inputs, names)
    except (TypeError, ValueError, AttributeError):
        return fallback


def ids_to_name(kind: str, inputs: Mapping[str, Any] | None) -> dict[str, set[str]]:
    """The ids a job's description names, by table: {"projects": {...}, "clips": {...}, "sources": {...},
    "voices": {...}}, so the caller can read their names in one query per table."""
    inputs = inputs or {}
    wanted: dict[str, set[str]] = {"projects": set(), "clips": set(), "sources": set(), "voices": set()}
    if inputs.get("project_id"):
        wanted["projects"].add(str(inputs["project_id"]))
    if inputs.get("source_id"):
        wanted["sources"].add(str(inputs["source_id"]))
    if kind == kinds.PUBLISH:
        wanted["clips"].update(str(c) for c in inputs.get("clip_ids") or [])
    voice = inputs.get("voice")
    if isinstance(voice, dict) and str(voice.get("voice") or "").startswith("voice_"):
        wanted["voices"].add(str(voice["voice"]))
    return wanted
