"""The Produce page's state: a project, its footage and segments, the script and voice, renders and results.

Plain methods (``read_*``, ``create_*``, ``start_*``…) call the services with the
session's profile and are safe in a worker thread; the ``load_*`` coroutines run
them through ``session.call`` and assign params on the event loop. Slow work
(import, analysis, voiceover, voice sample, draft and final renders) runs as
durable jobs, so a reload or another tab finds it again.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import param

from editfactory.core.errors import EditFactoryError, ValidationError
from editfactory.jobs import SUCCEEDED, Job, JobStore
from editfactory.services import projects
from editfactory.jobs.kinds import (
    ANALYZE_SOURCE,
    IMPORT_SOURCES,
    PRODUCTION,
    VOICE_PREVIEW,
    VOICEOVER,
    start_analysis,
    start_import,
    start_voice_preview,
    start_voiceover,
)
from editfactory.footage import (
    Segment,
    SourceVideo,
    create_segment,
    delete_segment,
    get_source,
    list_segments,
    list_sources,
    update_segment,
)
from editfactory.footage.duplicates import copies_among
from editfactory.footage.framing import default_framing, project_framing, set_project_framing
from editfactory.footage.transitions import project_transition, set_project_transition
from editfactory.services.brand import get_brand, project_watermark, set_project_watermark
from editfactory.footage.music import (
    choice_from_value, choice_value, clear_project_music, pick_track, picker_choices, project_music, set_project_music,
    uses_profile_default,
)
from editfactory.media.presets import PRESETS
from editfactory.media.zone_overlay import overlay_frame
from editfactory.models.session import FAILED, StudioSession
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.profiles import Profile
from editfactory.services.offer import Offer, get_offer, offer_text, profile_locale, set_offer, set_profile_locale
from editfactory.services.uploads import FOOTAGE_SUFFIXES, MAX_UPLOAD_BYTES, discard_staged, refusal_reason, stage_upload
from editfactory.costs.confirm import confirm_above, needs_confirmation
from editfactory.tts import estimate_for_profile, get_defaults, get_provider, price_label
from editfactory.tts.cloning import PREVIEW_TEXT
from editfactory.tts.base import CLONED, PRESET
from editfactory.tts.cloning import list_cloned_voices
from editfactory.tts.registry import DEFAULT_PROVIDER, PROVIDERS

MODES = {"best": "Best first", "source_order": "In order", "random": "Random"}
MAX_VARIANTS = 10
RESULTS_SHOWN = 30


def size_label(size: int) -> str:
    return f"{size / 1024**3:.0f} GB" if size >= 1024**3 else f"{size / 1024**2:.0f} MB"


class ProduceModel(param.Parameterized):
    """Everything the Produce page shows for one project of the session's profile."""

    session = param.ClassSelector(class_=StudioSession)

    projects = param.List(default=[], doc="This profile's projects as {'id', 'name'}, oldest first.")
    project_id = param.String(default="", doc="The project worked on ('' when the profile has none yet).")
    sources = param.List(default=[], doc="The project's source videos (SourceVideo).")
    segments = param.List(default=[], doc="Segments of the project's sources (Segment), best first per source.")
    copies = param.Dict(default={}, doc="Source id -> sentences naming the project's other sources that show the same "
                                        "footage (a copy imported twice; see library.duplicates).")

    script = param.String(default="", doc="The text the voice reads; saved with the project.")
    provider = param.Selector(default=DEFAULT_PROVIDER, objects=list(PROVIDERS), doc="Voice provider (any registered).")
    voice = param.String(default="", doc="Voice id of the provider ('' for its default).")
    voice_model = param.String(default="", doc="Model of the provider ('' for its default).")
    voices = param.List(default=[], doc="The provider's voices as {'id', 'name'} (cloned ones included).")
    models = param.List(default=[], doc="The provider's models as {'id', 'label', 'price_per_1k_chars', 'unit'}.")
    voice_note = param.String(default="", doc="Why the chosen provider cannot speak now, and what to do ('' when it can).")
    estimate = param.Dict(default={}, doc="For the script and voice: characters, seconds, label, cost_usd, cached.")

    mode = param.Selector(default="best", objects=list(MODES), doc="How segments are picked for each variant.")
    variants = param.Integer(default=3, bounds=(1, MAX_VARIANTS), doc="How many variants a render makes.")
    variant_scripts = param.List(default=[], doc="Scripts kept in Write scripts, one per variant (variant k reads "
                                                 "script k); empty: every variant reads the script.")
    preset = param.Parameter(default="tiktok", doc="Output format: a preset name, or a dict of RenderPreset fields.")
    caption_look = param.String(default="", doc="A caption look for this render instead of the profile's caption "
                                                "style ('' keeps the profile's; see media.caption_looks).")
    overlays = param.Dict(default={}, doc="Clip id -> a frame of the clip with its platform's covered areas drawn over it.")
    framing = param.String(default="", doc="The project's own framing (auto, fill, fit); '' = the profile's default.")
    default_framing = param.String(default="auto", doc="The profile's default framing, used when the project has none.")
    transition = param.String(default="cut", doc="The project's transition between segments (cut, crossfade, slide, "
                                                 "zoom; see media.transitions).")
    watermark = param.Boolean(default=True, doc="Whether the project's clips carry the brand kit's logo.")
    has_logo = param.Boolean(default=False, doc="Whether the profile's brand kit has a logo (Settings → Brand).")
    music = param.String(default="default", doc="The project's music: 'default' (the profile's), '' none, "
                         "'track:<id>' or 'mood:<mood>'.")
    music_choices = param.Dict(default={}, doc="Music to pick from: label -> value (see ``music``).")
    music_file = param.String(default="", doc="The file of the track a render plays, for the player ('' for none).")
    music_title = param.String(default="", doc="That track's title, length and tempo ('' for none).")

    offer = param.Dict(default={}, doc="The project's offer as stored (services.offer.Offer as a dict).")
    offer_words = param.Dict(default={}, doc="The offer as the end card shows it (price, old price, badge formatted "
                                             "for ``locale``).")
    locale = param.String(default="en_US", doc="How the profile's prices read (its setting, else its voice's language).")

    voiceover = param.Dict(default={}, doc="Outputs of the latest voiceover job of this project (audio, words, cues, cost).")
    voice_sample = param.Dict(default={}, doc="Outputs of the latest voice sample job (audio, duration).")
    clips = param.List(default=[], doc="The project's rendered clips, newest first.")
    drafts = param.List(default=[], doc="Previews of the latest draft render of the project: {'variant', 'path', 'duration'}.")
    refused = param.List(default=[], doc="Files of the latest upload that were refused: {'file', 'reason'}.")
    quality_notes = param.List(default=[], doc="What the latest render (or draft) of the project had to use below the "
                                               "quality floor, in sentences (its job's 'quality_notes').")

    upload_limit = param.Integer(default=MAX_UPLOAD_BYTES, bounds=(1, None), doc="Largest file accepted per upload.")

    def __init__(self, **params) -> None:
        super().__init__(**params)
        self.param.provider.objects = list(PROVIDERS)  # also providers registered after this module was imported

    # -- profile & project --------------------------------------------------------------

    def _profile(self) -> Profile:
        return self.session.require_profile()

    def clear(self) -> None:
        """Forget everything shown (a profile switch: nothing of the last profile may stay on screen)."""
        self.param.update(projects=[], project_id="", sources=[], segments=[], script="", voices=[], models=[],
                          variant_scripts=[], estimate={}, voice_note="", voiceover={}, voice_sample={}, clips=[],
                          drafts=[], refused=[], quality_notes=[], framing="", default_framing="auto", copies={},
                          overlays={}, offer={}, offer_words={}, locale="en_US", transition="cut")

    def read_projects(self) -> list[dict[str, str]]:
        return [{"id": p["id"], "name": p["name"]} for p in projects.list_projects(self._profile())]

    def create_project(self, name: str) -> dict[str, Any]:
        project = projects.create_project(self._profile(), name)
        return {"id": project["id"], "name": project["name"]}

    def read_project(self, project_id: str) -> dict[str, Any]:
        """Everything shown for one project (runs in a worker thread)."""
        profile = self._profile()
        project = projects.get_project(profile, project_id)
        sources = [get_source(profile, source_id) for source_id in projects.project_sources(profile, project_id)]
        sources.sort(key=lambda s: (s.created_at, s.id))
        return {
            "script": project["script"],
            "sources": sources,
            "segments": self.read_segments([s.id for s in sources]),
            "copies": {source_id: [c.describe() for c in found]
                       for source_id, found in copies_among(profile, [s.id for s in sources]).items()},
            "clips": projects.list_clips(profile, project_id, status="rendered", limit=RESULTS_SHOWN),
            "drafts": self._latest_outputs(PRODUCTION, project_id, draft=True).get("previews", []),
            "voiceover": self._latest_outputs(VOICEOVER, project_id),
            "quality_notes": self._latest_quality_notes(project_id),
            "framing": project_framing(profile, project_id) or "",
            "default_framing": default_framing(profile),
            "transition": project_transition(profile, project_id),
            "watermark": project_watermark(profile, project_id) is not False,
            "has_logo": get_brand(profile).logo is not None,
            **_music_state(profile, project_id),
            **_offer_state(profile, project_id),
        }

    def _latest_quality_notes(self, project_id: str) -> list[str]:
        """The quality notes of the project's newest succeeded render or draft."""
        for job in JobStore(self._profile()).list(kind=PRODUCTION, status=SUCCEEDED, limit=50):
            if job.inputs.get("project_id") == project_id:
                return list((job.outputs or {}).get("quality_notes") or [])
        return []

    def _latest_outputs(self, kind: str, project_id: str, *, draft: bool = False) -> dict[str, Any]:
        """The outputs of the newest succeeded job of ``kind`` for the project (results survive a reload)."""
        for job in JobStore(self._profile()).list(kind=kind, status=SUCCEEDED, limit=50):
            if job.inputs.get("project_id") == project_id and bool(job.inputs.get("draft")) == draft:
                return dict(job.outputs or {})
        return {}

    def read_segments(self, source_ids: list[str]) -> list[Segment]:
        profile = self._profile()
        return [segment for source_id in source_ids for segment in list_segments(profile, source_id)]

    def apply_project(self, project_id: str, data: dict[str, Any]) -> None:
        """Show what ``read_project`` found (on the event loop); another project starts without old refusals."""
        same = project_id == self.project_id
        refused = self.refused if same else []
        kept = self.variant_scripts if same else []  # another project's scripts never carry over
        # A reload of the project shown (a job of it ended) keeps the script in the box: what was typed is saved only
        # once typing pauses, and the stored copy put back would throw the typing away.
        script = self.script if same else data["script"]
        self.param.update(
            project_id=project_id, script=script, variant_scripts=kept, sources=data["sources"], segments=data["segments"],
            clips=data["clips"], drafts=data["drafts"], voiceover=data["voiceover"], refused=refused,
            quality_notes=data.get("quality_notes", []), copies=data.get("copies", {}),
            framing=data["framing"], default_framing=data["default_framing"], transition=data.get("transition", "cut"),
            **{key: data[key] for key in ("music", "music_choices", "music_file", "music_title", "offer", "offer_words",
                                          "locale", "watermark", "has_logo") if key in data},
        )

    async def load(self, project_id: str | None = None) -> None:
        """Reload the project list and the wanted project (else the current one, else the newest)."""
        found = await self.session.call(self.read_projects)
        if found is FAILED:
            return
        self.projects = found
        ids = [p["id"] for p in found]
        wanted = project_id if project_id in ids else self.project_id if self.project_id in ids else (ids[-1] if ids else "")
        if not wanted:
            self.clear()
            self.projects = found
            return
        await self.open_project(wanted)

    async def open_project(self, project_id: str) -> None:
        data = await self.session.call(self.read_project, project_id)
        if data is not FAILED:
            self.apply_project(project_id, data)

    async def new_project(self, name: str) -> bool:
        """Create a project and open it; a bad name is reported and nothing is stored."""
        project = await self.session.call(self.create_project, name)
        if project is FAILED:
            return False
        self.projects = [*self.projects, project]
        await self.open_project(project["id"])
        self.session.notify(f"Project {project['name']!r} created.", "success")
        return True

    def require_project(self) -> str:
        if not self.project_id:
            raise ValidationError("Create or pick a project first.")
        return self.project_id

    # -- footage --------------------------------------------------------------------------

    def stage_files(self, files: list[tuple[str, bytes]]) -> tuple[list[Path], list[dict[str, str]]]:
        """Save each upload into the profile's tmp; a file that cannot be taken is refused with its reason."""
        profile = self._profile()
        staged, refused = [], []
        for filename, data in files:
            try:
                staged.append(stage_upload(profile, filename, data, accept=FOOTAGE_SUFFIXES, max_bytes=self.upload_limit))
            except EditFactoryError as error:
                refused.append({"file": filename, "reason": refusal_reason(profile, str(filename), error)})
        return staged, refused

    def start_upload(self, files: list[tuple[str, bytes]]) -> dict[str, Any]:
        """Stage the uploads and queue their import into the project: {'job_id' or None, 'refused'}."""
        project_id = self.require_project()
        if not files:
            raise ValidationError("Choose or drop at least one video file.")
        staged, refused = self.stage_files(files)
        job_id = None
        if staged:
            try:
                job_id = start_import(self.session.runner, self._profile(), staged, project_id=project_id)
            except BaseException:
                for path in staged:
                    discard_staged(self._profile(), path)
                raise
        return {"job_id": job_id, "refused": refused}

    def start_analysis(self, source_ids: list[str] | None = None) -> list[str]:
        """Queue the analysis of the given sources (default: the project's sources not analyzed yet)."""
        self.require_project()
        if source_ids is None:
            source_ids = [s.id for s in self.sources if s.analyzed_at is None] or [s.id for s in self.sources]
        if not source_ids:
            raise ValidationError("Upload some footage to the project first; then it can be analyzed.")
        return [start_analysis(self.session.runner, self._profile(), source_id) for source_id in source_ids]

    def watches_source(self, inputs: dict) -> bool:
        return inputs.get("source_id") in {s.id for s in self.sources}

    # -- segments ---------------------------------------------------------------------------

    def add_segment(self, source_id: str, start: float, end: float, keywords: str = "") -> Segment:
        self.require_project()
        if source_id not in {s.id for s in self.sources}:
            raise ValidationError("Pick one of the project's source videos for the segment.")
        return create_segment(self._profile(), source_id, start, end, keywords=keywords)

    def save_watermark(self, on: bool) -> None:
        """Switch the brand kit's logo on or off for the project's next renders."""
        set_project_watermark(self._profile(), self.require_project(), bool(on))
        self.watermark = bool(on)

    def save_framing(self, framing: str) -> None:
        """The project's framing ('' goes back to the profile's default); a bad value is refused, nothing stored."""
        set_project_framing(self._profile(), self.require_project(), framing or None)
        self.framing = framing or ""

    def save_transition(self, name: str) -> None:
        """The project's transition between segments; an unknown one is refused and nothing stored."""
        set_project_transition(self._profile(), self.require_project(), name)
        self.transition = name

    def save_music(self, value: str) -> None:
        """The project's music ('default' goes back to the profile's); an unknown track or mood is refused."""
        profile, project_id = self._profile(), self.require_project()
        if value == "default":
            clear_project_music(profile, project_id)
        else:
            kept = project_music(profile, project_id).options if not uses_profile_default(profile, project_id) else None
            set_project_music(profile, project_id, choice_from_value(value, kept))
        self.param.update(**_music_state(profile, project_id))

    def save_offer(self, values: dict[str, Any], locale: str | None = None) -> Offer:
        """Store the project's offer (and the profile's price locale); a refused value changes nothing stored."""
        profile, project_id = self._profile(), self.require_project()
        offer = Offer.from_dict(values)  # checked before anything is written
        if locale and locale != self.locale:
            set_profile_locale(profile, locale)
        set_offer(profile, project_id, offer)
        self.param.update(**_offer_state(profile, project_id))
        return offer

    def edit_segment(self, segment_id: str, **changes: Any) -> Segment:
        return update_segment(self._profile(), segment_id, **changes)

    def remove_segment(self, segment_id: str) -> None:
        delete_segment(self._profile(), segment_id)

    async def reload_segments(self) -> None:
        found = await self.session.call(self.read_segments, [s.id for s in self.sources])
        if found is not FAILED:
            self.segments = found

    async def reload_sources(self) -> None:
        if self.project_id:
            await self.open_project(self.project_id)

    # -- script and voice -----------------------------------------------------------------------

    def voice_choice(self) -> dict[str, Any]:
        """The voice overrides every voice job of this page uses: the same for voiceover and render (one cache key)."""
        choice: dict[str, Any] = {"provider": self.provider}
        if self.voice:
            choice["voice"] = self.voice
        if self.voice_model:
            choice["model"] = self.voice_model
        return choice

    def read_voice_options(self, provider: str) -> dict[str, Any]:
        """The provider's voices (the profile's cloned ones first) and models; network lists may fail softly."""
        profile = self._profile()
        instance = get_provider(provider, profile)
        try:
            models = [{"id": m.id, "label": m.label, "price_per_1k_chars": m.price_per_1k_chars,
                       "unit": instance.pricing_unit} for m in instance.models()]
            voices = [{"id": v["id"], "name": f"{v['name']} (cloned)"} for v in list_cloned_voices(profile, provider)] \
                if CLONED in instance.voice_kinds else []
            status = instance.availability()
            note = "" if status.ok else f"{instance.label} is not available: {status.reason}"
            try:
                voices += [{"id": v.id, "name": f"{v.name} · {v.language}" if v.language else v.name}
                           for v in (instance.list_voices() if PRESET in instance.voice_kinds else [])]
            except EditFactoryError as error:
                note = note or f"The voice list could not be loaded: {error}"
            default_voice = instance.default_voice
            if default_voice and default_voice not in {v["id"] for v in voices}:
                voices.insert(0, {"id": default_voice, "name": default_voice})
            return {"voices": voices, "models": models, "default_voice": default_voice,
                    "default_model": instance.default_model, "note": note}
        finally:
            instance.close()

    def read_defaults(self) -> dict[str, Any]:
        choice = get_defaults(self._profile())
        return {"provider": choice.provider, "voice": choice.voice, "model": choice.model}

    async def load_voice_options(self, provider: str | None = None, *, keep: dict | None = None) -> None:
        """Fill the voice and model lists for ``provider`` (the profile's defaults preselected)."""
        provider = provider or self.provider
        options = await self.session.call(self.read_voice_options, provider)
        if options is FAILED:
            self.param.update(voices=[], models=[], voice_note="")
            return
        keep = keep or {}
        voice_ids = [v["id"] for v in options["voices"]]
        model_ids = [m["id"] for m in options["models"]]
        voice = keep.get("voice") if keep.get("voice") in voice_ids else options["default_voice"]
        model = keep.get("model") if keep.get("model") in model_ids else options["default_model"]
        self.param.update(voices=options["voices"], models=options["models"], voice=voice or "", voice_model=model or "",
                          voice_note=options["note"])

    async def load_defaults(self) -> None:
        defaults = await self.session.call(self.read_defaults)
        if defaults is FAILED:
            return
        provider = defaults["provider"] if defaults["provider"] in PROVIDERS else DEFAULT_PROVIDER
        self.provider = provider
        await self.load_voice_options(provider, keep=defaults)

    def compute_estimate(self, text: str, voice: dict[str, Any]) -> dict[str, Any]:
        """Characters, spoken seconds and price of ``text`` (cache-aware), and ``sample_label``: the price of a
        voice preview with this voice, shown before it is spent; safe in a thread."""
        sample = estimate_for_profile(self._profile(), PREVIEW_TEXT, voice)["label"]
        if not text.strip():
            return {"characters": 0, "seconds": 0.0, "label": "", "cost_usd": 0.0, "cached": False,
                    "sample_label": sample}
        return {**estimate_for_profile(self._profile(), text, voice), "sample_label": sample}

    def save_script(self, text: str) -> None:
        if self.project_id:
            projects.update_project(self._profile(), self.project_id, script=text)

    async def update_estimate(self, text: str | None = None) -> None:
        """Price the script for the chosen voice off the event loop (and keep the script with the project)."""
        text = self.script if text is None else text
        voice = self.voice_choice()
        project_id = self.project_id

        def work() -> dict[str, Any]:
            if project_id:
                projects.update_project(self._profile(), project_id, script=text)
            return self.compute_estimate(text, voice)

        found = await self.session.call(work)
        if found is not FAILED and text == self.script and voice == self.voice_choice():
            self.estimate = found

    def _checked_script(self) -> str:
        text = self.script.strip()
        if not text:
            raise ValidationError("The script is empty; type the text the voice should read.")
        return text

    def start_voiceover(self) -> str:
        project_id = self.require_project()
        text = self._checked_script()
        self.save_script(self.script)
        return start_voiceover(self.session.runner, self._profile(), project_id=project_id, script=text,
                               voice=self.voice_choice())

    def paid_question(self, action: str) -> str | None:
        """What ``action`` ("voiceover", "sample", "render", "draft") will spend, as a question when it is over
        the profile's confirmation amount (Settings → Prices); None when it is free, cached or under it."""
        profile = self._profile()
        # A render of kept written scripts reads each of them (the Script box may then be empty).
        kept = [text.strip() for text in self.variant_scripts if text.strip()] if action in ("render", "draft") else []
        texts = [PREVIEW_TEXT] if action == "sample" else kept or [self._checked_script()]
        estimates = [estimate_for_profile(profile, text, self.voice_choice()) for text in texts]
        cost = sum(float(e.get("cost_usd") or 0.0) for e in estimates)
        if not needs_confirmation(profile, cost):
            return None
        what = {"sample": "This voice preview", "voiceover": "This voiceover"}.get(
            action, "This render's voiceover" if len(texts) == 1 else f"This render's {len(texts)} voiceovers")
        label = estimates[0]["label"] if len(texts) == 1 else price_label(cost)
        characters = sum(int(e["characters"]) for e in estimates)
        return (f"{what} costs {label} ({estimates[0]['provider']}, {characters} characters), "
                f"more than the {price_label(confirm_above(profile))} this profile confirms above. Go ahead?")

    def start_voice_sample(self) -> str:
        return start_voice_preview(self.session.runner, self._profile(), self.voice_choice())

    # -- rendering --------------------------------------------------------------------------------

    def request(self, *, draft: bool) -> ProductionRequest:
        if not 1 <= self.variants <= MAX_VARIANTS:
            raise ValidationError(f"Make between 1 and {MAX_VARIANTS} variants.")
        if isinstance(self.preset, str) and self.preset not in PRESETS:
            raise ValidationError(f"Unknown format {self.preset!r}; choose one of {', '.join(PRESETS)}.")
        kept = [text.strip() for text in self.variant_scripts if text.strip()]
        return ProductionRequest(project_id=self.require_project(), script=kept[0] if kept else self._checked_script(),
                                 variants=len(kept) or self.variants, variant_scripts=kept, mode=self.mode,
                                 preset=self.preset, voice=self.voice_choice(), draft=draft,
                                 caption_look=self.caption_look)

    def start_render(self, *, draft: bool = False) -> str:
        """Queue a draft preview or the final render of ``variants`` variants; returns the job id."""
        request = self.request(draft=draft)
        if not self.sources:
            raise ValidationError("The project has no footage yet; upload a video first.")
        self.save_script(self.script)
        return start_production(self.session.runner, self._profile(), request)

    def watches_project(self, inputs: dict) -> bool:
        return bool(self.project_id) and inputs.get("project_id") == self.project_id

    def apply_finished(self, job: Job) -> None:
        """A followed job finished (on the event loop): show its results; refusals say why per file."""
        outputs = job.outputs or {}
        if job.status != SUCCEEDED:
            return
        if job.kind == VOICEOVER and job.inputs.get("project_id") == self.project_id:
            self.voiceover = dict(outputs)
        elif job.kind == VOICE_PREVIEW:
            self.voice_sample = dict(outputs)
        elif job.kind == IMPORT_SOURCES:
            refused = list(outputs.get("refused") or [])
            if refused:
                self.refused = [*self.refused, *refused]
        elif job.kind == PRODUCTION and job.inputs.get("draft"):
            self.drafts = list(outputs.get("previews") or [])
        if job.kind == PRODUCTION and job.inputs.get("project_id") == self.project_id:
            self.quality_notes = list(outputs.get("quality_notes") or [])

    def overlay_frames(self) -> dict[str, str]:
        """A frame of each rendered clip with the covered areas of its platform over it (ffmpeg: call it in a thread).

        The platform is the chosen format when the clip has its shape, else the format of the clip's shape.
        """
        profile, frames = self._profile(), {}
        for clip in self.clips:
            if not clip.get("path") or not clip.get("width") or not clip.get("height"):
                continue
            preset = platform_of(clip["width"], clip["height"], self.preset)
            target = profile.paths.previews / f"overlay-{clip['id']}-{preset}.png"
            if not target.is_file():
                overlay_frame(self.media_path(clip["path"]), preset, target, at=(clip.get("duration") or 2.0) / 2)
            frames[clip["id"]] = str(target)
        return frames

    def media_path(self, relative: str | Path) -> Path:
        return self._profile().paths.absolute(str(relative))


def platform_of(width: int, height: int, chosen: str | dict) -> str:
    """The preset whose covered areas apply to a ``width`` x ``height`` clip: ``chosen`` if its shape matches."""
    shape = "vertical" if height > width else "landscape" if width > height else "square"
    if isinstance(chosen, str) and chosen in PRESETS:
        preset = PRESETS[chosen]
        if (preset.height > preset.width) == (shape == "vertical") and (preset.width == preset.height) == (shape == "square"):
            return chosen
    return {"vertical": "tiktok", "landscape": "landscape", "square": "square"}[shape]


def source_label(source: SourceVideo) -> str:
    return f"{source.filename} · {source.duration:.1f} s · {source.width}x{source.height}"


__all__ = ["ANALYZE_SOURCE", "IMPORT_SOURCES", "MODES", "PRODUCTION", "VOICEOVER", "VOICE_PREVIEW", "ProduceModel",
           "size_label", "source_label"]


def _music_state(profile, project_id: str) -> dict[str, Any]:
    """The project's music as the Produce page shows it: the picker's value and choices, and the track a render
    plays (for a mood or the default too: the page's renders use seed 0, so this is the track they pick)."""
    choices = {"Profile default": "default", **picker_choices(profile)}
    choice = project_music(profile, project_id)
    value = "default" if uses_profile_default(profile, project_id) else choice_value(choice)
    try:
        track = pick_track(profile, choice, ProductionRequest.seed)
    except EditFactoryError:  # a mood no track has any more: the render refuses it with the reason
        track = None
    return {"music": value if value in choices.values() else "default", "music_choices": choices,
            "music_file": str(track.path) if track else "",
            "music_title": f"{track.title} · {track.duration:.0f} s · {track.tempo_bpm:.0f} BPM" if track else ""}


def _offer_state(profile, project_id: str) -> dict[str, Any]:
    """The project's offer as the Produce page shows it, with its words in the profile's locale."""
    offer = get_offer(profile, project_id)
    locale = profile_locale(profile, get_defaults(profile).voice)
    words = offer_text(offer, locale)
    return {"offer": offer.to_dict(), "locale": locale, "offer_words": asdict(words)}
