"""Generic ways to change a render spec, built from its fields alone (so a field added later is covered).

Used by the property tests of the render key (tests/media/test_spec.py) and of the profile-isolation check
(tests/footage/test_renders.py). Nothing here names a field of RenderSpec.
"""

from __future__ import annotations

import copy
import dataclasses
import types
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from editfactory.media.captions import CaptionStyle
from editfactory.media.presets import PRESETS, RenderPreset
from editfactory.media.spec import RenderSegment, RenderSpec, is_input_field


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _element_hint(hint: Any) -> Any:
    args = [a for a in typing.get_args(hint) if a is not Ellipsis]
    return args[0] if args else str


def _without_none(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return next(a for a in typing.get_args(hint) if a is not type(None))
    return hint


def sample(hint: Any) -> Any:
    """A value of type ``hint`` (for a field that is None or empty in the spec being changed)."""
    hint = _without_none(hint)
    if hint is Path:
        return Path("/elsewhere/sample.bin")
    for kind, value in ((bool, True), (int, 7), (float, 0.25), (str, "sample")):
        if hint is kind:
            return value
    if dataclasses.is_dataclass(hint):
        required = {f.name: sample(_hints(hint)[f.name]) for f in dataclasses.fields(hint)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
        return hint(**required)
    if typing.get_origin(hint) in (tuple, list, Sequence, typing.Sequence) or hint in (tuple, list, Sequence):
        return (sample(_element_hint(hint)),)
    raise AssertionError(f"Teach tests/spec_variations.sample to build a {hint!r}.")


def with_field(obj: Any, name: str, value: Any) -> Any:
    """``obj`` with one field changed, without running its checks (the key must see any value)."""
    changed = copy.copy(obj)
    object.__setattr__(changed, name, value)
    return changed


def variants(value: Any, hint: Any = None) -> Iterator[tuple[str, Any]]:
    """``(where, changed value)`` for each way of changing ``value`` or one thing inside it."""
    if value is None:
        yield "set", sample(hint)
    elif dataclasses.is_dataclass(value):
        hints = _hints(type(value))
        for spec_field in dataclasses.fields(value):
            for where, new in variants(getattr(value, spec_field.name), hints[spec_field.name]):
                yield f"{spec_field.name}.{where}", with_field(value, spec_field.name, new)
    elif isinstance(value, tuple):
        if not value:
            yield "one more", (sample(_element_hint(_without_none(hint))),)
            return
        yield "last dropped", value[:-1]
        yield "last repeated", value + value[-1:]
        element = _element_hint(_without_none(hint)) if hint is not None else None
        for where, new in variants(value[0], element):
            yield f"[0].{where}", (new, *value[1:])
    elif isinstance(value, bool):
        yield "flipped", not value
    elif isinstance(value, int):
        yield "+1", value + 1
    elif isinstance(value, float):
        yield "+1.0", value + 1.0
        yield "+tiny", value + max(abs(value), 1.0) * 1e-9
    elif isinstance(value, str):
        yield "longer", value + "x"
    elif isinstance(value, Path):
        yield "other file", value.with_name("other-" + value.name)
    else:
        raise AssertionError(f"Teach tests/spec_variations.variants to change a {type(value).__name__}.")


def input_locations(value: Any) -> Iterator[tuple[str, Any, Any]]:
    """``(where, path, spec with that one input file replaced by a given path)`` — as a function of the new path."""
    if dataclasses.is_dataclass(value):
        for spec_field in dataclasses.fields(value):
            inner = getattr(value, spec_field.name)
            if is_input_field(spec_field):
                if isinstance(inner, Path):
                    yield spec_field.name, inner, (lambda new, v=value, n=spec_field.name: with_field(v, n, new))
                elif inner is not None:
                    for i, path in enumerate(inner):
                        yield (f"{spec_field.name}[{i}]", path,
                               lambda new, v=value, n=spec_field.name, i=i, t=tuple(inner):
                               with_field(v, n, (*t[:i], new, *t[i + 1:])))
                continue
            for where, path, rebuild in input_locations(inner):
                yield (f"{spec_field.name}.{where}", path,
                       lambda new, v=value, n=spec_field.name, r=rebuild: with_field(v, n, r(new)))
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            for where, path, rebuild in input_locations(item):
                yield (f"[{i}].{where}", path,
                       lambda new, t=value, i=i, r=rebuild: (*t[:i], r(new), *t[i + 1:]))


# -- specs drawn by hypothesis --------------------------------------------------------------------

_times = st.floats(0, 600, allow_nan=False)
_names = st.text(alphabet="abcdefgh0123456789-", min_size=1, max_size=8)


def paths_under(folder: Path) -> st.SearchStrategy[Path]:
    return st.builds(lambda sub, name, ext: folder / sub / f"{name}{ext}",
                     st.sampled_from(["media", "cache/tts", "voices"]), _names, st.sampled_from([".mp4", ".wav"]))


def specs(folder: Path = Path("/profile"), spec_type: type = RenderSpec) -> st.SearchStrategy:
    """Specs whose files lie under ``folder``; fields not named here keep their defaults (and are varied anyway)."""
    files = paths_under(folder)
    segment = st.builds(
        RenderSegment, source=files, start=_times, end=_times, framing=st.sampled_from(["fill", "fit", "auto"]),
        track=st.lists(st.tuples(_times, st.floats(0, 1)), max_size=3), spread=st.none() | st.floats(0, 1),
    )
    style = st.none() | st.builds(CaptionStyle, size=st.integers(8, 400), bold=st.booleans(),
                                  vertical_position=st.floats(0, 1), uppercase=st.booleans())
    preset = st.sampled_from(sorted(PRESETS)) | st.builds(
        RenderPreset, name=_names, width=st.integers(16, 4096), height=st.integers(16, 4096))
    return st.builds(
        spec_type, segments=st.lists(segment, min_size=1, max_size=3), voiceover=st.none() | files,
        words=st.lists(st.tuples(_names, _times, _times), min_size=1, max_size=4), caption_style=style,
        preset=preset, duck_source_audio=st.booleans(), source_audio_volume=st.floats(0, 1),
    )
