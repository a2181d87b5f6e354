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
