"""Keyframe times come from packet flags (no decoding) and are exact enough to seek to."""

from __future__ import annotations

import pytest

from editfactory.core.errors import MediaError
from editfactory.media.keyframes import keyframe_times, parse_framecrc, typical_interval


def test_keyframes_of_a_long_gop_file(long_gop_source):
    assert keyframe_times(long_gop_source) == pytest.approx([0.0, 4.4, 8.8], abs=1e-6)


def test_parse_framecrc_reads_the_key_flag_and_time_base():
    lines = [
        "#tb 0: 1/15360\n",
        "0,      -1024,          0,      512,    37797, 0x62ef4749\n",  # no F= : a plain key packet
        "0,       -512,        512,      512,    26046, 0xdafc83ae, F=0x0\n",
        "0,      14336,      15360,      512,    48506, 0x35df3fa6, F=0x3\n",  # key and corrupt: still a keyframe
        "0,      29696,      30720,      512,    50771, 0xaf6683d7, F=0x4\n",  # discard only
    ]
    assert parse_framecrc(lines) == [0.0, 1.0]


def test_typical_interval():
    assert typical_interval([0.0, 1.0, 2.0, 10.0]) == 1.0
    assert typical_interval([3.0]) == 0.0


def test_unreadable_file_is_a_media_error(tmp_path):
    path = tmp_path / "junk.mp4"
    path.write_text("junk")
    with pytest.raises(MediaError, match="Reading the keyframes of junk.mp4"):
        keyframe_times(path)
