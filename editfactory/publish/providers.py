"""Per-platform post settings as Postiz expects them (``settings.__type``) and caption limits.

Shapes follow the Postiz provider settings DTOs; caption limits are each
provider's ``maxLength()`` in Postiz. Settings are checked here so a mistake is
reported before anything is queued, with a message that says what to change.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field, replace
from typing import Any, ClassVar

from editfactory.core.errors import ValidationError

CAPTION_LIMITS: dict[str, int] = {
    "x": 280,
    "bluesky": 300,
    "threads": 500,
    "tiktok": 2000,
    "tiktok-business": 2000,
    "instagram": 2200,
    "instagram-standalone": 2200,
    "linkedin": 3000,
    "linkedin-page": 3000,
    "youtube": 5000,
    "facebook": 63206,
}
ELLIPSIS = "…"


def text_length(text: str) -> int:
    """Length as the Postiz front end and validators count it (JavaScript string length: UTF-16 units)."""
    return len(text.encode("utf-16-le")) // 2


def cut_caption(text: str, limit: int | None) -> str:
    """``text`` shortened to ``limit`` (UTF-16 units) on a word boundary, ending in an ellipsis.

    Text that fits is returned unchanged. A cut never splits a character, an
    emoji sequence or a combining mark from its base.
    """
    if limit is None or text_length(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    budget = limit - text_length(ELLIPSIS)
    kept, used = [], 0
    for ch in text:
        width = text_length(ch)
        if used + width > budget:
            break
        kept.append(ch)
        used += width
    head = "".join(kept)
    # Never leave a joiner or a base without its combining mark hanging at the cut.
    next_char = text[len(head)] if len(head) < len(text) else ""
    if next_char and (unicodedata.combining(next_char) or next_char in "\u200d\ufe0f"):
        head = head.rstrip()
        while head and not head[-1].isspace():
            head = head[:-1]
    if next_char and not next_char.isspace():
        boundary = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
        if boundary >= len(head) // 2:  # a word boundary not too far back; else cut mid-word
            head = head[:boundary]
    head = head.rstrip(" \t\n,;:-–—\u200d")
    return head + ELLIPSIS


# -- settings per provider ----------------------------------------------------------


@dataclass
class ProviderSettings:
    """Settings sent as ``posts[].settings``; subclasses add the provider's fields."""

    identifiers: ClassVar[tuple[str, ...]] = ()
    title_limits: ClassVar[tuple[int, int] | None] = None  # (min, max) when the platform has a title

    def validate(self) -> None:
        """Raise ValidationError naming the field to fix; the default has nothing to check."""

    def payload(self, identifier: str) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if v is not None}
        return {"__type": identifier, **data}

    def with_title(self, title: str | None) -> ProviderSettings:
        return self


def _one_of(name: str, value: object, allowed: tuple, platform: str) -> None:
    if value not in allowed:
        raise ValidationError(f"{platform}: {name} must be one of {', '.join(map(str, allowed))} (got {value!r}).")


def _bool(name: str, value: object, platform: str) -> None:
    if not isinstance(value, bool):
        raise ValidationError(f"{platform}: {name} must be true or false.")


@dataclass
class TikTokSettings(ProviderSettings):
    identifiers: ClassVar = ("tiktok", "tiktok-business")
    title_limits: ClassVar = (0, 90)
    title: str = ""
    privacy_level: str = "PUBLIC_TO_EVERYONE"
    duet: bool = False
    stitch: bool = False
    comment: bool = True
    autoAddMusic: str = "no"  # noqa: N815 - Postiz's field name
    brand_content_toggle: bool = False
    brand_organic_toggle: bool = False
    video_made_with_ai: bool | None = None
    content_posting_method: str = "DIRECT_POST"

    def validate(self) -> None:
        if text_length(self.title) > 90:
            raise ValidationError(f"TikTok: the title can have at most 90 characters (it has {text_length(self.title)}).")
        _one_of("privacy_level", self.privacy_level,
                ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"), "TikTok")
        _one_of("content_posting_method", self.content_posting_method, ("DIRECT_POST", "UPLOAD"), "TikTok")
        _one_of("autoAddMusic", self.autoAddMusic, ("yes", "no"), "TikTok")
        for name in ("duet", "stitch", "comment", "brand_content_toggle", "brand_organic_toggle"):
            _bool(name, getattr(self, name), "TikTok")

    def with_title(self, title: str | None) -> TikTokSettings:
        if title is not None and not self.title:
            self.title = cut_caption(title, 90)
        return self


@dataclass
class InstagramSettings(ProviderSettings):
    identifiers: ClassVar = ("instagram", "instagram-standalone")
    post_type: str = "post"  # "post" publishes a reel for a video; "story" a story
    is_trial_reel: bool | None = None
    collaborators: list[dict] = field(default_factory=list)

    def validate(self) -> None:
        _one_of("post_type", self.post_type, ("post", "story"), "Instagram")


@dataclass
class YouTubeSettings(ProviderSettings):
    identifiers: ClassVar = ("youtube",)
    title_limits: ClassVar = (2, 100)
    title: str = ""
    type: str = "public"
    selfDeclaredMadeForKids: str = "no"  # noqa: N815 - Postiz's field name
    tags: list[dict] = field(default_factory=list)

    def validate(self) -> None:
        length = text_length(self.title.strip())
        if not 2 <= length <= 100:
            raise ValidationError(
                f"YouTube: a title of 2 to 100 characters is required (this one has {length}); "
                "give the clip a title for YouTube.")
        _one_of("visibility", self.type, ("public", "private", "unlisted"), "YouTube")
        _one_of("selfDeclaredMadeForKids", self.selfDeclaredMadeForKids, ("yes", "no"), "YouTube")

    def with_title(self, title: str | None) -> YouTubeSettings:
        if title is not None and not self.title:
            self.title = cut_caption(title.strip(), 100)
        return self


@dataclass
class XSettings(ProviderSettings):
    identifiers: ClassVar = ("x",)
    who_can_reply_post: str = "everyone"
    community: str | None = None
    made_with_ai: bool | None = None

    def validate(self) -> None:
        _one_of("who_can_reply_post", self.who_can_reply_post,
                ("everyone", "following", "mentionedUsers", "subscribers", "verified"), "X")


@dataclass
class LinkedInSettings(ProviderSettings):
    identifiers: ClassVar = ("linkedin", "linkedin-page")
    post_as_images_carousel: bool = False


@dataclass
class FacebookSettings(ProviderSettings):
    identifiers: ClassVar = ("facebook",)
    post_type: str = "post"
    url: str | None = None

    def validate(self) -> None:
        _one_of("post_type", self.post_type, ("post", "story"), "Facebook")


@dataclass
class ThreadsSettings(ProviderSettings):
    identifiers: ClassVar = ("threads",)


@dataclass
class BlueskySettings(ProviderSettings):
    identifiers: ClassVar = ("bluesky",)


@dataclass
class GenericSettings(ProviderSettings):
    """Any other provider: only ``__type``; Postiz applies its own defaults."""


_BY_IDENTIFIER: dict[str, type[ProviderSettings]] = {
    ident: cls
    for cls in (TikTokSettings, InstagramSettings, YouTubeSettings, XSettings, LinkedInSettings,
                FacebookSettings, ThreadsSettings, BlueskySettings)
    for ident in cls.identifiers
}


def settings_class(identifier: str) -> type[ProviderSettings]:
    return _BY_IDENTIFIER.get(identifier, GenericSettings)


def default_settings(identifier: str) -> ProviderSettings:
    return settings_class(identifier)()


def caption_limit(identifier: str) -> int | None:
    return CAPTION_LIMITS.get(identifier)


def build_settings(identifier: str, settings: ProviderSettings | dict | None, title: str | None) -> dict[str, Any]:
    """Validated ``settings`` payload for a channel of this provider; ``title`` fills an empty title field."""
    cls = settings_class(identifier)
    if settings is None:
        chosen = cls()
    elif isinstance(settings, dict):
        known = {k: v for k, v in settings.items() if k != "__type"}
        try:
            chosen = cls(**known)
        except TypeError as error:
            raise ValidationError(f"Unknown setting for {identifier}: {error}. Remove it.") from None
    else:
        if not isinstance(settings, cls):
            raise ValidationError(f"Settings of type {type(settings).__name__} do not fit a {identifier} channel.")
        chosen = replace(settings)  # a copy: filling the title must not change the caller's object
    chosen = chosen.with_title(title)
    chosen.validate()
    return chosen.payload(identifier)
