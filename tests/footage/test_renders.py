"""The profile-isolation check of a render sees every input file of any spec, found from the spec's fields."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editfactory.core.errors import ValidationError
from editfactory.footage.renders import profile_render_key, require_profile_inputs
from editfactory.media.render import RenderSpec
from editfactory.media.spec import input_file
from editfactory.profiles import Workspace
from tests.spec_variations import input_locations, paths_under, specs

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclasses.dataclass(frozen=True)
class SpecWithPhotos(RenderSpec):
    """A later render option with several files: each must be checked like the footage."""

    photos: tuple[Path, ...] = input_file(default=())


@pytest.fixture(scope="module")
def two_profiles(tmp_path_factory):
    workspace = Workspace(tmp_path_factory.mktemp("renders") / "workspace")
    return workspace.create("Store A"), workspace.create("Store B")


def _check_every_input(profiles, spec, outside: Path) -> None:
    profile, _ = profiles
    require_profile_inputs(profile, spec)  # all inside: accepted
    locations = list(input_locations(spec))
    assert locations, "a spec always reads its footage"
    for where, path, with_input in locations:
        moved = with_input(outside)
        with pytest.raises(ValidationError, match=rf"{outside.name} is not part of profile 'Store A'"):
            require_profile_inputs(profile, moved)
        # named by the caller as chosen outside the profile (a recorded voiceover, say): accepted
        require_profile_inputs(profile, moved, allowed=[outside])


@PROPERTY
@given(st.data())
def test_every_input_file_of_a_spec_is_checked_to_belong_to_the_profile(two_profiles, data):
    mine, other = two_profiles
    spec = data.draw(specs(mine.folder))
    outside = data.draw(st.sampled_from([other.folder / "media" / "theirs.mp4", Path("/tmp/elsewhere/voice.wav")]))
    _check_every_input(two_profiles, spec, outside)


@PROPERTY
@given(st.data())
def test_a_file_field_added_to_the_spec_is_checked_without_listing_it(two_profiles, data):
    mine, other = two_profiles
    spec = data.draw(specs(mine.folder, SpecWithPhotos))
    spec = dataclasses.replace(spec, photos=data.draw(st.lists(paths_under(mine.folder), min_size=1, max_size=3)))
    _check_every_input(two_profiles, spec, other.folder / "media" / "photo.jpg")


def test_a_link_inside_the_profile_to_a_file_outside_is_refused(two_profiles, tmp_path):
    mine, _ = two_profiles
    outside = tmp_path / "elsewhere.wav"
    outside.write_bytes(b"")
    link = mine.folder / "voices" / "link.wav"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    spec = RenderSpec(segments=[(mine.folder / "media" / "a.mp4", 0, 1)], voiceover=link)
    with pytest.raises(ValidationError, match="link.wav is not part of profile 'Store A'"):
        require_profile_inputs(mine, spec)


def test_the_render_key_names_files_by_their_place_in_the_profile(tmp_path):
    """A profile moved (restored elsewhere) keeps its keys, so its clips are still reused."""
    first = Workspace(tmp_path / "one").create("Store")
    spec = RenderSpec(segments=[(first.folder / "media" / "a.mp4", 0, 1)], voiceover=first.folder / "cache" / "v.wav")
    moved_folder = tmp_path / "two" / first.folder.name
    moved_folder.parent.mkdir()
    first.folder.rename(moved_folder)
    moved = Workspace(tmp_path / "two").get(first.id)
    same = RenderSpec(segments=[(moved.folder / "media" / "a.mp4", 0, 1)], voiceover=moved.folder / "cache" / "v.wav")
    assert profile_render_key(moved, same) == profile_render_key(first, spec)
