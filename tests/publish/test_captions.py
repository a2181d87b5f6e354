"""Captions reach Postiz exactly as typed, and the reconciliation marker survives whatever they contain."""

from __future__ import annotations

import pytest

from editfactory.publish import list_publications, publish_clip
from editfactory.publish import marker
from editfactory.publish.content import from_postiz_html, to_postiz_html
from tests.fakes.postiz_server import Faults, platform_text, sanitize_html
from tests.publish.conftest import add_clip, configure, standard_integrations

KEY = "key-store-a-0123456789"

# Each of these once cut Postiz's copy short (an unclosed raw-text element swallows the rest, marker included).
HOSTILE_CAPTIONS = [
    "Cod: <script> nu merge",
    "Stil: <style> roșu și negru",
    "<title>Colecția nouă",
    "Scrie aici: <textarea> orice",
    "x <!-- not a comment",
    "Preț < 100 lei & livrare > 2 zile",
    "Linia 1\n\nLinia 3 cu <b>taguri</b> </p> și <p>",
    "  spaces  kept  ",
]


@pytest.mark.parametrize("caption", HOSTILE_CAPTIONS)
def test_caption_survives_postiz_sanitiser_and_a_lost_answer(workspace, postiz_factory, sample_mp4, fast_policy,
                                                             caption):
    profile = workspace.create("Store A")
    server = postiz_factory(KEY, standard_integrations("a"))
    configure(profile, server, KEY)
    clip = add_clip(profile, sample_mp4)
    # The post is created but its answer is lost: only the marker in the stored text can prevent a second post.
    server.faults = Faults(drop_after=1.0, only_paths=("/posts",), only_methods=("POST",), limit=1)
    (result,) = publish_clip(profile, clip, ["a-tiktok"], caption=caption, policy=fast_policy)
    assert result.status == "posted" and result.attempts == 1
    (post,) = server.live_posts()  # exactly one copy
    assert post["id"] == result.postiz_post_id
    assert marker.decode(post["content"]) == [result.marker]
    # What the platform receives is the caption as typed (the marker is invisible).
    assert marker.strip_marker(platform_text(post["content"])) == caption.strip()
    assert [p.content for p in list_publications(profile)] == [caption.strip()]


@pytest.mark.parametrize("caption", HOSTILE_CAPTIONS + ["", "emoji 👟 & \u00a0nbsp"])
def test_html_round_trip(caption):
    stored = sanitize_html(to_postiz_html(caption))
    expected = caption.replace("\u00a0", " ")  # Postiz turns &nbsp; into a plain space
    assert platform_text(stored) == expected
    assert from_postiz_html(stored) == expected
