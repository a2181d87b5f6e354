"""Small media generated with ffmpeg's lavfi sources, made once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from media_helpers import ffmpeg


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def plain_source(media_dir) -> Path:
    """4 s of moving 320x240 test picture with a tone."""
    path = media_dir / "plain.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-f", "lavfi", "-i", "sine=f=330:sample_rate=48000",
           "-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path))
    return path


@pytest.fixture(scope="session")
def rotated_source(media_dir) -> Path:
    """A landscape-coded 320x240 file whose display matrix turns it 90° (like a phone held upright).

    The top half is white and the bottom half black, so the upright picture is split left/right instead.
    """
    coded = media_dir / "coded.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=black:size=320x240:rate=30,drawbox=x=0:y=0:w=320:h=120:color=white:t=fill",
           "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(coded))
    path = media_dir / "rotated.mp4"
    ffmpeg("-display_rotation", "90", "-i", str(coded), "-c", "copy", str(path))
    return path


@pytest.fixture(scope="session")
def static_then_moving(media_dir) -> Path:
    """6 s of a nearly static shot (a picture drifting 4 px/s, like a tripod shot), then 6 s of fast zooming fractal."""
    path = media_dir / "static_then_moving.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=400x300:rate=30,trim=end_frame=1,loop=loop=179:size=1,setpts=N/30/TB,crop=320:240:x='t*4':y=20",
        "-f", "lavfi", "-i", "mandelbrot=size=320x240:rate=30",
        "-filter_complex", "[0:v]format=yuv420p[a];[1:v]trim=duration=6,setpts=PTS-STARTPTS,format=yuv420p[b];[a][b]concat=n=2:v=1[v]",
        "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast", str(path),
    )
    return path


@pytest.fixture(scope="session")
def repeated_shot(media_dir) -> Path:
    """The same 2 s of moving fractal three times over (a shot pasted in three times)."""
    path = media_dir / "repeated.mp4"
    ffmpeg("-f", "lavfi", "-i", "mandelbrot=size=320x240:rate=30,trim=duration=2,loop=loop=2:size=60,setpts=N/30/TB",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path))
    return path


@pytest.fixture(scope="session")
def black_frozen_moving(media_dir) -> Path:
    """4 s black, 4 s frozen still, 4 s moving."""
    path = media_dir / "black_frozen_moving.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=black:size=320x240:rate=30:duration=4",
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30,trim=end_frame=1,loop=loop=119:size=1,setpts=N/30/TB",
        "-f", "lavfi", "-i", "mandelbrot=size=320x240:rate=30",
        "-filter_complex",
        "[0:v]format=yuv420p[a];[1:v]format=yuv420p[b];[2:v]trim=duration=4,setpts=PTS-STARTPTS,format=yuv420p[c];"
        "[a][b][c]concat=n=3:v=1[v]",
        "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast", str(path),
    )
    return path


FROZEN_STILL = "testsrc2=size=320x240:rate=30,trim=end_frame=1,loop=loop=179:size=1,setpts=N/30/TB"
TEXTURE_PAN = ("nullsrc=size=1600x240:rate=30,geq=lum='128+100*sin(X*1.3)*cos(Y*0.7+X*0.11)':cb=128:cr=128,"
               "trim=end_frame=1,loop=loop=179:size=1,setpts=N/30/TB,crop=320:240:x='t*60':y=0")
"""A camera panning over fine texture (fabric, grass): every frame differs, yet 16x9 block means barely change."""


@pytest.fixture(scope="session")
def frozen_black_pan_frozen(media_dir) -> Path:
    """Frozen still 0–6 s, black 6–12 s, a pan over fine texture 12–18 s, a frozen still (bars) 18–24 s."""
    path = media_dir / "frozen_black_pan_frozen.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", FROZEN_STILL,
        "-f", "lavfi", "-i", "color=c=black:size=320x240:rate=30:duration=6",
        "-f", "lavfi", "-i", TEXTURE_PAN,
        "-f", "lavfi", "-i", "smptebars=size=320x240:rate=30,trim=end_frame=1,loop=loop=179:size=1,setpts=N/30/TB",
        "-filter_complex",
        "[0:v]format=yuv420p[a];[1:v]format=yuv420p[b];[2:v]trim=duration=6,setpts=PTS-STARTPTS,format=yuv420p[c];"
        "[3:v]format=yuv420p[d];[a][b][c][d]concat=n=4:v=1[v]",
        "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast", str(path),
    )
    return path


@pytest.fixture(scope="session")
def black_then_dark_moving(media_dir) -> Path:
    """6 s of static black, then 6 s of a dim moving picture (a night shot: mean luma ~0.06, little contrast)."""
    path = media_dir / "black_then_dark_moving.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=black:size=320x240:rate=30:duration=6",
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30,lutyuv=y=16+(val-16)*0.12",
        "-filter_complex",
        "[0:v]format=yuv420p[a];[1:v]trim=duration=6,setpts=PTS-STARTPTS,format=yuv420p[b];[a][b]concat=n=2:v=1[v]",
        "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast", str(path),
    )
    return path


@pytest.fixture(scope="session")
def voiceover(media_dir) -> Path:
    """3 s of a 'voice': a tone that swells and fades, quieter than a broadcast mix (so loudnorm must lift it)."""
    path = media_dir / "voice.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=f=220:sample_rate=22050,volume='0.05+0.1*sin(2*PI*t)':eval=frame",
           "-t", "3", str(path))
    return path


@pytest.fixture(scope="session")
def long_gop_source(media_dir) -> Path:
    """10 s of moving picture with a keyframe only every 4.4 s (0, 4.4, 8.8), like a screen recording; B-frames on."""
    path = media_dir / "long_gop.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "10", "-c:v", "libx264", "-preset", "veryfast",
           "-g", "132", "-sc_threshold", "0", "-pix_fmt", "yuv420p", str(path))
    return path
