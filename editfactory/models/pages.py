"""The one list of the studio's pages: URL name, menu label and icon, model and view.

The session (which pages exist), the menu (labels, icons, order) and the URL
(``?page=<name>``) all read this list, so a new page is one entry here (plus its
model and view modules). Model and view are named as ``"module:Class"`` and
imported when the page is first opened: opening the studio costs nothing for pages
not shown, and this module stays free of Panel (models never import the UI).
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import Any

from editfactory.core.errors import ValidationError


@dataclass(frozen=True)
class Page:
    """One page of the studio."""

    name: str
    """The page's name in the URL (``?page=library``)."""
    label: str
    """Its title in the menu and on the page."""
    icon: str
    """A Material icon name for the menu."""
    model: str
    """``"module:Class"`` of its param model, built as ``Class(session=...)``."""
    view: str
    """``"module:Class"`` of its view, a ``PageView`` built as ``Class(session=..., model=...)``."""

    def model_class(self) -> type:
        return _resolve(self.model)

    def view_class(self) -> type:
        return _resolve(self.view)


def _resolve(target: str) -> Any:
    module_name, _, name = target.partition(":")
    return getattr(importlib.import_module(module_name), name)


_lock = threading.Lock()
_pages: list[Page] = [
    Page("library", "Library", "video_library", "editfactory.models.library:LibraryModel",
         "editfactory.ui.library:LibraryPage"),
    Page("produce", "Produce", "movie_edit", "editfactory.models.produce:ProduceModel",
         "editfactory.ui.produce:ProducePage"),
    Page("music", "Music", "library_music", "editfactory.models.music:MusicModel", "editfactory.ui.music:MusicPage"),
    Page("voices", "Voices", "record_voice_over", "editfactory.models.voices:VoicesModel",
         "editfactory.ui.voices:VoicesPage"),
    Page("publish", "Publish", "send", "editfactory.models.publish:PublishModel",
         "editfactory.ui.publish:PublishPage"),
    Page("dashboard", "Dashboard", "insights", "editfactory.models.dashboard:DashboardModel",
         "editfactory.ui.dashboard:DashboardPage"),
    Page("jobs", "Jobs", "pending_actions", "editfactory.models.jobs:JobsModel", "editfactory.ui.jobs:JobsPage"),
    Page("settings", "Settings", "settings", "editfactory.models.settings_page:SettingsModel",
         "editfactory.ui.settings:SettingsPage"),
]


def pages() -> list[Page]:
    """Every page, in menu order."""
    with _lock:
        return list(_pages)


def page_names() -> list[str]:
    return [page.name for page in pages()]


def get_page(name: str) -> Page:
    for page in pages():
        if page.name == name:
            return page
    raise ValidationError(f"There is no studio page {name!r}; pick one of: {', '.join(page_names())}.")


def page_of_view(view_class: type) -> Page | None:
    """The entry whose view is ``view_class`` (or one of its bases), None for a view not registered."""
    targets = {f"{cls.__module__}:{cls.__qualname__}" for cls in view_class.__mro__}
    return next((page for page in pages() if page.view in targets), None)


def register_page(page: Page) -> None:
    """Add ``page`` at the end of the menu (or replace the page of the same name). Sessions created afterwards
    offer it; a plug-in or a test registers its page before the studio opens."""
    with _lock:
        for index, existing in enumerate(_pages):
            if existing.name == page.name:
                _pages[index] = page
                return
        _pages.append(page)


def unregister_page(name: str) -> None:
    """Remove the page ``name`` (tests clean up what they registered)."""
    with _lock:
        _pages[:] = [page for page in _pages if page.name != name]
