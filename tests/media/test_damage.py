"""Compression damage from the analysis pass: a heavily compressed copy of good footage scores more damage and a
lower window score than the clean copy; the tiles that measure it ride along in the same decode without changing
the 160 px frames the other scores read. Frames of each case are saved to test-artifacts/frames."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from media_helpers import ffmpeg

from editfactory.media.analysis import DAMAGE_PENALTY, WEIGHTS, AnalysisOptions, analyze_video
from editfactory.media.damage import BLOCK_CLEAN, MOSAIC_ROWS, TILE, frame_blockiness, with_detail_tiles
from editfactory.media.runner import ffmpeg_path

FRAMES = Path(__file__).resolve().parents[2] / "test-artifacts" / "frames"
GOOD = ("mandelbrot=size={size}:rate=30[m];testsrc2=size={size}:rate=30[t];[m][t]blend=all_mode=average,"
        "noise=alls=12:allf=t,format=yuv420p")
"""Good footage: detail everywhere and a little moving grain, as a camera gives (a synthetic picture with large
flat areas would give the blocks nothing to show on)."""


@pytest.fixture(scope="session")
def good_640(media_dir) -> Path:
    path = media_dir / "good-640.mp4"
    ffmpeg("-filter_complex", GOOD.format(size="640x360"), "-t", "4", "-c:v", "libx264", "-preset", "veryfast",
           "-crf", "18", str(path))
    return path


@pytest.fixture(scope="session")
def crushed_640(media_dir, good_640) -> Path:
    """The same footage after an encoder was starved: x264 at its worst quality (CRF 51)."""
    path = media_dir / "crushed-640.mp4"
    ffmpeg("-i", str(good_640), "-c:v", "libx264", "-preset", "veryfast", "-crf", "51", str(path))
    return path


@pytest.fixture(scope="session")
def phone_clean(media_dir, good_640) -> Path:
    """An old phone's 176x144 clip, kept well."""
    path = media_dir / "phone-clean.mp4"
    ffmpeg("-i", str(good_640), "-vf", "scale=176:144", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", str(path))
    return path


@pytest.fixture(scope="session")
def phone_crushed(media_dir, phone_clean) -> Path:
    """The same phone clip as sent around by messengers: MPEG-4 part 2 at its coarsest quantizer (q 31)."""
    path = media_dir / "phone-crushed.mp4"
    ffmpeg("-i", str(phone_clean), "-c:v", "mpeg4", "-q:v", "31", str(path))
    return path


def _frame(path: Path, seconds: float) -> np.ndarray:
    raw = subprocess.run([ffmpeg_path(), "-v", "error", "-ss", f"{seconds}", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], check=True, capture_output=True).stdout
    return raw


def _save_side_by_side(name: str, clean: Path, damaged: Path, size: tuple[int, int], zoom: int) -> None:
    from PIL import Image

    width, height = size
    pictures = [Image.frombytes("RGB", size, _frame(p, 1.0)).resize((width * zoom, height * zoom), Image.NEAREST)
                for p in (clean, damaged)]
    both = Image.new("RGB", (width * zoom * 2 + 8, height * zoom), "white")
    both.paste(pictures[0], (0, 0))
    both.paste(pictures[1], (width * zoom + 8, 0))
    FRAMES.mkdir(parents=True, exist_ok=True)
    both.save(FRAMES / f"{name}.png")


@pytest.mark.parametrize(("clean", "damaged", "size", "zoom"), [
    ("good_640", "crushed_640", (640, 360), 1),
    ("phone_clean", "phone_crushed", (176, 144), 3),
])
def test_a_heavily_compressed_copy_scores_more_damage_and_lower(request, clean, damaged, size, zoom):
    clean_path, damaged_path = request.getfixturevalue(clean), request.getfixturevalue(damaged)
    _save_side_by_side(f"damage-{clean}-vs-{damaged}", clean_path, damaged_path, size, zoom)
    good = {w.start: w for w in analyze_video(clean_path, AnalysisOptions(keyframe_snap=0)).windows}
    bad = {w.start: w for w in analyze_video(damaged_path, AnalysisOptions(keyframe_snap=0)).windows}
    assert set(good) == set(bad) and len(good) == 2
    for start, window in good.items():
        assert window.damage <= 0.15, (start, window.damage)
        assert bad[start].damage >= 0.5, (start, bad[start].damage)
        assert bad[start].score < window.score, (start, bad[start].score, window.score)
        assert bad[start].scores()["damage"] == bad[start].damage  # stored with the segment's scores
        # The damage itself takes its share of the score, over what the other scores give.
        assert bad[start].score == pytest.approx(_undamaged(bad[start]) * (1 - DAMAGE_PENALTY * bad[start].damage),
                                                 abs=1e-4)
        assert bad[start].score < _undamaged(bad[start]) - 0.1


def _undamaged(window) -> float:
    """The window's score from motion, variety, sharpness and brightness alone (analysis's WEIGHTS)."""
    parts = {"motion": min(window.motion / 0.04, 1.0), "variety": window.variety, "sharpness": window.sharpness,
             "brightness": 1.0 - min(abs(window.brightness - 0.5) / 0.45, 1.0)}
    return sum(WEIGHTS[k] * v for k, v in parts.items())


def test_blockiness_of_block_averaged_texture():
    rng = np.random.default_rng(3)
    texture = rng.normal(128, 20, size=(15, TILE, TILE)).astype(np.float32)
    texture += np.linspace(0, 30, TILE, dtype=np.float32)  # a gentle gradient under the grain
    blocks = texture.reshape(15, TILE // 8, 8, TILE // 8, 8).mean(axis=(2, 4), keepdims=True)
    blocky = np.broadcast_to(blocks, (15, TILE // 8, 8, TILE // 8, 8)).reshape(15, TILE, TILE)
    assert frame_blockiness(texture) < BLOCK_CLEAN
    assert frame_blockiness(blocky + rng.normal(0, 0.3, blocky.shape).astype(np.float32)) > 2 * BLOCK_CLEAN
    assert frame_blockiness(np.full((15, TILE, TILE), 90.0, np.float32)) == 1.0, "a flat picture shows no blocks"


def test_the_tiles_ride_along_without_changing_the_analysis_frames(good_640):
    """The other scores read exactly the frames they read before the tiles were added to the decode."""
    chain = "scale=160:90:flags=area,format=gray"

    def decode(graph: str) -> bytes:
        return subprocess.run([ffmpeg_path(), "-v", "error", "-skip_loop_filter", "all", "-skip_frame", "noref",
                               "-i", str(good_640), "-map", "0:v:0", "-vf", f"fps=4,{graph}", "-f", "rawvideo",
                               "-pix_fmt", "gray", "-"], check=True, capture_output=True).stdout

    plain = np.frombuffer(decode(chain), np.uint8).reshape(-1, 90, 160)
    stacked = np.frombuffer(decode(with_detail_tiles(chain, 640, 360, 160)), np.uint8).reshape(-1, 90 + MOSAIC_ROWS, 160)
    assert len(plain) == len(stacked) == 16
    assert np.array_equal(stacked[:, :90], plain)
    # The tiles are native pixels: the first tile is the source's 32x32 block at its grid-aligned origin.
    native = subprocess.run([ffmpeg_path(), "-v", "error", "-skip_loop_filter", "all", "-skip_frame", "noref",
                             "-i", str(good_640), "-vf", "fps=4,format=gray", "-frames:v", "1", "-f", "rawvideo",
                             "-pix_fmt", "gray", "-"], check=True, capture_output=True).stdout
    first = np.frombuffer(native, np.uint8).reshape(360, 640)
    assert np.array_equal(stacked[0, 90:90 + TILE, :TILE], first[32:64, 48:80])
