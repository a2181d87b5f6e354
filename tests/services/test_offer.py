"""The offer per project: prices formatted for the profile's locale, every bad value refused in words, nothing changed."""

from __future__ import annotations

import pytest

from editfactory.core.errors import ValidationError
from editfactory.services import money, projects
from editfactory.services.offer import Offer, get_offer, offer_text, profile_locale, set_offer, set_profile_locale

NBSP = "\u00a0"


@pytest.fixture
def shop(workspace):
    return workspace.create("Shop")


@pytest.mark.parametrize("amount, currency, locale, shown", [
    (49.9, "EUR", "ro_RO", f"49,90{NBSP}€"),
    (49.9, "USD", "en_US", "$49.90"),
    (49.9, "RON", "ro_RO", f"49,90{NBSP}lei"),
    (1249.5, "EUR", "de_DE", f"1.249,50{NBSP}€"),
    (49.9, "EUR", "en_US", "€49.90"),
    (4990, "JPY", "ja_JP", "￥4,990"),
])
def test_prices_read_as_the_locale_writes_them(amount, currency, locale, shown):
    assert money.format_price(amount, currency, locale) == shown


def test_the_sale_badge_is_computed_from_old_and_new_price():
    assert money.format_badge(59.90, 47.92, "ro_RO") == f"−20{NBSP}%"
    assert money.format_badge(59.90, 49.90, "en_US") == "−17%"
    text = offer_text(Offer("Denim jacket", 49.90, "EUR", 59.90), "ro_RO")
    assert (text.price, text.old_price, text.badge) == (f"49,90{NBSP}€", f"59,90{NBSP}€", f"−17{NBSP}%")
    assert offer_text(Offer("Mug", 9.5, "USD"), "en_US").old_price == ""  # not on sale: no struck price, no badge


def test_an_offer_is_stored_per_project_and_read_back(shop):
    project = projects.create_project(shop, "Jackets")
    other = projects.create_project(shop, "Mugs")
    stored = set_offer(shop, project["id"], {"product": "  Denim   jacket ", "price": "49,90", "currency": "eur",
                                             "old_price": 59.9, "url": "shop.example.com/denim", "hook": "Last sizes!"})
    assert stored.product == "Denim jacket" and stored.price == 49.9 and stored.currency == "EUR"
    assert get_offer(shop, project["id"]) == stored
    assert get_offer(shop, other["id"]) == Offer()


@pytest.mark.parametrize("change, words", [
    ({"price": float("nan")}, "finite"),
    ({"price": "NaN"}, "finite"),
    ({"price": -5}, "between 0 and"),
    ({"price": 12_000_000}, "between 0 and"),
    ({"old_price": "inf"}, "finite"),
    ({"currency": "XYZ"}, "currency code"),
    ({"currency": "€"}, "currency code"),
    ({"old_price": 30}, "higher than the price"),
    ({"price": True}, "yes/no"),
    ({"product": ""}, "product name"),
    ({"product": "Jacket\u202e"}, "invisible"),
    ({"url": "not a url"}, "web address"),
    ({"background": "video"}, "unknown"),
    ({"color": "red"}, "#RRGGBB"),
    ({"end_card_seconds": 9}, "between 2 and 3"),
    ({"hook": "x" * 200}, "at most 80"),
    ({"colour": "#000000"}, "no field"),
])
def test_bad_values_are_refused_in_words_and_nothing_stored_changes(shop, change, words):
    project = projects.create_project(shop, "Jackets")
    good = set_offer(shop, project["id"], {"product": "Denim jacket", "price": 49.9, "currency": "EUR",
                                           "old_price": 59.9})
    with pytest.raises(ValidationError, match=words):
        set_offer(shop, project["id"], {**good.to_dict(), **change})
    assert get_offer(shop, project["id"]) == good


def test_the_locale_is_a_setting_defaulting_to_the_voices_language(shop):
    assert profile_locale(shop) == "en_US"
    assert profile_locale(shop, "ro-RO-EmilNeural") == "ro_RO"
    assert profile_locale(shop, "de_DE-thorsten-medium") == "de_DE"
    assert set_profile_locale(shop, "ro-RO") == "ro_RO"
    assert profile_locale(shop, "en_US-lessac-medium") == "ro_RO"
    with pytest.raises(ValidationError, match="locale"):
        set_profile_locale(shop, "xx_QQ_bad!")
    assert profile_locale(shop) == "ro_RO"
