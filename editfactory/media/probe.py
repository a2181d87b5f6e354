"""Probe a media file with ffmpeg itself (no ffprobe needed): streams, size, rate, rotation, real length.

Two cheap ffmpeg runs: ``ffmpeg -i`` prints the container header (codecs, size, fps,
display-matrix rotation, audio), then the video stream is copied to the null muxer,
which counts the packets actually present — that catches truncated files whose header
promises more than the file holds, and gives the real average frame rate of VFR footage.
"""

from __future__ import annotations

import logging
import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from editfactory.core.errors import MediaError
from editfactory.media.runner import _popen, ffmpeg_path, relevant_stderr, run_ffmpeg

log = logging.getLogger(__name__)

_NOT_VIDEO = ("its content is not a video in any format ffmpeg knows (another kind of file with a video name, "
              "or damaged)")


def _unreadable_cause(path: Path, ffmpeg_said: str) -> str:
    """Why ffmpeg could not open ``path``, in words for the user (ffmpeg's own lines go to the log)."""
    said = ffmpeg_said.lower()
    if "permission denied" in said:
        return "this program is not allowed to read it"
    if "moov atom not found" in said:
        with path.open("rb") as handle:
            head = handle.read(12)
        if head[4:8] == b"ftyp":  # starts as an MP4 does: its index (at the end) never arrived
            return "it is incomplete, an MP4 whose index is missing, as when a copy or download stops early"
        return _NOT_VIDEO
    if "invalid data found" in said:
        return _NOT_VIDEO
    return "it may be damaged, truncated, or another kind of file"


PROBE_TIMEOUT = 60.0

_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+.*?: Video: (\w+)(.*)")
_AUDIO = re.compile(r"Stream #\d+:\d+.*?: Audio: (\w+)(.*)")
_SAMPLE_RATE = re.compile(r"(\d+) Hz")
_PROFILE = re.compile(r"^\s*\(([^)/]+)\)")
_PIX_FMT = re.compile(r"\),\s*([a-z0-9_]+)\(?")
_SIZE = re.compile(r"(?:,|\s)(\d{1,6})x(\d{1,6})(?:[\s,]|$)")
_FPS = re.compile(r"([\d.]+)(k?) fps")
_TBR = re.compile(r"([\d.]+)(k?) tbr")
_ROTATION = re.compile(r"rotation of (-?[\d.]+) degrees")


@dataclass(frozen=True)
class MediaInfo:
    """What a file holds. ``width``/``height`` are as displayed, i.e. after rotation."""

    path: str
    duration: float
    has_video: bool
    has_audio: bool
    video_codec: str | None = None
    audio_codec: str | None = None
    coded_width: int = 0
    coded_height: int = 0
    width: int = 0
    height: int = 0
    fps: float = 0.0
    """Average frame rate (frames counted over the real length), so VFR phone footage reports a sensible value."""
    nominal_fps: float = 0.0
    variable_frame_rate: bool = False
    rotation: int = 0
    """Clockwise degrees the picture must be turned to be upright (0, 90, 180, 270)."""
    frame_count: int = 0
    header_duration: float = 0.0
    video_profile: str | None = None
    pix_fmt: str | None = None
    sample_rate: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def _rate(match: re.Match | None) -> float:
    if not match:
        return 0.0
    return float(match.group(1)) * (1000 if match.group(2) else 1)


def read_header(path: Path) -> str:
    """What ``ffmpeg -i path`` prints about the file (container, streams), with the configured ffmpeg and a timeout."""
    process = _popen([ffmpeg_path(), "-hide_banner", "-nostdin", "-i", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, stderr = process.communicate(timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise MediaError(f"Reading the header of {path.name} took over {PROBE_TIMEOUT:.0f} s; the file may be on a stalled drive or damaged.")
    return stderr.decode("utf-8", "replace")


def _count_video_packets(path: Path) -> tuple[int, float]:
    lines: list[str] = []
    args = ["-v", "error", "-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "null", "-progress", "pipe:2", "-"]
    lines = run_ffmpeg(args, timeout=PROBE_TIMEOUT, what=f"Checking {path.name}")
    frames, seconds = 0, 0.0
    for line in lines:
        key, _, value = line.strip().partition("=")
        if key == "frame" and value.isdigit():
            frames = int(value)
        elif key == "out_time_us" and value.lstrip("-").isdigit():
            seconds = max(int(value) / 1_000_000, 0.0)
    return frames, seconds


def probe(path: Path | str, *, count_frames: bool = True) -> MediaInfo:
    """Describe ``path``; raise :class:`MediaError` when ffmpeg cannot read it at all."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"{path} does not exist or is not a file.")
    text = read_header(path)
    if "Input #0" not in text:
        log.info("ffmpeg cannot read %s:\n%s", path, relevant_stderr(text.splitlines(), limit=8))
        raise MediaError(
            f"{path.name} is not a media file ffmpeg can read: {_unreadable_cause(path, text)}. "
            "Check that it plays in a video player, copy or download it again, or export it as MP4 (H.264)."
        )
    duration_match = _DURATION.search(text)
    header_duration = 0.0
    if duration_match:
        h, m, s = duration_match.groups()
        header_duration = int(h) * 3600 + int(m) * 60 + float(s)
    video_line = _VIDEO.search(text)
    audio_match = _AUDIO.search(text)
    info: dict = {
        "path": str(path),
        "duration": header_duration,
        "header_duration": header_duration,
        "has_video": video_line is not None,
        "has_audio": audio_match is not None,
        "audio_codec": audio_match.group(1) if audio_match else None,
    }
    if audio_match and (rate := _SAMPLE_RATE.search(audio_match.group(2))):
        info["sample_rate"] = int(rate.group(1))
    if video_line is None:
        return MediaInfo(**info)
    details = video_line.group(2)
    size = _SIZE.search(details)
    coded_w, coded_h = (int(size.group(1)), int(size.group(2))) if size else (0, 0)
    rotation_match = _ROTATION.search(text[video_line.start():])
    # ffmpeg prints the counter-clockwise display matrix angle; we keep the clockwise turn needed.
    rotation = int(round(-float(rotation_match.group(1)))) % 360 if rotation_match else 0
    width, height = (coded_h, coded_w) if rotation in (90, 270) else (coded_w, coded_h)
    nominal = _rate(_FPS.search(details)) or _rate(_TBR.search(details))
    info.update(
        video_codec=video_line.group(1),
        video_profile=(m.group(1).strip() if (m := _PROFILE.search(details)) else None),
        pix_fmt=(m.group(1) if (m := _PIX_FMT.search(details)) else None),
        coded_width=coded_w,
        coded_height=coded_h,
        width=width,
        height=height,
        rotation=rotation,
        nominal_fps=nominal,
        fps=nominal,
    )
    if count_frames and header_duration > 0:
        try:
            frames, seconds = _count_video_packets(path)
        except MediaError as error:
            log.info("ffmpeg cannot read the video packets of %s: %s", path, error)
            raise MediaError(
                f"{path.name} cannot be read to its end: it is damaged or was cut off while being copied. "
                "Copy or download it again, or export it as MP4 (H.264), then import."
            ) from None
        info["frame_count"] = frames
        frame_time = 1 / nominal if nominal else 0.0
        if 0 < seconds + 2 * frame_time < header_duration * 0.98:
            # Fewer packets than the header promises: a truncated file; trust what is really there.
            info["duration"] = seconds + frame_time
        if frames > 1 and info["duration"] > 0:
            average = frames / info["duration"]
            info["fps"] = round(average, 3)
            tbr = _rate(_TBR.search(details))
            info["variable_frame_rate"] = bool(tbr and abs(average - tbr) / tbr > 0.02)
    return MediaInfo(**info)
