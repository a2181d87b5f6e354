"""Produce's source cards say when two sources of the project show the same footage, and how this copy differs."""

from __future__ import annotations

import asyncio

import pytest

from editfactory.footage import analyze_source, import_source
from editfactory.services import projects

from footage_copies import make_copy, make_different, make_good


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui-copies")
    clean = make_good(folder / "clean.mp4", seconds=4.0)
    return {"clean": clean, "crushed": make_copy(clean, "crushed", folder),
            "other": make_different("other_pattern", folder, seconds=4.0)}


def _card_html(view, filename: str) -> str:
    [card] = [c.objects[0].object for c in view._sources.objects if f"title='{filename}'" in c.objects[0].object]
    return card


def test_source_cards_name_the_copy_of_the_same_footage(make_session, files):
    from editfactory.ui.produce import ProducePage

    session = make_session()
    profile = session.profile
    project = projects.create_project(profile, "Trail shoe")
    ids = [import_source(profile, path).id for path in files.values()]
    projects.set_project_sources(profile, project["id"], ids)
    view = ProducePage(session=session)
    asyncio.run(view.refresh())
    assert "ef-same-footage" not in "".join(_card_html(view, path.name) for path in files.values()), "not analyzed yet"

    for source_id in ids:
        analyze_source(profile, source_id)
    asyncio.run(view.model.reload_sources())
    crushed, clean, other = (_card_html(view, files[name].name) for name in ("crushed", "clean", "other"))
    assert "ef-same-footage" in crushed and "Same footage as clean.mp4 (this copy is more compressed)" in crushed
    assert "a clip never shows both copies, it uses the better one" in crushed
    assert "Same footage as crushed.mp4 (this copy is less compressed)" in clean
    assert "ef-same-footage" not in other

    # Another profile's page shows none of it.
    other_profile = session.workspace.create("Store B")
    session.switch_profile(other_profile.id)
    asyncio.run(view.refresh())
    assert view.model.copies == {} and not any("ef-same-footage" in str(c) for c in view._sources.objects)


def test_a_copy_is_deleted_from_produce_and_from_the_library_after_saying_what_uses_it(make_session, files):
    """Before: the page said 'delete the worse copy' but no page could delete a source."""
    from editfactory.ui.library import LibraryPage
    from editfactory.ui.produce import ProducePage

    session = make_session()
    profile = session.profile
    project = projects.create_project(profile, "Trail shoe")
    other = projects.create_project(profile, "Autumn")
    clean, crushed, rest = (import_source(profile, files[name]) for name in ("clean", "crushed", "other"))
    projects.set_project_sources(profile, project["id"], [clean.id, crushed.id, rest.id])
    projects.set_project_sources(profile, other["id"], [clean.id])
    projects.create_clip(profile, project["id"], "Trail shoe v1")
    for source in (clean, crushed):
        analyze_source(profile, source.id)

    view = ProducePage(session=session)
    asyncio.run(view.refresh())
    view.model.project_id = project["id"]
    asyncio.run(view.model.reload_sources())
    [card] = [c for c in view._sources.objects if f"title='{crushed.filename}'" in c.objects[0].object]
    button = card.objects[1]
    button.clicks += 1  # Delete on the card: nothing goes yet, the dialog says what uses it
    deleter = view._source_deleter
    assert deleter.is_open and "'Trail shoe'" in deleter.text and "'Trail shoe v1'" in deleter.text
    assert "'Autumn'" not in deleter.text and crushed.path.is_file()
    deleter.cancel()
    assert crushed.path.is_file()
    button.clicks += 1
    deleter.confirm()
    asyncio.run(view.model.reload_sources())
    assert [s.id for s in view.model.sources] == [clean.id, rest.id] and not crushed.path.exists()
    assert projects.list_clips(profile)[0]["name"] == "Trail shoe v1"

    # The Library lists the other pair's copies with a Delete each; the clean copy is in two projects.
    library = LibraryPage(session=session)
    make_copy_again = import_source(profile, files["crushed"])
    analyze_source(profile, make_copy_again.id)
    asyncio.run(library.refresh())
    labels = [b.label for b in library._copy_actions.objects]
    assert labels == [f"Delete {clean.filename}", f"Delete {crushed.filename}"]
    library._copy_actions.objects[0].clicks += 1
    assert "'Autumn'" in library._source_deleter.text and "'Trail shoe'" in library._source_deleter.text
    library._copy_actions.objects[1].clicks += 1
    assert "No project uses it." in library._source_deleter.text
    library._source_deleter.confirm()
    assert not make_copy_again.path.exists() and clean.path.is_file()
    asyncio.run(library.refresh())
    assert not library._copy_actions.visible
