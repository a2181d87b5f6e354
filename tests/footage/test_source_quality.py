"""Import records how much a source is enlarged in each output format and warns, in words, when it is too much."""

from __future__ import annotations

import pytest
from library_helpers import make_media

from editfactory.footage.sources import get_source, import_source, list_sources
from editfactory.media.resolution import UPSCALE_WARNING, enlargement, upscale_warning
from editfactory.profiles import Workspace


@pytest.fixture(scope="session")
def phone_clip(inputs):
    """An old phone's 176x144 clip."""
    return make_media(inputs / "phone-176.mp4", "-f", "lavfi", "-i", "testsrc2=size=176x144:rate=15", "-t", "1.5",
                      "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")


@pytest.fixture(scope="session")
def full_hd_clip(inputs):
    """A 1920x1080 clip."""
    return make_media(inputs / "camera-1080.mp4", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-t", "1",
                      "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")


def test_a_tiny_source_is_warned_about_with_its_enlargement(workspace, profile, phone_clip):
    source = import_source(profile, phone_clip)
    assert source.upscale_warning is not None
    assert "176×144" in source.upscale_warning and "1080×1920" in source.upscale_warning
    assert "enlarged about 6×" in source.upscale_warning and "blurry" in source.upscale_warning
    vertical = source.enlargement["1080x1920"]
    assert vertical["framing"] == "fit" and vertical["upscale"] == pytest.approx(1080 / 176, abs=0.01)
    assert vertical["fill"] == pytest.approx(1920 / 144, abs=0.01) and vertical["shown"] == "176x144"
    assert set(source.enlargement) == {"1080x1920", "1080x1080", "1920x1080"}
    # Stored with the source: the same after the profile is opened again, and in the list.
    reopened = Workspace(workspace.root).get(profile.id)  # a new handle, as after a restart
    assert get_source(reopened, source.id).upscale_warning == source.upscale_warning
    assert get_source(reopened, source.id).enlargement == source.enlargement
    assert [s.upscale_warning for s in list_sources(reopened)] == [source.upscale_warning]
    stored = reopened.db.fetchone("SELECT upscale_warning FROM source_videos WHERE id = ?", [source.id])[0]
    assert stored == source.upscale_warning


def test_a_full_hd_source_gets_no_warning(profile, full_hd_clip):
    source = import_source(profile, full_hd_clip)
    assert source.upscale_warning is None
    vertical = source.enlargement["1080x1920"]
    assert vertical["framing"] == "fill" and vertical["upscale"] == pytest.approx(1920 / 1080, abs=0.01)
    assert vertical["shown"] == "608x1080" and vertical["upscale"] <= UPSCALE_WARNING


def test_the_warning_follows_the_profile_default_framing(profile, other_profile, phone_clip):
    from editfactory.footage.framing import set_default_framing

    set_default_framing(other_profile, "fill")  # this store crops everything to fill the screen
    cropped = import_source(other_profile, phone_clip)
    assert cropped.enlargement["1080x1920"]["framing"] == "fill" and cropped.enlargement["1080x1920"]["shown"] == "81x144"
    assert "enlarged about 13× and will look blurry" in cropped.upscale_warning
    fitted = import_source(profile, phone_clip)
    assert "enlarged about 6× and will look blurry" in fitted.upscale_warning
    assert get_source(other_profile, cropped.id).upscale_warning == cropped.upscale_warning


def test_the_warning_is_stored_in_the_importing_profile_only(profile, other_profile, phone_clip, full_hd_clip):
    tiny = import_source(profile, phone_clip)
    sharp = import_source(other_profile, full_hd_clip)
    assert [s.upscale_warning is not None for s in list_sources(profile)] == [True]
    assert [s.id for s in list_sources(other_profile)] == [sharp.id] and sharp.upscale_warning is None
    assert other_profile.db.fetchone("SELECT count(*) FROM source_videos WHERE upscale_warning IS NOT NULL")[0] == 0
    assert tiny.id not in {s.id for s in list_sources(other_profile)}


def test_a_source_imported_before_enlargement_was_recorded_still_gets_its_warning(profile, phone_clip):
    source = import_source(profile, phone_clip)
    with profile.db.transaction() as cursor:
        cursor.execute("UPDATE source_videos SET enlargement = NULL, upscale_warning = NULL WHERE id = ?", [source.id])
    again = get_source(profile, source.id)
    assert again.upscale_warning == source.upscale_warning and again.enlargement == source.enlargement


@pytest.mark.parametrize(
    ("size", "expected"),
    [((176, 144), "about 6× and will look blurry"), ((1280, 720), "about 2.7× and may look soft"),
     ((640, 272), "1920×1080 landscape clip it is enlarged about 3×"), ((1080, 1920), None), ((1920, 1080), None), ((1080, 1080), None),
     ((720, 1280), "1920×1080 landscape clip it is enlarged about 2.7× and may look soft")],
)
def test_warning_words(size, expected):
    warning = upscale_warning(*size)
    if expected is None:
        assert warning is None
    else:
        assert expected in warning and warning.startswith(f"This video is {size[0]}×{size[1]}")
        assert warning.endswith("Use a sharper original if you have one.")


def test_enlargement_geometry():
    ultra_wide = enlargement(640, 272, 1080, 1920)
    assert ultra_wide.framing == "fit" and ultra_wide.fill == pytest.approx(7.06, abs=0.01)
    assert enlargement(1280, 720, 1080, 1920).shown == "405x720"
