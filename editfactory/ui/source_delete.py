"""Deleting a source video from a page: the dialog says which projects and clips use it, then deletes on confirm.

Produce (each footage card) and the Library (each copy of footage imported twice) share it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import panel as pn
import panel_material_ui as pmui
import param
from panel.viewable import Viewer

from editfactory.footage.deletion import delete_source, source_usage
from editfactory.models.session import FAILED, StudioSession


class SourceDeleter(Viewer):
    """A confirmation dialog; ``ask(source_id)`` opens it with what uses the source."""

    session = param.ClassSelector(class_=StudioSession, doc="The browser session (its profile is the one changed).")
    on_deleted = param.Callable(default=None, allow_None=True, doc="Called with the source id after a deletion.")
    source_id = param.String(default="", doc="The source the open dialog is about ('' when closed).")

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._text = pn.pane.Markdown("", sizing_mode="stretch_width")
        self._confirm = pmui.Button(label="Delete source", color="error", variant="contained", icon="delete",
                                    on_click=lambda _: self.confirm())
        self._dialog = pmui.Dialog(
            self._text, pn.Row(self._confirm, pmui.Button(label="Cancel", variant="text",
                                                          on_click=lambda _: self.cancel())),
            title="Delete source video", open=False, show_close_button=True)

    @property
    def text(self) -> str:
        return self._text.object

    @property
    def is_open(self) -> bool:
        return bool(self._dialog.open)

    def ask(self, source_id: str) -> None:
        usage = self.session.attempt(source_usage, self.session.require_profile(), source_id)
        if usage is FAILED:
            return
        self.source_id = source_id
        self._text.object = usage.describe()
        self._dialog.open = True

    def cancel(self) -> None:
        self._dialog.open = False
        self.source_id = ""

    def confirm(self) -> None:
        source_id, self.source_id = self.source_id, ""
        self._dialog.open = False
        if not source_id:
            return
        if self.session.attempt(delete_source, self.session.require_profile(), source_id) is FAILED:
            return
        self.session.notify("Source video deleted.", "success")
        if self.on_deleted is not None:
            self.on_deleted(source_id)

    def button(self, source_id: str, label: str = "Delete", **kwargs: Any) -> pmui.Button:
        """A small button that opens the dialog for ``source_id``."""
        callback: Callable[[Any], None] = lambda _: self.ask(source_id)  # noqa: E731
        return pmui.Button(label=label, icon="delete", variant="text", color="error", size="small",
                           on_click=callback, **kwargs)

    def __panel__(self):
        return self._dialog
