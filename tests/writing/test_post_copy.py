"""Post copy per channel within each platform's limits, from templates offline or from the model's JSON."""

from __future__ import annotations

import json

import pytest

from editfactory.publish.marker import MARKER_LENGTH
from editfactory.publish.providers import CAPTION_LIMITS, text_length
from editfactory.writing import Brief, ModelConfig, save_model_config, suggest_post_copy
from editfactory.writing.post_copy import MAX_HASHTAGS, hashtag
from tests.fakes.openai_server import FakeOpenAI

PLATFORMS = ["tiktok", "youtube", "instagram", "x", "threads", "bluesky", "linkedin", "facebook"]


def test_offline_copy_per_platform_is_exactly_this():
    brief = Brief("Aroma Mug", price="$25", offer="free shipping this week", language="en")
    copy = suggest_post_copy(None, brief, ["tiktok", "threads", "youtube"]).copies
    body = ("Stop scrolling: this is Aroma Mug. Get it for just $25. Plus: free shipping this week. "
            "Tap the link and get yours today.")
    assert copy["tiktok"].caption == body + "\n\n#AromaMug #musthave #shopping #giftideas #newarrivals"
    assert copy["tiktok"].title == "Stop scrolling: this is Aroma Mug"
    assert copy["threads"].caption == body + "\n\n#AromaMug" and copy["threads"].title is None
    assert copy["youtube"].title == "Stop scrolling: this is Aroma Mug"


@pytest.mark.parametrize("language", ["en", "ro", "es", "fr", "de", "it"])
def test_every_platform_gets_copy_within_its_limits_in_the_brief_language(language):
    brief = Brief("Aroma Mug " + "Deluxe " * 15, description="x " * 50, price="49 lei", offer="2 for 1 " * 37,
                  language=language)
    for platform, copy in suggest_post_copy(None, brief, PLATFORMS).copies.items():
        assert text_length(copy.caption) <= CAPTION_LIMITS[platform] - MARKER_LENGTH
        assert len(copy.hashtags) <= MAX_HASHTAGS[platform]
        if platform in ("tiktok", "youtube"):
            assert 2 <= text_length(copy.title) <= (90 if platform == "tiktok" else 100)


def test_a_script_gives_the_first_line():
    brief = Brief("Aroma Mug", language="en")
    copy = suggest_post_copy(None, brief, ["x"], script="Cold coffee again? Not with this mug.").copies["x"]
    assert copy.caption.startswith("Cold coffee again? Tap the link")


def test_hashtags_keep_letters_of_any_alphabet():
    assert hashtag("Cană termică!") == "#CanăTermică"
    assert hashtag("!") == ""


def test_the_model_writes_the_copy_and_it_is_fitted_per_platform(shop):
    reply = json.dumps({"caption": "Hot coffee for three hours. Only $25.", "title": "The mug that keeps it hot",
                        "hashtags": ["#coffee", "mug life", "#coffee", "#AromaMug"] + [f"#tag{i}" for i in range(20)]})
    with FakeOpenAI(reply=reply) as server:
        save_model_config(shop, ModelConfig(server.base_url, "fake-gpt"), api_key=server.api_key)
        suggestion = suggest_post_copy(shop, Brief("Aroma Mug"), ["youtube", "threads"])
    assert suggestion.ok and suggestion.source == "fake-gpt"
    assert suggestion.copies["youtube"].title == "The mug that keeps it hot"
    assert suggestion.copies["youtube"].hashtags == ("#coffee", "#MugLife", "#AromaMug", "#tag0", "#tag1")
    assert suggestion.copies["threads"].caption == "Hot coffee for three hours. Only $25.\n\n#coffee"


def test_a_reply_without_the_asked_json_is_said_so_with_the_raw_reply(shop):
    with FakeOpenAI(reply="Sure! Here is a caption: buy it.") as server:
        save_model_config(shop, ModelConfig(server.base_url, "fake-gpt"), api_key=server.api_key)
        suggestion = suggest_post_copy(shop, Brief("Aroma Mug"), ["tiktok"])
    assert not suggestion.ok and suggestion.copies == {}
    assert "no caption" in suggestion.problem and suggestion.raw == "Sure! Here is a caption: buy it."
