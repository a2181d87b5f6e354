"""The studio's shell: header with the profile switcher, a menu of pages, the main area, notifications.

One ``StudioApp`` per browser session. The URL carries the page and the
profile (``?page=library&profile=prof_…``), so a reload or the back button
keeps the user where they were.
"""

from __future__ import annotations

import asyncio
import logging
import time

import panel as pn
import panel_material_ui as pmui
import param
from panel.custom import JSComponent
from panel.io.state import set_curdoc
from panel.viewable import Viewer

from editfactory.jobs import JobRunner
from editfactory.models.pages import get_page, pages
from editfactory.models.session import StudioSession
from editfactory.profiles import Workspace
from editfactory.ui.components import CUSTOM_COMPONENTS  # noqa: F401 - defined before any session's first document
from editfactory.ui.feedback import follow_notices
from editfactory.ui.header import ProfileSwitcher
from editfactory.ui.page import PageView
from editfactory.ui.server import shared_runner, shared_workspace

log = logging.getLogger(__name__)

POLL_PERIOD_MS = 500  # job progress on screen within 1 s (issue 21); a poll costs 10-30 ms of CPU
REVEAL_AFTER_SECONDS = 1.5  # a page is shown at the latest this long after a switch, loaded or not
STUCK_OPENING_SECONDS = 5.0  # an "Opening …" whose refresh never started is mounted again after this long


class HistoryBackReload(JSComponent):
    """Panel pushes a history entry when the URL changes but does not follow the back button; reload does."""

    _esm = """
    export function render({ model }) {
      window.addEventListener("popstate", () => window.location.reload())
      return document.createElement("span")
    }
    """


class StudioApp(Viewer):
    """The whole studio for one browser session."""

    session = param.ClassSelector(class_=StudioSession)

    def __init__(self, workspace: Workspace, runner: JobRunner, **params) -> None:
        super().__init__(session=StudioSession(workspace, runner), **params)
        self._views: dict[str, PageView] = {}
        self._boxes: dict[str, pn.Column] = {}  # page -> the column that shows its view in the main area
        self._reveal_due: tuple[str, str, float] | None = None  # (page, profile, when) to show a slow page
        self._opening_since: float | None = None  # when the main area began saying "Opening …"
        self._loaded_for: dict[str, str] = {}  # page -> the profile its data was last loaded for
        # The main area scrolls; its column takes its content's height ("fixed" with no height is fit-content, and
        # it is the only policy Bokeh gives no max-height of 100%). Stretched to the window, every column of a page
        # was capped at the window's height and the next one drawn over its overflow (issue 21, point 1).
        self._main = pn.Column(sizing_mode="stretch_width", height_policy="fixed")
        self._menu_pages = [page.name for page in pages()]  # the registry's pages when this session started
        self._menu = pmui.MenuList(
            items=[{"label": page.label, "icon": page.icon} for page in pages()], active=0,
        )
        self._menu.param.watch(self._on_menu, "active")
        self._profile_name = pmui.Typography("", variant="h6", styles={"white-space": "nowrap"}, align="center")
        self._startup = pmui.Alert(object="", severity="warning", visible=False, closeable=True)
        self._callback = None
        self._page: pmui.Page | None = None

    # -- opening -------------------------------------------------------------------

    def start(self, query: dict | None = None) -> None:
        """Open the profile and page the URL asks for (or the last used profile) and show the page."""
        query = query or {}
        session = self.session
        session.open(query.get("profile") or None)
        if query.get("page") in self._menu_pages:
            session.page = query["page"]
        self._show_profile_name()
        session.param.watch(self._on_profile, "profile")
        session.param.watch(self._on_page, "page")
        session.param.watch(lambda e: self._show_startup(), "startup_summary")
        self._follow_browser_time_zone()
        self._select_menu()
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            # Served: the first page is filled once the browser has drawn the shell; updates sent before
            # that can be lost by the page's components.
            self._main.objects = [self._opening_notice()]
            pn.state.onload(lambda: self._mount(self.session.page))
        else:
            self._mount(session.page)

    def _follow_browser_time_zone(self) -> None:
        """Times are shown and picked in the browser's zone; it arrives with the browser's first message."""
        info = pn.state.browser_info
        if info is None:
            return

        def follow(*_) -> None:
            if info.timezone and info.timezone != self.session.timezone:
                self.session.timezone = info.timezone
                if self._main.objects and self._main.objects[-1] is self._boxes.get(self.session.page):
                    self._mount(self.session.page)  # redraw the page shown in the new zone

        info.param.watch(follow, "timezone")
        follow()

    def _show_profile_name(self) -> None:
        profile = self.session.profile
        self._profile_name.object = profile.name if profile else ""

    def _show_startup(self) -> None:
        summary = self.session.startup_summary
        self._startup.param.update(object=summary, visible=bool(summary))

    # -- navigation ----------------------------------------------------------------

    def _select_menu(self) -> None:
        self._menu.active = self._menu_pages.index(self.session.page)

    def _on_menu(self, event) -> None:
        if event.new is None:
            return
        index = event.new[0] if isinstance(event.new, (list, tuple)) else event.new
        self.session.page = self._menu_pages[index]

    def _on_page(self, event) -> None:
        self._select_menu()
        self._mount(event.new)

    def _view(self, page: str) -> PageView:
        view = self._views.get(page)
        if view is None:
            entry = get_page(page)
            view = entry.view_class()(session=self.session, model=entry.model_class()(session=self.session))
            self._views[page] = view
        return view

    def _box(self, page: str) -> pn.Column:
        """The column showing ``page``'s view (its class marks the page on screen for browser tests and the bench).

        Only the page shown is in the document: pages kept built but hidden made every later change slower in the
        browser (2-6 s per page change instead of 0.4-1.2 s, measured with bench.studio's page changes)."""
        box = self._boxes.get(page)
        if box is None:
            box = pn.Column(self._view(page), sizing_mode="stretch_width", height_policy="fixed", margin=0,
                            css_classes=["ef-page", f"ef-page-{page}"])
            self._boxes[page] = box
        return box

    def _show(self, page: str) -> None:
        """Put ``page`` (with the startup notice) in the main area, then fill its lower parts once it is drawn."""
        box = self._box(page)
        shown = [self._startup, box]
        if [id(o) for o in self._main.objects] != [id(o) for o in shown]:
            # Only when it changes (a new time zone re-mounts the page shown): the browser would rebuild it for nothing.
            self._main.objects = shown
        box.visible = True  # hidden while it was opening for another profile
        self._opening_since = None
        view = self._views[page]
        if not view._deferred:
            return
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            def complete() -> None:
                with set_curdoc(doc):
                    view.complete()

            doc.add_timeout_callback(complete, 10)  # after this change has gone to the browser
        else:
            view.complete()

    def showing(self) -> list:
        """What the main area shows: the "Opening …" notice, or the startup notice (when there is one) and the page."""
        views = {id(box): self._views[page] for page, box in self._boxes.items()}
        return [views.get(id(item), item) for item in self._main.objects
                if item.visible and (item is not self._startup or self._startup.visible)]

    def _mount(self, page: str) -> None:
        """Show ``page``; if its data belongs to another profile (or was never loaded), show nothing of it until
        it has been refreshed, so a switch never shows the previous profile's data, not even for a moment."""
        view = self._view(page)
        if self.session.page != page:
            return  # building the view moved the session on (the address synced): that page was mounted already
        profile_id = self.session.profile_id
        fresh = self._loaded_for.get(page) == profile_id
        if fresh:
            self._show(page)
        else:
            self._opening(page)

        async def refresh() -> None:
            await self._refresh(page, view, profile_id, reveal=not fresh)

        view.spawn(refresh, locked=True)

    def _opening(self, page: str) -> None:
        """Say the page is opening until its data for the session's profile is read. A page already on screen (a
        profile switch) stays in the document, hidden: taking it out and back made the browser build its hundred
        components again, most of a switch's time. Hidden in the same change that shows the notice, so none of the
        previous profile's data stays visible, not even for a moment."""
        self._opening_since = time.monotonic()
        box = self._boxes.get(page)
        if box is not None and any(item is box for item in self._main.objects):
            box.visible = False
            self._main.objects = [self._opening_notice(), self._startup, box]
        else:
            self._main.objects = [self._opening_notice()]

    def _opening_notice(self):
        name = self.session.profile.name if self.session.profile else ""
        return pmui.Typography(f"Opening {name}…", variant="body1", margin=20)

    async def _refresh(self, page: str, view: PageView, profile_id: str, *, reveal: bool) -> None:
        if reveal:
            # Pages clear another profile's data as their refresh starts; one whose refresh waits on slow
            # checks (voice providers) is shown by the periodic poll after a moment, with its own indicators.
            self._reveal_due = (page, profile_id, time.monotonic() + REVEAL_AFTER_SECONDS)
        await self._refresh_view(page, view, profile_id)
        if reveal and self._reveal_due is not None and self._reveal_due[:2] == (page, profile_id):
            self._reveal(page, profile_id)

    def _reveal(self, page: str, profile_id: str) -> None:
        self._reveal_due = None
        if self.session.page == page and self.session.profile_id == profile_id:
            self._show(page)

    async def _refresh_view(self, page: str, view: PageView, profile_id: str) -> None:
        try:
            await view.refresh()
        except Exception as error:  # noqa: BLE001 - the page says what went wrong instead of staying blank
            self.session.report(error)
        if self.session.profile_id == profile_id:
            self._loaded_for[page] = profile_id

    def _on_profile(self, event) -> None:
        self._show_profile_name()
        self._startup.visible = False
        self._mount(self.session.page)

    async def poll(self) -> None:
        """The session's periodic callback: the visible page follows its running work."""
        self.session.collect_background_results()
        self.session.follow_workspace()  # profiles created, renamed or deleted in other tabs and processes
        if self._reveal_due is not None and time.monotonic() >= self._reveal_due[2]:
            self._reveal(*self._reveal_due[:2])
        elif (self._reveal_due is None and self._opening_since is not None
              and time.monotonic() - self._opening_since >= STUCK_OPENING_SECONDS):
            # Seen in CI: "Opening …" for minutes, its refresh never started. Mount the session's page again.
            log.warning("The %s page was still opening after %.0f s; mounting it again.", self.session.page,
                        time.monotonic() - self._opening_since)
            self._opening_since = None
            self._mount(self.session.page)
        view = self._views.get(self.session.page)
        if view is not None:
            try:
                await view.poll()
            except Exception as error:  # noqa: BLE001 - a failing poll must not stop the callback
                self.session.report(error)

    # -- layout ----------------------------------------------------------------------

    def __panel__(self):
        if self._page is None:
            switcher = ProfileSwitcher(session=self.session)
            self._page = pmui.Page(
                title="Edit Factory",
                header=[pn.Spacer(width=16), self._profile_name, pn.HSpacer(), switcher],
                sidebar=[self._menu, HistoryBackReload()],
                main=[self._main, *switcher.dialogs],
                sidebar_width=220,
            )
        return self._page


def create_app(workspace: Workspace | None = None, runner: JobRunner | None = None) -> StudioApp:
    """The studio for one session: served by `panel serve apps/studio.py`, or shown inline in a notebook."""
    # Without this Panel gives a served session no notification area, and every notice would go unseen.
    pn.config.notifications = True
    app = StudioApp(workspace or shared_workspace(), runner or shared_runner())
    follow_notices(app.session)
    query = dict(pn.state.location.query_params) if pn.state.location is not None else {}
    app.start(query)
    if pn.state.location is not None:
        # The clips handed to Publish travel in the address too: the browser's back button reloads the studio (a new
        # session), and a reload or a bookmark should find the same choice.
        pn.state.location.sync(app.session, {"page": "page", "profile_id": "profile", "publish_clips": "clips"})
    if _event_loop_available():  # served, or shown inline in a notebook: pages follow running jobs
        app._callback = pn.state.add_periodic_callback(app.poll, period=POLL_PERIOD_MS)
    return app


def _event_loop_available() -> bool:
    if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
        return True
    try:
        asyncio.get_running_loop()  # a notebook kernel runs cells inside its event loop
    except RuntimeError:
        return False
    return True
