from __future__ import annotations

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.services import projects


@pytest.fixture
def shop(workspace):
    return workspace.create("Shop")


def test_project_and_clip_lifecycle(shop):
    project = projects.create_project(shop, "  Spring   launch ", script="Hello")
    assert project["name"] == "Spring launch"
    clip = projects.create_clip(shop, project["id"], "v1", variant=1, tts={"provider": "piper"})
    assert clip["tts"] == {"provider": "piper"}
    projects.update_clip(shop, clip["id"], status="rendered", duration=12.5)
    assert projects.list_clips(shop, project["id"], status="rendered")[0]["duration"] == 12.5
    assert projects.list_clips(shop, status="draft") == []
    projects.update_project(shop, project["id"], name="Summer")
    assert projects.get_project(shop, project["id"])["name"] == "Summer"
    projects.delete_project(shop, project["id"])
    with pytest.raises(NotFoundError):
        projects.get_clip(shop, clip["id"])


def test_search_treats_wildcards_literally(shop):
    project = projects.create_project(shop, "P")
    for name in ("50% off", "5000 off", "under_score", "underXscore"):
        projects.create_clip(shop, project["id"], name)
    assert [c["name"] for c in projects.list_clips(shop, search="50%")] == ["50% off"]
    assert [c["name"] for c in projects.list_clips(shop, search="under_")] == ["under_score"]
    assert len(projects.list_clips(shop, search="OFF")) == 2  # case-insensitive


def test_bad_input_is_refused(shop):
    project = projects.create_project(shop, "P")
    with pytest.raises(ValidationError, match="needs a name"):
        projects.create_project(shop, " ")
    with pytest.raises(ValidationError, match="Unknown clip status"):
        projects.create_clip(shop, project["id"], "c", status="done")
    with pytest.raises(ValidationError, match="no field"):
        projects.update_clip(shop, projects.create_clip(shop, project["id"], "c")["id"], colour="red")
    with pytest.raises(NotFoundError, match="Source video"):
        projects.set_project_sources(shop, project["id"], ["src_missing"])


def test_foreign_ids_are_not_found_here(workspace, shop):
    other = workspace.create("Other")
    theirs = projects.create_project(other, "Theirs")
    clip = projects.create_clip(other, theirs["id"], "their clip")
    with pytest.raises(NotFoundError, match="not found in profile 'Shop'"):
        projects.get_clip(shop, clip["id"])
    with pytest.raises(NotFoundError):
        projects.update_project(shop, theirs["id"], name="hijacked")
    with pytest.raises(NotFoundError):
        projects.delete_clip(shop, clip["id"])
    assert projects.get_project(other, theirs["id"])["name"] == "Theirs"
    assert projects.get_clip(other, clip["id"])["name"] == "their clip"


@pytest.mark.parametrize(("field", "value", "words"), [
    ("name", "Launch\x00", "control or invisible"),
    ("name", "Laun\u200bch", "control or invisible"),  # looks like "Launch"
    ("name", "\u202eLaunch", "control or invisible"),  # shown backwards
    ("description", float("nan"), "must be text"),  # was stored as 'nan'
    ("description", True, "must be text"),  # was stored as 'true'
    ("description", "x" * (projects.MAX_DESCRIPTION + 1), "at most"),
    ("script", ["Hello"], "must be text"),  # was stored as "['Hello']"
    ("script", "Hello\x07", "control or invisible"),
    ("script", "Hello \ud800", "control or invisible"),
    ("script", "x" * (projects.MAX_SCRIPT + 1), "at most"),
])
def test_project_text_of_the_wrong_kind_is_refused_and_nothing_stored(workspace, field, value, words):
    shop = workspace.create("Shop")
    project = projects.create_project(shop, "Launch", description="Spring", script="Hello")
    with pytest.raises(ValidationError, match=words):
        projects.update_project(shop, project["id"], **{field: value})
    with pytest.raises(ValidationError, match=words):
        projects.create_project(shop, value if field == "name" else "Other", **({} if field == "name" else {field: value}))
    assert projects.list_projects(shop) == [projects.get_project(shop, project["id"])] and \
        projects.get_project(shop, project["id"]) == project


def test_project_scripts_keep_their_lines_with_every_line_separator_as_a_newline(workspace):
    shop = workspace.create("Shop")
    project = projects.create_project(shop, "Launch", script="One.\u2028Two.\r\nThree.\x0cFour.\tמחיר\u200f!")
    assert project["script"] == "One.\nTwo.\nThree.\nFour.\tמחיר\u200f!"
