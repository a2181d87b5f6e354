"""The brief a project's scripts and post copy are written from: product, what it is, price, audience, tone.

A :class:`Brief` is frozen and checked when it is made (every field with the project's own text and number
checks), so a brief that exists is a valid one. It is stored per project (``projects.brief``, migration
m0050) through :func:`save_brief`; a refused brief leaves the stored one as it was.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from editfactory.core.errors import ValidationError, check_number, check_text
from editfactory.profiles.profile import Profile
from editfactory.services import projects

LANGUAGES: dict[str, str] = {
    "en": "English", "ro": "Romanian", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
}
"""Languages the offline templates write (a model may be asked for the same ones)."""
TONES = ("friendly", "premium", "urgent", "funny")
MIN_SECONDS, MAX_SECONDS = 5, 180
MAX_PRODUCT = 120
MAX_DESCRIPTION = 20_000
"""Room for the text of a product page pasted whole; the model gets at most this much of it."""
MAX_SHORT = 300
"""Price and offer, audience: one line each."""


@dataclass(frozen=True)
class Brief:
    """What the scripts are about and how they should sound; checked on creation (ValidationError)."""

    product: str
    description: str = ""
    price: str = ""
    """As the viewer should hear it, e.g. "$25" or "49 lei"; empty: the scripts do not name a price."""
    offer: str = ""
    """E.g. "free shipping this week"; empty: no offer sentence."""
    audience: str = ""
    """Who it is for, e.g. "busy parents"; empty: the scripts speak to anyone."""
    tone: str = "friendly"
    language: str = "en"
    target_seconds: float = 30.0

    def __post_init__(self) -> None:
        if not isinstance(self.product, str) or not self.product.strip():
            raise ValidationError("A brief needs the product's name; type it.")
        clean = {
            "product": check_text(self.product, "The product name", max_length=MAX_PRODUCT),
            "description": check_text(self.description or "", "The product description",
                                      max_length=MAX_DESCRIPTION, multiline=True).strip(),
            "price": check_text(self.price or "", "The price", max_length=MAX_SHORT),
            "offer": check_text(self.offer or "", "The offer", max_length=MAX_SHORT),
            "audience": check_text(self.audience or "", "The audience", max_length=MAX_SHORT),
            "target_seconds": float(check_number(self.target_seconds, "The target length in seconds",
                                                 minimum=MIN_SECONDS, maximum=MAX_SECONDS, text=True,
                                                 hint="Type it in seconds, e.g. 30.")),
        }
        tone = check_text(self.tone or "friendly", "The tone", max_length=20).lower()
        if tone not in TONES:
            raise ValidationError(f"The tone must be one of {', '.join(TONES)}, not {tone!r}.")
        language = check_text(self.language or "en", "The language", max_length=20).lower()
        language = {name.lower(): code for code, name in LANGUAGES.items()}.get(language, language)
        if language not in LANGUAGES:
            raise ValidationError(
                f"The language must be one of {', '.join(f'{c} ({n})' for c, n in LANGUAGES.items())}, "
                f"not {language!r}.")
        clean.update(tone=tone, language=language)
        for name, value in clean.items():
            object.__setattr__(self, name, value)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Brief:
        """A brief from stored or typed fields; unknown fields are refused (a typo would be lost silently)."""
        if not isinstance(data, dict):
            raise ValidationError("A brief must be a set of fields (product, description, price, ...).")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError(f"A brief has no field(s) {unknown}; use some of {sorted(known)}.")
        return cls(**data)


def save_brief(profile: Profile, project_id: str, brief: Brief) -> Brief:
    """Store ``brief`` as the project's brief (NotFoundError when the project is not in this profile)."""
    if not isinstance(brief, Brief):
        brief = Brief.from_dict(brief)  # a dict is checked before anything is written
    projects.update_project(profile, project_id, brief=brief.to_dict())
    return brief


def load_brief(profile: Profile, project_id: str) -> Brief | None:
    """The project's brief, or None when none was saved."""
    stored = projects.get_project(profile, project_id).get("brief")
    return Brief.from_dict(stored) if stored else None
