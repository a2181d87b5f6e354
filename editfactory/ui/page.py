"""The base of every studio page: a Viewer over the session, refreshed when shown and polled while visible."""

from __future__ import annotations

import param
from panel.viewable import Viewer

from editfactory.models.session import StudioSession


class PageView(Viewer):
    """One page of the studio. Subclasses build their layout once in ``__init__`` and return it from
    ``__panel__``; ``refresh`` reloads the data for the session's current profile (called when the page is
    shown and after a profile switch); ``poll`` runs about once a second while the page is visible
    (job progress), on the session's own periodic callback, so widgets are only touched on the event loop.
    """

    session = param.ClassSelector(class_=StudioSession, doc="The browser session this page belongs to.")

    title: str = ""

    async def refresh(self) -> None:
        """Reload everything shown for the session's profile."""

    async def poll(self) -> None:
        """Follow running work; cheap when nothing runs."""
