"""The production job: script → voiceover → segment selection → N rendered variants → clips in the project.

The job has three parts: **plan** (:func:`plan_production`: validate, make the
voiceovers, choose footage, build one immutable spec per variant), **render**
(:func:`render_plan`: pure tasks, :mod:`editfactory.pipeline.render_task`, on a
local pool or a Dask cluster, :mod:`editfactory.jobs.dask_backend`) and **persist**
(:func:`save_clips`). Only the coordinating job touches the profile's database, and
only through the modules that own its tables (clips: :mod:`editfactory.services.projects`);
there is no SQL in this package.

Re-running with the same inputs costs almost nothing: the voiceover comes from
the profile's TTS cache (and is not counted against the quota again), selection
is deterministic (seeded), and a variant whose render key (a hash of every field
of its spec, :mod:`editfactory.media.spec`) was rendered before is reused together
with its clip row instead of being encoded again. There are no separately "normalized segments"
to cache: the renderer trims, scales and crops the segments inside the same single
ffmpeg pass, so the finished variant is the unit of reuse.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from editfactory.core.errors import QuotaExceededError, ValidationError, check_number, quoted
from editfactory.costs import remaining_quota
from editfactory.footage import get_caption_style, get_source
from editfactory.footage.framing import resolved_framing
from editfactory.footage.music import MusicChoice, PlannedMusic, plan_music, project_music
from editfactory.footage.proxies import draft_proxies
from editfactory.footage.renders import profile_render_key, require_profile_inputs
from editfactory.footage.selection import choose_footage
from editfactory.footage.transitions import project_transition
from editfactory.jobs import JobContext, JobRunner
from editfactory.jobs.dask_backend import render_backend
from editfactory.jobs.registry import PRODUCTION
from editfactory.media.caption_looks import style_for
from editfactory.media.captions import CaptionStyle, check_font_covers, write_ass
from editfactory.media.endcard import EndCard, OpeningHook
from editfactory.media.presets import RenderPreset, draft_preset, get_preset
from editfactory.media.render import RenderSpec
from editfactory.media.safe_zones import safe_area
from editfactory.media.transitions import Transition, check_transition
from editfactory.pipeline.render_task import VariantResult, VariantTask, render_variant
from editfactory.profiles import Profile
from editfactory.services import projects
from editfactory.services.brand import get_brand, watermark_for
from editfactory.services.offer import Offer, get_offer, offer_text, profile_locale
from editfactory.tts import cache as tts_cache
from editfactory.tts import check_script_length, estimate_for_profile, get_provider, synthesize_for_profile
from editfactory.tts import get_defaults as voice_defaults
# Private in the voices service; asked the lead to make it public (or to let estimates see the cache).
from editfactory.media.selection import MAX_VARIANTS as SELECTION_MAX_VARIANTS
from editfactory.media.selection import MODES
from editfactory.tts.base import SynthesisResult
from editfactory.tts.service import MAX_SCRIPT_CHARS as TTS_MAX_SCRIPT_CHARS
from editfactory.tts.service import complete_choice
from editfactory.tts.service import resolve_choice

JOB_KIND = PRODUCTION  # listed in editfactory/jobs/registry.py with production_job
MAX_VARIANTS = SELECTION_MAX_VARIANTS  # one job makes 1–10 variants, as selection and the studio allow
MAX_SCRIPT_CHARS = TTS_MAX_SCRIPT_CHARS  # one limit for the studio, production and the voice service


@dataclass
class ProductionRequest:
    """What a production job makes; stored as the job's inputs, so a retry makes the same thing."""

    project_id: str
    script: str = ""
    variants: int = 1
    variant_scripts: list[str] = field(default_factory=list)
    """One script per variant (overrides ``script`` and ``variants``)."""
    mode: str = "best"
    seed: int = 0
    preset: str | dict = "tiktok"
    """A preset name, or a dict of RenderPreset fields for a custom format."""
    voice: dict = field(default_factory=dict)
    """Overrides of the profile's default voice (provider, voice, model, settings)."""
    duck_source_audio: bool = False
    music: dict | None = None
    """Background music (``library.music.MusicChoice`` as a dict: a track, or a mood, and the options); ``None``
    = the project's choice, which :func:`start_production` writes in, so a retry plays the same music."""
    render_workers: int | None = None
    caption_look: str = ""
    """A caption look (:data:`editfactory.media.caption_looks.LOOKS`) for this project's clips instead of the
    profile's caption style; empty keeps the profile's."""
    offer: dict | None = None
    """What the clips sell (:class:`editfactory.services.offer.Offer` as a dict: product, prices, CTA, URL, end card,
    hook); ``None`` = the project's stored offer, which :func:`start_production` writes in, so a retry shows the same."""
    transition: str | None = None
    """Between segments: cut, crossfade, slide or zoom (:mod:`editfactory.media.transitions`); ``None`` = the
    project's choice, which :func:`start_production` writes in, so a retry makes the same clip."""
    draft: bool = False
    """A fast low-resolution preview (half size, x264 ultrafast) into the profile's previews folder; no clips are
    made. Its voiceovers are cached, so the final render that follows reuses them without a second charge."""

    def check_values(self) -> None:
        """Refuse values of the wrong kind (a ValidationError saying which): ``variants=True`` made one variant,
        NaN or 2.5 raised a raw TypeError, an unknown mode failed only once the job ran."""
        self.variants = check_number(self.variants, "The number of variants", minimum=1, maximum=MAX_VARIANTS,
                                     integer=True, hint=f"Make 1 to {MAX_VARIANTS} variants.")
        self.seed = check_number(self.seed, "The random seed", integer=True, minimum=-2**63, maximum=2**63 - 1)
        if self.render_workers is not None:
            self.render_workers = check_number(self.render_workers, "The number of render workers", minimum=1,
                                               maximum=64, integer=True)
        if not isinstance(self.script, str):
            raise ValidationError("The script must be text; type the text the voice should read.")
        if not isinstance(self.variant_scripts, (list, tuple)) or not all(isinstance(s, str) for s in self.variant_scripts):
            raise ValidationError("Variant scripts must be a list of texts, one per variant.")
        if self.mode not in MODES:
            raise ValidationError(f"Unknown selection mode {quoted(self.mode)}; choose one of: {', '.join(MODES)}.")
        for name in ("duck_source_audio", "draft"):
            if not isinstance(getattr(self, name), bool):
                raise ValidationError(f"{name.replace('_', ' ').capitalize()} must be True or False.")
        if not isinstance(self.voice, dict):
            raise ValidationError("The voice must be given as a dict of provider, voice, model and settings.")
        if self.offer is not None:
            Offer.from_dict(self.offer)  # every field checked, in words
        if self.transition is not None:
            check_transition(self.transition)

    def scripts(self) -> list[str]:
        self.check_values()
        scripts = [s.strip() for s in self.variant_scripts] if self.variant_scripts else [self.script.strip()] * self.variants
        if not scripts or any(not s for s in scripts):
            raise ValidationError("Every variant needs a script; type the text the voice should read.")
        if len(scripts) > MAX_VARIANTS:
            raise ValidationError(f"Make at most {MAX_VARIANTS} variants in one job (asked for {len(scripts)}).")
        longest = max(len(s) for s in scripts)
        if longest > MAX_SCRIPT_CHARS:
            raise ValidationError(
                f"A script has {longest:,} characters; a clip's voiceover takes at most {MAX_SCRIPT_CHARS:,} (about "
                "13 minutes read aloud). Shorten it or split it into several clips."
            )
        return scripts

    def render_preset(self) -> RenderPreset:
        if isinstance(self.preset, dict):
            try:
                preset = get_preset(RenderPreset(**self.preset))
            except TypeError as error:
                raise ValidationError(f"The output format is not valid ({error}); use a preset name like 'tiktok'.") from None
        else:
            preset = get_preset(self.preset)
        return draft_preset(preset) if self.draft else preset

    @classmethod
    def from_inputs(cls, inputs: dict) -> ProductionRequest:
        known = {k: v for k, v in inputs.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "clip"


def _voiceover_cached(profile: Profile, text: str, voice: dict) -> bool:
    """Whether speaking ``text`` with this voice would come from the profile's TTS cache (and so cost nothing)."""
    choice = resolve_choice(profile, voice)
    provider = get_provider(choice.provider, profile)
    try:
        choice = complete_choice(choice, provider)
    finally:
        provider.close()
    key = tts_cache.cache_key(choice.provider, choice.model, choice.voice, choice.settings, text)
    return tts_cache.contains(profile, key)  # a check only: it must not write (hit counts) to the database


def _check_lengths(profile: Profile, scripts: list[str], voice: dict) -> None:
    """Every script within the voice's request limit (ElevenLabs), before any voiceover is made or paid for."""
    for text in dict.fromkeys(scripts):
        check_script_length(profile, text, voice)


def _check_quota(profile: Profile, scripts: list[str], voice: dict) -> None:
    """Refuse early when the voiceovers still to make would exceed the quota (the ledger still reserves atomically).

    Cached voiceovers are left out: a re-run with the same inputs costs nothing and must not be refused.
    """
    left = remaining_quota(profile)
    if left is None:
        return
    estimate = sum(
        estimate_for_profile(profile, text, voice)["cost_usd"]
        for text in dict.fromkeys(scripts)
        if not _voiceover_cached(profile, text, voice)
    )
    if estimate > left + 1e-9:
        raise QuotaExceededError(
            f"The voiceovers would cost about ${estimate:.4f}, but profile {profile.name!r} has only ${left:.4f} "
            "left of its monthly quota. Raise the quota, pick a free voice (Piper or Edge TTS), or shorten the script."
        )


def _voiceovers(profile: Profile, ctx: JobContext, scripts: list[str], voice: dict) -> dict[str, SynthesisResult]:
    distinct = list(dict.fromkeys(scripts))
    results: dict[str, SynthesisResult] = {}
    for index, text in enumerate(distinct):
        ctx.check_cancelled()
        report = ctx.sub_progress(0.02 + 0.25 * index / len(distinct), 0.02 + 0.25 * (index + 1) / len(distinct))
        results[text] = synthesize_for_profile(profile, text, voice, job_id=ctx.job_id, progress=report,
                                               cancel=ctx.cancelled)
    return results


def _stable_timings(voice: SynthesisResult) -> list[tuple[str, float, float]]:
    """Word timings exactly as the TTS cache keeps them (rounded), so a run from the cache burns the same captions."""
    return [tuple(w.to_list()) for w in voice.words]


# -- 1. plan: validate, make the voiceovers, choose the footage, build one spec per variant -------------------


@dataclass(frozen=True)
class PlannedVariant:
    """One variant to make: its script, what it is made of and the file it goes to (named by its render key)."""

    index: int
    script: str
    spec: RenderSpec
    output: Path


@dataclass
class ProductionPlan:
    """Everything the job decided before any rendering; rendering and saving only carry it out."""

    request: ProductionRequest
    project: dict
    preset: RenderPreset
    style: CaptionStyle
    scripts: list[str]
    voiceovers: dict[str, SynthesisResult]
    variants: list[PlannedVariant]
    source_of: dict[Path, str]
    quality_notes: list[str] = field(default_factory=list)
    music: PlannedMusic | None = None

    def to_render(self, work_root: Path) -> list[VariantTask]:
        """A task per variant whose file is not there yet (variants with one render key share one task)."""
        missing = [v for v in self.variants if not v.output.is_file()]
        tasks = {str(v.output): VariantTask(spec=v.spec, output=str(v.output), work_root=str(work_root)) for v in missing}
        return list(tasks.values())

    def reused_renders(self) -> int:
        return sum(1 for v in self.variants if v.output.is_file())


def plan_production(profile: Profile, ctx: JobContext, request: ProductionRequest) -> ProductionPlan:
    """Validate the request against the profile, make (or reuse) the voiceovers, choose footage, build the specs."""
    scripts = request.scripts()
    preset = request.render_preset()
    project = projects.get_project(profile, request.project_id)
    source_ids = projects.project_sources(profile, project["id"])
    if not source_ids:
        raise ValidationError(f"Project {project['name']!r} has no source videos; add some footage to it first.")
    source_of = {get_source(profile, source_id).path: source_id for source_id in source_ids}
    source_lengths = {get_source(profile, source_id).path: get_source(profile, source_id).duration
                      for source_id in source_ids}
    music = plan_music(profile, _music_choice(profile, request), request.seed)
    style = _caption_style(profile, request)
    framing = resolved_framing(profile, project["id"])  # segment overrides are applied by selection
    watermark = watermark_for(profile, project["id"])  # the brand's logo unless the project switched it off
    end_card, hook = offer_parts(profile, request, style)
    transition = Transition(request.transition or project_transition(profile, project["id"]))

    ctx.progress("Checking the quota", 0.01)
    _check_lengths(profile, scripts, request.voice)
    _check_quota(profile, scripts, request.voice)
    voiceovers = _voiceovers(profile, ctx, scripts, request.voice)

    ctx.progress("Choosing footage", 0.3)
    picks_by_script: dict[str, list] = {}
    low_by_script: dict[str, list] = {}
    for text in voiceovers:
        choice = choose_footage(
            profile, source_ids, voiceovers[text].duration, mode=request.mode, variants=scripts.count(text),
            seed=request.seed, output_size=(preset.width, preset.height), framing=framing,
        )
        picks_by_script[text], low_by_script[text] = choice.variants, choice.low_quality

    ctx.check_cancelled()
    plan = ProductionPlan(request, project, preset, style, scripts, voiceovers, [], source_of, music=music)
    used = dict.fromkeys(voiceovers, 0)
    for index, text in enumerate(scripts):
        voice = voiceovers[text]
        if low := low_by_script[text][used[text]]:
            plan.quality_notes.append(low.note(index + 1))
        segments = picks_by_script[text][used[text]]
        if music is not None:  # cuts onto the track's beats (when on); the clip keeps the voice's length
            segments = music.cut(segments, voice.duration, preset.fps, source_lengths)
        spec = RenderSpec(
            segments=segments, voiceover=voice.audio_path, words=_stable_timings(voice),
            caption_style=style, preset=preset, duck_source_audio=request.duck_source_audio,
            music=music.bed if music else None, watermark=watermark, end_card=end_card, hook=hook,
            transition=transition,
            proxies=draft_proxies(profile, segments, source_of) if request.draft else (),  # what a draft decodes
        )
        used[text] += 1
        require_profile_inputs(profile, spec)  # every input file of the spec comes from this profile's folder
        plan.variants.append(PlannedVariant(index, text, spec, _output_path(profile, request, project, spec)))
    return plan


def _offer(profile: Profile, request: ProductionRequest) -> Offer:
    return Offer.from_dict(request.offer) if request.offer is not None else get_offer(profile, request.project_id)


def offer_parts(profile: Profile, request: ProductionRequest,
                style: CaptionStyle | None) -> tuple[EndCard | None, OpeningHook | None]:
    """The end card (when the offer has a product and the card is on) and the hook, in the profile's locale."""
    offer = _offer(profile, request)
    font = style.font if style is not None else EndCard.font
    if style is not None:  # a product name in a script the caption font lacks is refused, as a script is
        check_font_covers(" ".join((offer.product, offer.cta, offer.url, offer.hook)), style)
    hook = OpeningHook(offer.hook, font=font) if offer.hook else None
    if not (offer.end_card and offer.has_product):
        return None, hook
    words = offer_text(offer, profile_locale(profile, (request.voice or {}).get("voice") or voice_defaults(profile).voice))
    brand = get_brand(profile)
    # The project's own card colour wins; left at its default, the card takes the brand kit's.
    color = offer.color if offer.color != Offer.color else brand.end_card_color
    card = EndCard(product=words.product, price=words.price, old_price=words.old_price, badge=words.badge,
                   cta=words.cta, url=words.url, seconds=offer.end_card_seconds,
                   background="blur" if offer.background == "blur" else color, font=font,
                   logo=brand.logo, text_color=brand.text_color)
    return card, hook


def _caption_style(profile: Profile, request: ProductionRequest) -> CaptionStyle:
    """The profile's caption style or the project's look, refused when its font cannot draw a script."""
    style = style_for(get_caption_style(profile), request.caption_look)
    check_font_covers(" ".join(request.scripts()), style)  # before any voice is paid for
    return style


def _output_path(profile: Profile, request: ProductionRequest, project: dict, spec: RenderSpec) -> Path:
    key = profile_render_key(profile, spec)  # every field of the spec: a change to any one renders anew
    # The project id keeps two same-named projects from sharing (and later deleting) one file.
    folder, prefix = (profile.paths.previews, "draft-") if request.draft else (profile.paths.renders, "")
    return folder / f"{prefix}{_slug(project['name'])}-{project['id'][-8:]}-{key[:16]}.mp4"


# -- 2. render: the pure tasks, on a local pool or a Dask cluster --------------------------------------------


@dataclass
class Rendered:
    results: dict[str, VariantResult]
    """By output path: the variants rendered in this run (the others were on disk already)."""
    count: int
    backend: str


def render_plan(profile: Profile, ctx: JobContext, plan: ProductionPlan) -> Rendered:
    tasks = plan.to_render(ctx.temp_dir / "render")
    backend = render_backend(profile, workers=plan.request.render_workers)
    ctx.progress(f"Rendering {len(tasks)} variant(s) on {backend.name}", 0.35)
    results = backend.run_all(render_variant, tasks, ctx.cancelled, ctx.sub_progress(0.35, 0.95))
    return Rendered({r.output: r for r in results}, len(tasks), backend.name)


# -- 3. persist: the clips, through the module that owns the clips table -------------------------------------


def save_clips(profile: Profile, ctx: JobContext, plan: ProductionPlan, rendered: Rendered) -> tuple[list[str], int]:
    """One clip per variant (a variant rendered before keeps its clip); returns the clip ids and how many were reused."""
    project, preset, scripts, voiceovers = plan.project, plan.preset, plan.scripts, plan.voiceovers
    clip_ids, reused = [], 0
    # What each voiceover cost, also when this run reused it (a draft paid for it): the clip shows that, not "Free".
    cost_share = {text: voiceovers[text].voice_cost_usd / scripts.count(text) for text in voiceovers}
    for variant in plan.variants:
        voice, output = voiceovers[variant.script], variant.output
        rel = profile.paths.relative(output)
        captions = output.with_suffix(".ass")
        if not captions.is_file():
            write_ass(_stable_timings(voice), plan.style, preset.width, preset.height, captions, safe_area(preset))
        result = rendered.results.get(str(output))
        existing = projects.find_clip(profile, project["id"], rel)
        if existing is not None:
            # Same render key as a clip made before: keep that clip (re-rendered if its file had gone).
            reused += result is None
            projects.update_clip(profile, existing["id"], job_id=ctx.job_id, status="rendered")
            if existing["id"] not in clip_ids:
                clip_ids.append(existing["id"])
            continue
        clip = projects.create_clip(
            profile, project["id"], f"{project['name']} v{variant.index + 1}", status="rendered",
            path=rel, duration=result.duration if result else voice.duration,
            width=preset.width, height=preset.height, variant=variant.index + 1,
            voiceover_path=profile.paths.relative(voice.audio_path), captions_path=profile.paths.relative(captions),
            tts={"provider": voice.provider, "model": voice.model, "voice": voice.voice, "cached": voice.cached,
                 "timings_exact": voice.timings_exact, "script": variant.script, "cost_usd": voice.cost_usd},
            cost_usd=round(cost_share[variant.script], 6), job_id=ctx.job_id,
            music=plan.music.describe() if plan.music else None,
        )
        clip_ids.append(clip["id"])
    return clip_ids, reused


# -- the job ------------------------------------------------------------------------------------------------


def production_job(profile: Profile, ctx: JobContext) -> dict[str, Any]:
    """The job function: plan, render, save (see the module docstring). Returns the clip ids, what was reused,
    and the footage each variant is cut from."""
    plan = plan_production(profile, ctx, ProductionRequest.from_inputs(ctx.inputs))
    reused_renders = plan.reused_renders()
    rendered = render_plan(profile, ctx, plan)
    voiceovers = plan.voiceovers
    common = {
        "rendered": rendered.count,
        "reused_renders": reused_renders,
        "voiceovers_cached": sum(1 for v in voiceovers.values() if v.cached),
        "voiceover_cost_usd": round(sum(v.cost_usd for v in voiceovers.values()), 6),
        "backend": rendered.backend,
    }
    if plan.request.draft:
        ctx.progress("Draft ready", 1.0)
        return {"draft": True, "previews": _previews(profile, plan, rendered), **common,
                "quality_notes": plan.quality_notes, "music": plan.music.describe() if plan.music else None}
    ctx.progress("Saving the clips", 0.96)
    clip_ids, reused_clips = save_clips(profile, ctx, plan, rendered)
    ctx.progress("Done", 1.0)
    return {
        "clip_ids": clip_ids,
        **common,
        "reused_clips": reused_clips,
        # Footage used below the quality floor because nothing better could fill a voiceover, in sentences.
        "quality_notes": plan.quality_notes,
        "footage": [_footage(v.spec, plan.source_of) for v in plan.variants],
        "music": plan.music.describe() if plan.music else None,
    }


def _footage(spec: RenderSpec, source_of: dict[Path, str]) -> list[dict[str, Any]]:
    """What one variant is cut from: source id and seconds of each piece, in order."""
    return [{"source_id": source_of.get(s.source, ""), "start": round(s.start, 3), "end": round(s.end, 3)}
            for s in spec.segments]


def _previews(profile: Profile, plan: ProductionPlan, rendered: Rendered) -> list[dict[str, Any]]:
    previews = []
    for variant in plan.variants:
        result = rendered.results.get(str(variant.output))
        previews.append({"variant": variant.index + 1, "path": profile.paths.relative(variant.output),
                         "duration": result.duration if result else plan.voiceovers[variant.script].duration})
    return previews


def _music_choice(profile: Profile, request: ProductionRequest) -> MusicChoice:
    if request.music is None:
        return project_music(profile, request.project_id)
    return MusicChoice.from_dict(request.music)


def start_production(runner: JobRunner, profile: Profile, request: ProductionRequest) -> str:
    """Validate ``request`` against this profile and queue the production job; returns the job id."""
    scripts = request.scripts()
    request.render_preset()
    projects.get_project(profile, request.project_id)  # NotFoundError for another profile's project
    choice = _music_choice(profile, request)
    plan_music(profile, choice, request.seed)  # an unknown track or an empty mood is refused before queueing
    request = replace(request, music=choice.to_dict(), offer=_offer(profile, request).to_dict(),
                      transition=request.transition or project_transition(profile, request.project_id))
    _check_lengths(profile, scripts, request.voice)
    offer_parts(profile, request, _caption_style(profile, request))  # fonts checked before any voice is paid for
    return runner.submit(profile, JOB_KIND, asdict(request))
