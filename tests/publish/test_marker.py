"""How a retry recognises a post that already arrived: the reference in its settings, the short tag in its text."""

from __future__ import annotations

import json

import pytest

from editfactory.publish import list_publications, marker, publish_clip, publish_many
from editfactory.publish.content import to_postiz_html
from editfactory.publish.providers import CAPTION_LIMITS, text_length
from tests.fakes.postiz_server import Faults, platform_text, sanitize_html
from tests.publish.conftest import add_clip, configure, standard_integrations

KEY = "key-store-a-0123456789"


def test_round_trip_and_invisible():
    for number in (1, 7, 8, 56, 57, 399, 400, 2800, 19_607, 10**9):
        key = marker.sequence_key(number)
        text = marker.with_marker("Buy <these> shoes & socks", key)
        assert marker.decode(text) == [key]
        assert all(not ch.isprintable() or ch in "Buy <these> shoes & socks" for ch in text)
        assert marker.strip_marker(text) == "Buy <these> shoes & socks"


def test_tag_is_as_short_as_the_post_count_allows():
    # Bijective base 7: every run of k characters is one number, so no shorter encoding exists with 7 symbols.
    lengths = {n: marker.marker_length(marker.sequence_key(n)) for n in (1, 7, 8, 56, 57, 399, 400, 19_607, 19_608)}
    assert lengths == {1: 1, 7: 1, 8: 2, 56: 2, 57: 3, 399: 3, 400: 4, 19_607: 5, 19_608: 6}
    tags = {marker.encode(marker.sequence_key(n)) for n in range(1, 3000)}
    assert len(tags) == 2999  # unique per post


def test_survives_html_escaping_and_whitespace_trimming():
    key = marker.sequence_key(123)
    stored = sanitize_html(to_postiz_html(marker.with_marker("Tom & Jerry <3 \nline two", key)))
    assert marker.decode(stored) == [key]
    assert marker.visible_text(stored) == "Tom & Jerry <3 \nline two"


def test_a_caption_ending_in_invisible_characters_keeps_one_tag():
    key = marker.sequence_key(5)
    text = marker.with_marker("Sale\u200b\u2063", key)
    assert marker.decode(text) == [key] and marker.strip_marker(text) == "Sale"


def test_older_17_character_markers_still_read():
    key = "00ff10ab"
    stored = sanitize_html(to_postiz_html(marker.with_marker("Old post", key)))
    assert marker.marker_length(key) == 17
    assert marker.decode(stored) == [key]
    assert marker.visible_text(stored) == "Old post"
    assert marker.decode("plain text") == []


@pytest.fixture
def store(workspace, postiz_factory, sample_mp4):
    def make(**server_options):
        profile = workspace.create("Store A")
        server = postiz_factory(KEY, standard_integrations("a"), **server_options)
        configure(profile, server, KEY)
        return profile, server, add_clip(profile, sample_mp4, "Red sneakers")
    return make


def test_posts_carry_a_one_character_tag_and_their_reference_in_settings(store, fast_policy):
    """Before: every caption ended with 17 invisible characters and nothing identified the post in its settings."""
    profile, server, clip = store()
    results = publish_clip(profile, clip, ["a-tiktok", "a-insta", "a-x"], caption="Fresh drop", policy=fast_policy)
    assert [r.status for r in results] == ["posted"] * 3
    for result, post in zip(results, sorted(server.live_posts(), key=lambda p: [r.postiz_post_id for r in results]
                                            .index(p["id"]))):
        sent = platform_text(post["content"])
        assert sent.startswith("Fresh drop") and len(sent) - len("Fresh drop") == 1
        assert json.loads(post["settings"])[marker.SETTINGS_FIELD] == result.id
    assert sorted(r.marker for r in results) == ["s1", "s2", "s3"]


def test_tags_stay_unique_across_batches(store, fast_policy, sample_mp4):
    profile, server, clip = store()
    other = add_clip(profile, sample_mp4, "Blue sneakers")
    first = publish_many(profile, [clip, other], ["a-tiktok", "a-insta"], captions="One", policy=fast_policy)
    second = publish_clip(profile, clip, ["a-x"], caption="Two", policy=fast_policy)
    keys = [p.marker for p in first + second]
    assert len(set(keys)) == len(keys) == 5
    decoded = [marker.decode(p["content"]) for p in server.live_posts()]
    assert sorted(k for (k,) in decoded) == sorted(keys)


@pytest.mark.parametrize("platform", ["x", "bluesky", "tiktok", "instagram"])
def test_tag_counted_in_each_platform_limit(store, fast_policy, platform):
    profile, server, clip = store()
    limit = CAPTION_LIMITS[platform]
    (result,) = publish_clip(profile, clip, [_channel(platform)], caption="word " * (limit // 2),
                             policy=fast_policy)
    assert result.status == "posted", result.last_error
    (post,) = server.live_posts()
    sent = platform_text(post["content"])
    assert text_length(sent) <= limit  # the caption was cut to leave room for its tag
    assert text_length(sent) >= limit - 6  # cut on a word boundary


def _channel(platform: str) -> str:
    return {integration.identifier: integration.id for integration in standard_integrations("a")}[platform]


def test_a_lost_answer_is_found_by_its_settings_when_the_caption_changed(store, fast_policy):
    """Postiz returns settings: the reference there finds the post even if the text lost its tag."""
    profile, server, clip = store()
    server.faults = Faults(drop_after=1.0, only_paths=("/posts",), only_methods=("POST",), limit=1)
    original = server._create_posts

    def create_and_edit(raw):  # the platform-side text loses its invisible tail (as an editor might do)
        status, body = original(raw)
        for post in server.posts.values():
            post["content"] = marker.strip_marker(post["content"])
        return status, body

    server._create_posts = create_and_edit
    (result,) = publish_clip(profile, clip, ["a-tiktok"], caption="Once only", policy=fast_policy)
    assert result.status == "posted" and len(server.live_posts()) == 1


def test_a_lost_answer_is_found_by_the_tag_on_an_older_postiz(store, fast_policy):
    """Postiz releases up to v2.23.0 list posts without settings: the caption's tag finds the post."""
    profile, server, clip = store(returns_settings=False)
    server.faults = Faults(drop_after=1.0, only_paths=("/posts",), only_methods=("POST",), limit=1)
    (result,) = publish_clip(profile, clip, ["a-tiktok"], caption="Once only", policy=fast_policy)
    assert result.status == "posted" and result.attempts == 1
    (post,) = server.live_posts()
    assert post["id"] == result.postiz_post_id
    assert [p.content for p in list_publications(profile)] == ["Once only"]
