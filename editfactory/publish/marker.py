"""How the outbox recognises a post it already sent: a reference in the post's settings and a short invisible tag.

A retry after a timeout or a dropped connection must not create a second post.
Postiz has no idempotency key, but it stores each post's provider ``settings``
as sent (its DTO keeps unknown properties) and its public ``GET /posts`` returns
them (postiz-app since July 2026, commit 80f7475 "list posts via a tool aligned
with the List Posts API"); the providers read only their own fields, so nothing
of it is published. The row's reference goes there (:data:`SETTINGS_FIELD`).

Older Postiz servers do not return ``settings``, so the caption also ends with
a tag: the row's number in the profile's outbox written in bijective base 7 with
invisible format characters (no width, not whitespace, not joiners). Post 1–7
take one character, up to 56 two, up to 399 three, up to 2 800 four, up to
19 607 five (the key "s12" is 12). Being last in the text, it needs no start
sign: it is the run of these characters the caption ends with (a run the
caption itself ended with is removed first). Markers written before this change
(a sign and 16 base-4 characters for a random 32-bit key, 17 in all) are still
read, so rows sent by an older version reconcile.
"""

from __future__ import annotations

import json
import re
import secrets

from editfactory.publish.content import from_postiz_html

SETTINGS_FIELD = "editfactoryPost"  # the post's outbox reference inside its Postiz settings
_DIGITS = "\u200b\u200c\u2060\u2061\u2062\u2063\u2064"  # ZWSP, ZWNJ, WORD JOINER, FUNCTION APPLICATION,
# INVISIBLE TIMES, INVISIBLE SEPARATOR, INVISIBLE PLUS: bijective base-7 digits 1..7
_BASE = len(_DIGITS)
_TRAILING = re.compile("([" + _DIGITS + "]+)(?=(?:\\s|<[^>]*>)*$)")  # the run at the end, before closing tags
_LEGACY_SENTINEL = "\u2064"
_LEGACY_DIGITS = "\u200b\u200c\u2060\u2063"
_LEGACY = re.compile(_LEGACY_SENTINEL + "([" + _LEGACY_DIGITS + "]{16})")
_SEQUENCE_KEY = re.compile(r"^s([1-9][0-9]*)$")
MARKER_LENGTH = 5  # room the caption counters keep for the tag (posts up to 19 607 of a profile)


def sequence_key(number: int) -> str:
    """The marker key of the profile's ``number``-th post (1-based)."""
    if number < 1:
        raise ValueError("marker numbers start at 1")
    return f"s{number}"


def key_number(key: str) -> int | None:
    """The post number a sequence key stands for, or None for an older random key."""
    match = _SEQUENCE_KEY.match(key or "")
    return int(match.group(1)) if match else None


def new_key() -> str:
    """A random 32-bit key in the older 17-character form (rows made before sequence keys, tests)."""
    return secrets.token_hex(4)


def encode(key: str) -> str:
    number = key_number(key)
    if number is None:
        value = int(key, 16)
        digits = []
        for _ in range(16):
            digits.append(_LEGACY_DIGITS[value & 3])
            value >>= 2
        return _LEGACY_SENTINEL + "".join(reversed(digits))
    out = []
    while number > 0:  # bijective numeration: no zero digit, so every run is exactly one number
        number, rest = divmod(number - 1, _BASE)
        out.append(_DIGITS[rest])
    return "".join(reversed(out))


def marker_length(key: str) -> int:
    """How many characters the key's tag adds to a caption."""
    return len(encode(key))


def decode(text: str) -> list[str]:
    """Every marker key found in ``text`` (plain or as Postiz stores it): normally one."""
    text = text or ""
    keys = []
    for match in _LEGACY.finditer(text):
        value = 0
        for ch in match.group(1):
            value = value * 4 + _LEGACY_DIGITS.index(ch)
        keys.append(f"{value:08x}")
    if keys:
        return keys
    found = _TRAILING.search(text)
    if found:
        number = 0
        for ch in found.group(1):
            number = number * _BASE + _DIGITS.index(ch) + 1
        keys.append(sequence_key(number))
    return keys


def with_marker(text: str, key: str) -> str:
    return text.rstrip(_DIGITS) + encode(key)


def strip_marker(text: str) -> str:
    text = _LEGACY.sub("", text or "")
    return _TRAILING.sub("", text, count=1)


def visible_text(stored: str) -> str:
    """A post's text as Postiz stores it (HTML), reduced to the plain text the platforms get, without the marker."""
    return strip_marker(from_postiz_html(stored or "")).strip()


def settings_reference(post: dict) -> str | None:
    """The outbox reference a listed Postiz post carries in its settings (a JSON string there), or None."""
    settings = post.get("settings")
    if isinstance(settings, str):
        try:
            settings = json.loads(settings)
        except ValueError:
            return None
    if not isinstance(settings, dict):
        return None
    value = settings.get(SETTINGS_FIELD)
    return str(value) if value else None
