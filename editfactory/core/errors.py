"""The project's own exceptions: every error a user can meet says what happened and what to do next.

Also the one check of numbers a user types or passes (:func:`check_number`), so every setter refuses NaN,
infinities, booleans and wrong types with the same clear words.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from typing import Any


class EditFactoryError(Exception):
    """Base class for errors shown to users; the message is meant to be read by a person."""


class ValidationError(EditFactoryError, ValueError):
    """Input was refused before anything was stored."""


class NotFoundError(EditFactoryError, LookupError):
    """Something asked for does not exist in the profile it was asked from."""

    def __init__(self, kind: str, item_id: str, profile_name: str | None = None):
        where = f"profile {profile_name!r}" if profile_name else "this profile"
        super().__init__(
            f"{kind} {item_id!r} was not found in {where}. "
            "It may have been deleted, or it belongs to another profile; switch to that profile to use it."
        )
        self.kind = kind
        self.item_id = item_id


class ProfileBusyError(EditFactoryError):
    """Another process kept the profile's database locked for longer than we are willing to wait."""


class StorageError(EditFactoryError):
    """The profile's database failed in a way that is not a lock conflict."""


class MediaError(EditFactoryError):
    """ffmpeg or probing failed; the message carries the relevant ffmpeg lines."""


class DiskFullError(StorageError, MediaError):
    """The disk ran out of space while writing (a render, the database); the message names the folder and what to free.

    A StorageError (the job stops: the next file would fail too) and a MediaError (raised where ffmpeg writes)."""


class VoiceError(EditFactoryError):
    """A voice provider failed or is unavailable; the message says why and how to fix it."""


class QuotaExceededError(EditFactoryError):
    """A paid call was refused because it would push the profile's monthly spend over its quota."""


class PublishError(EditFactoryError):
    """Publishing through Postiz failed; the message says whether retrying can help."""


class CancelledError(EditFactoryError):
    """Work was cancelled by the user."""


def quoted(value: Any) -> str:
    """``value`` as a message may quote it: short text and numbers as they are; longer text only by its length
    (a 1 MB paste is not repeated back, nor an API key pasted into the wrong field)."""
    if isinstance(value, str) and len(value) > 12:
        return f"{len(value):,} characters of text"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _figure(number: float) -> str:
    """1000000 as "1,000,000", 0.3 as "0.3": how a person writes a bound."""
    return f"{int(number):,}" if float(number).is_integer() and abs(number) < 1e15 else f"{number:g}"


def check_number(value: Any, what: str, *, minimum: float | None = None, maximum: float | None = None,
                 integer: bool = False, text: bool = False, hint: str = "") -> float | int:
    """``value`` as a finite float (an int with ``integer``), or a ValidationError naming ``what`` and why.

    NaN and infinities are refused (they slip through every ``<``/``>`` check: a NaN quota let any spend
    through), and so are booleans (``True`` is the number 1 to Python, never what a person meant) and anything
    that is not a number; with ``text``, a typed string such as ``" $25 "`` is read first. ``-0.0`` becomes
    ``0.0``. ``what`` starts the message ("The monthly quota"); ``hint`` is a sentence that ends it
    ("Type it in dollars, e.g. 25.").
    """
    hint = f" {hint}" if hint else ""
    typed = value
    if text and isinstance(value, str):
        try:
            value = float(value.strip().removeprefix("$").strip())
        except ValueError:
            said = quoted(typed) if len(typed) <= 12 else f"The {len(typed):,} characters typed"
            raise ValidationError(f"{said} is not a number: {what[0].lower()}{what[1:]} must be a number.{hint}"
                                  ) from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        kind = ("a yes/no value" if isinstance(value, bool) else "nothing" if value is None
                else f"the text {quoted(value)}" if isinstance(value, str) and len(value) <= 12
                else quoted(value) if isinstance(value, str) else f"{type(value).__name__} {quoted(value)}")
        raise ValidationError(f"{what} must be a number, not {kind}.{hint}")
    try:
        finite = math.isfinite(float(value))
    except OverflowError:  # an int beyond any float
        finite = False
    if not finite:
        raise ValidationError(f"{what} must be a finite number, not {quoted(typed)}.{hint}")
    if integer:
        if not float(value).is_integer():
            raise ValidationError(f"{what} must be a whole number, not {quoted(typed)}.{hint}")
        number: float | int = int(value)
    else:
        number = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        if minimum is not None and maximum is not None:
            span = f"between {_figure(minimum)} and {_figure(maximum)}"
        else:
            span = f"at least {_figure(minimum)}" if maximum is None else f"at most {_figure(maximum)}"
        raise ValidationError(f"{what} must be {span}, not {_figure(number)}.{hint}")
    return number


_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn")
"""Control, format (bidi marks, zero-width), surrogate, private-use and unassigned characters."""
_EMOJI_JOINERS = "\u200d\ufe0f"
"""Format characters that are parts of emoji (zero-width joiner, emoji presentation): kept in names."""


_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
"""Everything str.splitlines() breaks a line at, besides \\n."""


def check_text(value: Any, what: str, *, max_length: int, multiline: bool = False) -> str:
    """``value`` as it will be stored (NFC; a name on one line with single spaces), or a ValidationError.

    A name (``multiline=False``) refuses control and invisible characters: bidi marks and zero-width spaces make
    two names look alike, or a name read backwards. Longer text (``multiline``: a script, a description) keeps
    its lines — every line separator (CR LF, U+2028, U+2029, form feed…) becomes ``\\n`` — and tabs and the
    format characters right-to-left writing needs, and refuses other control characters and lone surrogates
    (the database cannot store them).
    """
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be text, not {'nothing' if value is None else type(value).__name__}.")
    if len(value) > 4 * max_length:  # far too long whatever normalizing does: refused before reading it all
        raise ValidationError(f"{what} can be at most {max_length:,} characters (this one has {len(value):,}); "
                              "shorten it.")
    if multiline:
        text = unicodedata.normalize("NFC", _LINE_BREAKS.sub("\n", value))
        bad = [ch for ch in text if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cs")]
    else:
        text = unicodedata.normalize("NFC", " ".join(value.split()))
        bad = [ch for ch in text if unicodedata.category(ch) in _INVISIBLE and ch not in _EMOJI_JOINERS]
    if bad:
        raise ValidationError(f"{what} cannot contain control or invisible characters (such as U+{ord(bad[0]):04X}); "
                              "remove them, or type the text again instead of pasting it.")
    if len(text) > max_length:
        raise ValidationError(f"{what} can be at most {max_length:,} characters (this one has {len(text):,}); "
                              "shorten it.")
    return text
