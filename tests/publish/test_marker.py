"""The invisible marker that lets a retry recognise a post that already arrived."""

from __future__ import annotations

from editfactory.publish import marker
from editfactory.publish.content import to_postiz_html
from tests.fakes.postiz_server import sanitize_html


def test_round_trip_and_invisible():
    key = marker.new_key()
    text = marker.with_marker("Buy <these> shoes & socks", key)
    assert marker.decode(text) == [key]
    assert all(not ch.isprintable() or ch in "Buy <these> shoes & socks" for ch in text)
    assert len(text) == len("Buy <these> shoes & socks") + marker.MARKER_LENGTH


def test_survives_html_escaping_and_whitespace_trimming():
    key = "00ff10ab"
    stored = sanitize_html(to_postiz_html(marker.with_marker("Tom & Jerry <3 ", key)))
    assert marker.decode(stored) == [key]
    assert marker.visible_text(stored) == "Tom & Jerry <3"


def test_keys_differ_and_do_not_cross_match():
    keys = {marker.new_key() for _ in range(1000)}
    assert len(keys) == 1000
    a, b = sorted(keys)[:2]
    assert marker.decode(marker.with_marker("x", a)) != [b]
    assert marker.decode("plain text") == []
