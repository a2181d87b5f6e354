"""Word-timed captions: group words into short cues and write an ASS file libass burns into the video.

The style is plain data (:class:`CaptionStyle`), stored per profile as the setting
``captions.style``. The font ships in ``editfactory/assets/fonts`` so every machine
renders the same pixels.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import pysubs2

from editfactory.core.errors import ValidationError, check_number, quoted
from editfactory.media.fonts import covered_characters, text_width
from editfactory.media.safe_zones import SafeArea

FONTS_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
DEFAULT_FONT = "DejaVu Sans"
SHIPPED_FONTS = {
    "DejaVu Sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "Noto Sans": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "Inter": ("Inter-Regular.otf", "Inter-Bold.otf"),
    "Open Sans": ("OpenSans-Regular.ttf", "OpenSans-Bold.ttf"),
    "League Spartan": ("LeagueSpartan-Regular.otf", "LeagueSpartan-Bold.otf"),
    "Roboto Condensed": ("RobotoCondensed-Regular.ttf", "RobotoCondensed-Bold.ttf"),
    # One weight only: libass emboldens it when ``bold`` is set (a display face is heavy already).
    "Bebas Neue": ("BebasNeue-Regular.otf", "BebasNeue-Regular.otf"),
}
"""Font families that ship in FONTS_DIR (regular and bold); only these render the same on every machine.

Each file's licence is beside it (``LICENSE-<Family>.txt``: SIL OFL 1.1, Apache 2.0 for Open Sans and Roboto
Condensed); the files come from Debian's fonts-* packages. Noto Sans, Inter, Open Sans, Roboto Condensed and DejaVu
Sans cover Latin (Romanian ș ț included), Cyrillic and Greek; League Spartan and Bebas Neue are Latin display faces
(Bebas Neue also Cyrillic); which font draws a script is read from the fonts (:func:`check_font_covers`)."""
_ASS_FAMILY = {"Bebas Neue": "Bebas Neue Regular"}
"""libass finds a font by its (legacy) family or full name; Bebas Neue's file calls its family "Bebas Neue Regular"."""
ALIGNMENTS = ("center", "left")
ANIMATIONS = ("none", "pop")


_SENTENCE_TERMINATORS = frozenset(".!?…‼⁇⁈⁉。！？．｡؟۔।॥።။։។")
"""Full stops, question and exclamation marks of Latin, CJK, Arabic/Urdu, Devanagari, Ethiopic, Myanmar,
Armenian and Khmer text."""
_TRAILING = ("Pe", "Pf", "Pi", "So", "Sk", "Mn", "Me", "Cf", "Zs")
"""Categories that may follow a sentence's terminator inside one word: closing brackets and quotes, emoji
(with their variation selectors and joiners)."""
_HEX_COLOR = re.compile(r"#?[0-9a-fA-F]{6}")
_NUMBERS = (  # field, as the message names it, lowest, highest, whole number, what it means
    ("size", "Caption size", 8, 400, True, "It is in pixels of a 1920-high frame."),
    ("outline", "Caption outline", 0, 40, False, "It is in pixels (0 for none)."),
    ("shadow", "Caption shadow", 0, 40, False, "It is in pixels (0 for none)."),
    ("vertical_position", "Caption vertical position", 0, 1, False, "It is a fraction of the height: 0 top … 1 bottom."),
    ("max_words_per_cue", "Words per caption", 1, 50, True, ""),
    ("max_chars_per_cue", "Characters per caption", 1, 500, True, ""),
    ("box_opacity", "Caption box opacity", 0, 1, False, "It is a fraction: 0 clear … 1 solid."),
)


@dataclass(frozen=True)
class WordTiming:
    word: str
    start: float
    end: float


@dataclass(frozen=True)
class CaptionCue:
    words: tuple[WordTiming, ...]

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end

    @property
    def text(self) -> str:
        return " ".join(w.word for w in self.words)


@dataclass(frozen=True)
class CaptionStyle:
    """How captions look. Colors are ``#RRGGBB``; sizes are in pixels of a 1920-high frame (scaled to the output)."""

    font: str = DEFAULT_FONT
    size: int = 84
    primary_color: str = "#FFFFFF"
    highlight_color: str = "#FFD400"
    outline_color: str = "#000000"
    outline: float = 5.0
    shadow: float = 0.0
    bold: bool = True
    vertical_position: float = 0.72
    """Where the caption's baseline sits, as a fraction of the height from the top (0 top … 1 bottom)."""
    highlight_current_word: bool = True
    max_words_per_cue: int = 3
    max_chars_per_cue: int = 18
    uppercase: bool = False
    box: bool = False
    """Draw each cue on a filled box in ``outline_color`` instead of an outline around the letters."""
    box_opacity: float = 1.0
    """How opaque the box is (0 clear … 1 solid)."""
    align: str = "center"
    """``center`` or ``left`` (a lower third starts at the safe area's left edge)."""
    animation: str = "none"
    """``pop``: each word springs in (grows past its size and settles) as it is spoken."""
    look: str = ""
    """The caption look (:mod:`editfactory.media.caption_looks`) the style started from; empty when custom."""

    def __post_init__(self) -> None:
        # Frozen: the checked values (84.0 → 84, -0.0 → 0.0) are set through object.__setattr__.
        if not isinstance(self.font, str) or self.font not in SHIPPED_FONTS:
            raise ValidationError(
                f"Caption font {quoted(self.font)} does not ship with Edit Factory, so clips would look different on "
                f"other machines; use one of: {', '.join(SHIPPED_FONTS)}."
            )
        for name in ("primary_color", "highlight_color", "outline_color"):
            value = getattr(self, name)
            # fullmatch: "$" would also match before a final newline, and "#000000\n" was stored.
            if not isinstance(value, str) or not _HEX_COLOR.fullmatch(value):
                raise ValidationError(f"Caption {name.replace('_', ' ')} {quoted(value)} is not a #RRGGBB color.")
        for name, label, low, high, integer, hint in _NUMBERS:
            object.__setattr__(self, name, check_number(getattr(self, name), label, minimum=low,
                                                        maximum=high, integer=integer, hint=hint))
        for name in ("bold", "highlight_current_word", "uppercase"):
            if not isinstance(getattr(self, name), bool):
                raise ValidationError(f"Caption {name.replace('_', ' ')} must be yes or no (True or False), not "
                                      f"{quoted(getattr(self, name))}.")
        self._check_look_fields()

    def _check_look_fields(self) -> None:
        for name, allowed in (("align", ALIGNMENTS), ("animation", ANIMATIONS)):
            if getattr(self, name) not in allowed:
                raise ValidationError(f"Caption {name} {quoted(getattr(self, name))} is unknown; use one of: "
                                      f"{', '.join(allowed)}.")
        if not isinstance(self.box, bool):
            raise ValidationError(f"Caption box must be yes or no (True or False), not {quoted(self.box)}.")
        if not isinstance(self.look, str):
            raise ValidationError(f"Caption look must be a name, not {quoted(self.look)}.")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CaptionStyle:
        if not isinstance(data, dict):
            raise ValidationError(f"A caption style is a set of named values, not {type(data).__name__}.")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def ends_sentence(word: str) -> bool:
    """Whether ``word`` closes a sentence: ``"Gata!"``, ``"astăzi.)"``, ``"hurry!🔥"``, ``"好吗？"``."""
    for char in reversed(word):
        if char in _SENTENCE_TERMINATORS:
            return True
        if char in "\"'" or unicodedata.category(char) in _TRAILING:
            continue
        return False
    return False


_EMOJI_MARKS = frozenset("\ufe0e\ufe0f\u20e3")
"""Text/emoji presentation selectors and the keycap mark: only ever parts of an emoji sequence."""
_ZWJ = "\u200d"


def _drawable_set() -> frozenset[int]:
    # Regular and bold ship together; a character counts as drawable only if both have it.
    regular, bold = SHIPPED_FONTS[DEFAULT_FONT]
    return covered_characters(FONTS_DIR / regular) & covered_characters(FONTS_DIR / bold)


def drawable_text(text: str) -> str:
    """``text`` without the symbols the shipped font cannot draw (emoji such as 🔥 or 👍🏽), which would burn as boxes.

    Letters of any script are kept (a system font may draw them); symbols the font has (★, ✓, ❤, 😀) stay.
    What is left of an emoji sequence (joiners, presentation selectors, skin tones, tags) goes with it.
    """
    drawable = _drawable_set()

    def dropped(char: str) -> bool:
        code = ord(char)
        if char in _EMOJI_MARKS or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
            return True  # skin tones and flag tags
        return code not in drawable and unicodedata.category(char)[0] in "SC" and char != _ZWJ

    gone = [dropped(char) for char in text]
    kept = []
    for index, char in enumerate(text):
        if char == _ZWJ:
            # A joiner between emoji goes with them; one between letters (Indic scripts) shapes them and stays.
            neighbours = gone[index - 1:index] + gone[index + 1:index + 2]
            if any(neighbours) or not neighbours:
                continue
        elif gone[index]:
            continue
        kept.append(char)
    return "".join(kept)


def font_files(font: str) -> tuple[Path, Path]:
    """The regular and bold files of a shipped font family."""
    regular, bold = SHIPPED_FONTS[font]
    return FONTS_DIR / regular, FONTS_DIR / bold


def font_covers(font: str) -> frozenset[int]:
    """The characters both weights of ``font`` can draw."""
    regular, bold = font_files(font)
    return covered_characters(regular) & covered_characters(bold)


def missing_letters(text: str, font: str) -> list[str]:
    """The letters, marks and digits of ``text`` (NFC) that ``font`` cannot draw, each once, in order of appearance.

    Symbols are not counted: those a font lacks are left out of captions (:func:`drawable_text`).
    """
    covered = font_covers(font)
    text = unicodedata.normalize("NFC", text)
    return list(dict.fromkeys(c for c in text if unicodedata.category(c)[0] in "LMN" and ord(c) not in covered))


def check_font_covers(text: str, style: CaptionStyle) -> None:
    """Refuse a script the caption font cannot draw (it would burn as empty boxes), naming a shipped font that can."""
    missing = missing_letters(text, style.font)
    if not missing:
        return
    shown = " ".join(missing[:12]) + (" …" if len(missing) > 12 else "")
    others = [name for name in SHIPPED_FONTS if name != style.font and not missing_letters(text, name)]
    advice = (f"choose the font {others[0]!r} (it draws them) in Settings → Captions" if others else
              "no font that ships with Edit Factory draws them; write the script in another alphabet")
    raise ValidationError(
        f"The caption font {style.font!r} cannot draw {len(missing)} character(s) of the script: {shown}; {advice}."
    )


def normalize_words(words: Iterable[Sequence | WordTiming]) -> list[WordTiming]:
    """Accept ``(word, start, end)`` tuples or WordTiming; refuse times that go backwards.

    Text is NFC-normalized, so a diacritic a provider sends decomposed (``s`` + combining comma) is
    one character, counts once against ``max_chars_per_cue`` and is drawn from the font's ``ș`` glyph.
    Symbols the shipped font cannot draw are left out (:func:`drawable_text`); a word of only emoji is not shown.
    """
    result: list[WordTiming] = []
    for item in words:
        timing = item if isinstance(item, WordTiming) else WordTiming(str(item[0]), float(item[1]), float(item[2]))
        if not (math.isfinite(timing.start) and math.isfinite(timing.end)) or timing.end < timing.start or timing.start < 0:
            raise ValidationError(f"Word {timing.word!r} has an invalid time range {timing.start}–{timing.end} s.")
        text = drawable_text(unicodedata.normalize("NFC", timing.word)).strip()
        if text:
            result.append(WordTiming(text, timing.start, timing.end))
    return sorted(result, key=lambda w: w.start)


def group_into_cues(words: Iterable[Sequence | WordTiming], *, max_words: int = 3, max_chars: int = 18) -> list[CaptionCue]:
    """Short cues of at most ``max_words`` words and ``max_chars`` characters; a cue never spans a sentence end."""
    cues: list[CaptionCue] = []
    current: list[WordTiming] = []
    for word in normalize_words(words):
        if current:
            length = len(" ".join(w.word for w in current)) + 1 + len(word.word)
            if len(current) >= max_words or length > max_chars:
                cues.append(CaptionCue(tuple(current)))
                current = []
        current.append(word)
        if ends_sentence(word.word):
            cues.append(CaptionCue(tuple(current)))
            current = []
    if current:
        cues.append(CaptionCue(tuple(current)))
    return cues


def _ass_color(hex_color: str) -> pysubs2.Color:
    value = hex_color.lstrip("#")
    return pysubs2.Color(int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), 0)


def _ass_override_color(hex_color: str) -> str:
    value = hex_color.lstrip("#")
    return f"&H{value[4:6]}{value[2:4]}{value[0:2]}&"


def _escape(text: str) -> str:
    # Braces start override blocks and backslashes escapes in ASS; caption text must never be parsed as either.
    return text.replace("\\", "\u29f5").replace("{", "(").replace("}", ")").replace("\n", " ")


_FULL_FRAME = SafeArea(0.06, 0.0, 0.94, 1.0)
"""Without a platform: the 6 % side margins captions always had."""
_POP_PEAK = 112
"""Percent a popping word grows to before it settles at its size."""


def _ass_alpha_color(hex_color: str, opacity: float) -> pysubs2.Color:
    color = _ass_color(hex_color)
    return pysubs2.Color(color.r, color.g, color.b, round(255 * (1 - opacity)))


def build_subtitles(
    words: Iterable[Sequence | WordTiming], style: CaptionStyle, width: int, height: int,
    safe: SafeArea | None = None,
) -> pysubs2.SSAFile:
    """An ASS document sized to the output frame, one event per cue (or per word when highlighting).

    Every cue is laid out inside ``safe`` (the platform's safe area, :mod:`editfactory.media.safe_zones`):
    the baseline is raised above the covered bottom, the side margins keep clear of the buttons, and a word
    too wide for the area is shrunk to fit, outline, box and pop included.
    """
    safe = safe or _FULL_FRAME
    subs = pysubs2.SSAFile()
    subs.info["PlayResX"] = str(width)
    subs.info["PlayResY"] = str(height)
    subs.info["WrapStyle"] = "0"
    subs.info["ScaledBorderAndShadow"] = "yes"
    scale = height / 1920
    font_size = round(style.size * scale)
    # The outline (or the box's padding) and the shadow reach beyond the letters; keep them inside the area too.
    reach = math.ceil((style.outline + style.shadow) * scale) + 2
    x0, y0, x1, y1 = safe.pixels(width, height)
    baseline = min(round(height * style.vertical_position), y1 - reach)
    back = _ass_alpha_color(style.outline_color, style.box_opacity if style.box else 1.0)
    subs.styles["Caption"] = pysubs2.SSAStyle(
        fontname=_ASS_FAMILY.get(style.font, style.font),
        fontsize=font_size,
        primarycolor=_ass_color(style.primary_color),
        outlinecolor=back,
        backcolor=back,
        bold=style.bold,
        outline=style.outline * scale,
        shadow=style.shadow * scale,
        borderstyle=3 if style.box else 1,
        alignment=pysubs2.Alignment.BOTTOM_LEFT if style.align == "left" else pysubs2.Alignment.BOTTOM_CENTER,
        marginl=x0 + reach,
        marginr=width - x1 + reach,
        marginv=height - baseline,
    )
    regular, bold = font_files(style.font)
    font_path = bold if style.bold else regular
    room = (x1 - x0) - 2 * reach
    peak = _POP_PEAK if style.animation == "pop" else 100

    def fit(texts: list[str]) -> int:
        # libass wraps at spaces but never inside a word: the widest word must fit (at the pop's peak), with
        # 8 % spare for a bold face libass emboldens itself and for kerning the width estimate leaves out.
        widest = max(text_width(font_path, t, font_size) for t in texts) * peak / 100 * 1.08
        return 100 if widest <= room else max(10, math.floor(100 * room / widest))

    highlight = _ass_override_color(style.highlight_color)
    for cue in group_into_cues(words, max_words=style.max_words_per_cue, max_chars=style.max_chars_per_cue):
        texts = [_escape(w.word.upper() if style.uppercase else w.word) for w in cue.words]
        percent = fit(texts)
        lead = f"{{\\fscx{percent}\\fscy{percent}}}" if percent < 100 else ""
        if not style.highlight_current_word and style.animation == "none":
            subs.append(pysubs2.SSAEvent(start=_ms(cue.start), end=_ms(cue.end), text=lead + " ".join(texts),
                                         style="Caption"))
            continue
        for index, word in enumerate(cue.words):
            end = cue.words[index + 1].start if index + 1 < len(cue.words) else cue.end
            if end <= word.start:
                continue
            parts = []
            for i, text in enumerate(texts):
                if i != index:
                    parts.append(text)
                    continue
                color = f"\\c{highlight}" if style.highlight_current_word else ""
                pop = ""
                if style.animation == "pop":
                    small, peak_size = percent * 70 // 100, percent * _POP_PEAK // 100
                    pop = (f"\\fscx{small}\\fscy{small}\\t(0,90,\\fscx{peak_size}\\fscy{peak_size})"
                           f"\\t(90,160,\\fscx{percent}\\fscy{percent})")
                parts.append(f"{{{color}{pop}}}{text}{{\\r{lead[1:-1]}}}" if (color or pop) else text)
            subs.append(pysubs2.SSAEvent(start=_ms(word.start), end=_ms(end), text=lead + " ".join(parts),
                                         style="Caption"))
    return subs


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def write_ass(words: Iterable[Sequence | WordTiming], style: CaptionStyle, width: int, height: int, path: Path,
              safe: SafeArea | None = None) -> Path:
    """Write the captions to ``path`` (UTF-8 ASS), laid out inside ``safe``, and return it."""
    build_subtitles(words, style, width, height, safe).save(str(path), format_="ass", encoding="utf-8")
    return Path(path)
