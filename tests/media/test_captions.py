"""Word timings → short cues → ASS events at the words' times, styled per profile."""

from __future__ import annotations

import pysubs2
import pytest

from editfactory.core.errors import ValidationError
from editfactory.media.captions import (
    FONTS_DIR,
    CaptionStyle,
    build_subtitles,
    drawable_text,
    group_into_cues,
    write_ass,
)
from editfactory.media.fonts import covered_characters

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
    # Inside a cue a word stays lit until the next one starts (no blink in the pause after "Salut,");
    # the cue's last word ends with its own end. Cues: "Salut, ce mai" · "faceți?" · "Totul e bine" · "astăzi.".
    assert [e.end for e in subs] == [350, 500, 700, 1000, 1500, 1600, 1800, 2200]


def test_highlighted_words_leave_no_gap_inside_a_cue():
    # Pauses between words: each highlight must last until the next word starts, or the captions blink.
    words = [("one", 0.0, 0.4), ("two", 0.5, 0.9), ("three", 1.0, 1.3), ("four.", 2.0, 2.5)]
    subs = build_subtitles(words, CaptionStyle(max_words_per_cue=3, max_chars_per_cue=40), 540, 960)
    assert [(e.start, e.end) for e in subs] == [(0, 500), (500, 1000), (1000, 1300), (2000, 2500)]


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


@pytest.mark.parametrize(("change", "words"), [
    ({"size": "big"}, "size must be a number"),  # was a raw TypeError
    ({"size": float("nan")}, "size must be a finite number"),
    ({"size": 84.5}, "size must be a whole number"),
    ({"size": True}, "size must be a number, not a yes/no value"),
    ({"outline": None}, "outline must be a number"),
    ({"outline": float("inf")}, "outline must be a finite number"),
    ({"shadow": float("nan")}, "shadow must be a finite number"),
    ({"shadow": -1.0}, "shadow must be between 0 and 40"),
    ({"vertical_position": "0.5"}, "position must be a number"),
    ({"max_words_per_cue": float("inf")}, "words per caption must be a finite number"),
    ({"max_chars_per_cue": 1e308}, "characters per caption must be"),
    ({"bold": "no"}, "bold must be yes or no"),
    ({"uppercase": 1}, "uppercase must be yes or no"),
    ({"highlight_current_word": None}, "highlight current word must be yes or no"),
    ({"font": ["DejaVu Sans"]}, "does not ship"),
    ({"primary_color": "#000000\n"}, "not a #RRGGBB"),  # was accepted and stored
    ({"outline_color": "#000000\r"}, "not a #RRGGBB"),
    ({"highlight_color": None}, "not a #RRGGBB"),
    ({"highlight_color": 0xFFD400}, "not a #RRGGBB"),
])
def test_style_refuses_values_of_the_wrong_kind_with_our_error(change, words):
    with pytest.raises(ValidationError, match=f"(?i){words}"):
        CaptionStyle(**change)


def test_style_from_a_stored_dict_refuses_what_is_not_a_dict():
    with pytest.raises(ValidationError, match="caption style"):
        CaptionStyle.from_dict(["size", 84])


def test_style_round_trip():
    style = CaptionStyle(font="DejaVu Sans", size=90, highlight_color="#00FF00")
    assert CaptionStyle.from_dict(style.to_dict() | {"unknown": 1}) == style


def test_words_going_backwards_are_refused():
    with pytest.raises(ValidationError, match="invalid time range"):
        group_into_cues([("x", 2.0, 1.0)])


def texts(cues) -> list[str]:
    return [c.text for c in cues]


def test_word_and_character_limits_are_configurable():
    words = [("one", 0, 1), ("two", 1, 2), ("three", 2, 3), ("four", 3, 4), ("five", 4, 5)]
    assert texts(group_into_cues(words, max_words=2, max_chars=100)) == ["one two", "three four", "five"]
    assert texts(group_into_cues(words, max_words=10, max_chars=9)) == ["one two", "three", "four five"]
    # A word longer than the limit is never split; it gets a cue of its own.
    assert texts(group_into_cues([("a", 0, 1), ("unbelievable", 1, 2), ("b", 2, 3)], max_chars=5)) == ["a", "unbelievable", "b"]
    subs = build_subtitles(words, CaptionStyle(max_words_per_cue=2, highlight_current_word=False), 540, 960)
    assert [e.plaintext for e in subs] == ["one two", "three four", "five"]


@pytest.mark.parametrize(
    "closing",
    ["gata.", "gata!”", "gata?)", "gata…", "hurry!🔥", "hurry!🔥\u200d❤\ufe0f", "«gata!»", "好吗？", "مرحبا؟", "अच्छा है।", "終わり。」"],
)
def test_sentence_ends_behind_quotes_brackets_emoji_and_in_other_scripts(closing):
    words = [("Ok", 0, 0.5), (closing, 0.5, 1.0), ("next", 1.0, 1.5)]
    assert texts(group_into_cues(words, max_words=10, max_chars=200)) == [f"Ok {drawable_text(closing)}", "next"]


@pytest.mark.parametrize("word", ["3.5", "e-mail", "🔥", "ce?a", "(nota"])
def test_words_that_do_not_end_a_sentence(word):
    words = [("Ok", 0, 0.5), (word, 0.5, 1.0), ("next", 1.0, 1.5)]
    shown = " ".join(w for w in ("Ok", drawable_text(word), "next") if w)
    assert texts(group_into_cues(words, max_words=10, max_chars=200)) == [shown]


def test_decomposed_diacritics_are_composed_and_count_once():
    decomposed = "s\u0326t\u0326a\u0306"  # "șță" as some providers send it: letters plus combining marks
    cues = group_into_cues([(decomposed, 0, 1), ("ok", 1, 2)], max_chars=6)
    assert texts(cues) == ["\u0219\u021b\u0103 ok"] and len(cues[0].text) == 6


def test_emoji_diacritics_and_other_scripts_survive_the_ass_file(tmp_path):
    words = [("Mulțumim,", 0, 0.5), ("îți", 0.5, 0.8), ("șade", 0.8, 1.1), ("bine!", 1.1, 1.5),
             ("Привет", 1.6, 2.0), ("你好", 2.0, 2.3), ("😀🔥", 2.3, 2.6)]
    path = write_ass(words, CaptionStyle(highlight_current_word=False, max_words_per_cue=4, max_chars_per_cue=40),
                     540, 960, tmp_path / "c.ass")
    # 😀 is in the shipped font and stays; 🔥 is not and would burn as a box.
    assert [e.plaintext for e in pysubs2.load(str(path), encoding="utf-8")] == ["Mulțumim, îți șade bine!", "Привет 你好 😀"]


EMOJI_SCRIPT = ["Hot🔥", "deal👍🏽!", "🔥🔥", "family:", "👨\u200d👩\u200d👧", "1️⃣", "❤️", "flag", "🇷🇴", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"]


@pytest.mark.parametrize("highlight", [True, False])
def test_emoji_the_shipped_font_lacks_never_reach_the_captions(highlight):
    drawable = covered_characters(FONTS_DIR / "DejaVuSans-Bold.ttf")
    words = [(word, i * 0.5, i * 0.5 + 0.4) for i, word in enumerate(EMOJI_SCRIPT)]
    subs = build_subtitles(words, CaptionStyle(highlight_current_word=highlight, max_words_per_cue=2), 540, 960)
    shown = " ".join(e.plaintext for e in subs)
    missing = sorted({f"U+{ord(c):04X}" for c in shown if ord(c) not in drawable and not c.isspace()})
    assert missing == [], "characters the font cannot draw burn as empty boxes"
    # Words are kept without their emoji; a word of only emoji is not shown at all.
    assert "Hot" in shown and "deal!" in shown and "1" in shown and "❤" in shown and "flag" in shown
    assert all(e.plaintext.strip() for e in subs)


def test_style_fields_reach_the_ass_style():
    style = CaptionStyle(font="DejaVu Sans", size=120, primary_color="#102030", outline_color="#A0B0C0", outline=8,
                         bold=False, vertical_position=0.5, uppercase=True, highlight_current_word=False)
    subs = build_subtitles([("hello", 0, 1)], style, 1080, 1920)
    ass = subs.styles["Caption"]
    assert (ass.fontname, ass.fontsize, ass.bold, ass.outline) == ("DejaVu Sans", 120, False, 8)
    assert (ass.primarycolor.r, ass.primarycolor.g, ass.primarycolor.b) == (0x10, 0x20, 0x30)
    assert (ass.outlinecolor.r, ass.outlinecolor.g, ass.outlinecolor.b) == (0xA0, 0xB0, 0xC0)
    assert ass.marginv == 960  # baseline halfway down the frame
    assert subs[0].plaintext == "HELLO"


def test_highlight_colors_only_the_current_word():
    subs = build_subtitles([("one", 0, 1), ("two", 1, 2)], CaptionStyle(highlight_color="#00FF88"), 540, 960)
    # ASS colors are &HBBGGRR&.
    assert [e.text for e in subs] == ["{\\c&H88FF00&}one{\\r} two", "one {\\c&H88FF00&}two{\\r}"]
    assert [(e.start, e.end) for e in subs] == [(0, 1000), (1000, 2000)]


@pytest.mark.parametrize("times", [(float("nan"), 1.0), (0.0, float("inf")), (-0.5, 1.0)])
def test_impossible_word_times_are_refused(times):
    with pytest.raises(ValidationError, match="invalid time range"):
        group_into_cues([("x", *times)])


def test_only_shipped_fonts_can_be_chosen():
    from editfactory.media.captions import FONTS_DIR, SHIPPED_FONTS

    for files in SHIPPED_FONTS.values():
        assert all((FONTS_DIR / name).is_file() for name in files)
    with pytest.raises(ValidationError, match="does not ship"):
        CaptionStyle(font="Comic Sans MS")


def test_a_damaged_font_file_is_a_clear_error(tmp_path):
    from editfactory.core.errors import MediaError

    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"\x00\x01\x00\x00\x00\x01" + b"junk" * 3)
    with pytest.raises(MediaError, match="broken.ttf is damaged"):
        covered_characters(broken)
