"""Word timings estimated from the audio, for providers that give none (or not for this language).

Rather than spreading words evenly over the whole clip, we find where the
speech is: the largest silences become sentence boundaries, and inside each
sentence words share the *voiced* time (pauses excluded) by how long they take
to say.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from editfactory.tts.audio import speech_regions
from editfactory.tts.base import WordTiming
from editfactory.tts.words import group_sentences, spoken_weight, word_spans


def distribute_over_regions(
    words: Sequence[str],
    regions: Sequence[tuple[float, float]],
    weights: Sequence[float] | None = None,
) -> list[WordTiming]:
    """Share the voiced time of ``regions`` among ``words`` by weight; pauses between regions stay empty."""
    if not words:
        return []
    weights = [max(w, 1e-3) for w in (weights or [spoken_weight(w) for w in words])]
    lengths = [max(end - start, 0.0) for start, end in regions]
    voiced = sum(lengths)
    if voiced <= 0:
        point = regions[0][0] if regions else 0.0
        return [WordTiming(w, point, point) for w in words]
    total_weight = sum(weights)

    def to_time(voiced_offset: float) -> float:
        # Walk the regions to turn a position in voiced time into clip time.
        for (start, end), length in zip(regions, lengths):
            if voiced_offset <= length + 1e-9:
                return start + voiced_offset
            voiced_offset -= length
        return regions[-1][1]

    timings = []
    cumulative = 0.0
    for word, weight in zip(words, weights):
        begin = to_time(cumulative / total_weight * voiced)
        cumulative += weight
        finish = to_time(cumulative / total_weight * voiced)
        # A word that would straddle a pause starts after it.
        for start, end in regions:
            if begin < end <= finish and finish - end > end - begin:
                begin = next((s for s, _ in regions if s >= end), begin)
                break
        timings.append(WordTiming(word, begin, max(begin, finish)))
    return timings


GAP_PREFERENCE = 0.3
"""How much a long silence is preferred as a sentence cut over matching the sentences' expected lengths."""


def _split_regions(regions: list[tuple[float, float]], sentence_weights: list[float]) -> list[list[tuple[float, float]]]:
    """Cut the regions into one group per sentence.

    The cuts fall in silences, chosen so each sentence's share of the voiced
    time matches its share of the text (by spoken weight), with a preference
    for long silences: the longest pauses alone mislead when a comma or "Dr."
    pauses longer than a full stop.
    """
    parts = len(sentence_weights)
    count = len(regions)
    if parts <= 1 or count < parts:
        return [regions]
    lengths = np.array([max(end - start, 0.0) for start, end in regions])
    voiced = np.concatenate([[0.0], np.cumsum(lengths)])
    total_voiced = voiced[-1] or 1.0
    gaps = np.array([0.0] + [regions[i][0] - regions[i - 1][1] for i in range(1, count)])
    gap_bonus = GAP_PREFERENCE * gaps / max(gaps.max(), 1e-9) / (parts - 1)
    shares = np.asarray(sentence_weights, dtype=float) / max(sum(sentence_weights), 1e-9)
    # cost[j][i]: best cost of giving the first j sentences the regions [0, i); choice[j][i]: where sentence j-1 began.
    cost = np.full((parts + 1, count + 1), np.inf)
    choice = np.zeros((parts + 1, count + 1), dtype=int)
    cost[0][0] = 0.0
    for j in range(1, parts + 1):
        for end in range(j, count - (parts - j) + 1):
            begins = np.arange(j - 1, end)
            candidates = cost[j - 1][begins] + np.abs((voiced[end] - voiced[begins]) / total_voiced - shares[j - 1])
            if j > 1:
                candidates = candidates - gap_bonus[begins]
            best = int(np.argmin(candidates))
            cost[j][end], choice[j][end] = candidates[best], begins[best]
    groups, end = [], count
    for j in range(parts, 0, -1):
        begin = choice[j][end]
        groups.append(regions[begin:end])
        end = begin
    return groups[::-1]


def estimate_word_timings(
    words: Sequence[str],
    samples: np.ndarray,
    sample_rate: int,
    *,
    weights: Sequence[float] | None = None,
    offset: float = 0.0,
) -> list[WordTiming]:
    """Timings for ``words`` spoken in ``samples``: per sentence, from the real pauses in the audio."""
    words = list(words)
    if not words:
        return []
    weights = list(weights) if weights is not None else [spoken_weight(w) for w in words]
    regions = speech_regions(samples, sample_rate)
    if not regions:
        duration = len(samples) / float(sample_rate)
        regions = [(0.0, duration)]
    sentences = group_sentences(words)
    region_groups = _split_regions(regions, [sum(weights[i] for i in indices) for indices in sentences])
    if len(region_groups) != len(sentences):
        sentences = [list(range(len(words)))]
    timings: list[WordTiming] = []
    for indices, group in zip(sentences, region_groups):
        timings.extend(distribute_over_regions([words[i] for i in indices], group, [weights[i] for i in indices]))
    if offset:
        timings = [WordTiming(t.word, t.start + offset, t.end + offset) for t in timings]
    return timings


def make_monotonic(timings: Sequence[WordTiming], duration: float | None = None) -> list[WordTiming]:
    """Clamp timings so each word starts where the previous ended or later, and none runs past the audio."""
    fixed: list[WordTiming] = []
    floor = 0.0
    for timing in timings:
        start = max(timing.start, floor)
        end = max(timing.end, start)
        if duration is not None:
            start, end = min(start, duration), min(end, duration)
        fixed.append(WordTiming(timing.word, float(start), float(end)))
        floor = end
    return fixed


def words_from_spoken_events(text: str, events: Sequence[tuple[str, float, float]]) -> list[WordTiming]:
    """Caption-word timings from a provider's spoken-word events ``(text, start, end)``, in order.

    Events are found in the text left to right (providers strip punctuation and
    may split "3x" or skip symbols); caption words without an event get the gap
    before the next one, so there is still exactly one timing per word.
    """
    spans = word_spans(text)
    per_span: list[list[tuple[float, float]]] = [[] for _ in spans]
    position, span_index = 0, 0
    for spoken, start, end in events:
        spoken = spoken.strip()
        found = text.find(spoken, position) if spoken else -1
        if found < 0:
            continue  # normalized by the service; the neighbours still carry the timing
        position = found + len(spoken)
        while span_index < len(spans) and spans[span_index].end <= found:
            span_index += 1
        if span_index < len(spans):
            per_span[span_index].append((start, end))
    timings, previous_end = [], 0.0
    for index, span in enumerate(spans):
        if per_span[index]:
            start, end = per_span[index][0][0], per_span[index][-1][1]
        else:
            following = next((times[0][0] for times in per_span[index + 1:] if times), previous_end)
            start, end = previous_end, max(previous_end, following)
        timings.append(WordTiming(span.text, start, end))
        previous_end = end
    return timings
