"""Small pieces the studio's pages share: a loading bar and table updates that do not race the browser."""

from __future__ import annotations

import pandas as pd
import panel as pn
import panel_material_ui as pmui


class BusyBar(pn.Column):
    """An indeterminate progress bar that shows while something loads. It keeps its few pixels of space when
    hidden, so the page below does not jump down and up with every load."""

    def __init__(self, **params) -> None:
        super().__init__(sizing_mode="stretch_width", margin=0, **params)
        self._busy = False
        self._bar = pmui.LinearProgress(variant="indeterminate", sizing_mode="stretch_width",
                                        styles={"visibility": "hidden"})
        self.objects = [self._bar]

    @property
    def busy(self) -> bool:
        return self._busy

    def show(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self._bar.styles = {"visibility": "visible" if busy else "hidden"}


BUTTONS_UNSORTED = {"columnDefaults": {"headerSort": False}}
"""Tabulator configuration: button columns (Play, Delete…) get no sort arrows. Data columns stay sortable only where
the table's ``sortable`` is a dict (Panel then sets each data column's own headerSort) or True without buttons."""


def show_frame(table: pn.widgets.Tabulator, frame: pd.DataFrame) -> None:
    # Only when something changed: resending equal data races with the browser's own copy of the table.
    if not table.value.equals(frame):
        table.value = frame


TABLE_HEADER_PX = 44  # a Tabulator's header row in the studio's theme (measured in Chromium)
TABLE_ROW_PX = 37  # one data row


def fit_height(table: pn.widgets.Tabulator, rows: int, *, most: int = 8) -> None:
    """Make ``table`` as tall as its ``rows`` (up to ``most`` rows, then it scrolls): a fixed height left a band of
    empty table under a short list (the Voices page), a table without one grows past the screen with a long list."""
    height = TABLE_HEADER_PX + TABLE_ROW_PX * max(1, min(rows, most)) + 2
    if table.height != height:
        table.height = height


def page_when_long(table: pn.widgets.Tabulator, rows: int) -> None:
    """Page ``table`` by its ``page_size`` only when ``rows`` fill more than one page: a lone "1" with arrows under a
    short list said nothing (Jobs, the cost history)."""
    pagination = "local" if rows > table.page_size else None
    if table.pagination != pagination:
        table.pagination = pagination
