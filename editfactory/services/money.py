"""Prices and sale badges as a shopper of the profile's locale reads them: "49,90 €", "$49.90", "49,90 lei", "−20 %".

Babel formats the number and places the symbol by the locale's CLDR pattern. Where CLDR has no symbol of its own
for a currency in that locale (Romanian shows "EUR" and "RON"), the currency's narrow symbol from CLDR's data is used
instead, which is what shops print on price tags.
"""

from __future__ import annotations

import re

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_percent, get_currency_precision, get_currency_symbol, is_currency

from editfactory.core.errors import ValidationError, quoted

DEFAULT_LOCALE = "en_US"
_NARROW = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹", "TRY": "₺", "UAH": "₴", "PLN": "zł"}
"""CLDR's narrow symbols (``symbol alt="narrow"``), used where the locale would print the ISO code."""
_NARROW_IN_LANGUAGE = {("RON", "ro"): "lei", ("MDL", "ro"): "lei", ("HUF", "hu"): "Ft", ("CZK", "cs"): "Kč",
                       ("BGN", "bg"): "лв."}
"""Narrow symbols that read as a price only in the currency's own language ("lei" means nothing to an English shopper)."""
MINUS = "\u2212"  # a typographic minus: "−20 %" (a hyphen looks thin next to the digits)


def check_currency(code: object) -> str:
    """``code`` as an upper-case ISO 4217 code Babel knows, or a ValidationError saying what to type."""
    text = code.strip().upper() if isinstance(code, str) else code
    if not isinstance(text, str) or not re.fullmatch(r"[A-Z]{3}", text) or not is_currency(text):
        raise ValidationError(f"{quoted(code)} is not a currency code; type the three-letter ISO code, such as EUR, "
                              "USD or RON.")
    return text


def check_locale(value: object) -> str:
    """``value`` as a locale name Babel knows (``ro_RO``, ``en_US``; ``ro-RO`` is read too), or a ValidationError."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,4})*", value.strip()):
        raise ValidationError(f"{quoted(value)} is not a locale; type a language and country such as ro_RO or en_US.")
    try:
        return str(Locale.parse(value.strip(), sep="-" if "-" in value else "_"))
    except (UnknownLocaleError, ValueError):
        raise ValidationError(f"The locale {quoted(value)} is unknown; type a language and country such as ro_RO, "
                              "de_DE or en_US.") from None


def locale_of_voice(voice: str) -> str | None:
    """The locale a voice's name starts with ("en_US-lessac-medium", "ro-RO-EmilNeural"), if any."""
    match = re.match(r"([a-z]{2,3})[_-]([A-Z]{2})(?![A-Za-z])", voice or "")
    if not match:
        return None
    try:
        return check_locale(f"{match.group(1)}_{match.group(2)}")
    except ValidationError:
        return None


def round_price(amount: float, currency: str) -> float:
    """``amount`` rounded to the currency's minor unit (2 digits for EUR, 0 for JPY)."""
    return round(float(amount), get_currency_precision(currency))


def typed_amount(amount: float, currency: str) -> str:
    """``amount`` as a person types it into a form: ``49.9`` EUR → ``"49.90"``, ``4990`` JPY → ``"4990"``; 0 → ``""``."""
    return f"{amount:.{get_currency_precision(currency)}f}" if amount else ""


def format_price(amount: float, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """``49.9, "EUR", "ro_RO"`` → ``"49,90 €"`` (no-break space as the locale puts it)."""
    text = format_currency(amount, currency, locale=locale)
    symbol = get_currency_symbol(currency, locale=locale)
    language = Locale.parse(locale).language
    narrow = _NARROW_IN_LANGUAGE.get((currency, language)) or _NARROW.get(currency)
    if symbol == currency and narrow:
        text = text.replace(currency, narrow)
    return text


def discount_percent(old_price: float, price: float) -> int:
    """How much cheaper ``price`` is than ``old_price``, in whole percent (rounded)."""
    return round((old_price - price) / old_price * 100)


def format_badge(old_price: float, price: float, locale: str = DEFAULT_LOCALE) -> str:
    """The sale badge: ``59.9 → 47.9`` in ro_RO is ``"−20 %"``, in en_US ``"−20%"``."""
    return format_percent(-discount_percent(old_price, price) / 100, locale=locale).replace("-", MINUS)
