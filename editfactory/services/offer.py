"""The offer a project's clips sell: product, price, old price, call to action, shop URL, end card and opening hook.

Stored per project (``projects.offer``, as :meth:`Offer.to_dict`); every value is checked by :meth:`Offer.from_dict`
before anything is written, so a refused input leaves the stored offer as it was. The profile's locale (a setting;
by default the language of its voice, else en_US) decides how prices read (:mod:`editfactory.services.money`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from editfactory.core.errors import ValidationError, check_number, check_text, quoted
from editfactory.profiles.profile import Profile
from editfactory.services import money, projects
from editfactory.storage.settings import get_setting, set_setting

LOCALE_SETTING = "offer.locale"
DEFAULT_CTA = "Shop now — link in bio"
BACKGROUNDS = ("blur", "color")
"""The end card over a blurred, darkened freeze of the clip's last frame, or over a solid colour."""
MAX_PRICE = 1_000_000.0
"""Dearer than anything a short-video shop sells; a price above it is a typing slip (an extra 0, a pasted number)."""
END_CARD_SECONDS = (2.0, 3.0)
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_URL = re.compile(r"(https?://)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?([/?#][^\s]*)?")


@dataclass(frozen=True)
class Offer:
    """What a clip sells and how it ends. Prices are in ``currency`` (ISO 4217); ``old_price`` 0 = not on sale."""

    product: str = ""
    price: float = 0.0
    currency: str = "EUR"
    old_price: float = 0.0
    cta: str = DEFAULT_CTA
    url: str = ""
    end_card: bool = True
    background: str = "blur"
    color: str = "#101820"
    """The end card's background colour when ``background`` is ``color`` (the brand kit's colour when it has one)."""
    end_card_seconds: float = 2.5
    hook: str = ""
    """A big title over the first 1.5 s; empty = none."""

    @property
    def has_product(self) -> bool:
        return bool(self.product) and self.price > 0

    @property
    def on_sale(self) -> bool:
        return self.old_price > self.price > 0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Offer:
        """An offer from stored or typed values, every one checked; a ValidationError says which and what to type."""
        data = dict(data or {})
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValidationError(f"An offer has no field(s) {sorted(unknown)}; use {[f.name for f in dataclasses.fields(cls)]}.")
        defaults = cls()
        product = check_text(data.get("product", ""), "The product name", max_length=120)
        currency = money.check_currency(data.get("currency", defaults.currency))
        price = _price(data.get("price"), "The price", currency)
        old_price = _price(data.get("old_price"), "The old price", currency)
        if product and not price:
            raise ValidationError(f"{product!r} needs a price; type it, e.g. 49.90.")
        if price and not product:
            raise ValidationError("The price needs a product name; type what the clip sells.")
        if old_price and old_price <= price:
            raise ValidationError(f"The old price ({old_price:g}) must be higher than the price ({price:g}) to show a "
                                  "sale; leave it empty when the product is not reduced.")
        cta = check_text(data.get("cta", DEFAULT_CTA), "The call to action", max_length=60)
        url = check_text(data.get("url", ""), "The shop URL", max_length=120)
        if url and not _URL.fullmatch(url):
            raise ValidationError(f"The shop URL {quoted(url)} is not a web address; type it like shop.example.com or "
                                  "https://shop.example.com/product.")
        background = data.get("background", defaults.background)
        if background not in BACKGROUNDS:
            raise ValidationError(f"The end card's background {quoted(background)} is unknown; use 'blur' (the last "
                                  "frame, blurred) or 'color' (a solid colour).")
        color = data.get("color", defaults.color)
        if not isinstance(color, str) or not _COLOR.fullmatch(color):
            raise ValidationError(f"The end card colour {quoted(color)} is not a #RRGGBB colour.")
        end_card = data.get("end_card", defaults.end_card)
        if not isinstance(end_card, bool):
            raise ValidationError("The end card is on or off (True or False).")
        seconds = check_number(data.get("end_card_seconds", defaults.end_card_seconds), "The end card's length",
                               minimum=END_CARD_SECONDS[0], maximum=END_CARD_SECONDS[1], text=True,
                               hint="It lasts 2 to 3 seconds.")
        hook = check_text(data.get("hook", ""), "The opening hook", max_length=80)
        return cls(product, price, currency, old_price, cta, url, end_card, background, color.upper(),
                   float(seconds), hook)


def _price(value: object, what: str, currency: str) -> float:
    """A price as a number in the currency's minor unit; empty (None, "", 0) is 0 = not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0.0
    if isinstance(value, str):  # "49,90" is how half of Europe types it; a thousands separator is refused below
        value = value.strip().replace(",", ".") if value.count(",") == 1 and "." not in value else value
    number = check_number(value, what, minimum=0, maximum=MAX_PRICE, text=True,
                          hint=f"Type it in {currency}, e.g. 49.90.")
    return money.round_price(number, currency)


# -- per project, per profile --------------------------------------------------------------------------------------


def get_offer(profile: Profile, project_id: str) -> Offer:
    """The project's offer (an empty one when none was set)."""
    stored = projects.get_project(profile, project_id).get("offer")
    return Offer.from_dict(stored) if stored else Offer()


def set_offer(profile: Profile, project_id: str, values: dict | Offer) -> Offer:
    """Check ``values`` and store them as the project's offer; refused values change nothing."""
    offer = values if isinstance(values, Offer) else Offer.from_dict(values)
    offer = Offer.from_dict(offer.to_dict())  # an Offer made directly is checked the same way
    projects.update_project(profile, project_id, offer=offer.to_dict())
    return offer


def profile_locale(profile: Profile, voice: str = "") -> str:
    """How the profile's prices read: its locale setting, else the language of ``voice`` (its voice), else en_US."""
    stored = get_setting(profile, LOCALE_SETTING)
    if stored:
        return stored
    return money.locale_of_voice(voice) or money.DEFAULT_LOCALE


def set_profile_locale(profile: Profile, locale: str) -> str:
    """Store the profile's locale (checked: ``ro_RO``, ``en_US``, …) and return it as stored."""
    value = money.check_locale(locale)
    set_setting(profile, LOCALE_SETTING, value)
    return value


@dataclass(frozen=True)
class OfferText:
    """The offer's words as the clip shows them, formatted for a locale."""

    product: str
    price: str
    old_price: str
    badge: str
    cta: str
    url: str


def offer_text(offer: Offer, locale: str) -> OfferText:
    """``Offer(…, 47.92, "EUR", 59.90)`` in ro_RO → price "47,92 €", old price "59,90 €", badge "−20 %"."""
    if not offer.has_product:
        return OfferText("", "", "", "", offer.cta, offer.url)
    price = money.format_price(offer.price, offer.currency, locale)
    old = money.format_price(offer.old_price, offer.currency, locale) if offer.on_sale else ""
    badge = money.format_badge(offer.old_price, offer.price, locale) if offer.on_sale else ""
    return OfferText(offer.product, price, old, badge, offer.cta, offer.url)
