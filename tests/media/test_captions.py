"""Word timings → short cues → ASS events at the words' times, styled per profile."""

from __future__ import annotations

import pysubs2
import pytest

from editfactory.errors import ValidationError
from editfactory.media.captions import CaptionStyle, build_subtitles, group_into_cues, write_ass

WORDS = [("Salut,", 0.0, 0.3), ("ce", 0.35, 0.5), ("mai", 0.5, 0.7), ("faceți?", 0.7, 1.0),
         ("Totul", 1.2, 1.5), ("e", 1.5, 1.6), ("bine", 1.6, 1.8), ("astăzi.", 1.8, 2.2)]


def test_cues_respect_word_and_character_limits():
    cues = group_into_cues(WORDS, max_words=2, max_chars=12)
    assert all(len(c.words) <= 2 and len(c.text) <= 12 for c in cues)
    assert [w for c in cues for w in c.words] == sorted([w for c in cues for w in c.words], key=lambda w: w.start)


def test_cues_never_cross_a_sentence_end():
    cues = group_into_cues(WORDS, max_words=10, max_chars=200)
    assert [c.text for c in cues] == ["Salut, ce mai faceți?", "Totul e bine astăzi."]


def test_highlight_events_follow_each_word(tmp_path):
    path = write_ass(WORDS, CaptionStyle(max_words_per_cue=3), 1080, 1920, tmp_path / "c.ass")
    subs = pysubs2.load(str(path))
    assert subs.info["PlayResY"] == "1920"
    starts = [e.start for e in subs]
    assert starts == [round(w[1] * 1000) for w in WORDS]
    highlighted = [e for e in subs if "\\c&H" in e.text]
    assert len(highlighted) == len(WORDS)
    assert subs[-1].end == 2200


def test_plain_cues_without_highlight():
    subs = build_subtitles(WORDS, CaptionStyle(highlight_current_word=False, max_words_per_cue=4, max_chars_per_cue=40), 540, 960)
    assert [e.plaintext for e in subs] == ["Salut, ce mai faceți?", "Totul e bine astăzi."]
    assert (subs[0].start, subs[0].end) == (0, 1000)
    assert subs.styles["Caption"].fontsize == 42  # 84 px on a 1920 frame, scaled to 960


def test_caption_text_cannot_inject_ass_overrides():
    subs = build_subtitles([("{\\pos(0,0)}oops", 0, 1)], CaptionStyle(highlight_current_word=False), 540, 960)
    assert "\\pos" not in subs[0].text and "{" not in subs[0].text


@pytest.mark.parametrize("change", [{"primary_color": "red"}, {"size": 2}, {"vertical_position": 1.5}, {"max_words_per_cue": 0}])
def test_style_validation(change):
    with pytest.raises(ValidationError):
        CaptionStyle(**change)


def test_style_round_trip():
    style = CaptionStyle(font="DejaVu Sans", size=90, highlight_color="#00FF00")
    assert CaptionStyle.from_dict(style.to_dict() | {"unknown": 1}) == style


def test_words_going_backwards_are_refused():
    with pytest.raises(ValidationError, match="invalid time range"):
        group_into_cues([("x", 2.0, 1.0)])
