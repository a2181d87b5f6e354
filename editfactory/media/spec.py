"""A render is its spec: one immutable value holds every input file and every option of a clip.

What is derived from the spec is derived by walking its fields, never listed by hand:

- :func:`input_files` — every file the render reads (footage, voiceover, …), which a profile's
  isolation check verifies (:func:`editfactory.footage.renders.require_profile_inputs`);
- :func:`render_key` — a hash of every field, so a clip is reused only when nothing it is made of changed.

Adding an option is adding a field. A field that names a file is declared with :func:`input_file`
(its value becomes a ``Path``); a ``Path`` in any other field is refused when the spec is made,
so a new file cannot slip past the isolation check. Nested specs (``RenderSegment``) follow the same rules.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import numbers
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from editfactory.core.errors import ValidationError, check_number, quoted
from editfactory.media.captions import DEFAULT_FONT, SHIPPED_FONTS, CaptionStyle
from editfactory.media.presets import RenderPreset
from editfactory.media.transitions import Transition


_INPUT = "editfactory.input_file"


def input_file(**kwargs: Any) -> Any:
    """Declare a spec field that holds one input file, ``None`` or a sequence of files (``dataclasses.field`` arguments)."""
    return field(metadata={_INPUT: True}, **kwargs)


def is_input_field(spec_field: dataclasses.Field) -> bool:
    return bool(spec_field.metadata.get(_INPUT))


def _as_paths(value: Any) -> Any:
    if value is None or isinstance(value, Path):
        return value
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        return Path(value)
    return tuple(_as_paths(item) for item in value)


def _frozen(value: Any) -> Any:
    """Lists (and nested lists) as tuples, so a spec cannot be changed through a list it was given."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    return value


def _refuse_unmarked_paths(owner: object, name: str, value: Any) -> None:
    if isinstance(value, Path):
        raise TypeError(
            f"{type(owner).__name__}.{name} holds a file but is not declared with input_file(); "
            "declare it so the profile-isolation check sees it."
        )
    if isinstance(value, tuple):
        for item in value:
            _refuse_unmarked_paths(owner, name, item)


class _SpecFields:
    """Normalizes the fields of a frozen spec dataclass: input files to ``Path``, lists to tuples."""

    def __post_init__(self) -> None:
        for spec_field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, spec_field.name)
            value = _as_paths(value) if is_input_field(spec_field) else _frozen(value)
            if not is_input_field(spec_field):
                _refuse_unmarked_paths(self, spec_field.name, value)
            object.__setattr__(self, spec_field.name, value)


@dataclass(frozen=True)
class RenderSegment(_SpecFields):
    """A piece of a source video, in seconds, and how its picture fills the frame (:mod:`editfactory.media.framing`)."""

    source: Path = input_file()
    start: float = 0.0
    end: float = 0.0
    framing: str = "fill"
    """``fill`` (crop), ``fit`` (whole frame over a blurred background) or ``auto`` (decided per segment at render)."""
    track: tuple[tuple[float, float], ...] = ()
    """Where the ``fill`` crop is centred over time: ``((source seconds, x 0..1), …)``; empty = the centre."""
    spread: float | None = None
    """How wide the subject is (0..1 of the width) for ``auto``; ``None`` when the segment was not analyzed."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", float(self.start))
        object.__setattr__(self, "end", float(self.end))
        object.__setattr__(self, "track", tuple((float(t), float(x)) for t, x in self.track))
        object.__setattr__(self, "spread", None if self.spread is None else float(self.spread))
        super().__post_init__()

    @property
    def duration(self) -> float:
        return self.end - self.start


def _word(item: Any) -> tuple:
    """``(word, start, end)`` from a tuple or a word-timing object (media's or a voice provider's)."""
    if hasattr(item, "word"):
        return (item.word, item.start, item.end)
    return tuple(item)


def _segment(item: RenderSegment | Sequence) -> RenderSegment:
    if isinstance(item, RenderSegment):
        return item
    return RenderSegment(Path(item[0]), float(item[1]), float(item[2]))


DEFAULT_LEVEL_DB = -12.0
DEFAULT_DUCK_DB = 18.0
DEFAULT_FADE_IN = 0.5
DEFAULT_FADE_OUT = 1.0


@dataclass(frozen=True)
class MusicOptions:
    """How a chosen track plays under a clip (stored as a project's ``music_options``)."""

    level_db: float = DEFAULT_LEVEL_DB
    """The music's loudness relative to the voice's, in the voice's pauses (−30 … 0 dB)."""
    start: float = 0.0
    """Seconds into the track where the clip's music begins."""
    fade_in: float = DEFAULT_FADE_IN
    fade_out: float = DEFAULT_FADE_OUT
    cut_on_beat: bool | None = None
    """Move the cuts between segments onto the track's beats; ``None`` = when the track has a steady beat."""

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> MusicOptions:
        """Options from stored or submitted values; unknown keys and bad values are refused (ValidationError)."""
        data = dict(data or {})
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValidationError(f"Music options have no field(s) {sorted(unknown)}; use level_db, start, fade_in, "
                                  "fade_out or cut_on_beat.")
        try:
            numbers = {k: float(data[k]) for k in ("level_db", "start", "fade_in", "fade_out") if k in data}
        except (TypeError, ValueError):
            raise ValidationError("Music level, start and fades are numbers (dB and seconds).") from None
        options = cls(**{**data, **numbers})
        if not all(math.isfinite(v) for v in (options.level_db, options.start, options.fade_in, options.fade_out)):
            raise ValidationError("Music level, start and fades must be finite numbers.")
        if not -30.0 <= options.level_db <= 0.0:
            raise ValidationError(f"The music level is {options.level_db:g} dB; choose between -30 dB (barely heard) "
                                  "and 0 dB (as loud as the voice) — the default is -12 dB.")
        if options.start < 0 or options.fade_in < 0 or options.fade_out < 0 or max(options.fade_in, options.fade_out) > 10:
            raise ValidationError("The music's start is at least 0 s and its fades 0–10 s long.")
        if options.cut_on_beat not in (None, True, False):
            raise ValidationError("Cutting on the beat is on, off, or automatic (None).")
        return options


@dataclass(frozen=True)
class MusicBed(_SpecFields):
    """One track under one clip (:mod:`editfactory.media.music` plays it): the file, its length and the options."""

    path: Path = input_file()
    track_duration: float
    options: MusicOptions = MusicOptions()
    duck_db: float = DEFAULT_DUCK_DB

    def __post_init__(self) -> None:
        if not self.track_duration > 0:
            raise ValidationError("A music track needs its length; import it into the profile's music library.")
        super().__post_init__()


# The end card and the opening hook (drawn by editfactory.media.endcard).

_CARD_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def _check_color(value: object, what: str) -> str:
    if not isinstance(value, str) or not _CARD_COLOR.fullmatch(value):
        raise ValidationError(f"{what} {quoted(value)} is not a #RRGGBB colour.")
    return value


def _check_font(font: object) -> None:
    if font not in SHIPPED_FONTS:
        raise ValidationError(f"The font {quoted(font)} does not ship with Edit Factory; use one of: "
                              f"{', '.join(SHIPPED_FONTS)}.")


@dataclass(frozen=True)
class EndCard(_SpecFields):
    """The last seconds of a clip: what it sells, as the viewer reads it (the words already formatted)."""

    product: str = ""
    price: str = ""
    old_price: str = ""
    """Shown struck through above the price; empty when the product is not reduced."""
    badge: str = ""
    """The sale badge ("−20 %"), drawn on a box in ``accent_color``."""
    cta: str = ""
    url: str = ""
    seconds: float = 2.5
    background: str = "blur"
    """``blur`` (the clip's last frame, blurred and darkened) or a ``#RRGGBB`` colour."""
    logo: Path | None = input_file(default=None)
    """A PNG (transparency kept) drawn above the product; ``None`` = no logo."""
    font: str = DEFAULT_FONT
    text_color: str = "#FFFFFF"
    accent_color: str = "#E4002B"

    def __post_init__(self) -> None:
        object.__setattr__(self, "seconds", float(check_number(self.seconds, "The end card's length", minimum=2,
                                                                maximum=3, hint="It lasts 2 to 3 seconds.")))
        if self.background != "blur":
            _check_color(self.background, "The end card background")
        _check_color(self.text_color, "The end card's text colour")
        _check_color(self.accent_color, "The sale badge colour")
        _check_font(self.font)
        super().__post_init__()


@dataclass(frozen=True)
class OpeningHook(_SpecFields):
    """A big title over the first ``seconds`` of the clip."""

    text: str
    seconds: float = 1.5
    font: str = DEFAULT_FONT
    color: str = "#FFFFFF"
    outline_color: str = "#000000"

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValidationError("An opening hook needs its words; type them or leave the hook off.")
        object.__setattr__(self, "seconds", float(check_number(self.seconds, "The hook's length", minimum=0.5,
                                                                maximum=5)))
        _check_color(self.color, "The hook's colour")
        _check_color(self.outline_color, "The hook's outline colour")
        _check_font(self.font)
        super().__post_init__()


@dataclass(frozen=True)
class Watermark(_SpecFields):
    """The store's logo over a whole clip (:mod:`editfactory.media.watermark` lays it out and draws it).

    ``logo`` is a PNG (the brand kit stores every logo as one); ``size`` is its longer side and ``margin`` its
    distance from the safe area's edges, both fractions of the frame's width."""

    logo: Path = input_file()
    corner: str = "top-right"
    size: float = 0.18
    opacity: float = 0.85
    margin: float = 0.02

    def __post_init__(self) -> None:
        from editfactory.media.watermark import check_watermark  # it builds on this module

        for name, value in check_watermark(self.corner, self.size, self.opacity, self.margin).items():
            object.__setattr__(self, name, value)
        super().__post_init__()


@dataclass(frozen=True)
class Proxy(_SpecFields):
    """A low-resolution copy of one source video that a draft may decode instead (:mod:`editfactory.media.proxies`)."""

    source: Path = input_file()
    path: Path = input_file()


@dataclass(frozen=True)
class RenderSpec(_SpecFields):
    """Everything a clip is made of. ``words`` are ``(word, start, end)`` in voiceover time.

    Segments may be given as ``(source, start, end)`` tuples; they are stored as :class:`RenderSegment`.
    """

    segments: Sequence[RenderSegment] = ()
    voiceover: Path | None = input_file(default=None)
    words: Sequence = ()
    caption_style: CaptionStyle | None = field(default_factory=CaptionStyle)
    """``None`` renders without captions."""
    preset: RenderPreset | str = "tiktok"
    duck_source_audio: bool = False
    """Keep the footage's own sound under the voiceover, pushed down whenever the voice speaks."""
    source_audio_volume: float = 0.35
    """With ducking: the footage's sound at most this fraction of the voice's loudness (0.35: 9 dB under) in the
    voice's pauses, and further down while it speaks (:mod:`editfactory.media.mixing`)."""
    music: MusicBed | None = None
    """Background music under the voice (:class:`editfactory.media.music.MusicBed`, its track an input file);
    ``None`` = none."""
    watermark: Watermark | None = None
    """The store's logo over the whole clip (:class:`Watermark`, the logo an input file), inside the preset's safe
    area; ``None`` = no logo."""
    end_card: EndCard | None = None
    """Product, price, CTA and logo over the last seconds (:class:`editfactory.media.endcard.EndCard`): it extends
    the clip by its length, so the voice is never cut; ``None`` = none."""
    hook: OpeningHook | None = None
    """A big title over the first 1.5 s (:class:`editfactory.media.endcard.OpeningHook`); ``None`` = none."""
    transition: Transition = Transition()
    """How each segment gives way to the next (:mod:`editfactory.media.transitions`): a cut, or a short crossfade,
    slide or zoom centred on the cut; the clip's length and every cut's time stay as they are."""
    proxies: Sequence[Proxy] = ()
    """Low-resolution copies of the sources (:class:`Proxy`) that a draft reads instead of them when each is whole
    (:func:`editfactory.media.proxies.files_to_read`); a final render always reads the sources."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(_segment(item) for item in self.segments))
        object.__setattr__(self, "words", tuple(_word(w) for w in self.words))
        super().__post_init__()


# -- what is derived from a spec ---------------------------------------------------------------------


def _walk_inputs(value: Any, is_input: bool) -> Iterator[Path]:
    if value is None:
        return
    if is_input:
        if isinstance(value, Path):
            yield value
        else:
            for item in value:
                yield from _walk_inputs(item, True)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for spec_field in dataclasses.fields(value):
            yield from _walk_inputs(getattr(value, spec_field.name), is_input_field(spec_field))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _walk_inputs(item, False)


def input_files(spec: object) -> list[Path]:
    """Every file ``spec`` makes ffmpeg read, found by walking its fields (each once, in field order)."""
    return list(dict.fromkeys(_walk_inputs(spec, False)))


def _material(value: Any, name_of: Callable[[Path], str]) -> Any:
    """``value`` as JSON, each dataclass as ``{field: value}`` over all its fields and each file by ``name_of``."""
    if isinstance(value, Path):
        return {"file": name_of(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _material(getattr(value, f.name), name_of) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_material(item, name_of) for item in value]
    if isinstance(value, dict):
        return {str(k): _material(v, name_of) for k, v in value.items()}
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):  # numpy floats too; repr keeps every digit, so any change shows
        return float(value)
    raise TypeError(f"A render spec cannot hold {type(value).__name__} ({value!r}); use plain values or a dataclass.")


def render_key(spec: object, name_of: Callable[[Path], str] = Path.as_posix) -> str:
    """A hash of every field of ``spec``: equal specs give equal keys, a change to any field a different key.

    ``name_of`` names an input file in the key; a profile passes its relative path, so a moved profile keeps its keys.
    """
    material = {"kind": type(spec).__name__, "fields": _material(spec, name_of)}
    return hashlib.sha256(json.dumps(material, sort_keys=True, allow_nan=True).encode()).hexdigest()
