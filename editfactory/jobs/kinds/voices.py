"""Voice jobs: a project's voiceover, a short voice preview, and cloning a voice from samples.

Every synthesis goes through ``synthesize_for_profile``, so the profile's default
voice applies unless overridden, the cache makes a repeat free (the production
render later reuses the same voiceover without a second charge), and a paid call
is reserved against the monthly quota first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from editfactory.core.errors import ValidationError
from editfactory.footage import get_caption_style
from editfactory.jobs.context import JobContext
from editfactory.jobs.registry import CLONE_VOICE, VOICEOVER, VOICE_PREVIEW
from editfactory.jobs.runner import JobRunner
from editfactory.media.captions import group_into_cues
from editfactory.profiles.profile import Profile
from editfactory.services import projects
from editfactory.services.uploads import discard_staged
from editfactory.tts import get_provider, synthesize_for_profile
from editfactory.tts.base import SynthesisResult
from editfactory.tts.cloning import PREVIEW_TEXT, clone_voice
from editfactory.tts.service import check_max_script_length

MAX_PREVIEW_CHARS = 300


def _voice_overrides(voice: dict | None) -> dict[str, Any]:
    voice = dict(voice or {})
    unknown = set(voice) - {"provider", "voice", "model", "settings"}
    if unknown:
        raise ValidationError(f"Unknown voice option(s) {sorted(unknown)}; use provider, voice, model and settings.")
    return voice


def _script(profile: Profile, inputs: dict) -> str:
    text = inputs.get("script")
    if text is None and inputs.get("project_id"):
        text = projects.get_project(profile, inputs["project_id"])["script"]
    text = (text or "").strip()
    if not text:
        raise ValidationError("The script is empty; type the text the voice should read.")
    check_max_script_length(text)  # refused when queued, not after the job starts
    return text


def _describe(profile: Profile, result: SynthesisResult, with_cues: bool) -> dict[str, Any]:
    outputs: dict[str, Any] = {
        "audio_path": profile.paths.relative(result.audio_path),
        "duration": round(result.duration, 3),
        "words": [w.to_list() for w in result.words],
        "timings_exact": result.timings_exact,
        "cost_usd": result.cost_usd,
        "cached": result.cached,
        "provider": result.provider,
        "model": result.model,
        "voice": result.voice,
    }
    if with_cues:
        style = get_caption_style(profile)
        cues = group_into_cues(outputs["words"], max_words=style.max_words_per_cue, max_chars=style.max_chars_per_cue)
        outputs["cues"] = [{"text": c.text, "start": round(c.start, 3), "end": round(c.end, 3)} for c in cues]
    return outputs


def voiceover_job(profile: Profile, ctx: JobContext) -> dict[str, Any]:
    """Speak the project's script (or ``inputs["script"]``) with the chosen voice.

    Outputs: ``audio_path`` (relative to the profile folder), ``duration``, ``words`` ([word, start, end]),
    ``cues`` (the caption cues as the render will show them), ``cost_usd``, ``cached``, provider/model/voice.
    """
    text = _script(profile, ctx.inputs)
    result = synthesize_for_profile(profile, text, _voice_overrides(ctx.inputs.get("voice")), job_id=ctx.job_id,
                                    progress=ctx.progress, cancel=ctx.cancelled)
    outputs = _describe(profile, result, with_cues=True)
    outputs["project_id"] = ctx.inputs.get("project_id")
    outputs["characters"] = len(text)
    return outputs


def start_voiceover(runner: JobRunner, profile: Profile, *, project_id: str | None = None,
                    script: str | None = None, voice: dict | None = None) -> str:
    """Queue the voiceover of ``script`` (default: the project's saved script); returns the job id."""
    inputs = {"project_id": project_id, "script": script, "voice": _voice_overrides(voice)}
    if project_id:
        projects.get_project(profile, project_id)
    elif script is None:
        raise ValidationError("Give a script or a project whose script should be spoken.")
    _script(profile, inputs)
    return runner.submit(profile, VOICEOVER, inputs)


def _preview_text(text: str | None) -> str:
    text = (text or PREVIEW_TEXT).strip()
    if not text:
        raise ValidationError("The preview text is empty; type a sentence or leave it empty for the standard one.")
    if len(text) > MAX_PREVIEW_CHARS:
        raise ValidationError(f"A preview speaks at most {MAX_PREVIEW_CHARS} characters (got {len(text)}); shorten it.")
    return text


def voice_preview_job(profile: Profile, ctx: JobContext) -> dict[str, Any]:
    """A short sample of a voice (also a cloned one: ``{"voice": "voice_…"}``); cached like any synthesis."""
    text = _preview_text(ctx.inputs.get("text"))
    result = synthesize_for_profile(profile, text, _voice_overrides(ctx.inputs.get("voice")), job_id=ctx.job_id,
                                    progress=ctx.progress, cancel=ctx.cancelled)
    return _describe(profile, result, with_cues=False)


def start_voice_preview(runner: JobRunner, profile: Profile, voice: dict | None = None, text: str | None = None) -> str:
    """Queue a short sample of ``voice`` (the profile's default when None); returns the job id."""
    inputs = {"voice": _voice_overrides(voice), "text": _preview_text(text)}
    return runner.submit(profile, VOICE_PREVIEW, inputs)


def clone_voice_job(profile: Profile, ctx: JobContext) -> dict[str, Any]:
    """Validate the samples, create the voice with the provider and record it in the profile.

    A rejected sample fails the job with the reason per file; staged uploads are removed once the voice exists.
    """
    samples = [Path(p) for p in ctx.inputs.get("samples") or []]
    missing = [p.name for p in samples if not p.is_file()]
    if missing:
        raise ValidationError(f"The sample(s) {', '.join(missing)} are no longer there (uploads are kept only until "
                              "they are used); upload them again.")
    provider = get_provider(ctx.inputs.get("provider") or "", profile)
    try:
        record = clone_voice(profile, provider, ctx.inputs.get("name") or "", samples,
                             language=ctx.inputs.get("language") or "", progress=ctx.progress)
    finally:
        provider.close()
    for sample in samples:
        discard_staged(profile, sample)
    return {"voice_id": record["id"], "name": record["name"], "provider": record["provider"]}


def start_clone(runner: JobRunner, profile: Profile, provider: str, name: str, samples: list[Path | str], *,
                language: str = "") -> str:
    """Queue cloning a voice named ``name`` from ``samples`` (staged uploads or local files); returns the job id."""
    if not samples:
        raise ValidationError("Add at least one voice sample (6 s to 5 minutes of clear speech).")
    if not " ".join(str(name or "").split()):
        raise ValidationError("Give the voice a name, e.g. 'Anna – warm'.")
    get_provider(provider, profile).close()  # an unknown provider is refused now, not in the job
    inputs = {"provider": provider, "name": name, "samples": [str(Path(p)) for p in samples], "language": language}
    return runner.submit(profile, CLONE_VOICE, inputs)
