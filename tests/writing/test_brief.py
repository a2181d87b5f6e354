"""The brief: checked when made, stored per project, a refused one leaves the stored one as it was."""

from __future__ import annotations

import math

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.services import projects
from editfactory.writing.brief import Brief, load_brief, save_brief


def test_a_brief_is_cleaned_when_made():
    brief = Brief("  Aroma   Mug ", description="Keeps coffee hot.\r\nDishwasher safe.", price=" $25 ",
                  tone="Urgent", language="Romanian", target_seconds="20")
    assert brief.product == "Aroma Mug"
    assert brief.description == "Keeps coffee hot.\nDishwasher safe."
    assert brief.price == "$25"
    assert (brief.tone, brief.language, brief.target_seconds) == ("urgent", "ro", 20.0)


@pytest.mark.parametrize("fields, words", [
    ({"product": ""}, "product's name"),
    ({"product": "Mug", "tone": "angry"}, "tone must be one of"),
    ({"product": "Mug", "language": "xx"}, "language must be one of"),
    ({"product": "Mug", "target_seconds": math.nan}, "finite"),
    ({"product": "Mug", "target_seconds": 2}, "between 5 and 180"),
    ({"product": "Mug", "target_seconds": True}, "yes/no"),
    ({"product": "Mug\u202e", "description": ""}, "invisible"),
    ({"product": "Mug", "description": "x" * 100_000}, "at most 20,000"),
    ({"product": "Mug", "colour": "red"}, "no field(s) ['colour']"),
])
def test_a_wrong_brief_is_refused_with_what_to_fix(fields, words):
    with pytest.raises(ValidationError, match=words.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        Brief.from_dict(fields)


def test_the_brief_is_stored_with_the_project_and_a_refused_one_changes_nothing(shop):
    project = projects.create_project(shop, "Mugs")
    assert load_brief(shop, project["id"]) is None
    brief = save_brief(shop, project["id"], Brief("Aroma Mug", price="$25", language="de"))
    assert load_brief(shop, project["id"]) == brief
    with pytest.raises(ValidationError):
        save_brief(shop, project["id"], {"product": "Aroma Mug", "tone": "shouty"})
    assert load_brief(shop, project["id"]) == brief
    with pytest.raises(NotFoundError):
        save_brief(shop, "proj_missing", brief)
