"""An invisible marker in each post's text, so the outbox can recognise a post it already sent.

A retry after a timeout or a dropped connection must not create a second post.
Postiz keeps every character of a post's text once it is escaped as HTML
(see :mod:`editfactory.publish.content`), so the outbox appends an invisible
marker that encodes a random 32-bit key, then looks for it when it lists the
posts of the channel. The characters
are format characters (no width, not whitespace, not joiners) that social
platforms show as nothing.
"""

from __future__ import annotations

import re
import secrets

from editfactory.publish.content import from_postiz_html

_SENTINEL = "\u2064"  # INVISIBLE PLUS: marks where the key starts
_DIGITS = "\u200b\u200c\u2060\u2063"  # ZWSP, ZWNJ, WORD JOINER, INVISIBLE SEPARATOR: base-4 digits
_KEY_BITS = 32
MARKER_LENGTH = 1 + _KEY_BITS // 2
_FIND = re.compile(_SENTINEL + "([" + _DIGITS + "]{" + str(_KEY_BITS // 2) + "})")


def new_key() -> str:
    """A fresh marker key: 8 hex digits."""
    return secrets.token_hex(_KEY_BITS // 8)


def encode(key: str) -> str:
    value = int(key, 16)
    digits = []
    for _ in range(_KEY_BITS // 2):
        digits.append(_DIGITS[value & 3])
        value >>= 2
    return _SENTINEL + "".join(reversed(digits))


def decode(text: str) -> list[str]:
    """Every marker key found in ``text`` (normally one)."""
    keys = []
    for match in _FIND.finditer(text or ""):
        value = 0
        for ch in match.group(1):
            value = value * 4 + _DIGITS.index(ch)
        keys.append(f"{value:08x}")
    return keys


def with_marker(text: str, key: str) -> str:
    return text + encode(key)


def strip_marker(text: str) -> str:
    return _FIND.sub("", text or "")


def visible_text(stored: str) -> str:
    """A post's text as Postiz stores it (HTML), reduced to the plain text the platforms get, without the marker."""
    return from_postiz_html(strip_marker(stored or "")).strip()
