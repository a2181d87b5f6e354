"""Proxies: a draft decodes a low-resolution copy of each source when it is whole, and frames it like the final."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from media_helpers import ffmpeg, frame_at

from editfactory.core.errors import CancelledError
from editfactory.media.presets import RenderPreset, draft_preset
from editfactory.media.probe import probe
from editfactory.media.proxies import PROXY_SHORT_SIDE, make_proxy
from editfactory.media.render import render_clip
from editfactory.media.spec import Proxy, RenderSegment, RenderSpec

FINAL = RenderPreset("proxytest", width=540, height=960, fps=30, x264_preset="superfast")
DRAFT = draft_preset(FINAL)  # 270x480
SUBJECT_X = 0.8
"""Where the white subject stands, as a fraction of the source's width (far right: the centre crop misses it)."""


@pytest.fixture(scope="module")
def wide_source(tmp_path_factory) -> Path:
    """3 s of 1280x720 at 30 fps: a moving test pattern with a white box (the subject) around 0.8 of the width."""
    path = tmp_path_factory.mktemp("proxy-media") / "wide.mp4"
    box = f"drawbox=x={int(1280 * SUBJECT_X) - 60}:y=260:w=120:h=200:color=white:t=fill"
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30,{box}", "-f", "lavfi",
           "-i", "sine=f=330:sample_rate=48000", "-t", "3", "-c:v", "libx264", "-preset", "ultrafast",
           "-pix_fmt", "yuv420p", "-c:a", "aac", str(path))
    return path


@pytest.fixture(scope="module")
def wide_proxy(wide_source, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("proxies")
    return make_proxy(wide_source, folder / "wide.mp4", work_root=folder / "tmp")


def _spec(source: Path, preset: RenderPreset, proxies=()) -> RenderSpec:
    segment = RenderSegment(source, 0.5, 2.5, "fill", track=((0.0, SUBJECT_X), (3.0, SUBJECT_X)))
    return RenderSpec(segments=[segment], caption_style=None, preset=preset, proxies=proxies)


def _video_inputs(command) -> list[str]:
    """The files ffmpeg decodes pictures from: each ``-i`` whose options say neither ``-vn`` (sound only) nor
    ``lavfi`` (silence made by ffmpeg)."""
    inputs, options = [], []
    for arg, following in zip(command, command[1:]):
        if arg == "-i":
            if "-vn" not in options and "lavfi" not in options:
                inputs.append(following)
            options = []
        else:
            options.append(arg)
    return inputs


def test_a_proxy_is_the_source_at_540_on_its_short_side_with_every_frame(wide_source, wide_proxy, tmp_path):
    source, proxy = probe(wide_source), probe(wide_proxy)
    assert (proxy.width, proxy.height) == (960, PROXY_SHORT_SIDE) and proxy.has_audio
    assert proxy.frame_count == source.frame_count == 90 and proxy.fps == source.fps == 30
    assert proxy.duration == pytest.approx(source.duration, abs=0.04)
    assert proxy.video_codec == "h264"

    upright = tmp_path / "upright.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=720x1280:rate=25", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast",
           "-pix_fmt", "yuv420p", str(upright))
    made = probe(make_proxy(upright, tmp_path / "upright-proxy.mp4", work_root=tmp_path / "tmp"))
    assert (made.width, made.height, made.fps, made.frame_count) == (540, 960, 25, 25)

    small = tmp_path / "small.mp4"  # already no larger than a proxy: it is its own
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast",
           str(small))
    assert make_proxy(small, tmp_path / "small-proxy.mp4", work_root=tmp_path / "tmp") is None
    assert not (tmp_path / "small-proxy.mp4").exists() and list((tmp_path / "tmp").iterdir()) == []


def test_a_draft_decodes_the_proxy_and_frames_the_subject_as_the_final_does(wide_source, wide_proxy, tmp_path):
    final = render_clip(_spec(wide_source, FINAL), tmp_path / "final.mp4")
    draft = render_clip(_spec(wide_source, DRAFT, [Proxy(wide_source, wide_proxy)]), tmp_path / "draft.mp4")
    assert _video_inputs(draft.command) == [str(wide_proxy)]  # the source is not decoded at all
    assert _video_inputs(final.command) == [str(wide_source)]
    # A final render ignores proxies even when the spec names them.
    again = render_clip(_spec(wide_source, FINAL, [Proxy(wide_source, wide_proxy)]), tmp_path / "final2.mp4")
    assert _video_inputs(again.command) == [str(wide_source)]

    at = 1.0
    scaled_final = _half(frame_at(final.path, at, FINAL.width, FINAL.height))
    draft_frame = frame_at(draft.path, at, DRAFT.width, DRAFT.height).astype(float)
    # The subject stands where the final puts it (the crop followed it on the proxy's smaller frame too) …
    assert abs(_subject_column(draft_frame) - _subject_column(scaled_final)) <= 3
    assert np.abs(draft_frame - scaled_final).mean() < 12
    # … whereas a centre crop of the same footage (what ignoring the track would give) looks nothing like it.
    centre = render_clip(RenderSpec(segments=[RenderSegment(wide_source, 0.5, 2.5, "fill")], caption_style=None,
                                    preset=DRAFT), tmp_path / "centre.mp4")
    assert np.abs(frame_at(centre.path, at, DRAFT.width, DRAFT.height).astype(float) - scaled_final).mean() > 30


def test_the_draft_shows_what_the_proxy_holds(wide_source, tmp_path):
    """A proxy of the right length but another picture (solid red) shows up in the draft: the draft reads it."""
    red = tmp_path / "red.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:size=960x540:rate=30", "-t", "3", "-c:v", "libx264", "-preset",
           "ultrafast", "-pix_fmt", "yuv420p", str(red))
    draft = render_clip(_spec(wide_source, DRAFT, [Proxy(wide_source, red)]), tmp_path / "draft.mp4")
    r, g, b = frame_at(draft.path, 1.0, DRAFT.width, DRAFT.height).reshape(-1, 3).mean(axis=0)
    assert r > 200 and g < 40 and b < 40


@pytest.mark.parametrize("damage", ["missing", "cut off", "too short", "not a video"])
def test_a_missing_or_broken_proxy_falls_back_to_the_source(wide_source, wide_proxy, tmp_path, damage):
    proxy = tmp_path / "proxy.mp4"
    if damage == "cut off":  # the first half of a whole proxy, as an interrupted copy leaves it
        data = wide_proxy.read_bytes()
        proxy.write_bytes(data[: len(data) // 2])
    elif damage == "too short":
        ffmpeg("-i", str(wide_proxy), "-t", "1.5", "-c", "copy", str(proxy))
    elif damage == "not a video":
        proxy.write_bytes(b"not a video at all")
    draft = render_clip(_spec(wide_source, DRAFT, [Proxy(wide_source, proxy)]), tmp_path / "draft.mp4")
    assert _video_inputs(draft.command) == [str(wide_source)]
    assert probe(draft.path).duration == pytest.approx(2.0, abs=0.1)


def test_a_killed_or_cancelled_proxy_run_leaves_nothing_a_draft_would_read(tmp_path):
    source = tmp_path / "long.mp4"  # long enough that the kill lands while ffmpeg writes
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "40", "-c:v", "libx264", "-preset",
           "ultrafast", "-pix_fmt", "yuv420p", str(source))
    target, work_root = tmp_path / "proxies" / "long.mp4", tmp_path / "tmp"
    code = ("import sys; from pathlib import Path; from editfactory.media.proxies import make_proxy; "
            "make_proxy(Path(sys.argv[1]), Path(sys.argv[2]), work_root=Path(sys.argv[3]))")
    process = subprocess.Popen([sys.executable, "-c", code, str(source), str(target), str(work_root)],
                               env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    deadline = time.monotonic() + 120
    while not any(p.stat().st_size > 0 for p in work_root.glob("*/proxy.mp4")):  # ffmpeg has written some of it
        assert process.poll() is None and time.monotonic() < deadline, "the proxy run ended before it could be killed"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert not target.exists()  # only a scratch file, under another name, in the work folder
    partial = next(work_root.glob("*/proxy.mp4"), None)
    if partial is not None:  # even moved where the proxy belongs (say, by hand), a cut-off file is not taken
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, target)
        draft = render_clip(RenderSpec(segments=[(source, 1.0, 2.0)], caption_style=None, preset=DRAFT,
                                       proxies=[Proxy(source, target)]), tmp_path / "draft.mp4")
        assert _video_inputs(draft.command) == [str(source)]
        target.unlink()

    import threading
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        make_proxy(source, target, work_root=work_root, cancel=cancel)
    assert not target.exists() and list(work_root.iterdir()) == []  # the killed run's stale folder went too


def _half(frame: np.ndarray) -> np.ndarray:
    """A frame at half its size (2x2 means), as the draft's smaller picture."""
    f = frame.astype(float)
    return (f[0::2, 0::2] + f[1::2, 0::2] + f[0::2, 1::2] + f[1::2, 1::2]) / 4


def _subject_column(frame: np.ndarray) -> float:
    """The mean column of the white box's pixels."""
    white = (frame > 235).all(axis=2)
    assert white.sum() > 100, "the subject is not in the picture"
    return float(np.nonzero(white)[1].mean())
