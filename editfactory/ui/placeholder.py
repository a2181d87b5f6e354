"""Temporary view for pages still being built in this session (removed before the studio issue closes)."""

from __future__ import annotations

import panel as pn

from editfactory.ui.page import PageView


class PlaceholderPage(PageView):
    def __panel__(self):
        return pn.pane.Markdown(f"## {self.session.page.title()}\n\nThis page is being built.")
