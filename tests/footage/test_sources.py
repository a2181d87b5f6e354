"""Importing sources into a profile: copy, dedup, probe, thumbnail; bad input leaves nothing behind."""

from __future__ import annotations

import re

import pytest
from library_helpers import make_media

from editfactory.core.errors import MediaError, NotFoundError, ValidationError
from editfactory.footage.deletion import delete_source
from editfactory.footage.segments import create_segment, list_segments
from editfactory.footage.sources import get_source, import_source, list_sources


def leftovers(profile) -> tuple[list[str], int]:
    files = sorted(p.name for p in profile.paths.media.iterdir())
    rows = profile.db.fetchone("SELECT count(*) FROM source_videos")[0]
    return files, rows


def test_import_copies_probes_and_thumbnails(profile, video):
    seen: list[float] = []
    source = import_source(profile, video, progress=lambda message, fraction: seen.append(fraction))
    assert source.path.parent == profile.paths.media and source.path.read_bytes() == video.read_bytes()
    assert source.thumbnail_path.is_file() and source.thumbnail_path.read_bytes()[:2] == b"\xff\xd8"
    assert (source.width, source.height, source.has_audio) == (320, 240, True)
    assert source.duration == pytest.approx(6.0, abs=0.05)
    assert source.filename == "product.mp4"
    stored = profile.db.fetchone("SELECT path FROM source_videos WHERE id = ?", [source.id])[0]
    assert not stored.startswith("/"), "paths are stored relative to the profile folder"
    assert seen[-1] == 1.0
    assert list_sources(profile) == [source] and get_source(profile, source.id) == source


def test_same_content_is_imported_once(profile, video, tmp_path):
    copy = tmp_path / "renamed copy.mp4"
    copy.write_bytes(video.read_bytes())
    first = import_source(profile, video)
    second = import_source(profile, copy)
    assert first.id == second.id
    assert leftovers(profile) == (sorted([first.path.name, first.thumbnail_path.name]), 1)


def test_rotated_phone_video_is_stored_upright(profile, inputs):
    coded = make_media(inputs / "coded.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast")
    rotated = make_media(inputs / "phone.mp4", "-display_rotation", "90", "-i", str(coded), "-c", "copy")
    source = import_source(profile, rotated)
    assert (source.width, source.height) == (240, 320) and source.rotation in (90, 270)


@pytest.fixture(scope="session")
def bad_inputs(tmp_path_factory):
    """One file of each kind of bad input, made once per session (the tests only read them)."""
    tmp_path = tmp_path_factory.mktemp("bad_inputs")
    zero = tmp_path / "empty.mp4"
    zero.write_bytes(b"")
    text = tmp_path / "readme.mp4"
    text.write_text("not a video at all")
    audio = make_media(tmp_path / "tone.m4a", "-f", "lavfi", "-i", "sine", "-t", "1")
    tiny = make_media(tmp_path / "tiny.mp4", "-f", "lavfi", "-i", "testsrc2=size=32x32:rate=10", "-t", "1", "-c:v", "libx264")
    strip = make_media(tmp_path / "strip.mp4", "-f", "lavfi", "-i", "testsrc2=size=2000x100:rate=10", "-t", "1", "-c:v", "libx264")
    huge = make_media(tmp_path / "huge.mp4", "-f", "lavfi", "-i", "color=size=8400x1800:rate=1", "-frames:v", "1", "-c:v", "libx264",
                      "-preset", "ultrafast")
    whole = make_media(tmp_path / "whole.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "4", "-c:v", "libx264",
                       "-preset", "ultrafast", "-movflags", "+faststart")
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    no_index = tmp_path / "no_index.mp4"
    plain = make_media(tmp_path / "plain.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast")
    no_index.write_bytes(plain.read_bytes()[: plain.stat().st_size // 2])
    avi = make_media(tmp_path / "odd.avi", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10", "-t", "1", "-c:v", "mpeg4", "-vtag", "XVID")
    unknown = tmp_path / "unknown_codec.avi"
    unknown.write_bytes(avi.read_bytes().replace(b"XVID", b"ZQZQ"))
    return {
        "zero-byte": (zero, ValidationError, "empty"),
        "not a video": (text, MediaError, "not a media file"),
        "audio only": (audio, ValidationError, "audio only"),
        "too small": (tiny, ValidationError, "32x32 pixels"),
        "absurd shape": (strip, ValidationError, "2000x100 pixels"),
        "too large": (huge, ValidationError, "8400x1800 pixels"),
        "truncated": (truncated, MediaError, "truncated"),
        "truncated without index": (no_index, MediaError, "not a media file"),
        "unsupported codec": (unknown, MediaError, "cannot decode"),
    }


@pytest.mark.parametrize(
    "case",
    ["zero-byte", "not a video", "audio only", "too small", "absurd shape", "too large", "truncated", "truncated without index", "unsupported codec"],
)
def test_bad_input_gets_a_clear_error_and_leaves_nothing(profile, bad_inputs, case):
    path, error, message = bad_inputs[case]
    with pytest.raises(error, match=message) as caught:
        import_source(profile, path)
    assert path.name in str(caught.value), "the message names the file"
    assert re.search(r"\b(import|convert|export|download)\b", str(caught.value), re.I), "the message says what to do next"
    assert_plain_words(str(caught.value), path, profile)
    assert leftovers(profile) == ([], 0)
    assert list(profile.paths.tmp.iterdir()) == []


FFMPEG_INTERNALS = re.compile(r"@ 0x|\[(in|out)#|\[\w+ @|moov atom|Invalid data found|Error opening input|"
                              r"Error while decoding|Conversion failed|\bframe=\s*\d", re.I)


def assert_plain_words(message: str, path, profile) -> None:
    """A refusal says what is wrong in words: no ffmpeg log lines, no folder of this machine or of the profile."""
    assert not FFMPEG_INTERNALS.search(message), message
    assert str(path.parent) not in message and str(profile.paths.tmp.parent) not in message, message
    assert "\n" not in message, message


def test_the_ffmpeg_lines_of_a_refused_file_go_to_the_log(profile, bad_inputs, caplog):
    path = bad_inputs["truncated without index"][0]
    with caplog.at_level("INFO", logger="editfactory"), pytest.raises(MediaError, match="no_index.mp4"):
        import_source(profile, path)
    assert "moov atom not found" in caplog.text, "what ffmpeg said is kept for whoever reads the log"


def test_missing_file(profile, tmp_path):
    with pytest.raises(ValidationError, match="does not exist"):
        import_source(profile, tmp_path / "nope.mp4")


def test_sources_of_another_profile_are_not_found(profile, other_profile, video):
    source = import_source(profile, video)
    with pytest.raises(NotFoundError):
        get_source(other_profile, source.id)
    with pytest.raises(NotFoundError):
        delete_source(other_profile, source.id)
    assert list_sources(other_profile) == []
    # Importing the same file into the other profile makes its own copy.
    theirs = import_source(other_profile, video)
    assert theirs.id != source.id and theirs.path.parent == other_profile.paths.media


def test_delete_removes_row_segments_and_files(profile, video):
    source = import_source(profile, video)
    create_segment(profile, source.id, 0, 1)
    delete_source(profile, source.id)
    assert leftovers(profile) == ([], 0)
    assert list_segments(profile) == []
    with pytest.raises(NotFoundError):
        get_source(profile, source.id)
