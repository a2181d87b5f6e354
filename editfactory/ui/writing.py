""""Write scripts" on the Produce page: the brief, variants streamed in, then edit, keep or drop each.

The model's text is shown escaped (it is data, never markup); the kept variants become the render's scripts
(variant k reads script k) with "Use for the render".
"""

from __future__ import annotations

import html
from typing import Any

import panel as pn
import panel_material_ui as pmui
from panel.viewable import Viewer

from editfactory.models.produce import ProduceModel
from editfactory.models.writing import WritingModel
from editfactory.writing import LANGUAGES, TONES
from editfactory.writing.templates import MAX_VARIANTS


def _escaped(text: str) -> str:
    return (f"<div class='ef-written' style='white-space:pre-wrap;font-family:inherit;font-size:14px;"
            f"background:#f5f5f5;padding:6px;border-radius:4px'>{html.escape(text)}</div>")


class WriteScripts(Viewer):
    """The brief form and the variants; ``page`` runs the background work (``spawn``) and tells the user."""

    def __init__(self, page: Any, produce: ProduceModel, **params) -> None:
        super().__init__(**params)
        self.page = page
        self.produce = produce
        self.model = WritingModel(session=page.session)
        model = self.model
        self._product = pmui.TextInput.from_param(model.param.product, label="Product", width=260)
        self._price = pmui.TextInput.from_param(model.param.price, label="Price (optional)", width=140)
        self._offer = pmui.TextInput.from_param(model.param.offer, label="Offer (optional)", width=260)
        self._audience = pmui.TextInput.from_param(model.param.audience, label="Audience (optional)", width=260)
        self._description = pmui.TextAreaInput.from_param(
            model.param.description, label="What it is (or paste the product page)", rows=3,
            sizing_mode="stretch_width")
        self._tone = pmui.Select.from_param(model.param.tone, label="Tone", options=list(TONES), width=140)
        self._language = pmui.Select.from_param(model.param.language, label="Language",
                                                options={name: code for code, name in LANGUAGES.items()}, width=160)
        self._target = pmui.FloatInput.from_param(model.param.target_seconds, label="Target (s)", width=110)
        self._count = pmui.IntSlider.from_param(model.param.count, label="Variants", start=1, end=MAX_VARIANTS,
                                                width=200)
        self._use_model = pmui.Switch.from_param(model.param.use_model, label="Use the model")
        self._source = pmui.Typography("", variant="body2", color="text.secondary")
        self._write = pmui.Button(label="Write scripts", icon="edit_note", variant="contained",
                                  on_click=lambda _: self.page.spawn(self.write))
        self._cancel = pmui.Button(label="Cancel", icon="cancel", variant="outlined", visible=False,
                                   on_click=lambda _: model.cancel())
        self._streaming = pn.pane.HTML("", sizing_mode="stretch_width", visible=False)
        self._problem = pmui.Alert(object="", severity="warning", visible=False, sizing_mode="stretch_width")
        self._show_raw = pmui.Switch(label="Show the model's reply", visible=False)
        self._raw = pn.pane.HTML("", visible=False, sizing_mode="stretch_width")
        self._show_raw.param.watch(lambda e: self._show_problem(), "value")
        self._variants = pn.Column(sizing_mode="stretch_width")
        self._use = pmui.Button(label="Use kept scripts for the render", icon="done_all", variant="outlined",
                                visible=False, on_click=lambda _: self.use_kept())
        self._status = pmui.Typography("", variant="body2")
        self._shown_count = -1
        model.param.watch(lambda *_: self._show_busy(), ["busy", "streaming"])
        model.param.watch(lambda *_: self._show_problem(), ["problem", "raw"])
        model.param.watch(lambda *_: self._show_variants(), ["variants"])
        model.param.watch(lambda *_: self._show_source(), ["model_label", "use_model"])
        produce.param.watch(lambda *_: self._show_status(), ["variant_scripts"])
        self._layout = pn.Column(
            pn.Row(self._product, self._price, self._offer, self._audience), self._description,
            pn.Row(self._tone, self._language, self._target, self._count, self._use_model),
            pn.Row(self._write, self._cancel, self._source), self._streaming, self._problem, self._show_raw,
            self._raw, self._variants, pn.Row(self._use, self._status), sizing_mode="stretch_width")

    def __panel__(self):
        return self._layout

    async def load(self, project_id: str, project_name: str = "") -> None:
        if project_id != self.model.project_id:
            await self.model.load(project_id, project_name)
        self._show_source()

    # -- writing -----------------------------------------------------------------------------------

    def _voice(self) -> tuple[dict, str, str]:
        """The page's voice choice, and its name and language as the voice list shows them ('Joe · en_US')."""
        chosen = next((v["name"] for v in self.produce.voices if v["id"] == self.produce.voice), "")
        name, _, language = chosen.partition(" · ")
        return self.produce.voice_choice(), name, language

    async def write(self) -> None:
        voice, name, language = self._voice()
        if await self.model.write(voice, name, language):
            kind = "by the model" if self.model.model_label and self.model.use_model else "from templates"
            self.page.session.notify(f"{len(self.model.variants)} script(s) written {kind}: edit, keep or drop "
                                     "each, then use them for the render.", "success")

    def use_kept(self) -> None:
        kept = self.model.kept_scripts()
        if not kept:
            self.page.session.notify("Keep at least one script (or type one in the Script box).", "warning")
            return
        self.produce.variant_scripts = kept
        self.page.session.notify(f"The render makes {len(kept)} variant(s), each reading its own script.", "success")

    # -- showing -----------------------------------------------------------------------------------

    def _show_source(self) -> None:
        label = self.model.model_label
        self._use_model.visible = bool(label)
        self._source.object = (f"Written by {label}." if label and self.model.use_model else
                               "Written offline from templates (free). Set a model in Settings → Writing to use one.")

    def _show_busy(self) -> None:
        busy = self.model.busy
        self._write.disabled = busy
        self._cancel.visible = busy
        self._streaming.visible = busy and bool(self.model.streaming)
        self._streaming.object = _escaped(self.model.streaming) if busy else ""

    def _show_problem(self) -> None:
        problem = self.model.problem
        self._problem.object = problem
        self._problem.visible = bool(problem)
        self._show_raw.visible = bool(problem and self.model.raw)
        self._raw.visible = self._show_raw.visible and self._show_raw.value
        self._raw.object = _escaped(self.model.raw) if self._raw.visible else ""

    def _variant_card(self, index: int, variant: dict) -> pmui.Paper:
        text = pmui.TextAreaInput(label=f"Script {index + 1}", value=variant["text"], rows=3,
                                  sizing_mode="stretch_width")
        text.param.watch(lambda e, i=index: self._edited(i, e.new), "value")
        keep = pmui.Checkbox(label="Keep", value=variant["kept"])
        keep.param.watch(lambda e, i=index: self.model.keep(i, e.new), "value")
        facts = self._facts(variant)
        warning = pmui.Alert(object=variant["warning"], severity="warning", visible=bool(variant["warning"]),
                             sizing_mode="stretch_width")
        return pmui.Paper(text, pn.Row(keep, pmui.Typography(facts, variant="body2")), warning, elevation=0,
                          sizing_mode="stretch_width", margin=(4, 0), css_classes=["ef-variant"])

    @staticmethod
    def _facts(variant: dict) -> str:
        return f"About {variant['seconds']:.0f} s of speech · {variant['price'] or 'price unknown'}"

    def _edited(self, index: int, text: str) -> None:
        self.model.edit(index, text)
        voice, name, language = self._voice()

        async def describe() -> None:
            await self.model.redescribe(index, voice, name, language)

        self.page.spawn(describe)

    def _show_variants(self) -> None:
        variants = self.model.variants
        self._use.visible = bool(variants)
        if len(variants) == self._shown_count and all(v["text"] == c.objects[0].value for v, c in
                                                      zip(variants, self._variants.objects)):
            for variant, card in zip(variants, self._variants.objects):  # an edit or a keep: update in place, since
                card.objects[1].objects[1].object = self._facts(variant)  # rebuilding would take the cursor out
                card.objects[2].param.update(object=variant["warning"], visible=bool(variant["warning"]))
            return
        self._shown_count = len(variants)
        self._variants.objects = [self._variant_card(i, v) for i, v in enumerate(variants)]

    def _show_status(self) -> None:
        count = len(self.produce.variant_scripts)
        self._status.object = f"The render uses {count} written script(s)." if count else ""
