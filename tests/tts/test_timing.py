"""Caption words, phoneme-word matching and audio-based timing estimates."""

from __future__ import annotations

import numpy as np

from editfactory.tts.phoneme_align import align_words
from editfactory.tts.timing import estimate_word_timings, words_from_spoken_events
from editfactory.tts.words import group_sentences, split_words


def test_caption_words_keep_symbols_and_glue_dashes():
    words = split_words("— Only $19.99 today, Dr. Smith! Get 3x … & more")
    assert words == ["— Only", "$19.99", "today,", "Dr.", "Smith!", "Get", "3x …", "&", "more"]
    assert group_sentences(words) == [[0, 1, 2, 3, 4], [5, 6], [7, 8]]  # "Dr." does not end a sentence, "…" does


def test_alignment_gives_numbers_several_phoneme_words():
    # "Only $19.99 today": espeak makes 1 + 5 + 1 phoneme words; the programme must find that split.
    ranges = align_words([1, 5, 1], [4, 22, 5], [4, 5, 7, 4, 3, 3, 5])
    assert ranges == [(0, 1), (1, 6), (6, 7)]


def test_alignment_survives_a_word_read_differently_in_context():
    # The middle word was expected as 2 phoneme words but spoken as 1: still one range per word, in order.
    ranges = align_words([1, 2, 1], [3, 8, 3], [3, 7, 3])
    assert ranges == [(0, 1), (1, 2), (2, 3)]


def test_estimates_follow_the_pauses_in_the_audio():
    rate = 16000
    tone = lambda seconds: 0.5 * np.sin(np.arange(int(seconds * rate)) * 2 * np.pi * 200 / rate)
    silence = lambda seconds: np.zeros(int(seconds * rate))
    # Sentence one is spoken 0.5–2.0 s, sentence two 3.0–3.6 s: not an even spread over 4 s.
    audio = np.concatenate([silence(0.5), tone(1.5), silence(1.0), tone(0.6), silence(0.4)]).astype(np.float32)
    timings = estimate_word_timings(["One", "two", "three.", "Go!"], audio, rate)
    assert abs(timings[0].start - 0.5) < 0.05 and abs(timings[2].end - 2.0) < 0.05
    assert abs(timings[3].start - 3.0) < 0.05 and abs(timings[3].end - 3.6) < 0.05


def test_spoken_events_map_to_caption_words_with_one_timing_each():
    timings = words_from_spoken_events("Hi — it's $5!", [("Hi", 0.0, 0.2), ("it's", 0.3, 0.5), ("5", 0.6, 0.9)])
    assert [(t.word, t.start, t.end) for t in timings] == [("Hi —", 0.0, 0.2), ("it's", 0.3, 0.5), ("$5!", 0.6, 0.9)]


def test_a_long_comma_pause_does_not_steal_the_sentence_cut():
    rate = 16000
    tone = lambda seconds: 0.5 * np.sin(np.arange(int(seconds * rate)) * 2 * np.pi * 200 / rate)
    silence = lambda seconds: np.zeros(int(seconds * rate))
    # "Shoes, socks and hats for everyone. Buy now!": the comma pause (0.8 s) is longer than the full stop's (0.4 s).
    audio = np.concatenate([tone(0.4), silence(0.8), tone(2.0), silence(0.4), tone(0.8), silence(0.2)]).astype(np.float32)
    timings = estimate_word_timings(["Shoes,", "socks", "and", "hats", "for", "everyone.", "Buy", "now!"], audio, rate)
    assert abs(timings[5].end - 3.2) < 0.05  # "everyone." ends at the full stop, not at the comma
    assert abs(timings[6].start - 3.6) < 0.05 and abs(timings[7].end - 4.4) < 0.05
    assert timings[0].end < 0.45 and abs(timings[1].start - 1.2) < 0.05  # the comma pause stays empty
