"""The Voices page: every provider with its availability (and what to do when it is not), licence notes and
prices; a provider's voices with a play button each, its settings, the profile's default voice; cloning.

Availability checks and voice lists can wait on the network, so they run in
worker threads (``session.call``) behind a loading indicator; the page itself
appears at once. Cloning is a durable job followed on the page.
"""

from __future__ import annotations

import asyncio
import html
from functools import partial

import pandas as pd
import panel as pn
import panel_material_ui as pmui

from editfactory.core.errors import EditFactoryError
from editfactory.models.jobs import JobWatch
from editfactory.models.session import FAILED
from editfactory.models.voices import price_text
from editfactory.tts.registry import PROVIDERS, cloning_providers
from editfactory.ui.helpers import BUTTONS_UNSORTED, BusyBar, fit_height, show_frame
from editfactory.ui.job_progress import JobProgressList
from editfactory.ui.media_route import link_for
from editfactory.ui.page import PageView
from editfactory.ui.recorder import SampleRecorder

CLONE_JOB_KIND = "clone_voice"
_VOICE_COLUMNS = ["name", "language", "gender", "kind", "id"]
_CLONED_COLUMNS = ["name", "provider", "created", "id"]


class VoicesPage(PageView):
    title = "Voices"

    def __init__(self, **params) -> None:
        super().__init__(**params)
        self._layout = None
        model = self.model  # built from the page registry (models/pages.py)
        # Read from the registry when the page is built, so every registered provider is offered.
        self._labels = {name: cls.label for name, cls in PROVIDERS.items()}
        self._cloning = [cls.name for cls in cloning_providers()]
        self._refresh_generation = 0

        # -- providers overview --
        self._checking = BusyBar()
        self._recheck = pmui.Button(label="Check again", icon="refresh", variant="text",
                                    on_click=lambda _: self.spawn(self.refresh_providers))
        self._cards = pn.FlexBox(sizing_mode="stretch_width", gap="12px")
        model.param.watch(lambda *_: self._render_cards(), ["providers", "defaults"])
        model.param.watch(lambda e: self._checking.show(e.new), "checking")

        # -- one provider: voices, models/prices, settings, default --
        self._provider = pmui.Select(label="Provider", options={v: k for k, v in self._labels.items()},
                                     value=model.provider, width=220, sizing_mode="fixed")
        self._provider.param.watch(self._on_provider, "value")
        self._status = pmui.Alert(object="", severity="info", visible=False, sizing_mode="stretch_width")
        self._licence = pmui.Alert(object="", severity="warning", visible=False, sizing_mode="stretch_width")
        self._voices_loading = BusyBar()
        self._voices_message = pmui.Alert(object="", severity="warning", visible=False, sizing_mode="stretch_width")
        self._voices = pn.widgets.Tabulator(
            pd.DataFrame(columns=_VOICE_COLUMNS), show_index=False, disabled=True, selectable=1,
            sizing_mode="stretch_width", height=300, buttons={"play": "▶ Play"}, hidden_columns=["id"],
            titles={"name": "Name", "language": "Language", "gender": "Gender", "kind": "Kind"},
            layout="fit_data_stretch", sortable={}, configuration=BUTTONS_UNSORTED,
        )
        self._voices.on_click(self._on_voice_click)
        self._voices.param.watch(self._on_voice_selected, "selection")
        model.param.watch(lambda *_: self._render_voices(), ["voices", "voices_error", "loading_voices"])

        self._model = pmui.Select(label="Model", options=[], width=260, sizing_mode="fixed")
        self._model.param.watch(self._on_model, "value")
        # A text field: what was typed is read at the click (a number field sends its value only on blur).
        self._price = pmui.TextInput(label="Price per 1 000 characters ($)", width=220, sizing_mode="fixed")
        self._save_price = pmui.Button(label="Save price", variant="outlined", on_click=lambda _: self._on_save_price())
        self._price_message = pmui.Alert(object="", severity="error", visible=False, sizing_mode="stretch_width")
        self._settings_holder = pn.Column(sizing_mode="stretch_width")
        model.param.watch(lambda _: self._render_settings(), "settings")

        self._picked = pn.pane.Markdown("", sizing_mode="stretch_width")
        self._make_default = pmui.Button(label="Make this the profile's default", icon="star", variant="contained",
                                         on_click=lambda _: self._on_make_default())
        self._play_picked = pmui.Button(label="Play a sample", icon="play_arrow", variant="outlined",
                                        on_click=lambda _: self._play(self.model.provider, self.model.voice))
        self._default_message = pmui.Alert(object="", severity="error", visible=False, sizing_mode="stretch_width")
        self._default_text = pn.pane.Markdown("", sizing_mode="stretch_width")
        model.param.watch(lambda *_: self._render_picked(), ["voice", "model", "provider", "defaults", "voices"])

        self._player_status = pn.pane.Markdown("", margin=(0, 5))
        self._sample_text = pn.pane.Markdown("", sizing_mode="stretch_width")
        self._sample_go = None
        self._sample_dialog = pmui.Dialog(
            self._sample_text, pn.Row(
                pmui.Button(label="Go ahead", icon="paid", variant="contained", color="warning",
                            on_click=lambda _: self._sample_confirmed()),
                pmui.Button(label="Cancel", variant="text", on_click=lambda _: setattr(self._sample_dialog, "open",
                                                                                       False))),
            title="Confirm a paid sample", open=False, show_close_button=True)
        self._player = pn.pane.HTML("", sizing_mode="stretch_width", min_height=10)

        # -- cloning --
        self._clone_provider = pmui.Select(label="Clone with", options={self._labels[n]: n for n in self._cloning},
                                           value=next(iter(self._cloning), None), width=220, sizing_mode="fixed")
        self._clone_name = pmui.TextInput(label="Name of the new voice", placeholder="e.g. Anna – warm", width=300,
                                          sizing_mode="fixed")
        self._clone_files = pmui.FileInput(label="Choose voice samples", accept=".wav,.mp3,.m4a,.flac,.ogg,.opus,.webm",
                                           multiple=True)
        self._recorder = SampleRecorder(sizing_mode="stretch_width", height=44)
        self._recorder.param.watch(self._on_recording, ["recording", "error"])
        self._recording_note = pmui.Typography("", variant="body2")
        self._clone_button = pmui.Button(label="Clone voice", icon="record_voice_over", variant="contained",
                                         on_click=lambda _: self.spawn(self.clone))
        self._clone_message = pmui.Alert(object="", severity="error", visible=False, sizing_mode="stretch_width")
        self._clone_watch = JobWatch(session=self.session, kinds=[CLONE_JOB_KIND])
        self._clone_watch.on_finished(self._on_clone_finished)
        self._clone_jobs = JobProgressList(watch=self._clone_watch)

        self._cloned = pn.widgets.Tabulator(
            pd.DataFrame(columns=_CLONED_COLUMNS), show_index=False, disabled=True, selectable=1,
            sizing_mode="stretch_width", height=220, buttons={"play": "▶ Play", "delete": "🗑 Delete"},
            titles={"name": "Name", "provider": "Provider", "created": "Created"},
            hidden_columns=["id"], layout="fit_data_stretch", sortable={}, configuration=BUTTONS_UNSORTED,
        )
        self._cloned.on_click(self._on_cloned_click)
        self._no_cloned = pmui.Typography("None yet: clone a voice above, and it is listed here.", variant="body2")
        self._cloned.param.watch(self._on_cloned_selected, "selection")
        self._rename = pmui.TextInput(label="New name for the selected voice", width=300, sizing_mode="fixed")
        self._rename_button = pmui.Button(label="Rename", variant="outlined", on_click=lambda _: self._on_rename())
        self._rename_row = pn.Row(self._rename, self._rename_button)
        self._cloned_message = pmui.Alert(object="", severity="error", visible=False, sizing_mode="stretch_width")
        self._delete_target: dict | None = None
        self._delete_text = pn.pane.Markdown("")
        self._delete_dialog = pmui.Dialog(
            self._delete_text,
            pn.Row(pmui.Button(label="Delete voice", color="error", variant="contained",
                               on_click=lambda _: self._on_confirm_delete()),
                   pmui.Button(label="Cancel", variant="text", on_click=lambda _: setattr(self._delete_dialog, "open", False))),
            title="Delete this voice?", open=False, show_close_button=True,
        )
        model.param.watch(lambda _: self._render_cloned(), "cloned")
        self._render_cloned()  # an empty list says so from the start (no empty table until the first load)
        self._render_settings()
        self._render_cards()

    # -- loading ------------------------------------------------------------------------

    def _stale(self, generation: int) -> bool:
        """A newer refresh (e.g. after a profile switch) started while we waited: drop what we read."""
        return generation != self._refresh_generation

    async def refresh(self) -> None:
        self._refresh_generation += 1
        generation = self._refresh_generation
        self.model.clear()
        for alert in (self._price_message, self._default_message, self._clone_message, self._cloned_message):
            alert.visible = False
        self._player.object = ""
        self._player_status.object = ""
        defaults = await self.session.call(self.model.read_defaults)
        if self._stale(generation) or defaults is FAILED:
            return
        self.model.defaults = defaults
        cloned = await self.session.call(self.model.read_cloned)
        if self._stale(generation):
            return
        if cloned is not FAILED:
            self.model.cloned = cloned
        self._show_provider(defaults["provider"], load=False)
        await self._clone_watch.refresh()
        await self.load_voices()
        await self.refresh_providers()

    async def refresh_providers(self) -> None:
        generation = self._refresh_generation
        self.model.checking = True
        try:
            providers = await self.session.call(self.model.read_providers)
        finally:
            self.model.checking = False
        if self._stale(generation) or providers is FAILED:
            return
        self.model.providers = providers
        self._render_provider_status()
        self._fill_models()

    async def load_voices(self) -> None:
        generation, provider = self._refresh_generation, self.model.provider
        self.model.loading_voices = True
        try:
            voices = await self._read_voices_inline(provider)
        finally:
            self.model.loading_voices = False
        if self._stale(generation) or provider != self.model.provider:
            return
        if isinstance(voices, Exception):
            self.model.param.update(voices=[], voices_error=str(voices))
        else:
            self.model.param.update(voices=voices, voices_error="")

    async def _read_voices_inline(self, provider: str):
        """The voice list, or the error that prevented it (shown next to the list, not as a toast)."""
        try:
            return await asyncio.to_thread(self.model.read_voices, provider)
        except EditFactoryError as error:
            return error
        except Exception as error:  # noqa: BLE001 - unexpected: logged with a reference
            self.session.report(error)
            return EditFactoryError("The voice list could not be read; see the notification.")

    async def poll(self) -> None:
        await self._clone_watch.poll()

    # -- providers ------------------------------------------------------------------------

    def _card(self, row: dict):
        default = self.model.defaults.get("provider") == row["name"]
        chip = pmui.Chip(label="Available" if row["available"] else "Unavailable",
                         color="success" if row["available"] else "error", size="small", variant="outlined")
        parts = [pmui.Typography(row["label"], variant="subtitle1", styles={"font-weight": "600"}),
                 pn.Row(chip, *([pmui.Typography("★ Default of this profile", variant="caption")] if default else []))]
        if row["reason"]:
            parts.append(pmui.Typography(_reason_text(row), variant="body2",
                                         styles={"color": "#b71c1c" if not row["available"] else "inherit"}))
        prices, unit = sorted({m["price_per_1k_chars"] for m in row["models"]}), row["pricing_unit"]
        price = price_text(prices[0], unit) if len(prices) == 1 else \
            f"{price_text(prices[0], unit)} to {price_text(prices[-1], unit)}".replace(f" / 1 000 {unit} to", " to")
        parts.append(pmui.Typography(price, variant="body2"))
        if row["licence_note"]:
            parts.append(pmui.Alert(object=row["licence_note"], severity="warning", margin=(4, 0)))
        parts.append(pmui.Button(label="Show voices", variant="text", size="small",
                                 on_click=lambda _, n=row["name"]: self._show_provider(n)))
        return pmui.Paper(*parts, width=300, min_height=150, margin=4, elevation=1)

    def _render_cards(self) -> None:
        rows = self.model.providers
        if not rows:
            self._cards.objects = [pmui.Typography("Checking which voice providers can be used here…", variant="body2")]
            return
        self._cards.objects = [self._card(row) for row in rows]

    def _render_provider_status(self) -> None:
        row = self.model.provider_row()
        if row is None:
            self._status.visible = False
            self._licence.visible = False
            return
        if row["available"]:
            self._status.param.update(object=f"{row['label']} is available" + (f" ({row['reason']})" if row["reason"] else "") + ".",
                                      severity="success", visible=True)
        else:
            self._status.param.update(object=f"{row['label']} is unavailable: {_reason_text(row)}", severity="error",
                                      visible=True)
        self._licence.param.update(object=row["licence_note"] or "", visible=bool(row["licence_note"]))

    def _on_provider(self, event) -> None:
        if event.new and event.new != self.model.provider:
            self._show_provider(event.new)

    def _show_provider(self, name: str, load: bool = True) -> None:
        self.model.show_provider(name)
        if self._provider.value != name:
            self._provider.value = name
        self._render_provider_status()
        self._fill_models()
        self._price_message.visible = False
        self._default_message.visible = False
        if load:
            self.spawn(self.load_voices)

    def _fill_models(self) -> None:
        row = self.model.provider_row()
        if row is None:  # prices come with the providers' check; until then only the model's id
            options = {self.model.model: self.model.model} if self.model.model else {}
        else:
            options = {f"{m['label']} — {price_text(m['price_per_1k_chars'], row['pricing_unit'])}": m["id"]
                       for m in row["models"]}
            self._price.label = f"Price per 1 000 {row['pricing_unit']} ($)"
        wanted = self.model.model if self.model.model in options.values() else next(iter(options.values()), None)
        self._model.param.update(options=options, value=wanted)
        self._show_price()

    def _on_model(self, event) -> None:
        if event.new:
            self.model.model = event.new
            self._show_price()

    def _show_price(self) -> None:
        row = self.model.provider_row()
        model = next((m for m in (row or {}).get("models", []) if m["id"] == self._model.value), None)
        self._price.value = f"{model['price_per_1k_chars']:g}" if model else ""

    def _on_save_price(self) -> None:
        model = self._model.value
        if not model:
            return
        try:
            price = self.model.save_price(model, self._price.value_input)
        except EditFactoryError as error:
            self._price_message.param.update(object=str(error), severity="error", visible=True)
            return
        except Exception as error:  # noqa: BLE001
            self.session.report(error)
            return
        saved = price_text(price, PROVIDERS[self.model.provider].pricing_unit)
        self._price_message.param.update(object=f"Saved: {saved} for this profile.", severity="success", visible=True)
        for row in self.model.providers:
            if row["name"] == self.model.provider:
                for m in row["models"]:
                    if m["id"] == model:
                        m["price_per_1k_chars"] = price
        self.model.param.trigger("providers")
        self._fill_models()

    # -- voices -------------------------------------------------------------------------------

    def _render_voices(self) -> None:
        model = self.model
        self._voices_loading.show(model.loading_voices)
        self._voices_message.param.update(object=model.voices_error, visible=bool(model.voices_error))
        rows = [{"name": v["name"], "language": v["language"], "gender": v["gender"],
                 "kind": "cloned" if v["cloned"] else "", "id": v["id"]} for v in model.voices]
        show_frame(self._voices, pd.DataFrame(rows, columns=_VOICE_COLUMNS))
        fit_height(self._voices, len(rows))
        index = next((i for i, v in enumerate(model.voices) if v["id"] == model.voice), None)
        selection = [] if index is None else [index]
        if self._voices.selection != selection:
            self._voices.selection = selection

    def _voice_at(self, row: int) -> dict | None:
        frame = self._voices.value
        if row is None or row >= len(frame):
            return None
        return frame.iloc[row].to_dict()

    def _on_voice_selected(self, event) -> None:
        if event.new:
            voice = self._voice_at(event.new[0])
            if voice:
                self.model.voice = voice["id"]

    def _on_voice_click(self, event) -> None:
        voice = self._voice_at(event.row)
        if voice is None:
            return
        self.model.voice = voice["id"]
        if event.column == "play":
            self._play(self.model.provider, voice["id"], voice["name"])

    def _voice_name(self, voice_id: str) -> str:
        return next((v["name"] for v in self.model.voices if v["id"] == voice_id), voice_id)

    def _model_label(self, provider: str, model_id: str | None) -> str:
        """The model's name as its provider gives it ("Piper (local ONNX)"), not its id."""
        row = self.model.provider_row(provider)
        found = next((m["label"] for m in (row or {}).get("models", []) if m["id"] == model_id), None)
        return html.escape(found or model_id or "the provider's default")

    def _render_picked(self) -> None:
        model = self.model
        label = self._labels.get(model.provider, model.provider)
        self._picked.object = (f"Selected: **{html.escape(self._voice_name(model.voice))}** · {label} · model "
                               f"{self._model_label(model.provider, model.model)}" if model.voice
                               else "Click a voice in the list to select it.")
        defaults = model.defaults
        if defaults:
            name = self._voice_name(defaults["voice"]) if defaults["provider"] == model.provider else defaults["voice"]
            self._default_text.object = (f"This profile speaks with **{html.escape(name or 'the provider default')}** · "
                                         f"{self._labels.get(defaults['provider'], defaults['provider'])} · "
                                         f"model {self._model_label(defaults['provider'], defaults['model'])}")
        else:
            self._default_text.object = ""

    def _on_make_default(self) -> None:
        try:
            defaults = self.model.save_defaults()
        except EditFactoryError as error:
            self._default_message.param.update(object=str(error), severity="error", visible=True)
            return
        except Exception as error:  # noqa: BLE001
            self.session.report(error)
            return
        self.model.defaults = defaults
        self._default_message.param.update(
            object=f"Saved: new voiceovers of this profile use {self._voice_name(defaults['voice'])}.",
            severity="success", visible=True)

    def _render_settings(self) -> None:
        settings = self.model.settings
        if settings is None or not [p for p in settings.param if p != "name"]:
            self._settings_holder.objects = [pn.pane.Markdown("This provider has no settings.")]
            return
        self._settings_holder.objects = [pn.Param(settings, show_name=False, sort=False, sizing_mode="stretch_width")]

    # -- playing a sample -------------------------------------------------------------------

    def _sample_confirmed(self) -> None:
        go, self._sample_go = self._sample_go, None
        self._sample_dialog.open = False
        if go is not None:
            self.spawn(go)

    def _play(self, provider: str, voice_id: str, name: str | None = None) -> None:
        if not voice_id:
            self._player_status.object = "Click a voice in the list first."
            return
        self.spawn(partial(self.play, provider, voice_id, name))

    async def play(self, provider: str, voice_id: str, name: str | None = None, confirmed: bool = False) -> None:
        """Say what the sample costs, ask first when it is over the profile's amount, then synthesize it off the
        event loop and play it in the page."""
        generation = self._refresh_generation
        name = name or self._voice_name(voice_id)
        if not confirmed:
            priced = await self.session.call(self.model.sample_cost, provider, voice_id)
            if priced is FAILED or self._stale(generation):
                return
            label, question = priced
            self._player_status.object = f"A sample of **{html.escape(name)}** costs {label}."
            if question:
                self._sample_text.object = question
                self._sample_go = partial(self.play, provider, voice_id, name, True)
                self._sample_dialog.open = True
                return
        self._player_status.object = f"Preparing a sample of **{html.escape(name)}**…"
        self._player.loading = True
        try:
            path = await self.session.call(self.model.synthesize_sample, provider, voice_id)
        finally:
            self._player.loading = False
        if self._stale(generation):
            return
        if path is FAILED:
            self._player_status.object = f"No sample of {html.escape(name)}: see the message."
            return
        self.model.param.update(preview_path=path, preview_voice=voice_id)
        self._player_status.object = f"Sample of **{html.escape(name)}** ({self._labels.get(provider, provider)})"
        self._player.object = f'<audio src="{link_for(path)}" controls autoplay style="width: 100%"></audio>'

    # -- cloning --------------------------------------------------------------------------------

    def _uploaded(self) -> dict[str, bytes]:
        """The uploaded samples and the recorded one, by file name."""
        values, names = self._clone_files.value, self._clone_files.filename
        files: dict[str, bytes] = {}
        if values:
            if not isinstance(values, list):
                values, names = [values], [names]
            files.update(zip(names, values))
        if self._recorder.recording:
            files[self._recorder.recording["filename"]] = self._recorder.recording["data"]
        return files

    def _on_recording(self, *_) -> None:
        recorder = self._recorder
        if recorder.error:
            self._recording_note.object = recorder.error
        elif recorder.recording:
            seconds = recorder.recording.get("seconds")
            self._recording_note.object = (f"Recorded sample ready ({seconds} s); it is checked with the others "
                                           "when you clone." if seconds else "Recorded sample ready.")
        else:
            self._recording_note.object = ""

    async def clone(self) -> None:
        self._clone_message.visible = False
        name = self._clone_name.value_input or self._clone_name.value
        provider = self._clone_provider.value
        files = self._uploaded()
        self._clone_button.loading = True
        try:
            checked = await self._checked(self.model.check_samples, files)
            if checked is None:
                return
            usable, refused = checked
            if refused:
                lines = "\n".join(f"- **{html.escape(f)}**: {html.escape(r)}" for f, r in refused.items())
                self._clone_message.param.update(object="These samples cannot be used:\n" + lines, severity="error",
                                                 visible=True)
            if not usable:
                return
            job_id = await self._checked(self.model.start_clone, provider, name, usable)
            if job_id is None:
                return
        finally:
            self._clone_button.loading = False
        self._clone_watch.follow(job_id)
        await self._clone_watch.poll()
        self._clone_files.clear()
        self._recorder.clear()
        self.session.notify(f"Cloning {name!r} started; it appears under “Your cloned voices” when ready.", "info")

    async def _checked(self, fn, *args):
        """Run ``fn`` in a thread; our errors are shown inline under the clone form, others as a notification."""
        try:
            return await asyncio.to_thread(fn, *args)
        except EditFactoryError as error:
            self._clone_message.param.update(object=str(error), severity="error", visible=True)
        except Exception as error:  # noqa: BLE001
            self.session.report(error)
        return None

    def _on_clone_finished(self, job) -> None:
        if job.status == "succeeded":
            self.session.notify(f"Voice {job.outputs.get('name', '')!r} is ready; play it in “Your cloned voices”.",
                                "success")
            self.spawn(self._reload_cloned)
        elif job.error:
            self._clone_message.param.update(object=job.error, severity="error", visible=True)

    async def _reload_cloned(self) -> None:
        cloned = await self.session.call(self.model.read_cloned)
        if cloned is not FAILED:
            self.model.cloned = cloned
        if self.model.provider in self._cloning:
            await self.load_voices()

    def _render_cloned(self) -> None:
        rows = [{"name": r["name"], "provider": self._labels.get(r["provider"], r["provider"]),
                 "created": self.session.local_time(r.get("created_at")), "id": r["id"]}
                for r in self.model.cloned]
        show_frame(self._cloned, pd.DataFrame(rows, columns=_CLONED_COLUMNS))
        fit_height(self._cloned, len(rows), most=6)
        self._cloned.visible = self._rename_row.visible = bool(rows)
        self._no_cloned.visible = not rows

    def _cloned_at(self, row: int | None) -> dict | None:
        if row is None or row >= len(self.model.cloned):
            return None
        return self.model.cloned[row]

    def _on_cloned_selected(self, event) -> None:
        record = self._cloned_at(event.new[0] if event.new else None)
        if record:
            self._rename.value = record["name"]

    def _on_cloned_click(self, event) -> None:
        record = self._cloned_at(event.row)
        if record is None:
            return
        if event.column == "play":
            self._play(record["provider"], record["id"], record["name"])
        elif event.column == "delete":
            self._delete_target = record
            self._delete_text.object = (f"**{html.escape(record['name'])}** ({self._labels.get(record['provider'])}) and its "
                                        "samples are deleted" + self._deleted_at_provider(record["provider"])
                                        + ". Voiceovers already made with it stay.")
            self._delete_dialog.open = True

    @staticmethod
    def _deleted_at_provider(provider: str) -> str:
        cls = PROVIDERS.get(provider)
        return f" here and at {cls.label}" if cls is not None and cls.clones_live_at_provider else ""

    def _selected_cloned(self) -> dict | None:
        return self._cloned_at(self._cloned.selection[0] if self._cloned.selection else None)

    def _on_rename(self) -> None:
        record = self._selected_cloned()
        if record is None:
            self._cloned_message.param.update(object="Select a voice in the list first.", severity="info", visible=True)
            return
        try:
            self.model.rename_cloned(record["id"], self._rename.value_input or self._rename.value)
        except EditFactoryError as error:
            self._cloned_message.param.update(object=str(error), severity="error", visible=True)
            return
        except Exception as error:  # noqa: BLE001
            self.session.report(error)
            return
        self._cloned_message.param.update(object="Renamed.", severity="success", visible=True)
        self.spawn(self._reload_cloned)

    def _on_confirm_delete(self) -> None:
        record, self._delete_target = self._delete_target, None
        self._delete_dialog.open = False
        if record is None:
            return
        self.spawn(partial(self.delete_cloned, record))

    async def delete_cloned(self, record: dict) -> None:
        if await self.session.call(self.model.delete_cloned, record["id"]) is FAILED:
            return
        self.session.notify(f"Voice {record['name']!r} was deleted.", "success")
        defaults = await self.session.call(self.model.read_defaults)
        if defaults is not FAILED:
            self.model.defaults = defaults
        await self._reload_cloned()

    # -- layout ---------------------------------------------------------------------------------

    def __panel__(self):
        if self._layout is None:
            self._layout = self._build()
        return self._layout

    def _build(self):
        provider_section = pmui.Paper(
            pn.Row(self._provider, pn.Spacer(width=12), self._model, self._price, self._save_price),
            self._price_message, self._status, self._licence,
            pn.Row(
                pn.Column(pmui.Typography("Voices", variant="subtitle1"), self._voices_loading, self._voices_message,
                          self._voices, self._picked, pn.Row(self._play_picked, self._make_default),
                          self._default_message, self._default_text, sizing_mode="stretch_width"),
                pn.Column(pmui.Typography("Settings", variant="subtitle1"), self._settings_holder, width=360),
                sizing_mode="stretch_width",
            ),
            self._player_status, self._player, self._sample_dialog,
            sizing_mode="stretch_width", margin=(8, 0), elevation=1,
        )
        clone_section = pmui.Paper(
            pmui.Typography("Clone a voice", variant="h6"),
            pn.pane.Markdown("Upload 1 to 5 recordings of one person reading aloud (or record one here): 6 s to 5 "
                             "minutes each, clear speech, no music. Each sample is checked first; a refused one says why."),
            pn.Row(self._clone_provider, self._clone_name),
            pn.Row(self._clone_files, self._recorder), self._recording_note, self._clone_button,
            self._clone_message, self._clone_jobs,
            pmui.Typography("Your cloned voices", variant="subtitle1"), self._cloned, self._no_cloned,
            self._rename_row, self._cloned_message, self._delete_dialog,
            sizing_mode="stretch_width", margin=(8, 0), elevation=1,
        )
        return pn.Column(
            pn.Row(pmui.Typography("Voices", variant="h5"), self._recheck),
            self._checking, self._cards, provider_section,
            self.deferred(clone_section),  # below the fold: built once the top is on screen
            sizing_mode="stretch_width",
        )


def _reason_text(row: dict) -> str:
    reason = row["reason"] or ""
    return reason[:1].upper() + reason[1:]

