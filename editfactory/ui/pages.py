"""Which view class renders each page (imported lazily, so a page costs nothing until it is opened)."""

from __future__ import annotations

import importlib

from editfactory.ui.page import PageView

# page name -> "module:Class"
PAGE_VIEWS: dict[str, str] = {
    "library": "editfactory.ui.library:LibraryPage",
    "produce": "editfactory.ui.produce:ProducePage",
    "voices": "editfactory.ui.voices:VoicesPage",
    "publish": "editfactory.ui.publish:PublishPage",
    "dashboard": "editfactory.ui.dashboard:DashboardPage",
    "jobs": "editfactory.ui.jobs:JobsPage",
    "settings": "editfactory.ui.settings:SettingsPage",
}


def view_class(page: str) -> type[PageView]:
    module_name, _, class_name = PAGE_VIEWS[page].partition(":")
    return getattr(importlib.import_module(module_name), class_name)
