"""Helpers for building ffmpeg-python graphs that use one input several times."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

Item = TypeVar("Item")


def one_chain_per_use(items: Sequence[Item], build: Callable[[Item], object], split_filter: str,
                      key: Callable[[Item], Hashable] = lambda item: item) -> list:
    """One chain per distinct ``key(item)``, in the order of ``items``; a chain used several times is split.

    ffmpeg-python merges equal nodes, so two uses of one graph (the same segment twice, or the same
    silence standing in for two equal-length segments without sound) must come from one split.
    """
    uses: dict[Hashable, list[Item]] = {}
    for item in items:
        uses.setdefault(key(item), []).append(item)
    outlets: dict[Hashable, list] = {}
    for name, group in uses.items():
        chain = build(group[0])
        count = len(group)
        outlets[name] = [chain] if count == 1 else [chain.filter_multi_output(split_filter, count)[i] for i in range(count)]
    return [outlets[key(item)].pop(0) for item in items]
