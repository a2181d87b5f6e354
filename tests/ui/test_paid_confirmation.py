"""A paid voiceover, voice preview or render above the profile's amount is confirmed first, with its price; the
preview's price is on its button before it is spent."""

from __future__ import annotations

import asyncio

import pytest

from editfactory.costs.confirm import set_confirm_above
from editfactory.jobs import JobStore
from editfactory.storage.settings import set_setting
from editfactory.tts.base import billable_characters
from editfactory.tts.cloning import PREVIEW_TEXT

SCRIPT = "Meet the trail shoe. Light, fast and ready."  # 43 characters


@pytest.fixture
def view(make_session):
    from editfactory.ui.produce import ProducePage

    page = ProducePage(session=make_session())
    asyncio.run(page.refresh())
    page._new_name.value = "Trail shoe"
    page._create.clicks += 1
    # This profile pays $20 per 1 000 characters for its voice: the script costs $0.86, a preview $1.52.
    set_setting(page.session.profile, "tts.prices", {"piper": {"piper": 20.0}})
    asyncio.run(page.refresh())
    page._script.value_input = SCRIPT
    return page


def _jobs(view, kind: str) -> int:
    return len(JobStore(view.session.profile).list(kind=kind))


def test_a_voiceover_over_the_amount_asks_with_its_price_then_goes_ahead(view):
    """Before: a paid voiceover of any price started on the first click."""
    view._generate.clicks += 1
    assert view._paid_dialog.open and _jobs(view, "voiceover") == 0
    assert view._paid_text.object == ("This voiceover costs $0.86 (piper, 43 characters), more than the $0.50 this "
                                      "profile confirms above. Go ahead?")
    view._paid_dialog.objects[1].objects[1].clicks += 1  # Cancel
    assert not view._paid_dialog.open and _jobs(view, "voiceover") == 0
    view._generate.clicks += 1
    view._paid_dialog.objects[1].objects[0].clicks += 1  # Go ahead
    assert not view._paid_dialog.open and _jobs(view, "voiceover") == 1


def test_the_preview_price_is_on_its_button_and_a_costly_one_asks(view):
    price = f"${billable_characters(PREVIEW_TEXT) * 20 / 1000:.2f}"  # the standard sentence at $20 / 1 000
    assert view._sample.label == f"Preview voice ({price})"
    view._sample.clicks += 1
    assert view._paid_dialog.open and f"This voice preview costs {price}" in view._paid_text.object
    assert _jobs(view, "voice_preview") == 0


def test_under_the_amount_or_free_nothing_is_asked(view):
    set_confirm_above(view.session.profile, 5)
    view._generate.clicks += 1
    assert not view._paid_dialog.open and _jobs(view, "voiceover") == 1
    set_setting(view.session.profile, "tts.prices", {})
    asyncio.run(view.refresh())
    view._script.value_input = SCRIPT
    set_confirm_above(view.session.profile, 0)
    assert view._sample.label == "Preview voice (Free)"
    view._sample.clicks += 1
    assert not view._paid_dialog.open and _jobs(view, "voice_preview") == 1


def test_a_render_that_needs_a_paid_voiceover_asks_too(view):
    view._render_button.clicks += 1
    assert view._paid_dialog.open and view._paid_text.object.startswith("This render's voiceover costs $0.86")
    assert _jobs(view, "production") == 0


def test_a_voice_sample_on_the_voices_page_says_its_price_and_asks_above_the_amount(make_session):
    from editfactory.ui.voices import VoicesPage

    session = make_session()
    set_setting(session.profile, "tts.prices", {"piper": {"piper": 20.0}})
    view = VoicesPage(session=session)
    asyncio.run(view.refresh())
    asyncio.run(view.play("piper", "en_US-joe-medium"))
    assert view._sample_dialog.open and view.model.preview_path == ""  # nothing synthesized, nothing spent
    assert view._sample_text.object.startswith("This voice sample costs $")
    assert "costs $" in view._player_status.object and "Joe" in view._player_status.object
    view._sample_dialog.objects[1].objects[0].clicks += 1  # Go ahead
    assert not view._sample_dialog.open and view.model.preview_path
    assert '<audio src="/efmedia/' in view._player.object

    set_confirm_above(session.profile, 100)  # under the amount: played at once
    view.model.preview_path = ""
    asyncio.run(view.play("piper", "en_US-joe-medium"))
    assert not view._sample_dialog.open and view.model.preview_path


def test_settings_sets_the_amount_and_refuses_nonsense(make_session):
    from editfactory.costs.confirm import confirm_above
    from editfactory.ui.settings import SettingsPage

    view = SettingsPage(session=make_session())
    asyncio.run(view.refresh())
    profile = view.session.profile
    assert view._confirm_above.value == "0.50"
    view._confirm_above.value = "2"
    view._save_confirm.clicks += 1
    assert confirm_above(profile) == 2.0 and view._confirm_message.severity == "success"
    for bad in ("lots", "-1", "nan"):
        view._confirm_above.value = bad
        view._save_confirm.clicks += 1
        assert view._confirm_message.severity == "error" and confirm_above(profile) == 2.0
