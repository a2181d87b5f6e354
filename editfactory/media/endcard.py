"""The end card (product, price, struck old price, sale badge, call to action, URL, logo) and the opening hook.

Both are drawn in the render's single ffmpeg pass, before the captions (so the frame held under the card is the
footage's own, without a caption in it; the captions end with the last word, before the card): the words with libass (one ASS file, laid out
here in pixels inside the preset's safe area), the end card's backdrop with ``gblur``/``drawbox`` and the logo with
``overlay``, each switched on by time (``enable``).

**The end card extends the clip**: the picture of the last moment is held (``tpad``) for the card's seconds and
the card is drawn over that freeze, so the voiceover is never cut nor talked over, and the captions, which end with
the last word, are gone before the card shows. The clip is ``voiceover + card`` seconds long; the music (if any)
plays on under the card and fades out at its end.

Every line is fitted to the safe area's width (wrapped at spaces, then shrunk) and the stack to its height, with
advance widths read from the shipped fonts (:func:`editfactory.media.fonts.text_width`), so a long product name
wraps or shrinks instead of running under a platform's buttons.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import ffmpeg
import pysubs2

from editfactory.media.captions import DEFAULT_FONT, FONTS_DIR, drawable_text, font_files
from editfactory.media.fonts import text_width
from editfactory.media.safe_zones import SafeArea
from editfactory.media.spec import EndCard, OpeningHook

__all__ = ["EndCard", "OpeningHook", "add_offer", "end_card_lines", "extra_seconds", "hook_lines"]

HOOK_SECONDS = OpeningHook.seconds
WIDTH_SPARE = 1.10
"""Kerning, libass's own emboldening and the box's rounding are not in the advance widths: keep 10 % spare."""
LINE_HEIGHT = 1.22
"""A line's height as a multiple of its ASS size (libass sizes a font by its ascent plus descent)."""
_ASS_FAMILY = {"Bebas Neue": "Bebas Neue Regular"}  # as media.captions names it for libass


def extra_seconds(card: EndCard | None) -> float:
    """How much longer than its voiceover the clip gets: the end card's seconds (it extends the clip)."""
    return card.seconds if card is not None else 0.0


# -- layout ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of text, centred at ``(x, y)`` in pixels, ``size`` its ASS font size."""

    text: str
    x: int
    y: int
    size: int
    color: str
    bold: bool = True
    strike: bool = False
    box: str = ""
    """A box colour behind the text (the badge); empty = an outline."""
    outline: float = 0.0

    @property
    def height(self) -> float:
        return self.size * LINE_HEIGHT + 2 * self.outline


@dataclass(frozen=True)
class _Block:
    text: str
    size: float  # in units of 1/1080 of the frame's short side
    color: str
    bold: bool = True
    strike: bool = False
    box: str = ""
    outline: float = 0.0
    max_lines: int = 1


def _wrap(text: str, font: Path, size: float, room: float, max_lines: int) -> list[str] | None:
    """``text`` in the fewest lines (at most ``max_lines``) no wider than ``room`` at ``size``, or None.

    Among the ways to break it into that many lines, the one whose longest line is shortest is taken, so a title
    reads "Hot coffee. / All day." rather than "Hot coffee. All / day." (greedy filling).
    """
    words = text.split()
    width = functools.partial(_line_width, font, size)
    for count in range(1, min(max_lines, len(words)) + 1):
        if len(words) > _BALANCE_WORDS and count > 2:
            splits = [_greedy(words, width, room)]  # too many ways to try them all: fill line by line
        else:
            splits = ([" ".join(words[i:j]) for i, j in zip((0, *cuts), (*cuts, len(words)))]
                      for cuts in itertools.combinations(range(1, len(words)), count - 1))
        best = min(splits, key=lambda lines: max(width(line) for line in lines))
        if len(best) <= max_lines and max(width(line) for line in best) <= room:
            return best
    return None


_BALANCE_WORDS = 24
"""Up to this many words every break into three lines is tried (2,000 ways); beyond it lines are filled greedily."""


def _line_width(font: Path, size: float, line: str) -> float:
    return text_width(font, line, size) * WIDTH_SPARE


def _greedy(words: list[str], width, room: float) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and width(f"{lines[-1]} {word}") <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fit(block: _Block, font: str, size: float, room: float) -> tuple[list[str], float]:
    """The block's lines and the size they fit at: the fewest lines that fit at most 20 % smaller (a call to action
    reads better whole than with one word left alone below), else ``max_lines`` lines, shrunk as far as needed."""
    regular, bold = font_files(font)
    path = bold if block.bold else regular
    tries = [(lines, 0.8 * size) for lines in range(1, block.max_lines + 1)] + [(block.max_lines, 6.0)]
    for max_lines, smallest in tries:
        current = size
        while current >= smallest:
            reach = 2 * block.outline * current / block.size  # the outline (or the badge's box) on both sides
            lines = _wrap(block.text, path, current, room - reach, max_lines)
            if lines is not None:
                return lines, current
            current *= 0.95
    return [block.text], current


def layout(blocks: list[_Block], font: str, width: int, height: int, safe: SafeArea, *, top: float | None = None,
           gap: float = 0.35) -> list[Line]:
    """Lines of ``blocks`` stacked and centred in ``safe`` (or from ``top`` down), each fitting its width.

    If the stack is taller than the area, every size is scaled down by the same factor until it fits.
    """
    x0, y0, x1, y1 = safe.pixels(width, height)
    pad = round(0.03 * min(width, height))
    room_w, room_h = (x1 - x0) - 2 * pad, (y1 - y0) - 2 * pad
    unit = min(width, height) / 1080
    scale = 1.0
    while True:
        placed: list[tuple[_Block, list[str], float]] = []
        for block in blocks:
            lines, size = _fit(block, font, block.size * unit * scale, room_w)
            placed.append((block, lines, size))
        heights = [len(lines) * size * LINE_HEIGHT + 2 * block.outline * unit * scale
                   + (size * 0.4 if block.box else 0) for block, lines, size in placed]
        total = sum(heights) + gap * unit * 100 * scale * (len(placed) - 1)
        if total <= room_h or scale < 0.2:
            break
        scale *= 0.92
    y = (y0 + pad) if top is None else max(y0 + pad, top)
    if top is None:
        y += (room_h - total) / 2
    cx = (x0 + x1) // 2
    result = []
    for (block, lines, size), block_height in zip(placed, heights):
        line_step = (block_height) / len(lines)
        for index, text in enumerate(lines):
            centre = y + line_step * (index + 0.5)
            result.append(Line(text, cx, round(centre), max(1, math.floor(size)), block.color, block.bold,
                               block.strike, block.box, block.outline * unit * scale))
        y += block_height + gap * unit * 100 * scale
    return result


def _clean(text: str) -> str:
    # Braces open override blocks and backslashes escapes in ASS; symbols the fonts lack would burn as boxes.
    return drawable_text(text).replace("\\", "\u29f5").replace("{", "(").replace("}", ")").strip()


LOGO_BOX = 0.16
"""The logo's box: this fraction of the safe area's height (and 60 % of its width), above the product."""


def end_card_blocks(card: EndCard) -> list[_Block]:
    """What the card shows, top to bottom (sizes in 1/1080 of the frame's short side)."""
    blocks = []
    if card.product:
        blocks.append(_Block(_clean(card.product), 84, card.text_color, outline=3, max_lines=4))
    if card.old_price:
        blocks.append(_Block(_clean(card.old_price), 70, "#C8C8C8", bold=False, strike=True, outline=2))
    if card.price:
        blocks.append(_Block(_clean(card.price), 140, card.text_color, outline=4))
    if card.badge:
        blocks.append(_Block(_clean(card.badge), 64, "#FFFFFF", box=card.accent_color, outline=10))
    if card.cta:
        blocks.append(_Block(_clean(card.cta), 62, card.text_color, outline=3, max_lines=2))
    if card.url:
        blocks.append(_Block(_clean(card.url), 46, card.text_color, bold=False, outline=2, max_lines=2))
    return [b for b in blocks if b.text]


def logo_box(card: EndCard, width: int, height: int, safe: SafeArea) -> tuple[int, int, int, int] | None:
    """Where the logo goes ``(centre x, top y, max width, max height)``, or None without a logo."""
    if card.logo is None:
        return None
    x0, y0, x1, y1 = safe.pixels(width, height)
    pad = round(0.03 * min(width, height))
    return (x0 + x1) // 2, y0 + pad, round(0.6 * (x1 - x0)), round(LOGO_BOX * (y1 - y0))


def end_card_lines(card: EndCard, width: int, height: int, safe: SafeArea) -> list[Line]:
    """The card's lines laid out inside ``safe`` (under the logo's box when there is a logo)."""
    box = logo_box(card, width, height, safe)
    if box is not None:  # the words share the area under the logo
        _, top, _, logo_height = box
        below = top + logo_height + round(0.02 * height)
        safe = SafeArea(safe.left, below / height, safe.right, safe.bottom)
    return layout(end_card_blocks(card), card.font, width, height, safe)


def hook_lines(hook: OpeningHook, width: int, height: int, safe: SafeArea) -> list[Line]:
    """The hook as a big title in the upper part of the safe area, above where captions sit."""
    upper = SafeArea(safe.left, safe.top, safe.right, safe.top + 0.45 * (safe.bottom - safe.top))
    block = _Block(_clean(hook.text), 120, hook.color, outline=6, max_lines=3)
    return layout([block], hook.font, width, height, upper, top=None)


# -- drawing ---------------------------------------------------------------------------------------------------------


def _ass_color(hex_color: str, alpha: int = 0) -> pysubs2.Color:
    value = hex_color.lstrip("#")
    return pysubs2.Color(int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), alpha)


def _event(line: Line, start: float, end: float, font: str, outline_color: str) -> pysubs2.SSAEvent:
    def bgr(hex_color: str) -> str:
        v = hex_color.lstrip("#")
        return f"&H{v[4:6]}{v[2:4]}{v[0:2]}&"

    tags = [f"\\an5\\pos({line.x},{line.y})\\fs{line.size}\\b{int(line.bold)}\\c{bgr(line.color)}"]
    tags.append(f"\\fn{_ASS_FAMILY.get(font, font)}")
    if line.strike:
        tags.append("\\s1")
    if line.box:  # an opaque box of the badge colour: border style 3 draws it behind the text
        tags.append(f"\\3c{bgr(line.box)}\\bord{line.outline:.1f}\\shad0")
    else:
        tags.append(f"\\3c{bgr(outline_color)}\\bord{line.outline:.1f}\\shad0")
    style = "Box" if line.box else "Text"
    return pysubs2.SSAEvent(start=round(start * 1000), end=round(end * 1000), style=style,
                            text="{" + "".join(tags) + "}" + line.text)


def write_overlay_ass(path: Path, width: int, height: int, safe: SafeArea, *, hook: OpeningHook | None,
                      card: EndCard | None, card_start: float) -> Path:
    """The hook (from 0 s) and the end card's words (from ``card_start``) as one ASS file for libass."""
    subs = pysubs2.SSAFile()
    subs.info.update({"PlayResX": str(width), "PlayResY": str(height), "WrapStyle": "2",
                      "ScaledBorderAndShadow": "yes"})
    subs.styles["Text"] = pysubs2.SSAStyle(fontname=DEFAULT_FONT, alignment=pysubs2.Alignment.MIDDLE_CENTER,
                                           borderstyle=1, outlinecolor=_ass_color("#000000"),
                                           primarycolor=_ass_color("#FFFFFF"))
    subs.styles["Box"] = pysubs2.SSAStyle(fontname=DEFAULT_FONT, alignment=pysubs2.Alignment.MIDDLE_CENTER,
                                          borderstyle=3, primarycolor=_ass_color("#FFFFFF"))
    if hook is not None:
        for line in hook_lines(hook, width, height, safe):
            subs.append(_event(line, 0.0, hook.seconds, hook.font, hook.outline_color))
    if card is not None:
        outline = "#000000"
        for line in end_card_lines(card, width, height, safe):
            subs.append(_event(line, card_start, card_start + card.seconds + 1.0, card.font, outline))
    subs.save(str(path), format_="ass", encoding="utf-8")
    return Path(path)


def add_offer(video, *, hook: OpeningHook | None, card: EndCard | None, width: int, height: int, fps: int,
              safe: SafeArea, spoken: float, work: Path):
    """``video`` (the clip's picture, at least ``spoken`` seconds) with the hook and the end card drawn in.

    With a card the picture is cut at ``spoken`` (the voice's end) and its last frame held for the card.
    """
    if hook is None and card is None:
        return video
    if card is not None:
        when = f"gte(t,{spoken:.3f})"
        video = (video.filter("trim", duration=round(spoken, 6)).filter("setpts", "PTS-STARTPTS")
                 .filter("tpad", stop_mode="clone", stop_duration=round(card.seconds + 0.2, 3)))
        if card.background == "blur":  # the held frame, blurred and darkened so white words read on any footage
            video = video.filter("gblur", sigma=max(4, round(min(width, height) / 40)), enable=when)
            video = video.filter("drawbox", x=0, y=0, w="iw", h="ih", color="black@0.45", t="fill", enable=when)
        else:
            video = video.filter("drawbox", x=0, y=0, w="iw", h="ih", color=f"0x{card.background[1:]}@1",
                                 t="fill", enable=when)
        box = logo_box(card, width, height, safe)
        if box is not None:
            cx, top, max_w, max_h = box
            logo = (ffmpeg.input(str(card.logo), loop=1, framerate=fps, t=round(spoken + card.seconds + 1, 3)).video
                    .filter("scale", w=max_w, h=max_h, force_original_aspect_ratio="decrease")
                    .filter("format", "rgba"))
            video = ffmpeg.filter([video, logo], "overlay", x=f"{cx}-overlay_w/2", y=top, enable=when,
                                  eof_action="pass", format="auto")
    ass = write_overlay_ass(work / "offer.ass", width, height, safe, hook=hook, card=card, card_start=spoken)
    return video.filter("ass", filename=str(ass), fontsdir=str(FONTS_DIR))
