"""A render is its spec: the render key and the input files are derived from the spec's fields.

The variations are built from the fields alone (tests/spec_variations.py), so a field added to RenderSpec
later is covered without touching these tests; the last tests prove it with a spec that has two more fields.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editfactory.media.render import RenderSegment, RenderSpec
from editfactory.media.spec import input_file, input_files, render_key
from tests.spec_variations import specs, variants

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclasses.dataclass(frozen=True)
class SpecWithMusic(RenderSpec):
    """What the next render option looks like: one more file and one more option, nothing else touched."""

    music: Path | None = input_file(default=None)
    music_volume: float = 0.2


def _assert_every_change_changes_the_key(spec) -> None:
    key = render_key(spec)
    seen = []
    for where, changed in variants(spec):
        seen.append(where.split(".")[0])
        assert render_key(changed) != key, f"changing {where} kept the render key, so an old clip would be reused"
    fields = {f.name for f in dataclasses.fields(spec)}
    assert set(seen) == fields, f"no variation reached {sorted(fields - set(seen))}"


@PROPERTY
@given(specs())
def test_changing_any_field_of_a_spec_changes_its_render_key(spec):
    _assert_every_change_changes_the_key(spec)


@PROPERTY
@given(specs(spec_type=SpecWithMusic))
def test_a_field_added_to_the_spec_is_in_the_key_and_in_the_input_files_without_listing_it(spec):
    _assert_every_change_changes_the_key(spec)
    with_music = dataclasses.replace(spec, music="/profile/music/bed.mp3")
    assert input_files(with_music)[-1] == Path("/profile/music/bed.mp3")
    assert render_key(with_music) != render_key(spec)


@PROPERTY
@given(specs(), st.data())
def test_the_same_spec_written_another_way_has_the_same_key(spec, data):
    """Tuples or segments, lists or tuples, str or Path: a spec is normalized, so equal specs share their clip."""
    as_written = dataclasses.replace(
        spec,
        segments=[(str(s.source), s.start, s.end) if s == RenderSegment(s.source, s.start, s.end) and data.draw(st.booleans())
                  else dataclasses.replace(s, track=[list(p) for p in s.track]) for s in spec.segments],
        voiceover=None if spec.voiceover is None else str(spec.voiceover),
        words=[list(w) for w in spec.words],
    )
    assert as_written == spec
    assert render_key(as_written) == render_key(spec)


@PROPERTY
@given(specs())
def test_input_files_are_every_footage_file_and_the_voiceover(spec):
    expected = [s.source for s in spec.segments] + ([spec.voiceover] if spec.voiceover else [])
    assert input_files(spec) == list(dict.fromkeys(expected))


def test_a_file_in_a_field_not_declared_as_an_input_is_refused_when_the_spec_is_made():
    @dataclasses.dataclass(frozen=True)
    class Forgetful(RenderSpec):
        logo: Path | None = None

    with pytest.raises(TypeError, match=r"Forgetful.logo holds a file but is not declared with input_file\(\)"):
        Forgetful(segments=[("/profile/media/a.mp4", 0, 1)], logo=Path("/elsewhere/logo.png"))


def test_a_spec_cannot_be_changed_after_it_is_made():
    spec = RenderSpec(segments=[["/profile/media/a.mp4", 0, 1]], words=[["Hi", 0.0, 0.5]])
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.voiceover = Path("/elsewhere/voice.wav")  # type: ignore[misc]
    assert isinstance(spec.segments, tuple) and isinstance(spec.words[0], tuple)
