"""Profile names: validated for people, never used raw as paths."""

from __future__ import annotations

import re
import unicodedata

from editfactory.core.errors import ValidationError, check_text

MAX_NAME_LENGTH = 80
MAX_DESCRIPTION_LENGTH = 2000
_SLUG_LENGTH = 32


def clean_name(name: object) -> str:
    """Return the name as it will be stored, or raise a ValidationError that says what to change."""
    if not isinstance(name, str):
        raise ValidationError("A profile name must be text.")
    cleaned = unicodedata.normalize("NFC", " ".join(name.split()))
    if not cleaned:
        raise ValidationError("A profile name cannot be empty: type the store's name, e.g. 'Summer Shoes'.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValidationError(
            f"A profile name can be at most {MAX_NAME_LENGTH} characters (this one has {len(cleaned)}); shorten it."
        )
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in "\u200d\ufe0f" for ch in cleaned):
        raise ValidationError("A profile name cannot contain control or invisible characters; remove them.")
    return cleaned


def clean_description(description: object) -> str:
    if description is None:
        return ""
    if not isinstance(description, str):
        raise ValidationError("A profile description must be text.")
    # Lines kept; control characters and lone surrogates refused (a NUL was stored).
    return check_text(description.strip(), "A profile description", max_length=MAX_DESCRIPTION_LENGTH, multiline=True)


def name_key(name: str) -> str:
    """The form used to compare names: 'Store A', 'STORE  a' and 'ﬅore A' are the same profile name."""
    return unicodedata.normalize("NFKC", name).casefold()


def folder_name(name: str, profile_id: str) -> str:
    """A safe folder name: an ASCII hint of the name for people plus the id that makes it unique.

    Path separators, dots, reserved device names (CON, NUL…) and non-ASCII never
    reach the file system; two names that slug alike still differ by id.
    """
    ascii_hint = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_hint).strip("-")[:_SLUG_LENGTH].strip("-") or "profile"
    return f"{slug}-{profile_id[-8:]}"
