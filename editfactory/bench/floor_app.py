"""The framework's floor for ``invoke bench.studio``: a minimal ``panel_material_ui`` Page with a menu and a
25-row Tabulator, served by the same ``panel serve`` as the studio and opened in the same Chromium.

Served as ``/floor_app``; the bench waits for the text of its last row (``floor row 25``).
"""

from __future__ import annotations

import pandas as pd
import panel as pn
import panel_material_ui as pmui

ROWS = 25


def create_floor() -> pmui.Page:
    """The page: menu in the sidebar, a title and a table of 25 rows in the main area."""
    table = pn.widgets.Tabulator(
        pd.DataFrame({"name": [f"floor row {i}" for i in range(1, ROWS + 1)], "seconds": [i * 1.5 for i in range(ROWS)],
                      "status": ["rendered"] * ROWS}),
        show_index=False, sizing_mode="stretch_width", page_size=ROWS, pagination="remote",
    )
    menu = pmui.MenuList(items=[{"label": label, "icon": "article"} for label in ("One", "Two", "Three")], active=0)
    return pmui.Page(title="Floor", sidebar=[menu], main=[pmui.Typography("Floor", variant="h5"), table])


if pn.state.served:
    create_floor().servable(title="Floor")
