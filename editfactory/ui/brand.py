"""The Brand section of the Settings page: logo upload with its preview, where the logo sits on clips, the brand's
colours and font, and "Apply brand to captions".

The logo is shown on a checkerboard (so its transparency shows) and placed on a TikTok frame with the covered
areas in red, redrawn as the corner, size, opacity or margin change. A refused logo or value is explained in
words under the section, and nothing stored changes.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import panel as pn
import panel_material_ui as pmui

from editfactory.core.errors import EditFactoryError
from editfactory.media.captions import SHIPPED_FONTS
from editfactory.media.watermark import CORNERS, MARGIN_RANGE, OPACITY_RANGE, SIZE_RANGE
from editfactory.models.brand_kit import BrandModel
from editfactory.services.brand import BrandKit
from editfactory.ui.media_route import link_for

if TYPE_CHECKING:
    from editfactory.ui.settings import SettingsPage

CORNER_LABELS = {corner.replace("-", " ").capitalize(): corner for corner in CORNERS}
_CHECKERBOARD = ("background-color:#fff;background-image:linear-gradient(45deg,#ccc 25%,transparent 25%),"
                 "linear-gradient(-45deg,#ccc 25%,transparent 25%),linear-gradient(45deg,transparent 75%,#ccc 75%),"
                 "linear-gradient(-45deg,transparent 75%,#ccc 75%);background-size:16px 16px;"
                 "background-position:0 0,0 8px,8px -8px,-8px 0")


class BrandSection:
    """The widgets of the Brand section and what they do; the page places :meth:`objects` in its layout."""

    def __init__(self, page: SettingsPage) -> None:
        self.page = page
        self.model = BrandModel(session=page.session)
        self._filling = False
        # The button never says "Uploaded <file>": a refused file was not taken (the message under the section says so).
        self.logo_file = pmui.FileInput(label="Upload logo", uploaded_label="Upload another logo",
                                        accept=".png,.webp,.jpg,.jpeg,.svg", multiple=False, icon="upload_file")
        self.logo_file.param.watch(self._on_file, "value")
        self.logo = pn.pane.HTML("", width=200, height=120)
        self.placement = pn.pane.HTML("", width=140, height=250)
        self.remove = pmui.Button(label="Remove logo", variant="text", color="error", on_click=lambda _: self._on_remove())
        self.corner = pmui.Select(label="Corner", options=CORNER_LABELS, width=170, sizing_mode="fixed")
        self.size = pmui.IntSlider(label="Size (% of the width)", start=round(SIZE_RANGE[0] * 100),
                                   end=round(SIZE_RANGE[1] * 100), step=1, width=220, sizing_mode="fixed")
        self.opacity = pmui.IntSlider(label="Opacity (%)", start=round(OPACITY_RANGE[0] * 100),
                                      end=round(OPACITY_RANGE[1] * 100), step=5, width=220, sizing_mode="fixed")
        self.margin = pmui.FloatSlider(label="Margin (% of the width)", start=MARGIN_RANGE[0] * 100,
                                       end=MARGIN_RANGE[1] * 100, step=0.5, width=220, sizing_mode="fixed")
        for widget in (self.corner, self.size, self.opacity, self.margin):
            widget.param.watch(lambda _: self._on_placement(), "value")
        self.text_color = pmui.ColorPicker(label="Caption text", width=150, sizing_mode="fixed")
        self.highlight_color = pmui.ColorPicker(label="Highlight", width=150, sizing_mode="fixed")
        self.outline_color = pmui.ColorPicker(label="Outline or box", width=150, sizing_mode="fixed")
        self.end_card_color = pmui.ColorPicker(label="End-card background", width=170, sizing_mode="fixed")
        self.font = pmui.Select(label="Caption font", options=list(SHIPPED_FONTS), width=200, sizing_mode="fixed")
        self.save = pmui.Button(label="Save brand", variant="contained", on_click=lambda _: self._on_save())
        self.apply = pmui.Button(label="Apply brand to captions", icon="format_color_text", variant="outlined",
                                 on_click=lambda _: self._on_apply())
        self.message = pmui.Alert(object="", severity="error", visible=False, sizing_mode="stretch_width")

    # -- loading ------------------------------------------------------------------------------------------

    async def refresh(self) -> None:
        self.model.clear()
        self.message.visible = False
        kit = await self.page.session.call(self.model.load)
        if isinstance(kit, BrandKit):
            self.model.apply(kit)
        self.fill()

    def fill(self) -> None:
        kit = self.model.kit
        self._filling = True
        try:
            self.corner.value = kit.corner
            self.size.value = round(kit.size * 100)
            self.opacity.value = round(kit.opacity * 100)
            self.margin.value = round(kit.margin * 200) / 2
            for name in ("text_color", "highlight_color", "outline_color", "end_card_color", "font"):
                getattr(self, name).value = getattr(kit, name)
        finally:
            self._filling = False
        self._show_logo()

    def form_values(self) -> dict[str, Any]:
        """The brand the form describes (checked when saved)."""
        return {"corner": self.corner.value, "size": self.size.value / 100, "opacity": self.opacity.value / 100,
                "margin": self.margin.value / 100, "text_color": self.text_color.value,
                "highlight_color": self.highlight_color.value, "outline_color": self.outline_color.value,
                "end_card_color": self.end_card_color.value, "font": self.font.value}

    def _placement_values(self) -> dict[str, Any]:
        values = self.form_values()
        return {k: values[k] for k in ("corner", "size", "opacity", "margin")}

    def _show_logo(self) -> None:
        kit = self.model.kit
        self.remove.visible = kit.logo is not None
        if kit.logo is None:
            self.logo.object = ('<div style="width:200px;height:110px;display:flex;align-items:center;'
                                'justify-content:center;border:1px dashed #90a4ae;color:#607d8b;font:14px sans-serif">'
                                'No logo yet</div>')
            self.placement.object = ""
            return
        self.logo.object = (f'<div style="{_CHECKERBOARD};width:200px;height:110px;display:flex;align-items:center;'
                            f'justify-content:center"><img src="{link_for(kit.logo)}" alt="Brand logo" '
                            'style="max-width:190px;max-height:100px"></div>')
        self._on_placement()

    # -- actions ----------------------------------------------------------------------------------------------

    def _say(self, message: str, severity: str = "error") -> None:
        self.message.param.update(object=message, severity=severity, visible=True)

    def _on_placement(self) -> None:
        if self._filling or self.model.kit.logo is None:
            return
        try:
            path = self.model.placement_preview(**self._placement_values())
        except EditFactoryError as error:
            self._say(str(error))
            return
        self.placement.object = (f'<img src="{link_for(path)}" alt="Logo placement" title="On TikTok: the red areas '
                                 'are covered by the app" style="width:135px;display:block;border:1px solid #cfd8dc">')

    def _on_file(self, event) -> None:
        if not event.new:
            return
        data, name = event.new, self.logo_file.filename or "The uploaded file"

        async def received() -> None:  # a coroutine function: spawn (pn.state.execute) awaits only those
            await self.upload(data, name)

        self.page.spawn(received)

    async def upload(self, data: bytes, filename: str) -> None:
        """Import ``data`` as the logo (in a worker thread) and show it, or say why it was refused."""
        try:
            await asyncio.to_thread(self.model.upload_logo, data, filename)
        except EditFactoryError as error:
            self._say(str(error))
            return
        except Exception as error:  # noqa: BLE001 - logged with a reference
            self.page.session.report(error)
            return
        finally:
            self.logo_file.clear()  # the button names no file: a refused one is not "uploaded"
        self._show_logo()
        self._say(f"Logo {filename} saved. New renders of this profile's projects carry it (a project can switch it "
                  "off on the Produce page).", "success")

    def _on_remove(self) -> None:
        if self._guard(self.model.remove_logo):
            self._show_logo()
            self._say("The logo was removed; new renders carry none.", "success")

    def _guard(self, fn, *args, **kwargs) -> bool:
        try:
            fn(*args, **kwargs)
        except EditFactoryError as error:
            self._say(str(error))
            return False
        except Exception as error:  # noqa: BLE001
            self.page.session.report(error)
            return False
        return True

    def _on_save(self) -> None:
        if self._guard(self.model.save, **self.form_values()):
            self.fill()
            self._say("Brand saved.", "success")

    def _on_apply(self) -> None:
        """Save the form's brand, then copy its colours and font into the caption style and show it above."""
        if not self._guard(self.model.save, **self.form_values()):
            return
        try:
            style = self.model.apply_to_captions()
        except EditFactoryError as error:
            self._say(str(error))
            return
        self.fill()
        self.page.show_saved_style(style)
        self._say(f"The caption style now uses the brand's colours and {style.font}, and is saved.", "success")

    # -- layout -----------------------------------------------------------------------------------------------

    def objects(self) -> tuple:
        hint = pmui.Typography(
            "Your store's logo on every clip, in a corner of the part of the frame no app covers; PNG, WebP or SVG "
            "keep their transparency. Colours and font are for captions and the end card.", variant="body2",
            color="text.secondary")
        logo_column = pn.Column(pmui.Typography("Logo", variant="subtitle2"), self.logo, self.logo_file, self.remove,
                                width=230)
        placement_column = pn.Column(pmui.Typography("On TikTok", variant="subtitle2"), self.placement,
                                     pmui.Typography("Red: covered by the app", variant="caption"), width=160)
        controls = pn.Column(pn.Row(self.corner, self.size), pn.Row(self.opacity, self.margin),
                             sizing_mode="stretch_width")
        return (
            hint,
            pn.Row(logo_column, placement_column, controls, sizing_mode="stretch_width"),
            pn.Row(self.text_color, self.highlight_color, self.outline_color, self.end_card_color, self.font),
            pn.Row(self.save, self.apply),
            self.message,
        )
