"""The Produce page: pick a project, bring footage in, find the good segments, write the script, voice it, render.

Every slow step is a durable job followed by a ``JobWatch`` (progress bar, step,
elapsed time, Cancel), so a reload in the middle of a render still shows it. Job
callbacks only mark what needs reloading; ``poll`` then reloads it on the event loop.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd
import panel as pn
import panel_material_ui as pmui

from editfactory.footage.posters import segment_poster
from editfactory.jobs import Job
from editfactory.media.caption_looks import LOOKS
from editfactory.media.framing import FRAMING_LABELS, FRAMINGS
from editfactory.media.presets import PRESETS
from editfactory.media.transitions import TRANSITION_LABELS
from editfactory.models.jobs import JobWatch
from editfactory.models.produce import (
    ANALYZE_SOURCE,
    IMPORT_SOURCES,
    MAX_VARIANTS,
    MODES,
    PRODUCTION,
    VOICE_PREVIEW,
    VOICEOVER,
    size_label,
)
from editfactory.models.session import FAILED
from editfactory.services.money import typed_amount
from editfactory.services.offer import BACKGROUNDS, DEFAULT_CTA, Offer
from editfactory.services.uploads import FOOTAGE_SUFFIXES, empty_file_reason
from editfactory.tts import price_label
from editfactory.tts.registry import PROVIDERS
from editfactory.ui.file_choice import ChosenFiles, received_files
from editfactory.ui.helpers import BUTTONS_UNSORTED
from editfactory.ui.job_progress import JobProgressList
from editfactory.ui.media_route import link_for
from editfactory.ui.page import PageView
from editfactory.ui.source_delete import SourceDeleter
from editfactory.ui.source_quality import WARNING_COLOR, upscale_note
from editfactory.ui.writing import WriteScripts

ESTIMATE_DELAY_MS = 400  # the price is worked out this long after the last keystroke
_SEGMENT_COLUMNS = ["poster", "source", "start", "end", "length", "score", "keywords", "favorite", "framing", "id"]
AS_PROJECT = "as project"
"""What the segments table shows (and offers) for a segment that uses the project's framing."""
PROFILE_DEFAULT = "default"
"""The project framing select's value for "use the profile's default"."""
FAVORITE_STAR = {"type": "tickCross", "tickElement": '<span style="color:#f9a825">★</span>',
                 "crossElement": '<span style="color:#9e9e9e">☆</span>'}
"""A favourite shows a gold star, the others an empty one (Tabulator's default red cross read as an error)."""


CURRENCIES = ("EUR", "USD", "GBP", "RON", "PLN", "HUF", "CZK", "BGN", "CHF", "SEK", "DKK", "NOK", "CAD", "AUD")
"""Offered in the currency field; any ISO code Babel knows can be typed."""
BACKGROUND_LABELS = dict(zip(("Blurred frame", "Solid colour"), BACKGROUNDS))


def offer_preview_html(offer: Offer, words: dict) -> str:
    """One line that says what the end card will show (the old price struck through), or why it shows nothing."""
    if not offer.has_product:
        hook = f" Hook: “{html.escape(offer.hook)}”." if offer.hook else ""
        return f"<div style='color:#666;font-size:13px'>No product yet: clips end without an end card.{hook}</div>"
    parts = [f"<b>{html.escape(words.get('product', ''))}</b>"]
    if words.get("old_price"):
        parts.append(f"<s class='ef-old-price' style='color:#888'>{html.escape(words['old_price'])}</s>")
    parts.append(f"<b class='ef-price'>{html.escape(words.get('price', ''))}</b>")
    if words.get("badge"):
        parts.append(f"<span style='background:#e4002b;color:#fff;padding:0 6px;border-radius:3px'>"
                     f"{html.escape(words['badge'])}</span>")
    parts += [html.escape(x) for x in (words.get("cta"), words.get("url")) if x]
    state = "End card" if offer.end_card else "End card off"
    hook = f" · hook “{html.escape(offer.hook)}”" if offer.hook else ""
    return f"<div style='font-size:14px'>{state}: {' · '.join(parts)}{hook}</div>"


def _section(title: str, *objects, subtitle: str = "") -> pmui.Paper:
    head = [pmui.Typography(title, variant="h6", margin=(0, 5))]
    if subtitle:
        head.append(pmui.Typography(subtitle, variant="body2", color="text.secondary", margin=(0, 5)))
    return pmui.Paper(*head, *objects, elevation=1, sizing_mode="stretch_width", margin=(8, 0))


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def copies_note(sentences: list[str]) -> str:
    """HTML lines naming the other sources of the project that show the same footage ('' for none)."""
    return "".join(f"<div class='ef-same-footage' style='color:#1565c0;font-size:12px;line-height:1.3;margin-top:4px'>"
                   f"↔ {html.escape(sentence)}</div>" for sentence in sentences)


class ProducePage(PageView):
    title = "Produce"

    def __init__(self, **params) -> None:
        super().__init__(**params)
        model = self.model  # built from the page registry (models/pages.py)
        self._shown_profile: str | None = None
        self._due: set[str] = set()  # what finished jobs asked to reload (done in poll, on the event loop)
        self._estimate_timer = None

        # -- project ------------------------------------------------------------------------
        self._project = pmui.Select(label="Project", options={}, width=320)
        self._project.param.watch(self._on_project_pick, "value")
        self._new_name = pmui.TextInput(label="New project name", placeholder="e.g. Trail shoe launch", width=280)
        self._create = pmui.Button(label="Create project", icon="add", variant="outlined",
                                   on_click=lambda _: self.spawn(self.create_project))

        # -- footage --------------------------------------------------------------------------
        kinds = ", ".join(s.lstrip(".").upper() for s in FOOTAGE_SUFFIXES)
        self._upload = pmui.FileInput(label="Choose or drop videos and photos", multiple=True, icon="upload_file",
                                      variant="outlined", uploaded_label="Received {n} file(s)")
        self._upload.param.watch(self._on_upload, "value")
        # An empty file never reaches the server through the upload widget: the browser tells its name.
        self._chosen = ChosenFiles(height=0, width=0, margin=0)
        self._chosen.param.watch(self._on_chosen, "chosen")
        self._chosen_empty: list[dict[str, str]] = []
        self._upload_help = pmui.Typography(
            f"Drag and drop or choose several files at once: {kinds}; up to {size_label(model.upload_limit)} each. "
            "A file that cannot be used is refused with the reason; the others are still imported.",
            variant="body2", color="text.secondary")
        self._refused = pmui.Alert(object="", severity="warning", visible=False, sizing_mode="stretch_width")
        self._sources = pn.FlexBox(sizing_mode="stretch_width")
        self._source_deleter = SourceDeleter(session=self.session,
                                             on_deleted=lambda _id: self.spawn(self.model.reload_sources))
        self._analyze = pmui.Button(label="Analyze footage", icon="auto_awesome", variant="contained",
                                    on_click=lambda _: self.analyze())
        self._import_watch = JobWatch(session=self.session, kinds=[IMPORT_SOURCES], match=model.watches_project)
        self._analysis_watch = JobWatch(session=self.session, kinds=[ANALYZE_SOURCE], match=model.watches_source)

        # -- segments ---------------------------------------------------------------------------
        self._segments = pn.widgets.Tabulator(
            pd.DataFrame(columns=_SEGMENT_COLUMNS), show_index=False, sizing_mode="stretch_width", height=330,
            hidden_columns=["id"], layout="fit_data_stretch", selectable=False,
            formatters={"poster": {"type": "html"}, "favorite": FAVORITE_STAR},
            editors={"poster": None, "source": None, "length": None, "score": None,
                     "start": {"type": "number", "step": 0.1, "min": 0}, "end": {"type": "number", "step": 0.1, "min": 0},
                     "keywords": {"type": "input"}, "favorite": {"type": "tickCross"},
                     "framing": {"type": "list", "values": [AS_PROJECT, *FRAMINGS]}},
            buttons={"play": "<b>▶ Play</b>", "delete": "✖ Delete"},
            titles={"poster": "", "start": "In (s)", "end": "Out (s)", "favorite": "★", "length": "Length",
                    "score": "Score", "keywords": "Keywords", "source": "Source", "framing": "Framing"},
            configuration={"rowHeight": 62, **BUTTONS_UNSORTED}, sortable={"poster": False}, widths={"poster": 110, "play": 90, "delete": 100},
        )
        self._segments.on_edit(self._on_segment_edit)
        self._segments.on_click(self._on_segment_click)
        self._segment_player = pn.pane.HTML("", sizing_mode="stretch_width")
        self._segment_count = pmui.Typography("", variant="body2", color="text.secondary")
        self._add_source = pmui.Select(label="Source", options={}, width=260)
        self._add_start = pmui.FloatInput(label="In (s)", value=0.0, start=0, step=0.1, width=110)
        self._add_end = pmui.FloatInput(label="Out (s)", value=2.0, start=0, step=0.1, width=110)
        self._add_keywords = pmui.TextInput(label="Keywords (comma separated)", width=260)
        self._add = pmui.Button(label="Add segment", icon="add", variant="outlined", on_click=lambda _: self.add_segment())

        # -- script and voice --------------------------------------------------------------------
        self._script = pmui.TextAreaInput(label="Script", placeholder="What the voice says, e.g. Meet the trail shoe…",
                                          rows=4, sizing_mode="stretch_width")
        self._script.param.watch(self._on_script_typed, "value_input")
        self._script.param.watch(self._on_script_typed, "value")
        self._estimate = pmui.Typography("", variant="body1")
        # Every registered provider, read when the page is built (a new provider appears without changes here).
        self._provider = pmui.Select(label="Provider", options={cls.label: name for name, cls in PROVIDERS.items()},
                                     value=model.provider, width=260)
        self._provider.param.watch(self._on_provider, "value")
        self._voice = pmui.Select(label="Voice", options={}, width=260)
        self._voice.param.watch(self._on_voice, "value")
        self._model_pick = pmui.Select(label="Model", options={}, width=300)
        self._model_pick.param.watch(self._on_voice_model, "value")
        self._provider_note = pmui.Alert(object="", severity="info", visible=False, sizing_mode="stretch_width")
        self._sample = pmui.Button(label="Preview voice", icon="play_circle", variant="outlined",
                                   on_click=lambda _: self.voice_sample())
        self._generate = pmui.Button(label="Generate voiceover", icon="record_voice_over", variant="contained",
                                     on_click=lambda _: self.generate_voiceover())
        self._voice_watch = JobWatch(session=self.session, kinds=[VOICEOVER], match=model.watches_project)
        # A paid call over the profile's amount (Settings) is asked about first, with its price.
        self._paid_text = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["ef-paid-question"])
        self._paid_go: Callable[[], None] | None = None
        self._paid_dialog = pmui.Dialog(
            self._paid_text, pn.Row(
                pmui.Button(label="Go ahead", icon="paid", variant="contained", color="warning",
                            on_click=lambda _: self._paid_confirmed()),
                pmui.Button(label="Cancel", variant="text", on_click=lambda _: self._paid_cancelled())),
            title="Confirm a paid call", open=False, show_close_button=True)
        self._sample_watch = JobWatch(session=self.session)
        self._sample_player = pn.pane.HTML("", sizing_mode="stretch_width")
        self._voiceover = pn.pane.HTML("", sizing_mode="stretch_width")

        # -- render ----------------------------------------------------------------------------
        self._mode = pmui.RadioButtonGroup(label="Segments", options={v: k for k, v in MODES.items()}, value=model.mode)
        self._mode.param.watch(lambda e: setattr(model, "mode", e.new), "value")
        self._variants = pmui.IntSlider(label="Variants", start=1, end=MAX_VARIANTS, value=model.variants, width=260)
        self._variants.param.watch(lambda e: setattr(model, "variants", e.new), "value")
        self._format = pmui.Select(label="Format", options={f"{k} ({p.width}x{p.height})": k for k, p in PRESETS.items()},
                                   value="tiktok", width=220)
        self._format.param.watch(lambda e: setattr(model, "preset", e.new), "value")
        self._look = pmui.Select(label="Caption look", options={"The profile's caption style": "", **{k: k for k in LOOKS}},
                                 value="", width=240)
        self._look.param.watch(lambda e: setattr(model, "caption_look", e.new), "value")
        self._overlay = pmui.Switch(label="Show platform overlay")
        self._logo_on = pmui.Switch(label="Logo on this project's clips", value=model.watermark)
        self._logo_on.param.watch(self._on_logo_on, "value")
        model.param.watch(lambda *_: self._show_logo_on(), ["watermark", "has_logo"])
        self._show_logo_on()
        self._overlay.param.watch(lambda e: self.spawn(self.show_overlays), "value")
        self._framing = pmui.Select(label="Framing", options={}, width=380)
        self._framing.param.watch(self._on_framing, "value")
        self._transition = pmui.Select(label="Transition between segments",
                                       options={label: name for name, label in TRANSITION_LABELS.items()},
                                       value=model.transition, width=380)
        self._transition.param.watch(self._on_transition, "value")
        self._music = pmui.Select(label="Music", options={}, width=380)
        self._music.param.watch(self._on_music, "value")
        self._music_player = pn.pane.HTML("", sizing_mode="stretch_width")
        self._draft = pmui.Button(label="Draft preview", icon="preview", variant="outlined",
                                  on_click=lambda _: self.render(draft=True))
        self._render_button = pmui.Button(label="Render", icon="movie", variant="contained",
                                          on_click=lambda _: self.render(draft=False))
        self._render_watch = JobWatch(session=self.session, kinds=[PRODUCTION], match=model.watches_project)
        self._drafts = pn.FlexBox(sizing_mode="stretch_width")
        self._results = pn.FlexBox(sizing_mode="stretch_width")
        self._results_title = pmui.Typography("", variant="subtitle1")
        self._quality_notes = pn.pane.HTML("", visible=False, sizing_mode="stretch_width")

        # -- offer, end card, hook --------------------------------------------------------------------
        self._product = pmui.TextInput(label="Product on the end card", placeholder="e.g. Denim jacket", width=300)
        self._price = pmui.TextInput(label="Price", placeholder="49.90", width=120)
        self._currency = pmui.AutocompleteInput(label="Currency", options=list(CURRENCIES), value="EUR",
                                                restrict=False, width=120)
        self._old_price = pmui.TextInput(label="Old price (optional)", placeholder="59.90", width=170)
        self._cta = pmui.TextInput(label="Call to action", value=DEFAULT_CTA, width=300)
        self._url = pmui.TextInput(label="Shop URL (optional)", placeholder="shop.example.com", width=300)
        self._end_card = pmui.Switch(label="End card", value=True)
        self._background = pmui.RadioButtonGroup(label="End card background", options=BACKGROUND_LABELS,
                                                 value="blur")
        self._card_color = pmui.ColorPicker(label="Colour", value="#101820", width=150, visible=False)
        self._background.param.watch(lambda e: setattr(self._card_color, "visible", e.new == "color"), "value")
        self._card_seconds = pmui.FloatSlider(label="End card length (s)", start=2.0, end=3.0, step=0.5, value=2.5,
                                              width=220)
        self._hook = pmui.TextInput(label="Opening hook (first 1.5 s, optional)", placeholder="e.g. New in: denim",
                                    width=420)
        self._locale = pmui.TextInput(label="Price format (profile locale)", width=210)
        self._save_offer = pmui.Button(label="Save offer", icon="sell", variant="contained",
                                       on_click=lambda _: self.save_offer())
        self._offer_preview = pn.pane.HTML("", sizing_mode="stretch_width", css_classes=["ef-offer-preview"])
        model.param.watch(lambda *_: self._show_offer(), ["offer", "offer_words", "locale"])
        self._show_offer()

        for watch in (self._import_watch, self._analysis_watch, self._voice_watch, self._sample_watch, self._render_watch):
            watch.on_finished(self._on_job_finished)
        model.param.watch(lambda *_: self._show_projects(), ["projects", "project_id"])
        model.param.watch(lambda *_: self._show_sources(), ["sources", "copies"])
        model.param.watch(lambda *_: self._show_refused(), ["refused"])
        model.param.watch(lambda *_: self.spawn(self.show_segments), ["segments"])
        model.param.watch(lambda *_: self._show_script(), ["script"])
        model.param.watch(lambda *_: self._show_estimate(), ["estimate"])
        model.param.watch(lambda *_: self._show_voice_options(), ["voices", "models", "voice", "voice_model", "provider"])
        model.param.watch(lambda *_: self._show_voice_note(), ["voice_note"])
        model.param.watch(lambda *_: self._show_voiceover(), ["voiceover"])
        model.param.watch(lambda *_: self._show_sample(), ["voice_sample"])
        model.param.watch(lambda *_: self._show_results(), ["clips", "drafts"])
        model.param.watch(lambda *_: self._show_quality_notes(), ["quality_notes"])
        model.param.watch(lambda *_: self._show_framing(), ["framing", "default_framing"])
        self._render_progress = JobProgressList(watch=self._render_watch, name_of=self.job_name)
        self._writing = WriteScripts(self, model)
        model.param.watch(lambda *_: self.spawn(self._load_brief), ["project_id"])
        self._show_framing()
        model.param.watch(lambda *_: setattr(self._transition, "value", model.transition), ["transition"])
        model.param.watch(lambda *_: self._show_music(), ["music", "music_choices", "music_file", "music_title"])
        self._show_music()
        self._layout = self._build()
        if pn.state.location is not None:
            pn.state.location.sync(model, {"project_id": "project"})

    # -- loading ----------------------------------------------------------------------------------

    async def refresh(self) -> None:
        if self._shown_profile != self.session.profile_id:
            # Another profile: nothing of the last one may stay on screen, not even for a moment.
            self.model.clear()
            for watch in self._watches():
                watch.clear()
            self._shown_profile = self.session.profile_id
        await self.model.load(self.model.project_id or None)
        for watch in self._watches():  # running jobs first: a reload mid-render shows its progress at once
            await watch.refresh()
        await self.model.load_defaults()
        await self.model.update_estimate()
        self._show_refused()
        self._show_results()
        self._show_quality_notes()
        self._show_estimate()

    def _watches(self) -> list[JobWatch]:
        return [self._import_watch, self._analysis_watch, self._voice_watch, self._sample_watch, self._render_watch]

    async def poll(self) -> None:
        for watch in self._watches():
            await watch.poll()
        due, self._due = self._due, set()
        if "project" in due:
            await self.model.reload_sources()
        elif "segments" in due:
            await self.model.reload_segments()
        if due & {"project", "voiceover"}:
            await self.model.update_estimate()

    def _on_job_finished(self, job: Job) -> None:
        self.model.apply_finished(job)
        if job.kind == IMPORT_SOURCES:
            self._due.add("project")
            refused = (job.outputs or {}).get("refused") or []
            if job.status == "succeeded":
                imported = len((job.outputs or {}).get("imported") or [])
                self.session.notify(f"Imported {imported} video(s)" + (f"; {len(refused)} refused (see why above)."
                                                                       if refused else "."),
                                    "warning" if refused else "success")
        elif job.kind == ANALYZE_SOURCE:
            self._due.add("project")  # the source is now marked analyzed, and it has new segments
        elif job.kind == PRODUCTION and not job.inputs.get("draft"):
            self._due.add("project")
        elif job.kind == VOICEOVER:
            self._due.add("voiceover")

    # -- project ------------------------------------------------------------------------------------

    def _show_projects(self) -> None:
        options = {p["name"]: p["id"] for p in self.model.projects}
        self._project.param.update(options=options, value=self.model.project_id or None)

    def _on_project_pick(self, event) -> None:
        if event.new and event.new != self.model.project_id:
            project_id = event.new

            async def open_picked() -> None:
                await self.open_project(project_id)

            self.spawn(open_picked)

    async def open_project(self, project_id: str) -> None:
        for watch in self._watches():
            watch.clear()
        await self.model.open_project(project_id)
        await self.model.update_estimate()
        for watch in self._watches():
            await watch.refresh()

    async def _load_brief(self) -> None:
        name = next((p["name"] for p in self.model.projects if p["id"] == self.model.project_id), "")
        await self._writing.load(self.model.project_id, name)

    async def create_project(self) -> None:
        name = self._new_name.value_input or self._new_name.value
        if await self.model.new_project(name):
            self._new_name.value = ""
            for watch in self._watches():
                watch.clear()

    # -- footage --------------------------------------------------------------------------------------

    def _on_upload(self, event) -> None:
        if not event.new:
            return
        files = received_files(self._upload, event.new)

        async def upload_received() -> None:
            await self.upload(files)

        self.spawn(upload_received)

    def _on_chosen(self, event) -> None:
        """Files just chosen or dropped: the empty ones are refused by name now, as their upload never arrives."""
        empty = self._chosen.empty_files()
        self._chosen_empty = [{"file": name, "reason": empty_file_reason(name)} for name in empty]
        if not empty:
            return
        self.model.refused = list(self._chosen_empty)
        if len(empty) == len(event.new):  # nothing else will arrive
            self._chosen_empty = []
            self.session.notify("None of the files can be used; see why under the upload button.", "error")

    async def upload(self, files: list[tuple[str, bytes]]) -> None:
        """Stage the files (off the event loop) and start their import; refusals are shown per file."""
        started = await self.session.call(self.model.start_upload, files)
        if started is FAILED:
            return
        arrived = {name for name, _ in files}
        empty = [item for item in self._chosen_empty if item["file"] not in arrived]
        self._chosen_empty = []
        self.model.refused = [*empty, *started["refused"]]
        if started["job_id"]:
            self._import_watch.follow(started["job_id"])
            await self._import_watch.poll()
        elif started["refused"]:
            self.session.notify("None of the files can be used; see why under the upload button.", "error")

    def _show_refused(self) -> None:
        refused = self.model.refused
        text = "\n".join(f"- **{html.escape(r['file'])}** — {html.escape(r['reason'])}" for r in refused)
        self._refused.param.update(object=f"Not imported:\n{text}" if refused else "", visible=bool(refused))

    def _source_card(self, source) -> pn.Column:
        thumb = (f'<img src="{link_for(source.thumbnail_path)}" alt="" style="width:168px;height:100px;'
                 f'object-fit:cover;border-radius:4px">' if source.thumbnail_path else "")
        state = "analyzed" if source.analyzed_at else "not analyzed yet"
        text = (f"<div style='width:168px;font-size:13px'><b title='{html.escape(source.filename)}' "
                f"style='display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap'>"
                f"{html.escape(source.filename)}</b>{source.duration:.1f} s · {source.width}x{source.height}<br>"
                f"<span style='color:#666'>{state}</span>{upscale_note(source)}"
                f"{copies_note(self.model.copies.get(source.id, []))}</div>")
        delete = self._source_deleter.button(source.id, css_classes=["ef-delete-source"])
        # A plain column: inside a Paper the button after the (measured) HTML was not drawn in the served page.
        return pn.Column(pn.pane.HTML(thumb + text, margin=0), delete, margin=4, styles={"padding": "6px"})

    def _show_sources(self) -> None:
        sources = self.model.sources
        self._sources.objects = [self._source_card(s) for s in sources] or [
            pmui.Typography("No footage in this project yet.", variant="body2", color="text.secondary")]
        self._add_source.param.update(options={s.filename: s.id for s in sources},
                                      value=sources[0].id if sources else None)
        self._analyze.disabled = not sources

    def analyze(self) -> None:
        job_ids = self.session.attempt(self.model.start_analysis)
        if job_ids is FAILED:
            return
        for job_id in job_ids:
            self._analysis_watch.follow(job_id)
        self._analysis_watch.refresh_now(pick_up=False)

    # -- segments ---------------------------------------------------------------------------------------

    async def show_segments(self) -> None:
        segments = list(self.model.segments)
        names = {s.id: s.filename for s in self.model.sources}

        def posters() -> dict[str, str]:
            found = {}
            for segment in segments:
                try:
                    found[segment.id] = link_for(segment_poster(self.session.require_profile(), segment))
                except Exception:  # noqa: BLE001 - a poster is a nicety; the row is shown without it
                    continue
            return found

        links = await self.session.call(posters) if segments else {}
        links = {} if links is FAILED else links
        rows = [{
            "poster": f'<img src="{links[s.id]}" alt="" style="height:54px">' if s.id in links else "",
            "source": names.get(s.source_id, s.source_id), "start": round(s.start, 2), "end": round(s.end, 2),
            "length": f"{s.duration:.1f} s", "score": "manual" if s.score is None else f"{s.score:.2f}",
            "keywords": ", ".join(s.keywords), "favorite": s.favorite, "framing": s.framing or AS_PROJECT, "id": s.id,
        } for s in segments]
        self._segments.param.update(value=pd.DataFrame(rows, columns=_SEGMENT_COLUMNS),
                                    height=min(420, 48 + 64 * max(1, len(rows))))
        auto = sum(1 for s in segments if s.origin == "auto")
        self._segment_count.object = (f"{len(segments)} segment(s): {auto} found by analysis, {len(segments) - auto} "
                                      "added by hand. Edit in/out, keywords and ★ in the table." if segments else
                                      "No segments yet: analyze the footage or add one by hand.")

    def _segment_id(self, row: int) -> str:
        return str(self._segments.value.iloc[row]["id"])

    def _on_segment_edit(self, event) -> None:
        column = event.column
        if column not in ("start", "end", "keywords", "favorite", "framing"):
            return
        value = None if column == "framing" and event.value == AS_PROJECT else event.value
        changed = self.session.attempt(self.model.edit_segment, self._segment_id(event.row), **{column: value})
        if changed is not FAILED:
            self.session.notify("Segment saved.", "success")
        self.spawn(self.model.reload_segments)

    def _on_segment_click(self, event) -> None:
        if event.column == "play":
            segment = next((s for s in self.model.segments if s.id == self._segment_id(event.row)), None)
            source = next((s for s in self.model.sources if segment and s.id == segment.source_id), None)
            if segment and source and source.kind == "photo":  # a still: shown as it is (it moves in the clip)
                self._segment_player.object = (
                    f'<img src="{link_for(source.path)}" style="max-height:260px;max-width:100%">'
                    f'<div>{html.escape(source.filename)} (photo, {segment.end - segment.start:.2f} s)</div>')
            elif segment and source:
                self._segment_player.object = (
                    f'<video src="{link_for(source.path)}#t={segment.start:.2f},{segment.end:.2f}" controls autoplay '
                    f'muted style="max-height:260px;max-width:100%"></video><div>{html.escape(source.filename)} '
                    f'{segment.start:.2f}–{segment.end:.2f} s</div>')
        elif event.column == "delete":
            if self.session.attempt(self.model.remove_segment, self._segment_id(event.row)) is not FAILED:
                self.session.notify("Segment deleted.", "info")
            self.spawn(self.model.reload_segments)

    def add_segment(self) -> None:
        created = self.session.attempt(self.model.add_segment, self._add_source.value or "", self._add_start.value,
                                       self._add_end.value, self._add_keywords.value_input or self._add_keywords.value)
        if created is not FAILED:
            self._add_keywords.value = ""
            self.session.notify("Segment added.", "success")
            self.spawn(self.model.reload_segments)

    # -- script, voice, voiceover ------------------------------------------------------------------------------

    def _show_script(self) -> None:
        if self._script.value != self.model.script:
            self._script.value = self.model.script

    def _on_script_typed(self, event) -> None:
        text = event.new or ""
        if text == self.model.script:
            return
        self.model.script = text
        self._schedule_estimate()

    def _schedule_estimate(self) -> None:
        """Debounce: price the script once typing pauses (the work itself runs in a thread)."""
        doc = pn.state.curdoc
        if doc is None or doc.session_context is None:
            self.spawn(self.model.update_estimate)  # no browser: at once (tests, notebooks)
            return
        if self._estimate_timer is not None:
            try:
                doc.remove_timeout_callback(self._estimate_timer)
            except ValueError:
                pass
        self._estimate_timer = doc.add_timeout_callback(self._estimate_due, ESTIMATE_DELAY_MS)

    async def _estimate_due(self) -> None:
        self._estimate_timer = None
        await self.model.update_estimate()

    def _show_estimate(self) -> None:
        e = self.model.estimate
        sample = e.get("sample_label") if e else None  # the preview's price on its button, before it is spent
        self._sample.label = f"Preview voice ({sample})" if sample else "Preview voice"
        if not e or not e.get("characters"):
            self._estimate.object = "Type a script to see its length and price."
            return
        self._estimate.object = (f"{e['characters']} characters · about {e['seconds']:.0f} s of speech · "
                                 f"{e['label']}")

    def _on_provider(self, event) -> None:
        if event.new and event.new != self.model.provider:
            self.model.provider = event.new
            self.spawn(self._provider_changed)

    async def _provider_changed(self) -> None:
        await self.model.load_voice_options(self.model.provider)
        await self.model.update_estimate()

    def _on_voice(self, event) -> None:
        if event.new is not None and event.new != self.model.voice:
            self.model.voice = event.new
            self.spawn(self.model.update_estimate)

    def _on_voice_model(self, event) -> None:
        if event.new is not None and event.new != self.model.voice_model:
            self.model.voice_model = event.new
            self.spawn(self.model.update_estimate)

    def _show_voice_options(self) -> None:
        model = self.model
        self._provider.value = model.provider
        self._voice.param.update(options={v["name"]: v["id"] for v in model.voices}, value=model.voice or None)
        self._model_pick.param.update(
            options={f"{m['label']} — {price_label(m['price_per_1k_chars'])}"
                     + (f" per 1k {m['unit']}" if m["price_per_1k_chars"] else ""): m["id"] for m in model.models},
            value=model.voice_model or None)

    def _show_voice_note(self) -> None:
        self._provider_note.param.update(object=self.model.voice_note, visible=bool(self.model.voice_note))

    def _ask_if_paid(self, action: str, go: Callable[[], None]) -> None:
        """Run ``go`` now, or after a "Go ahead" when ``action`` costs more than the profile's amount."""
        question = self.session.attempt(self.model.paid_question, action)
        if question is FAILED:
            return
        if question is None:
            go()
            return
        self._paid_go = go
        self._paid_text.object = question
        self._paid_dialog.open = True

    def _paid_confirmed(self) -> None:
        go, self._paid_go = self._paid_go, None
        self._paid_dialog.open = False
        if go is not None:
            go()

    def _paid_cancelled(self) -> None:
        self._paid_go = None
        self._paid_dialog.open = False

    def voice_sample(self) -> None:
        self._ask_if_paid("sample", self._start_voice_sample)

    def _start_voice_sample(self) -> None:
        job_id = self.session.attempt(self.model.start_voice_sample)
        if job_id is not FAILED:
            self._sample_watch.follow(job_id)
            self._sample_watch.refresh_now(pick_up=False)

    def generate_voiceover(self) -> None:
        self._ask_if_paid("voiceover", self._start_voiceover)

    def _start_voiceover(self) -> None:
        job_id = self.session.attempt(self.model.start_voiceover)
        if job_id is not FAILED:
            self._voice_watch.follow(job_id)
            self._voice_watch.refresh_now(pick_up=False)

    def _audio(self, relative: str) -> str:
        return f'<audio controls preload="metadata" src="{link_for(self.model.media_path(relative))}"'

    def _show_sample(self) -> None:
        sample = self.model.voice_sample
        self._sample_player.object = (f"<div>Voice sample ({html.escape(sample.get('voice', ''))}):</div>"
                                      f"{self._audio(sample['audio_path'])}></audio>" if sample else "")

    def _show_voiceover(self) -> None:
        vo = self.model.voiceover
        if not vo:
            self._voiceover.object = ""
            return
        # The cue under the play head is highlighted, so the captions can be checked against the audio.
        highlight = ("const t=this.currentTime;this.getRootNode().querySelectorAll('.efcue').forEach("
                     "c=>c.classList.toggle('efnow', t>=+c.dataset.s && t<+c.dataset.e))")
        cues = "".join(
            f'<div class="efcue" data-s="{c["start"]}" data-e="{c["end"]}"><span class="eft">{_clock(c["start"])}–'
            f'{_clock(c["end"])}</span> {html.escape(c["text"])}</div>' for c in vo.get("cues") or [])
        cost = "cached, free" if vo.get("cached") else price_label(vo.get("cost_usd") or 0)
        self._voiceover.object = (
            "<style>.efcue{padding:2px 6px;border-radius:4px;font-size:14px}.efnow{background:#ffe082}"
            ".eft{color:#777;font-family:monospace;margin-right:8px}</style>"
            f"<div style='margin:4px 0'><b>Voiceover</b> · {vo.get('duration', 0):.1f} s · {html.escape(vo.get('voice', ''))}"
            f" · {cost}</div>{self._audio(vo['audio_path'])} ontimeupdate=\"{highlight}\" style='width:100%'></audio>"
            f"<div style='max-height:220px;overflow:auto'>{cues}</div>")

    # -- render and results ----------------------------------------------------------------------------------

    def _show_framing(self) -> None:
        default = FRAMING_LABELS.get(self.model.default_framing, self.model.default_framing)
        options = {f"Profile default ({default.split(':')[0]})": PROFILE_DEFAULT,
                   **{label: name for name, label in FRAMING_LABELS.items()}}
        self._framing.param.update(options=options, value=self.model.framing or PROFILE_DEFAULT)

    def _on_framing(self, event) -> None:
        chosen = "" if event.new in (None, PROFILE_DEFAULT) else event.new
        if chosen == self.model.framing or not self.model.project_id:
            return
        if self.session.attempt(self.model.save_framing, chosen) is not FAILED:
            self.session.notify("Framing saved; the project's next renders use it.", "success")
        else:
            self._show_framing()  # refused: show what is stored

    def _on_transition(self, event) -> None:
        if event.new is None or event.new == self.model.transition or not self.model.project_id:
            return
        if self.session.attempt(self.model.save_transition, event.new) is not FAILED:
            self.session.notify("Transition saved; the project's next renders use it.", "success")
        else:
            self._transition.value = self.model.transition  # refused: show what is stored
    def _show_logo_on(self) -> None:
        has_logo = self.model.has_logo
        self._logo_on.param.update(value=self.model.watermark and has_logo, disabled=not has_logo,
                                   label="Logo on this project's clips" if has_logo
                                   else "Logo on clips (add one in Settings → Brand)")

    def _on_logo_on(self, event) -> None:
        if not self.model.project_id or not self.model.has_logo or event.new == self.model.watermark:
            return
        if self.session.attempt(self.model.save_watermark, event.new) is not FAILED:
            self.session.notify("The logo is " + ("on" if event.new else "off") + " for this project's next renders.",
                                "success")
        else:
            self._show_logo_on()

    def _show_music(self) -> None:
        options = dict(self.model.music_choices) or {"Profile default": "default"}
        value = self.model.music if self.model.music in options.values() else "default"
        self._music.param.update(options=options, value=value)
        path = self.model.music_file
        self._music_player.object = (
            f"<div class='ef-music-player' style='font-size:13px'>Renders play <b>{html.escape(self.model.music_title)}"
            f'</b><br><audio controls preload="none" src="{link_for(Path(path))}"></audio></div>' if path else "")

    def _on_music(self, event) -> None:
        if event.new is None or event.new == self.model.music or not self.model.project_id:
            return
        if self.session.attempt(self.model.save_music, event.new) is not FAILED:
            self.session.notify("Music saved; the project's next renders use it.", "success")
        else:
            self._show_music()  # refused: show what is stored

    def _show_offer(self) -> None:
        offer = Offer.from_dict(self.model.offer) if self.model.offer else Offer()
        self._product.value, self._price.value = offer.product, typed_amount(offer.price, offer.currency)
        self._currency.value, self._old_price.value = offer.currency, typed_amount(offer.old_price, offer.currency)
        self._cta.value, self._url.value, self._hook.value = offer.cta, offer.url, offer.hook
        self._end_card.value, self._background.value = offer.end_card, offer.background
        self._card_color.value, self._card_seconds.value = offer.color, offer.end_card_seconds
        self._card_color.visible = offer.background == "color"
        self._locale.value = self.model.locale
        self._offer_preview.object = offer_preview_html(offer, self.model.offer_words)

    def offer_values(self) -> dict:
        """What the Offer fields hold (as typed: the service checks and converts)."""
        typed = lambda widget: widget.value_input or widget.value  # noqa: E731 - typed but not yet left counts
        return {"product": typed(self._product), "price": typed(self._price), "currency": self._currency.value or "",
                "old_price": typed(self._old_price), "cta": typed(self._cta), "url": typed(self._url),
                "hook": typed(self._hook), "end_card": self._end_card.value, "background": self._background.value,
                "color": self._card_color.value, "end_card_seconds": self._card_seconds.value}

    def save_offer(self) -> None:
        typed = self._locale.value_input or self._locale.value
        saved = self.session.attempt(self.model.save_offer, self.offer_values(), typed)
        if saved is not FAILED:
            self.session.notify("Offer saved; the project's next renders end with it." if saved.has_product and
                                saved.end_card else "Offer saved.", "success")

    def render(self, *, draft: bool) -> None:
        self._ask_if_paid("draft" if draft else "render", partial(self._start_render, draft=draft))

    def _start_render(self, *, draft: bool) -> None:
        job_id = self.session.attempt(self.model.start_render, draft=draft)
        if job_id is not FAILED:
            self._render_watch.follow(job_id)
            self._render_watch.refresh_now(pick_up=False)
            what = "A draft preview" if draft else f"{self.model.variants} variant(s)"
            self.session.notify(f"{what} started; follow the progress below.", "info")

    def _video_card(self, path: Path, caption: str) -> pmui.Paper:
        return pmui.Paper(pn.pane.HTML(
            f'<video src="{link_for(path)}" controls preload="metadata" style="height:300px;max-width:200px;'
            f'background:#000;border-radius:4px"></video><div style="font-size:13px;max-width:200px">{caption}</div>',
            margin=0), elevation=0, margin=4, styles={"padding": "6px"})

    def _overlay_card(self, path: Path, caption: str) -> pmui.Paper:
        return pmui.Paper(pn.pane.HTML(
            f'<img class="ef-platform-overlay" src="{link_for(path)}" style="height:300px;max-width:200px;'
            f'border-radius:4px"><div style="font-size:13px;max-width:200px">{caption}</div>',
            margin=0), elevation=0, margin=4, styles={"padding": "6px"})

    def _clip_card(self, clip: dict, overlay: str | None) -> pmui.Paper:
        music = clip.get("music") if isinstance(clip.get("music"), dict) else {}
        caption = (f"<b>{html.escape(clip['name'])}</b><br>{(clip.get('duration') or 0):.1f} s · "
                   f"{price_label(clip.get('cost_usd') or 0)}"
                   + (f"<br><span class='ef-clip-music'>♪ {html.escape(music.get('title') or '')}</span>" if music else ""))
        if overlay:
            return self._overlay_card(Path(overlay), caption)
        return self._video_card(self.model.media_path(clip["path"]), caption)

    async def show_overlays(self) -> None:
        """With "Show platform overlay" on, each clip is shown as a frame with its platform's covered areas."""
        if self._overlay.value:
            frames = await self.session.call(self.model.overlay_frames)
            if frames is FAILED:
                return
            self.model.overlays = frames
        self._show_results()

    def _show_results(self) -> None:
        model = self.model
        overlays = model.overlays if self._overlay.value else {}
        self._drafts.objects = [
            self._video_card(model.media_path(d["path"]), f"Draft v{d['variant']} · {d['duration']:.1f} s")
            for d in model.drafts]
        self._results.objects = [
            self._clip_card(c, overlays.get(c["id"]))
            for c in model.clips if c.get("path")]
        self._results_title.object = (f"{len(model.clips)} rendered clip(s) in this project (newest first)"
                                      if model.clips else "No rendered clips yet.")

    def _show_quality_notes(self) -> None:
        notes = self.model.quality_notes
        items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
        self._quality_notes.param.update(
            object=(f"<div class='ef-quality-notes' style='color:{WARNING_COLOR};font-size:13px'><b>⚠ Low-quality "
                    f"footage used</b><ul style='margin:4px 0'>{items}</ul></div>") if notes else "",
            visible=bool(notes))

    def job_name(self, job: Job) -> str:
        """What a job is called on its progress card, in the page's words."""
        inputs = job.inputs
        if job.kind == PRODUCTION:
            count = len(inputs.get("variant_scripts") or []) or inputs.get("variants") or 1
            return f"Draft preview of {count} variant(s)" if inputs.get("draft") else f"Render of {count} variant(s)"
        if job.kind == IMPORT_SOURCES:
            return f"Import of {len(inputs.get('paths') or [])} file(s)"
        if job.kind == ANALYZE_SOURCE:
            name = next((s.filename for s in self.model.sources if s.id == inputs.get("source_id")), "footage")
            return f"Analysis of {name}"
        return {VOICEOVER: "Voiceover", VOICE_PREVIEW: "Voice sample"}.get(job.kind, job.kind)

    # -- layout ------------------------------------------------------------------------------------------------

    def _build(self):
        return pn.Column(
            pmui.Typography("Produce", variant="h5"),
            pn.Row(self._project, self._new_name, self._create),
            _section("1 · Footage", pn.Row(self._upload, self._analyze, self._chosen), self._upload_help,
                     self._refused, JobProgressList(watch=self._import_watch, name_of=self.job_name), self._sources,
                     JobProgressList(watch=self._analysis_watch, name_of=self.job_name), self._source_deleter,
                     subtitle="Source videos of this project; analysis scores their best moments."),
            self.deferred(  # below the fold: built once the top is on screen
            _section("2 · Segments", self._segment_count, self._segments, self._segment_player,
                     pn.Row(self._add_source, self._add_start, self._add_end, self._add_keywords, self._add,
                            ),
                     subtitle="The moments renders are cut from: play, edit in/out, keywords and favourites, delete, or add one by hand."),
            _section("Write scripts", self._writing,
                     subtitle="From a brief: offline templates, or the profile's model (Settings → Writing)."),
            _section("3 · Script and voice", self._script, self._estimate,
                     pn.Row(self._provider, self._voice, self._model_pick), self._provider_note,
                     pn.Row(self._sample, self._generate), self._paid_dialog,
                     JobProgressList(watch=self._sample_watch, name_of=self.job_name),
                     self._sample_player, JobProgressList(watch=self._voice_watch, name_of=self.job_name), self._voiceover),
            _section("Offer · end card · hook",
                     pn.Row(self._product, self._price, self._currency, self._old_price),
                     pn.Row(self._cta, self._url),
                     pn.Row(self._end_card, self._background, self._card_color, self._card_seconds),
                     pn.Row(self._hook, self._locale), pn.Row(self._save_offer), self._offer_preview,
                     subtitle="What the clips sell: the end card shows it for the last 2–3 s after the voice ends "
                              "(the clip gets that much longer); the hook is a big title over the first 1.5 s."),
            _section("4 · Render", pn.Row(self._mode, self._variants, self._format),
                     pn.Row(self._framing, self._look), pn.Row(self._transition, self._logo_on),
                     pn.Row(self._music, self._music_player),
                     pn.Row(self._draft, self._render_button),
                     self._render_progress, self._quality_notes, self._drafts, self._results_title, self._overlay,
                     self._results,
                     subtitle=f"1–{MAX_VARIANTS} variants; a draft is a fast half-size preview, its voiceover is "
                              "reused by the final render at no extra cost."),
            ),
            sizing_mode="stretch_width",
        )

    def __panel__(self):
        return self._layout

