"""Settings → Writing: the profile's OpenAI-compatible model (preset, URL, model, key, prices), tested in 10 s.

The key is typed into a password field, saved to the secret store and then only shown masked; the test
uses what the form holds (a key typed a moment ago is the one tested) and never shows the key.
"""

from __future__ import annotations

import asyncio
from typing import Any

import panel as pn
import panel_material_ui as pmui
from panel.viewable import Viewer

from editfactory.core.errors import EditFactoryError
from editfactory.writing.model_client import (
    PRESETS,
    ModelClient,
    api_key_masked,
    check_config,
    clear_model_config,
    load_model_config,
    save_model_config,
)

CUSTOM = ""


class ModelSettings(Viewer):
    """The Writing section of the Settings page; ``page`` gives the session and runs background work."""

    def __init__(self, page: Any, **params) -> None:
        super().__init__(**params)
        self.page = page
        self._preset = pmui.Select(label="Preset", options={"Custom": CUSTOM, **{p.label: k for k, p in PRESETS.items()}},
                                   value=CUSTOM, width=300, sizing_mode="fixed")
        self._preset.param.watch(self._on_preset, "value")
        self._url = pmui.TextInput(label="Server URL", placeholder="https://api.openai.com/v1", sizing_mode="stretch_width")
        self._model = pmui.TextInput(label="Model", placeholder="gpt-4o-mini", width=260, sizing_mode="fixed")
        self._key = pmui.PasswordInput(label="API key (empty for a local server)", sizing_mode="stretch_width")
        self._price_in = pmui.TextInput(label="$ per million input tokens", value="0", width=200, sizing_mode="fixed")
        self._price_out = pmui.TextInput(label="$ per million output tokens", value="0", width=200, sizing_mode="fixed")
        self._limit = pmui.TextInput(label="Output limit (tokens)", value="1200", width=180, sizing_mode="fixed")
        self._saved = pmui.Typography("", variant="body2")
        self._save = pmui.Button(label="Save model settings", variant="contained", on_click=lambda _: self.save())
        self._test = pmui.Button(label="Test connection", icon="wifi_tethering", variant="outlined",
                                 on_click=lambda _: self.page.spawn(self.test_connection))
        self._remove = pmui.Button(label="Use templates only", variant="text", color="error",
                                   on_click=lambda _: self.remove())
        self._message = pmui.Alert(object="", severity="info", visible=False, sizing_mode="stretch_width")

    def _say(self, message: str, severity: str = "error") -> None:
        self._message.param.update(object=message, severity=severity, visible=True)

    def _profile(self):
        return self.page.session.require_profile()

    def _typed(self, widget) -> str:
        value = widget.value_input if getattr(widget, "value_input", None) is not None else widget.value
        return (value or "").strip()

    def _on_preset(self, event) -> None:
        preset = PRESETS.get(event.new)
        if preset is not None:
            self._url.value, self._model.value = preset.base_url, preset.model
            self._price_in.value, self._price_out.value = f"{preset.price_input_per_m:g}", f"{preset.price_output_per_m:g}"

    def read(self) -> dict[str, Any]:
        profile = self._profile()
        return {"config": load_model_config(profile), "masked": api_key_masked(profile)}

    async def refresh(self) -> None:
        self._message.visible = False
        self._key.value = ""
        found = await self.page.session.call(self.read)
        if not isinstance(found, dict):
            return
        config = found["config"]
        if config is not None:
            self._url.value, self._model.value = config.base_url, config.model
            self._price_in.value, self._price_out.value = (f"{config.price_input_per_m:g}",
                                                           f"{config.price_output_per_m:g}")
            self._limit.value = str(config.max_output_tokens)
        else:
            self._url.value = self._model.value = ""
        self._show_saved(found["masked"], config is not None)

    def _show_saved(self, masked: str, configured: bool) -> None:
        self._saved.object = ((f"Saved key: {masked}. " if masked else "No key saved. ") if configured else
                              "No model set: scripts and captions are written offline from templates (free).")
        self._remove.visible = configured

    def _form_config(self):
        return check_config(self._typed(self._url), self._typed(self._model), self._typed(self._price_in),
                            self._typed(self._price_out), self._typed(self._limit))

    def save(self) -> bool:
        key = self._typed(self._key)
        try:
            save_model_config(self._profile(), self._form_config(), api_key=key or None)
        except EditFactoryError as error:
            self._say(str(error))
            return False
        self._key.value = ""  # once saved, the key leaves the page: only its masked form is shown
        self._show_saved(api_key_masked(self._profile()), True)
        self._say("Model settings saved." + (" Test the connection to check them." if key else ""), "success")
        return True

    def remove(self) -> None:
        clear_model_config(self._profile())
        self._show_saved("", False)
        self._say("The model settings and key were removed; scripts come from templates.", "success")

    async def test_connection(self) -> None:
        self._test.loading = True
        try:
            config = self._form_config()
            key = self._typed(self._key) or None
            client = ModelClient(self._profile(), config, api_key=key)
            said = await asyncio.to_thread(client.test_connection)
        except EditFactoryError as error:
            self._say(f"Connection test failed: {error}")
            return
        finally:
            self._test.loading = False
        self._say(said, "success")

    def __panel__(self):
        return pn.Column(
            pmui.Typography("Scripts and post copy are written offline from templates, or by any OpenAI-compatible "
                            "model (OpenAI, Ollama on this computer, OpenRouter, Groq, DeepSeek, Mistral, Gemini, "
                            "Anthropic...). Calls are counted against the monthly quota at these prices.",
                            variant="body2", color="text.secondary"),
            pn.Row(self._preset, self._model), self._url, self._key, self._saved,
            pn.Row(self._price_in, self._price_out, self._limit),
            pn.Row(self._save, self._test, self._remove), self._message, sizing_mode="stretch_width")
