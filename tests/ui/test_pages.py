"""The page registry: a page is one entry, and the session, the menu and the URL follow it."""

from __future__ import annotations

import panel as pn
import param

from editfactory.models.pages import Page, get_page, page_names, register_page, unregister_page
from editfactory.models.session import StudioSession
from editfactory.ui.app import StudioApp
from editfactory.ui.page import PageView


class NotesModel(param.Parameterized):
    """A test-only page's model: counts its refreshes."""

    session = param.ClassSelector(class_=StudioSession)
    refreshed_for = param.List(default=[])


class NotesPage(PageView):
    async def refresh(self) -> None:
        self.model.refreshed_for = [*self.model.refreshed_for, self.session.profile_id]

    def __panel__(self):
        return pn.pane.Markdown(f"## {self.title}")


NOTES = Page("notes", "Notes", "sticky_note_2", f"{__name__}:NotesModel", f"{__name__}:NotesPage")


def test_a_page_registered_in_a_test_is_in_the_menu_and_opens_from_the_url(workspace, runner):
    register_page(NOTES)
    try:
        app = StudioApp(workspace, runner)
        app.start({"page": "notes"})  # what ?page=notes in the address gives
        assert app.session.page == "notes"
        assert app._menu.items[-1] == {"label": "Notes", "icon": "sticky_note_2"}
        assert app._menu.value["label"] == "Notes"
        view = app._views["notes"]
        assert isinstance(view, NotesPage) and isinstance(view.model, NotesModel) and view.title == "Notes"
        assert view.model.refreshed_for == [app.session.profile_id]  # mounted and loaded for this profile
        assert app.showing()[-1] is view  # the page is shown
        # The menu leads away from it and back.
        app._menu.active = 0
        assert app.session.page == "library"
        app._menu.active = len(app._menu.items) - 1
        assert app.session.page == "notes"
    finally:
        unregister_page("notes")
    assert "notes" not in page_names()


def test_a_page_built_alone_gets_its_model_from_the_registry(make_session):
    register_page(NOTES)
    try:
        session = make_session()
        view = NotesPage(session=session)
        assert isinstance(view.model, NotesModel) and view.model.session is session
    finally:
        unregister_page("notes")


def test_every_registered_page_names_a_view_and_a_model_that_exist():
    for name in page_names():
        page = get_page(name)
        assert issubclass(page.view_class(), PageView), name
        assert issubclass(page.model_class(), param.Parameterized), name
