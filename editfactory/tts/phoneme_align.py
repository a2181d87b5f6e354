"""Match the words of a text to the phoneme words a phonemizer produced for it.

espeak reads "$19.99" as five words ("dollar nineteen point nine nine"),
"3x" as two and "Dr." as one, and splits sentences its own way. To know which
audio belongs to which caption word, each text word is phonemized on its own
(giving the number and length of its phoneme words) and a dynamic programme
finds the split of the whole phoneme stream that agrees best with those
expectations. Every phoneme word ends up in exactly one caption word.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

_NOT_SOUNDS = set("ˈˌ.,;:!?¡¿—–-…\"'()[] ")


def sound_length(phonemes: Sequence[str]) -> int:
    """Phonemes that take time to say (stress marks and punctuation excluded)."""
    return sum(1 for p in phonemes if p not in _NOT_SOUNDS)


def split_groups(phonemes: Sequence[str]) -> list[list[int]]:
    """Indices of ``phonemes`` grouped into phoneme words (split at spaces)."""
    groups: list[list[int]] = [[]]
    for index, phoneme in enumerate(phonemes):
        if phoneme == " ":
            if groups[-1]:
                groups.append([])
            continue
        groups[-1].append(index)
    return [g for g in groups if g]


def align_words(
    expected_counts: Sequence[int],
    expected_lengths: Sequence[int],
    actual_lengths: Sequence[int],
) -> list[tuple[int, int]]:
    """For each text word, the range ``[first, last)`` of phoneme words it spans (may be empty)."""
    words, groups = len(expected_counts), len(actual_lengths)
    if words == 0:
        return []
    prefix = [0]
    for length in actual_lengths:
        prefix.append(prefix[-1] + length)
    expected_prefix = [0]
    for count in expected_counts:
        expected_prefix.append(expected_prefix[-1] + count)
    band = max(12, abs(groups - expected_prefix[-1]) + 6)
    inf = math.inf
    cost = [[inf] * (groups + 1) for _ in range(words + 1)]
    choice = [[0] * (groups + 1) for _ in range(words + 1)]
    cost[0][0] = 0.0
    for i in range(words):
        want_count, want_length = expected_counts[i], max(expected_lengths[i], 1)
        max_take = want_count + 3
        low = max(0, expected_prefix[i] - band)
        high = min(groups, expected_prefix[i] + band)
        for j in range(low, high + 1):
            base = cost[i][j]
            if base == inf:
                continue
            for take in range(0, min(max_take, groups - j) + 1):
                length = prefix[j + take] - prefix[j]
                step = abs(take - want_count) + abs(length - want_length) / want_length
                if take == 0:
                    step += 3.0  # a word that makes no sound is unlikely
                total = base + step
                if total < cost[i + 1][j + take]:
                    cost[i + 1][j + take] = total
                    choice[i + 1][j + take] = take
    if cost[words][groups] == inf:  # should not happen; fall back to proportional split
        return _proportional(expected_counts, groups)
    ranges: list[tuple[int, int]] = []
    j = groups
    for i in range(words, 0, -1):
        take = choice[i][j]
        ranges.append((j - take, j))
        j -= take
    ranges.reverse()
    return ranges


def _proportional(expected_counts: Sequence[int], groups: int) -> list[tuple[int, int]]:
    total = max(sum(expected_counts), 1)
    ranges, cumulative, previous = [], 0, 0
    for count in expected_counts:
        cumulative += count
        end = round(cumulative / total * groups)
        ranges.append((previous, max(previous, end)))
        previous = max(previous, end)
    return ranges
