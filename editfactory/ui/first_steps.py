"""The first-run checklist shown by the Library while the profile has no finished clip: four steps, each a link
to its page, each ticked when the profile's data shows it done."""

from __future__ import annotations

import html
from typing import Any

import panel as pn
import panel_material_ui as pmui
import param
from panel.viewable import Viewer

from editfactory.models.first_steps import FirstStep
from editfactory.models.pages import get_page
from editfactory.models.session import StudioSession

_DONE, _TODO = "#2e7d32", "#9e9e9e"


class FirstStepsView(Viewer):
    """A card with the steps; a step's button opens its page in this tab (no reload)."""

    session = param.ClassSelector(class_=StudioSession, doc="The browser session whose page the links change.")
    steps = param.List(default=[], item_type=FirstStep, doc="The checklist, in order (FirstStep).")
    visible = param.Boolean(default=True, doc="Whether the card is shown.")

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._rows = pn.Column(sizing_mode="stretch_width", margin=0)
        self._title = pmui.Typography("Get started", variant="h6")
        self._card = pmui.Paper(self._title, self._rows, elevation=1, sizing_mode="stretch_width",
                                css_classes=["ef-first-steps"], styles={"padding": "12px 16px"})
        self.param.watch(lambda *_: self._render(), "steps")
        self.param.watch(lambda event: setattr(self._card, "visible", event.new), "visible")
        self._card.visible = self.visible
        self._render()

    def _row(self, number: int, step: FirstStep) -> pn.Row:
        mark = "✔" if step.done else str(number)
        colour = _DONE if step.done else _TODO
        state = "done" if step.done else "to do"
        text = (f"<div class='ef-step ef-step-{step.key}' data-done='{str(step.done).lower()}' "
                f"style='display:flex;gap:10px;align-items:center;font-size:14px'>"
                f"<span aria-label='{state}' style='display:inline-flex;width:24px;height:24px;border-radius:12px;"
                f"justify-content:center;align-items:center;color:#fff;background:{colour};font-weight:700'>"
                f"{mark}</span><span><b style='{'text-decoration:line-through;color:#757575' if step.done else ''}'>"
                f"{html.escape(step.label)}</b><br><span style='color:#616161;font-size:13px'>"
                f"{html.escape(step.hint)}</span></span></div>")
        link = pmui.Button(label=f"Open {get_page(step.page).label}", variant="text", size="small",
                           icon="arrow_forward", css_classes=[f"ef-step-link-{step.key}"], align="center",
                           on_click=lambda _, page=step.page: setattr(self.session, "page", page))
        return pn.Row(pn.pane.HTML(text, margin=(4, 0), width=560), link, align="start")

    def _render(self) -> None:
        done = sum(step.done for step in self.steps)
        self._title.object = f"Get started — {done} of {len(self.steps)} done"
        self._rows.objects = [self._row(i, step) for i, step in enumerate(self.steps, start=1)]

    def __panel__(self):
        return self._card
