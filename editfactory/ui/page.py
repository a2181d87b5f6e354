"""The base of every studio page: a Viewer over the session, refreshed when shown and polled while visible;
``spawn`` is how a page runs background work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import panel as pn
import param
from panel.viewable import Viewer

from editfactory.models.pages import page_of_view
from editfactory.models.session import StudioSession


class PageView(Viewer):
    """One page of the studio. Subclasses build their layout once in ``__init__`` and return it from
    ``__panel__``; ``refresh`` reloads the data for the session's current profile (called when the page is
    shown and after a profile switch); ``poll`` runs about once a second while the page is visible
    (job progress), on the session's own periodic callback, so widgets are only touched on the event loop.

    The page's model is built from its entry in :mod:`editfactory.models.pages` when none is given.
    """

    session = param.ClassSelector(class_=StudioSession, doc="The browser session this page belongs to.")
    model = param.ClassSelector(class_=param.Parameterized, allow_None=True,
                                doc="The page's param model (built from the page registry when not given).")

    title: str = ""

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._tasks: set[asyncio.Task] = set()
        self._deferred: list[tuple[pn.Column, tuple]] = []
        entry = page_of_view(type(self))
        if entry is not None:
            if self.model is None:
                self.model = entry.model_class()(session=self.session)
            self.title = self.title or entry.label

    def spawn(self, fn: Callable[[], Awaitable[Any]], *, locked: bool = False) -> None:
        """Run the coroutine function ``fn`` in the background: on the session's event loop when served or in a
        notebook, to the end at once where there is no event loop (component tests, scripts). The one way a page
        (or the shell, for a page) starts async work from a click or a watcher; it never blocks the event loop.

        ``locked=True`` runs it as a callback of the served document, holding its lock while it changes the
        layout: the shell mounts pages that way (layout changes from an unlocked coroutine were seen to get
        lost); widgets' values are fine from the default unlocked run.
        """
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            if locked:
                doc.add_next_tick_callback(fn)
            else:
                pn.state.execute(fn)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(fn())
            return
        task = loop.create_task(fn())
        # The loop keeps only a weak reference to a task: hold it until it is done.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def deferred(self, *objects: Any) -> pn.Column:
        """A column holding ``objects`` that is filled only once the page is on screen (``complete``).

        A long page's lower parts cost most of its first open: each widget is a Bokeh model built on the server and
        drawn by the browser (Produce, Voices and Settings have 200-270). Built after the top is shown, the top no
        longer waits for them (issue 21). Without a server (notebooks, component tests) it is filled at once.
        """
        column = pn.Column(sizing_mode="stretch_width", margin=0, css_classes=["ef-deferred"])
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            self._deferred.append((column, objects))
        else:
            column.objects = list(objects)
        return column

    def complete(self) -> None:
        """Fill the parts left for after the first show (the shell calls it once the page is on screen)."""
        pending, self._deferred = self._deferred, []
        for column, objects in pending:
            column.objects = list(objects)
            column.css_classes = ["ef-deferred", "ef-filled"]

    async def refresh(self) -> None:
        """Reload everything shown for the session's profile."""

    async def poll(self) -> None:
        """Follow running work; cheap when nothing runs."""
