"""Produce: the switch that puts the brand kit's logo on a project's clips, or leaves it off."""

from __future__ import annotations

import asyncio
import io

from PIL import Image

from editfactory.models.produce import ProduceModel
from editfactory.services.brand import project_watermark, set_logo
from editfactory.ui.produce import ProducePage


def _logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 150), (10, 120, 250, 255)).save(out, format="PNG")
    return out.getvalue()


def test_the_logo_switch_is_off_and_says_where_to_add_one_until_the_profile_has_a_logo(make_session):
    session = make_session()
    page = ProducePage(session=session, model=ProduceModel(session=session))
    asyncio.run(page.model.new_project("Mugs"))
    switch = page._logo_on
    assert switch.disabled and not switch.value and "Settings → Brand" in switch.label

    set_logo(session.profile, _logo(), "logo.png")
    asyncio.run(page.model.load(page.model.project_id))
    assert not switch.disabled and switch.value and switch.label == "Logo on this project's clips"
    switch.value = False
    assert project_watermark(session.profile, page.model.project_id) is False
    asyncio.run(page.model.load(page.model.project_id))
    assert switch.value is False, "the project's choice is shown after a reload"
    switch.value = True
    assert project_watermark(session.profile, page.model.project_id) is True
