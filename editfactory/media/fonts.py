"""Which characters the shipped caption fonts can draw, read from the fonts' own character maps.

libass draws a character no font has as an empty box ("tofu"). Captions leave out the
symbols (emoji above all) that the shipped fonts lack instead, so every machine burns the
same pixels and none burns boxes. Only the TrueType ``cmap`` table is read (formats 4 and
12, the ones DejaVu and nearly every font use), so no font library is needed.
"""

from __future__ import annotations

import functools
import struct
from pathlib import Path

from editfactory.core.errors import MediaError


def _format4(data: bytes, offset: int) -> set[int]:
    segments = struct.unpack_from(">H", data, offset + 6)[0] // 2
    ends_at = offset + 14
    starts_at = ends_at + 2 * segments + 2
    deltas_at = starts_at + 2 * segments
    ranges_at = deltas_at + 2 * segments
    covered: set[int] = set()
    for index in range(segments):
        end = struct.unpack_from(">H", data, ends_at + 2 * index)[0]
        start = struct.unpack_from(">H", data, starts_at + 2 * index)[0]
        delta = struct.unpack_from(">h", data, deltas_at + 2 * index)[0]
        range_offset = struct.unpack_from(">H", data, ranges_at + 2 * index)[0]
        for code in range(start, min(end, 0xFFFE) + 1):
            if range_offset == 0:
                glyph = (code + delta) & 0xFFFF
            else:
                at = ranges_at + 2 * index + range_offset + 2 * (code - start)
                glyph = struct.unpack_from(">H", data, at)[0]
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                covered.add(code)
    return covered


def _format12(data: bytes, offset: int) -> set[int]:
    groups = struct.unpack_from(">I", data, offset + 12)[0]
    covered: set[int] = set()
    for index in range(groups):
        start, end, first_glyph = struct.unpack_from(">III", data, offset + 16 + 12 * index)
        covered.update(code for code, glyph in zip(range(start, end + 1), range(first_glyph, first_glyph + end - start + 1))
                       if glyph)
    return covered


@functools.lru_cache(maxsize=8)
def covered_characters(path: Path) -> frozenset[int]:
    """The code points ``path`` (a .ttf) maps to a real glyph, from its Unicode cmap subtables."""
    data = Path(path).read_bytes()
    try:
        tables = struct.unpack_from(">H", data, 4)[0]
        cmap = next(struct.unpack_from(">I", data, 12 + 16 * i + 8)[0] for i in range(tables)
                    if data[12 + 16 * i:16 + 16 * i] == b"cmap")
        covered: set[int] = set()
        for index in range(struct.unpack_from(">H", data, cmap + 2)[0]):
            platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * index)
            if (platform, encoding) not in ((0, 3), (0, 4), (3, 1), (3, 10)):
                continue  # only the Unicode maps
            kind = struct.unpack_from(">H", data, cmap + offset)[0]
            if kind == 4:
                covered |= _format4(data, cmap + offset)
            elif kind == 12:
                covered |= _format12(data, cmap + offset)
    except (struct.error, StopIteration) as error:
        raise MediaError(f"The caption font {Path(path).name} is damaged ({error}); reinstall Edit Factory.") from None
    return frozenset(covered)


@functools.lru_cache(maxsize=16)
def _advances(path: Path) -> tuple[dict[int, int], int]:
    """``({code point: advance width}, units per em)`` of ``path``, read with fontTools."""
    from fontTools.ttLib import TTFont  # only the layout of a cue needs it

    with TTFont(str(path)) as font:
        metrics = font["hmtx"].metrics
        advances = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items() if glyph in metrics}
        return advances, font["head"].unitsPerEm


def text_width(path: Path, text: str, size: float) -> float:
    """How wide ``text`` is in pixels at ``size`` (the font's em, as ASS sizes are), without kerning."""
    advances, units = _advances(Path(path))
    fallback = units // 2  # a character the font lacks: half an em, about what a fallback glyph takes
    return sum(advances.get(ord(char), fallback) for char in text) * size / units
