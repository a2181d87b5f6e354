"""Caption limits, cutting, and per-provider settings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from editfactory.core.errors import ValidationError
from editfactory.publish.providers import (
    CAPTION_LIMITS,
    ELLIPSIS,
    TikTokSettings,
    YouTubeSettings,
    build_settings,
    cut_caption,
    text_length,
)


def test_limits_follow_postiz_providers():
    assert CAPTION_LIMITS["x"] == 280
    assert CAPTION_LIMITS["bluesky"] == 300
    assert CAPTION_LIMITS["threads"] == 500
    assert CAPTION_LIMITS["tiktok"] == 2000
    assert CAPTION_LIMITS["instagram"] == 2200
    assert CAPTION_LIMITS["linkedin"] == 3000
    assert CAPTION_LIMITS["youtube"] == 5000
    assert CAPTION_LIMITS["facebook"] == 63206


def test_short_caption_is_unchanged():
    assert cut_caption("New summer shoes", 280) == "New summer shoes"


def test_cut_on_word_boundary_with_ellipsis():
    text = "Comfortable running shoes for every day of the week"
    cut = cut_caption(text, 30)
    assert cut.endswith(ELLIPSIS)
    assert text_length(cut) <= 30
    assert cut[:-1] in text and text[len(cut) - 1] == " "  # ends where a word ended
    assert cut == "Comfortable running shoes for…"


def test_cut_counts_emoji_as_javascript_does():
    text = "🔥" * 200
    cut = cut_caption(text, 11)
    assert text_length(cut) <= 11
    assert cut == "🔥" * 5 + ELLIPSIS


def test_cut_never_leaves_a_dangling_joiner_or_mark():
    family = "👩\u200d👩\u200d👧"
    cut = cut_caption("ab " + family * 10, 6)
    assert not cut[:-1].endswith(("\u200d", "\ufe0f"))
    accented = "x " + "e\u0301" * 20
    assert not cut_caption(accented, 8)[:-1].endswith("e")


@given(st.text(min_size=0, max_size=400), st.integers(min_value=2, max_value=300))
def test_cut_always_fits(text, limit):
    cut = cut_caption(text, limit)
    assert text_length(cut) <= limit
    if text_length(text) <= limit:
        assert cut == text


def test_tiktok_title_limit_and_choices():
    assert build_settings("tiktok", None, "A title")["title"] == "A title"
    long_title = build_settings("tiktok", None, "word " * 40)["title"]
    assert text_length(long_title) <= 90
    with pytest.raises(ValidationError, match="90 characters"):
        build_settings("tiktok", TikTokSettings(title="x" * 91), None)
    with pytest.raises(ValidationError, match="privacy_level"):
        build_settings("tiktok", {"privacy_level": "EVERYONE"}, None)
    payload = build_settings("tiktok", {"duet": True, "content_posting_method": "UPLOAD"}, "T")
    assert payload["__type"] == "tiktok" and payload["duet"] is True and payload["content_posting_method"] == "UPLOAD"


def test_youtube_needs_a_title_of_2_to_100():
    with pytest.raises(ValidationError, match="2 to 100"):
        build_settings("youtube", YouTubeSettings(), "")
    payload = build_settings("youtube", YouTubeSettings(type="unlisted", selfDeclaredMadeForKids="yes"), "My clip")
    assert payload == {"__type": "youtube", "title": "My clip", "type": "unlisted",
                       "selfDeclaredMadeForKids": "yes", "tags": []}


def test_settings_object_of_caller_is_not_changed():
    mine = YouTubeSettings()
    build_settings("youtube", mine, "Title")
    assert mine.title == ""


def test_instagram_post_types_and_unknown_fields():
    assert build_settings("instagram", {"post_type": "story"}, None)["post_type"] == "story"
    with pytest.raises(ValidationError, match="post_type"):
        build_settings("instagram", {"post_type": "reel"}, None)
    with pytest.raises(ValidationError, match="Unknown setting"):
        build_settings("instagram", {"colour": "red"}, None)
    with pytest.raises(ValidationError, match="do not fit"):
        build_settings("x", TikTokSettings(), None)


def test_every_listed_provider_builds_defaults():
    for identifier in ("tiktok", "instagram", "x", "linkedin", "facebook", "threads", "bluesky", "mastodon"):
        assert build_settings(identifier, None, "Title")["__type"] == identifier
