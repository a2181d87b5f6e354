"""The Settings page: the profile's name, caption style with a live preview frame, Postiz, a key field for each
voice provider that needs one, prices and the monthly quota.

A bad value is refused next to its field with the reason, and nothing is stored.
Keys are typed into password fields that are emptied once saved: afterwards the
page only ever holds their masked form. The caption preview is one still image,
drawn in a worker thread a moment after the last change (debounced).
"""

from __future__ import annotations

import asyncio
from functools import partial

import pandas as pd
import panel as pn
import panel_material_ui as pmui

from editfactory.core.errors import EditFactoryError
from editfactory.media.caption_looks import LOOKS
from editfactory.media.captions import SHIPPED_FONTS, CaptionStyle
from editfactory.media.framing import FRAMING_LABELS
from editfactory.models.session import FAILED
from editfactory.models.settings_page import position_choice, style_from_form
from editfactory.tts.credentials import key_providers, provider_secret
from editfactory.ui.brand import BrandSection
from editfactory.ui.helpers import BusyBar, show_frame
from editfactory.ui.media_route import link_for
from editfactory.ui.page import PageView
from editfactory.ui.writing_settings import ModelSettings

PREVIEW_DELAY_SECONDS = 0.4
_QUOTA_COLOURS = {"ok": "success", "amber": "warning", "red": "error", "none": "primary"}
_CHANNEL_COLUMNS = ["name", "platform", "state", "id"]
_POSITION_LABELS = {"Top": "top", "Middle": "middle", "Bottom": "bottom", "Custom %": "custom"}


def _alert() -> pmui.Alert:
    return pmui.Alert(object="", severity="error", visible=False, sizing_mode="stretch_width")


def _say(alert: pmui.Alert, message: str, severity: str = "error") -> None:
    alert.param.update(object=message, severity=severity, visible=True)


class ProviderKeyField:
    """One voice provider's API key: a password field emptied once saved, the saved key (masked), save and remove."""

    def __init__(self, page: SettingsPage, provider: str) -> None:
        self.page, self.provider = page, provider
        self.secret = secret = provider_secret(provider)
        self.input = pmui.PasswordInput(label=secret.label, sizing_mode="stretch_width")
        self.save = pmui.Button(label="Save key", variant="contained", on_click=lambda _: self._on_save())
        self.remove = pmui.Button(label="Remove key", variant="text", color="error", on_click=lambda _: self._on_remove())
        self.saved = pmui.Typography("", variant="body2")
        self.message = _alert()

    def show(self) -> None:
        masked = self.page.model.provider_keys.get(self.provider, "")
        self.saved.object = f"Saved key: {masked}" if masked else f"No {self.secret.service} key saved."
        self.input.placeholder = "Paste a new key to replace the saved one" if masked else "Paste the key"
        self.remove.visible = bool(masked)

    def reset(self) -> None:
        self.message.visible = False
        self.input.value = ""

    def _on_save(self) -> None:
        page = self.page
        if page._guard(self.message, page.model.save_provider_key, self.provider, page._typed(self.input),
                       success=f"{self.secret.service} key saved."):
            page._forget_typed(self.input)

    def _on_remove(self) -> None:
        self.page._guard(self.message, self.page.model.remove_provider_key, self.provider,
                         success=f"The {self.secret.service} key was removed.")

    def objects(self) -> tuple:
        return self.input, self.saved, pn.Row(self.save, self.remove), self.message


CUSTOM_LOOK = "custom"
"""The Look choice of a style the user changed or made without a look."""


class SettingsPage(PageView):
    title = "Settings"

    def __init__(self, **params) -> None:
        super().__init__(**params)
        self._layout = None
        model = self.model  # built from the page registry (models/pages.py)
        self._generation = 0
        self._preview_generation = 0
        self._filling = False

        # -- profile --
        self._name = pmui.TextInput(label="Profile name", width=320, sizing_mode="fixed")
        self._description = pmui.TextAreaInput(label="Description", rows=2, sizing_mode="stretch_width")
        self._save_profile = pmui.Button(label="Save name and description", variant="contained",
                                         on_click=lambda _: self._on_save_profile())
        self._profile_message = _alert()

        # -- caption style --
        # A look fills the whole form (and the box, alignment and animation the form does not show).
        self._look = pmui.Select(label="Look", options=[*LOOKS, CUSTOM_LOOK], value=CUSTOM_LOOK, width=200,
                                 sizing_mode="fixed")
        self._look.param.watch(self._on_look, "value")
        self._look_base: CaptionStyle | None = None
        self._font = pmui.Select(label="Font", options=list(SHIPPED_FONTS), width=200, sizing_mode="fixed")
        self._size = pmui.IntInput(label="Size (px of a 1920-high frame)", width=200, sizing_mode="fixed")
        self._primary = pmui.ColorPicker(label="Text colour", width=150, sizing_mode="fixed")
        self._highlight = pmui.ColorPicker(label="Current word colour", width=170, sizing_mode="fixed")
        self._outline_color = pmui.ColorPicker(label="Outline colour", width=150, sizing_mode="fixed")
        self._outline = pmui.FloatInput(label="Outline (px)", step=0.5, width=140, sizing_mode="fixed")
        self._position = pmui.RadioButtonGroup(label="Position", options=_POSITION_LABELS, value="bottom")
        self._custom = pmui.FloatInput(label="Custom position (% from top)", step=1, width=220, sizing_mode="fixed")
        self._words = pmui.IntInput(label="Words per caption", width=160, sizing_mode="fixed")
        self._highlight_on = pmui.Switch(label="Highlight the word being spoken")
        self._bold = pmui.Switch(label="Bold")
        self._uppercase = pmui.Switch(label="UPPERCASE")
        self._style_widgets = [self._font, self._size, self._primary, self._highlight, self._outline_color,
                               self._outline, self._position, self._custom, self._words, self._highlight_on,
                               self._bold, self._uppercase]
        for widget in self._style_widgets:
            widget.param.watch(self._on_style_change, "value")
        self._save_style = pmui.Button(label="Save caption style", variant="contained",
                                       on_click=lambda _: self._on_save_style())
        self._restore = pmui.Button(label="Restore defaults", icon="restart_alt", variant="outlined",
                                    on_click=lambda _: self._on_restore())
        self._style_message = _alert()
        self._preview_busy = BusyBar()
        self._preview = pn.pane.HTML("", width=270, height=480, styles={"background": "#eceff1"})
        self._preview_note = pmui.Typography("", variant="caption")

        self._brand = BrandSection(self)

        # -- Postiz --
        self._postiz_url = pmui.TextInput(label="Postiz URL (empty for Postiz cloud)",
                                          placeholder="https://postiz.example.com/api", sizing_mode="stretch_width")
        self._postiz_key = pmui.PasswordInput(label="Postiz API key", sizing_mode="stretch_width")
        self._postiz_enabled = pmui.Switch(label="Publishing on")
        self._save_postiz = pmui.Button(label="Save Postiz settings", variant="contained",
                                        on_click=lambda _: self._on_save_postiz())
        self._remove_postiz_key = pmui.Button(label="Remove key", variant="text", color="error",
                                              on_click=lambda _: self._on_remove_postiz_key())
        self._test = pmui.Button(label="Test connection", icon="wifi_tethering", variant="outlined",
                                 on_click=lambda _: self.spawn(self.test_connection))
        self._postiz_message = _alert()
        self._postiz_saved = pmui.Typography("", variant="body2")
        self._channels = pn.widgets.Tabulator(pd.DataFrame(columns=_CHANNEL_COLUMNS), show_index=False, disabled=True,
                                              sizing_mode="stretch_width", height=180, hidden_columns=["id"],
                                              layout="fit_data_stretch")

        self._writing = ModelSettings(self)  # Settings → Writing: the model scripts and captions are written with

        # -- voice provider keys (one field per registered provider that needs a key), prices, quota --
        self._keys = {name: ProviderKeyField(self, name) for name in key_providers()}

        self._price_model = pmui.Select(label="Voice model", options={}, width=360, sizing_mode="fixed")
        self._price_model.param.watch(lambda _: self._show_price(), "value")
        # Text fields: what was typed is read at the click (a number field sends its value only on blur).
        self._price = pmui.TextInput(label="Price per 1 000 characters ($)", width=220, sizing_mode="fixed")
        self._save_price = pmui.Button(label="Save price", variant="outlined", on_click=lambda _: self._on_save_price())
        self._price_message = _alert()

        self._quota = pmui.TextInput(label="Monthly quota ($, empty for no limit)", width=280, sizing_mode="fixed")
        self._save_quota = pmui.Button(label="Save quota", variant="contained", on_click=lambda _: self._on_save_quota())
        self._quota_message = _alert()
        self._confirm_above = pmui.TextInput(label="Ask before a paid call above ($)", width=280, sizing_mode="fixed")
        self._save_confirm = pmui.Button(label="Save amount", variant="contained",
                                         on_click=lambda _: self._guard(self._confirm_message,
                                                                        self.model.save_confirm_above,
                                                                        self._confirm_above.value_input,
                                                                        success="Amount saved."))
        self._confirm_message = _alert()
        self._quota_text = pmui.Typography("", variant="body2")
        self._quota_bar = pmui.LinearProgress(value=0, variant="determinate", sizing_mode="stretch_width")

        # -- framing --
        self._framing = pmui.Select(label="Default framing", options={v: k for k, v in FRAMING_LABELS.items()},
                                    value="auto", width=380, sizing_mode="fixed")
        self._save_framing = pmui.Button(label="Save framing", variant="contained",
                                         on_click=lambda _: self._on_save_framing())
        self._framing_message = _alert()

        # -- music --
        self._music = pmui.Select(label="Default music", options=dict(model.music_choices), value="", width=380,
                                  sizing_mode="fixed")
        self._music_level = pmui.FloatSlider(label="Music level (dB against the voice)", start=-30, end=0, step=1,
                                             value=-12, width=280, sizing_mode="fixed")
        self._save_music = pmui.Button(label="Save music", variant="contained", on_click=lambda _: self._on_save_music())
        self._music_message = _alert()

        model.param.watch(lambda *_: self._show_keys(), ["postiz_key_masked", "provider_keys"])
        model.param.watch(lambda *_: self._show_quota(), ["quota", "spent"])
        model.param.watch(lambda *_: self._show_channels(), "channels")
        model.param.watch(lambda *_: self._fill_prices(), "prices")

    # -- loading ---------------------------------------------------------------------------------

    async def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        self.model.clear()
        for alert in (self._profile_message, self._style_message, self._postiz_message,
                      self._price_message, self._quota_message, self._confirm_message, self._framing_message, self._music_message):
            alert.visible = False
        self._postiz_key.value = ""
        for field in self._keys.values():
            field.reset()
        values = await self.session.call(self.model.read)
        if generation != self._generation or values is FAILED:
            return
        self.model.apply(values)
        self._fill_form()
        await self._brand.refresh()
        await self._writing.refresh()
        await self.render_preview()

    def _fill_form(self) -> None:
        model = self.model
        self._filling = True
        try:
            self._name.value = model.profile_name
            self._description.value = model.profile_description
            self._fill_style(model.style)
            self._postiz_url.value = model.postiz_url
            self._postiz_enabled.value = model.postiz_enabled
            self._quota.value = "" if model.quota is None else f"{model.quota:g}"
            self._confirm_above.value = f"{model.confirm_above:.2f}"
            self._framing.value = model.framing
            self._music.options = dict(model.music_choices)
            self._music.value = model.music
            self._music_level.value = model.music_level
        finally:
            self._filling = False
        self._show_keys()
        self._show_quota()
        self._show_channels()
        self._fill_prices()

    def _fill_style(self, style: CaptionStyle) -> None:
        position, percent = position_choice(style.vertical_position)
        filling, self._filling = self._filling, True
        self._look_base = style
        try:
            self._look.value = style.look if style.look in LOOKS else CUSTOM_LOOK
            self._font.value = style.font
            self._size.value = style.size
            self._primary.value = style.primary_color
            self._highlight.value = style.highlight_color
            self._outline_color.value = style.outline_color
            self._outline.value = style.outline
            self._position.value = position
            self._custom.value = percent
            self._words.value = style.max_words_per_cue
            self._highlight_on.value = style.highlight_current_word
            self._bold.value = style.bold
            self._uppercase.value = style.uppercase
        finally:
            self._filling = filling
        self._custom.disabled = position != "custom"

    # -- caption style ---------------------------------------------------------------------------------

    def form_style(self) -> CaptionStyle:
        """The style the form describes (ValidationError with the reason when a value is not usable)."""
        return style_from_form(
            self._look_base or self.model.style, position=self._position.value, custom_percent=self._custom.value,
            font=self._font.value, size=self._size.value, primary_color=self._primary.value,
            highlight_color=self._highlight.value, outline_color=self._outline_color.value,
            outline=self._outline.value, max_words_per_cue=self._words.value,
            highlight_current_word=self._highlight_on.value, bold=self._bold.value, uppercase=self._uppercase.value,
        )

    def _on_look(self, event) -> None:
        if self._filling or event.new not in LOOKS:
            return
        self._fill_style(LOOKS[event.new])
        self._on_style_change(event)

    def _on_style_change(self, event) -> None:
        self._custom.disabled = self._position.value != "custom"
        if self._filling:
            return
        self._preview_generation += 1
        if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
            self.spawn(partial(self._debounced_preview, self._preview_generation))

    async def _debounced_preview(self, generation: int) -> None:
        await asyncio.sleep(PREVIEW_DELAY_SECONDS)
        if generation == self._preview_generation:  # no newer change while we waited
            await self.render_preview()

    async def render_preview(self) -> None:
        """Draw the form's style over the profile's footage in a worker thread and show it."""
        self._preview_generation += 1
        generation, page_generation = self._preview_generation, self._generation
        try:
            style = self.form_style()
        except EditFactoryError as error:
            _say(self._style_message, str(error))
            return
        self._style_message.visible = False
        self._preview_busy.show(True)
        try:
            path = await self.session.call(self.model.render_preview, style)
        finally:
            self._preview_busy.show(False)
        if path is FAILED or generation != self._preview_generation or page_generation != self._generation:
            return
        self.model.preview_path = path
        self._preview.object = (f'<img src="{link_for(path)}" alt="Caption preview" '
                                'style="width: 270px; height: 480px; display: block">')
        self._preview_note.object = ("Over this profile's latest source video." if self.model.has_footage else
                                     "Import a source video to see the captions over your own footage.")

    def _on_save_style(self) -> None:
        try:
            style = self.model.save_style(self.form_style())
        except EditFactoryError as error:
            _say(self._style_message, str(error))
            return
        except Exception as error:  # noqa: BLE001
            self.session.report(error)
            return
        self._fill_style(style)
        _say(self._style_message, "Caption style saved; new renders of this profile use it.", "success")

    def show_saved_style(self, style: CaptionStyle) -> None:
        """A style saved elsewhere on the page (the brand's "Apply to captions"): shown in the form and previewed."""
        self.model.style = style
        self._fill_style(style)
        self.spawn(self.render_preview)

    def _on_restore(self) -> None:
        try:
            style = self.model.restore_default_style()
        except Exception as error:  # noqa: BLE001
            self.session.report(error)
            return
        self._fill_style(style)
        _say(self._style_message, "The default caption style is restored and saved.", "success")
        self.spawn(self.render_preview)

    # -- profile -----------------------------------------------------------------------------------------

    def _guard(self, alert: pmui.Alert, fn, *args, success: str | None = None) -> bool:
        try:
            fn(*args)
        except EditFactoryError as error:
            _say(alert, str(error))
            return False
        except Exception as error:  # noqa: BLE001 - logged with a reference
            self.session.report(error)
            return False
        if success:
            _say(alert, success, "success")
        else:
            alert.visible = False
        return True

    def _on_save_profile(self) -> None:
        self._guard(self._profile_message, self.model.save_profile, self._name.value_input or self._name.value,
                    self._description.value_input or self._description.value, success="Saved.")

    # -- keys --------------------------------------------------------------------------------------------

    def _show_keys(self) -> None:
        postiz = self.model.postiz_key_masked
        self._postiz_saved.object = f"Saved key: {postiz}" if postiz else "No Postiz key saved."
        self._postiz_key.placeholder = "Paste a new key to replace the saved one" if postiz else "Paste the key"
        self._remove_postiz_key.visible = bool(postiz)
        for field in self._keys.values():
            field.show()

    def _typed(self, widget: pmui.PasswordInput) -> str:
        return (widget.value_input or widget.value or "").strip()

    def _forget_typed(self, widget: pmui.PasswordInput) -> None:
        # Once saved, the key leaves the page: only its masked form is shown from here on.
        widget.value = ""  # value_input follows

    def _on_save_postiz(self) -> None:
        key = self._typed(self._postiz_key)
        if self._guard(self._postiz_message, self.model.save_postiz, self._postiz_url.value_input or self._postiz_url.value,
                       key or None, self._postiz_enabled.value,
                       success="Postiz settings saved." + (" Test the connection to list the channels." if key else "")):
            self._forget_typed(self._postiz_key)
            self._postiz_url.value = self.model.postiz_url
            self.model.channels = [] if key else self.model.channels

    def _on_remove_postiz_key(self) -> None:
        self._guard(self._postiz_message, self.model.remove_postiz_key, success="The Postiz key was removed.")

    async def test_connection(self) -> None:
        self._test.loading = True
        try:
            # What the form holds now, saved or not: a key typed a moment ago is the one to test.
            url = self._postiz_url.value_input if self._postiz_url.value_input is not None else self._postiz_url.value
            channels = await asyncio.to_thread(self.model.test_connection, url, self._typed(self._postiz_key) or None)
        except EditFactoryError as error:
            _say(self._postiz_message, f"Connection test failed: {error}")
            return
        except Exception as error:  # noqa: BLE001
            self.session.report(error)
            return
        finally:
            self._test.loading = False
        self.model.channels = channels
        _say(self._postiz_message, f"Connected: {len(channels)} channel(s) found.", "success")

    def _show_channels(self) -> None:
        show_frame(self._channels, pd.DataFrame(self.model.channels, columns=_CHANNEL_COLUMNS))

    # -- prices and quota -------------------------------------------------------------------------------------

    def _fill_prices(self) -> None:
        options = {f"{r['label']} · {r['model_label']}": f"{r['provider']}:{r['model']}" for r in self.model.prices}
        value = self._price_model.value if self._price_model.value in options.values() else next(iter(options.values()), None)
        self._price_model.param.update(options=options, value=value)
        self._show_price()

    def _show_price(self) -> None:
        row = next((r for r in self.model.prices if f"{r['provider']}:{r['model']}" == self._price_model.value), None)
        self._price.value = f"{row['price']:g}" if row else ""
        if row:
            self._price.label = f"Price per 1 000 {row['unit']} ($)"

    def _on_save_price(self) -> None:
        if not self._price_model.value:
            return
        provider, _, model = self._price_model.value.partition(":")
        self._guard(self._price_message, self.model.save_price, provider, model, self._price.value_input,
                    success="Price saved for this profile.")

    def _on_save_framing(self) -> None:
        self._guard(self._framing_message, self.model.save_framing, self._framing.value,
                    success="Default framing saved; projects without their own framing use it.")

    def _on_save_music(self) -> None:
        self._guard(self._music_message, self.model.save_music, self._music.value, self._music_level.value,
                    success="Default music saved; projects that never chose their own music use it.")

    def _on_save_quota(self) -> None:
        self._guard(self._quota_message, self.model.save_quota, self._quota.value_input, success="Monthly quota saved.")

    def _show_quota(self) -> None:
        model = self.model
        used = model.quota_used
        if used is None:
            self._quota_text.object = f"No monthly quota: ${model.spent:.2f} spent this month."
            self._quota_bar.param.update(value=0, color="primary")
            return
        self._quota_text.object = (f"${model.spent:.2f} of ${model.quota:.2f} used this month ({used:.0%}); "
                                   f"${max(0.0, model.quota - model.spent):.2f} left.")
        self._quota_bar.param.update(value=min(100, int(round(used * 100))), color=_QUOTA_COLOURS[model.quota_level])

    # -- layout --------------------------------------------------------------------------------------------------

    def __panel__(self):
        if self._layout is None:
            self._layout = self._build()
        return self._layout

    def _build(self):
        def section(title: str, *objects, **kwargs):
            return pmui.Paper(pmui.Typography(title, variant="h6"), *objects, sizing_mode="stretch_width",
                              margin=(8, 0), elevation=1, **kwargs)

        style_form = pn.Column(
            pn.Row(self._look, self._font, self._size, self._words),
            pn.Row(self._primary, self._highlight, self._outline_color, self._outline),
            pn.Row(self._position, self._custom),
            pn.Row(self._highlight_on, self._bold, self._uppercase),
            pn.Row(self._save_style, self._restore), self._style_message,
            sizing_mode="stretch_width",
        )
        preview = pn.Column(pmui.Typography("Preview", variant="subtitle2"), self._preview_busy, self._preview,
                            self._preview_note, width=290)
        return pn.Column(
            pmui.Typography("Settings", variant="h5"),
            section("Profile", pn.Row(self._name), self._description, self._save_profile, self._profile_message),
            section("Captions", pn.Row(style_form, preview, sizing_mode="stretch_width")),
            self.deferred(  # below the fold: built once the top is on screen
            section("Brand", *self._brand.objects()),
            section("Framing", pmui.Typography(
                "How landscape, ultra-wide or small footage fills a vertical clip: cropped to the subject, or shown "
                "whole on a blurred copy of itself. A project or a single segment can choose otherwise on the "
                "Produce page.", variant="body2", color="text.secondary"),
                pn.Row(self._framing, self._save_framing), self._framing_message),
            section("Music", pmui.Typography(
                "Background music under the voice: a track of this profile's music library, or any track of a mood "
                "(picked per render). It plays under the voice in its pauses at this level and is pushed 14 dB "
                "further down while the voice speaks.", variant="body2", color="text.secondary"),
                pn.Row(self._music, self._music_level, self._save_music), self._music_message),
            section("Publishing (Postiz)", self._postiz_url, self._postiz_key, self._postiz_saved,
                    pn.Row(self._postiz_enabled, self._save_postiz, self._test, self._remove_postiz_key),
                    self._postiz_message, self._channels),
            section("Writing (model)", self._writing),
            *(section(field.secret.service, *field.objects()) for field in self._keys.values()),
            section("Prices", pn.Row(self._price_model, self._price, self._save_price), self._price_message,
                    pmui.Typography("A voiceover, voice preview or render whose voice costs more than this is "
                                    "confirmed first, with its price.", variant="body2", color="text.secondary"),
                    pn.Row(self._confirm_above, self._save_confirm), self._confirm_message),
            section("Monthly quota", pn.Row(self._quota, self._save_quota), self._quota_message, self._quota_text,
                    self._quota_bar),
            ),
            sizing_mode="stretch_width",
        )

