"""Words of a script as captions show them, and how long each is likely to take to say.

A caption word is a whitespace-separated token. Tokens with nothing speakable in
them ("—", "...") are glued to the word before, so every timing has a word a
person can read. Symbols that are spoken ("&", "%", "+") count as words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPOKEN_SYMBOLS = set("&%+@#$€£=")
_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*$")
_PHRASE_END = re.compile(r"[,;:—–]+[\"')\]]*$")
_VOWEL_GROUPS = re.compile(r"[aeiouyäöüáéíóúàèìòùâêîôûæøå]+", re.IGNORECASE)
_ABBREVIATIONS = {"dr.", "mr.", "mrs.", "ms.", "st.", "vs.", "etc.", "e.g.", "i.e.", "no.", "approx.", "jr.", "sr."}


@dataclass(frozen=True)
class WordSpan:
    """A caption word and where it sits in the text (character offsets, end exclusive)."""

    text: str
    start: int
    end: int


def is_speakable(token: str) -> bool:
    return any(ch.isalnum() for ch in token) or any(ch in _SPOKEN_SYMBOLS for ch in token)


def word_spans(text: str) -> list[WordSpan]:
    spans: list[WordSpan] = []
    pending_prefix: tuple[str, int] | None = None  # unspeakable tokens before the first word
    for match in re.finditer(r"\S+", text):
        token, start, end = match.group(), match.start(), match.end()
        if is_speakable(token):
            if pending_prefix is not None:
                token, start = text[pending_prefix[1] : end], pending_prefix[1]
                pending_prefix = None
            spans.append(WordSpan(token, start, end))
        elif spans:
            last = spans[-1]
            spans[-1] = WordSpan(text[last.start : end], last.start, end)
        elif pending_prefix is None:
            pending_prefix = (token, start)
    return spans


def split_words(text: str) -> list[str]:
    """The caption words of ``text``: one timing is produced for each."""
    return [span.text for span in word_spans(text)]


def ends_sentence(word: str) -> bool:
    return bool(_SENTENCE_END.search(word)) and word.lower() not in _ABBREVIATIONS


def ends_phrase(word: str) -> bool:
    return ends_sentence(word) or bool(_PHRASE_END.search(word))


def group_sentences(words: list[str]) -> list[list[int]]:
    """Indices of ``words`` grouped into sentences (abbreviations such as "Dr." do not end one)."""
    groups: list[list[int]] = [[]]
    for index, word in enumerate(words):
        groups[-1].append(index)
        if ends_sentence(word) and index < len(words) - 1:
            groups.append([])
    return [g for g in groups if g]


def spoken_weight(word: str) -> float:
    """Roughly how many syllables a word takes to say; numbers are read out digit group by digit group."""
    weight = 0.0
    for part in re.findall(r"\d+|[^\W\d_]+|[&%+@#$€£=]", word):
        if part.isdigit():
            weight += 1.3 * len(part) + (0.8 if len(part) > 2 else 0.0)
        elif part in _SPOKEN_SYMBOLS:
            weight += 1.5
        else:
            groups = len(_VOWEL_GROUPS.findall(part))
            weight += max(1, groups) if part.isascii() else max(1.0, len(part) / 3)
    if "." in word and re.search(r"\d\.\d", word):
        weight += 1.0  # "point"
    return max(weight, 0.5)


def split_sentences(text: str, max_chars: int) -> list[str]:
    """Sentences of ``text``, each at most ``max_chars`` (long ones are cut at commas, then at spaces)."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?。！？])\s+", text.strip()) if s.strip()]
    pieces: list[str] = []
    for sentence in sentences:
        while len(sentence) > max_chars:
            window = sentence[:max_chars]
            cut = max(window.rfind(", "), window.rfind("; "))
            cut = cut + 1 if cut > max_chars // 3 else window.rfind(" ")
            if cut <= 0:
                cut = max_chars
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            pieces.append(sentence)
    return pieces


def split_for_synthesis(text: str, max_chars: int) -> list[str]:
    """``text`` as groups of whole sentences of at most ``max_chars`` each, for engines that cannot take it at once.

    A sentence longer than that is cut at a comma, else at a space. Every piece has a word to speak (a piece of
    only dashes or dots joins the one before), and the pieces hold the script's caption words in order.
    """
    groups: list[str] = []
    for sentence in split_sentences(text, max_chars):
        if groups and (len(groups[-1]) + 1 + len(sentence) <= max_chars or not split_words(sentence)):
            groups[-1] = f"{groups[-1]} {sentence}"
        elif groups and not split_words(groups[-1]):
            groups[-1] = f"{groups[-1]} {sentence}"
        else:
            groups.append(sentence)
    return groups
