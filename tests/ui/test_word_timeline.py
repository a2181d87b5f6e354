"""The voice lab's word timeline: one lane per voice, one bar per word where it is spoken."""

from __future__ import annotations

import pytest

from editfactory.tts import WordTiming
from editfactory.ui.word_timeline import timeline_data, word_timeline


def test_each_word_is_a_bar_in_its_voice_lane():
    rows = [("piper · Joe", [WordTiming("Hello", 0.0, 0.4), WordTiming("there", 0.5, 0.9)]),
            ("clone", [WordTiming("Hello", 0.1, 0.6)])]
    data = timeline_data(rows)
    assert data["row"] == ["piper · Joe", "piper · Joe", "clone"]
    assert data["start"] == [0.0, 0.5, 0.1] and data["end"] == [0.4, 0.9, 0.6]
    assert data["middle"] == pytest.approx([0.2, 0.7, 0.35]) and data["word"] == ["Hello", "there", "Hello"]
    plot = word_timeline(rows, title="Hello there")
    assert list(plot.y_range.factors) == ["clone", "piper · Joe"]  # first voice on top
    assert plot.renderers[0].data_source.data["word"] == ["Hello", "there", "Hello"]


def test_no_voices_gives_an_empty_chart():
    assert word_timeline([]).renderers[0].data_source.data["row"] == []
