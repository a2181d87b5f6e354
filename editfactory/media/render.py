"""Render a finished clip in ONE ffmpeg pass: trims → scale/crop → concat → burned captions → encode.

This module is pure: files in, one file out, no database — so a Dask worker or a
notebook can call :func:`render_clip` directly. The library layer
(:mod:`editfactory.library.renders`) wraps it for a profile.

The output is written to a temporary file inside a per-process work folder and
moved into place with ``os.replace`` only when ffmpeg succeeded; cancel, failure,
timeout or a killed process leave no partial clip, and stale work folders are
removed on the next start (:func:`editfactory.storage.tempdirs.clean_stale_temp`).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ffmpeg

from editfactory.errors import ValidationError
from editfactory.media import loudness
from editfactory.media.captions import FONTS_DIR, CaptionStyle, normalize_words, write_ass
from editfactory.media.presets import RenderPreset, get_preset
from editfactory.media.probe import MediaInfo, probe
from editfactory.media.runner import run_ffmpeg
from editfactory.progress import ProgressCallback
from editfactory.storage.tempdirs import clean_stale_temp, make_temp_dir

SHORTFALL_PADDED = 0.5
"""Seconds of missing footage the render covers by holding the last frame; more than that is refused."""


@dataclass(frozen=True)
class RenderSegment:
    """A piece of a source video, in seconds."""

    source: Path
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class RenderSpec:
    """Everything a clip is made of. ``words`` are ``(word, start, end)`` in voiceover time."""

    segments: Sequence[RenderSegment | tuple]
    voiceover: Path | None = None
    words: Sequence = ()
    caption_style: CaptionStyle | None = field(default_factory=CaptionStyle)
    """``None`` renders without captions."""
    preset: RenderPreset | str = "tiktok"
    duck_source_audio: bool = False
    """Keep the footage's own sound under the voiceover, pushed down whenever the voice speaks."""
    source_audio_volume: float = 0.35
    timeout: float | None = None


@dataclass(frozen=True)
class RenderResult:
    path: Path
    duration: float
    width: int
    height: int
    fps: int
    measured_input_lufs: float | None
    command: tuple[str, ...]


def _segments(spec: RenderSpec) -> list[RenderSegment]:
    result = []
    for item in spec.segments:
        segment = item if isinstance(item, RenderSegment) else RenderSegment(Path(item[0]), float(item[1]), float(item[2]))
        if segment.end - segment.start <= 0.0:
            raise ValidationError(f"Segment {segment.start}–{segment.end} s of {Path(segment.source).name} is empty.")
        result.append(RenderSegment(Path(segment.source), segment.start, segment.end))
    if not result:
        raise ValidationError("A clip needs at least one segment of footage; pick or analyze some first.")
    return result


def _probe_sources(segments: list[RenderSegment]) -> dict[Path, MediaInfo]:
    infos: dict[Path, MediaInfo] = {}
    for segment in segments:
        if segment.source not in infos:
            info = probe(segment.source, count_frames=False)
            if not info.has_video:
                raise ValidationError(f"{segment.source.name} has no video stream; choose another source.")
            infos[segment.source] = info
        info = infos[segment.source]
        if segment.start < 0 or segment.end > info.duration + 0.05:
            raise ValidationError(
                f"Segment {segment.start:.2f}–{segment.end:.2f} s lies outside {segment.source.name} "
                f"({info.duration:.2f} s long); edit the segment."
            )
    return infos


def _video_chain(stream, preset: RenderPreset):
    # fps first so high-rate footage is thinned before the (costly) scale; crop fills the frame.
    return (
        stream.filter("fps", preset.fps)
        .filter("scale", preset.width, preset.height, force_original_aspect_ratio="increase", flags="bicubic")
        .filter("crop", preset.width, preset.height)
        .filter("setsar", 1)
        .filter("format", preset.pix_fmt)
    )


def _per_segment(segments: list[RenderSegment], build, split_filter: str) -> list:
    """One chain per distinct segment; a segment used several times is split, since ffmpeg-python merges equal nodes."""
    uses: dict[RenderSegment, int] = {}
    for segment in segments:
        uses[segment] = uses.get(segment, 0) + 1
    outlets: dict[RenderSegment, list] = {}
    for segment, count in uses.items():
        chain = build(segment)
        outlets[segment] = [chain] if count == 1 else list(chain.filter_multi_output(split_filter, count)[i] for i in range(count))
    return [outlets[segment].pop(0) for segment in segments]


def _source_audio(segment: RenderSegment, info: MediaInfo, preset: RenderPreset):
    if info.has_audio:
        stream = ffmpeg.input(str(segment.source), ss=segment.start, t=segment.duration, vn=None).audio
    else:
        stream = ffmpeg.input(f"anullsrc=r={preset.sample_rate}:cl=stereo", f="lavfi", t=segment.duration).audio
    return (
        stream.filter("aresample", preset.sample_rate)
        .filter("aformat", sample_fmts="fltp", channel_layouts="stereo")
        .filter("apad", whole_dur=segment.duration)
        .filter("atrim", duration=segment.duration)
        .filter("asetpts", "PTS-STARTPTS")
    )


def _audio_graph(spec: RenderSpec, segments, infos, preset: RenderPreset, duration: float):
    """The clip's audio before loudness normalization; built twice (measure pass and render pass)."""
    voice = None
    if spec.voiceover is not None:
        voice = (
            ffmpeg.input(str(spec.voiceover)).audio.filter("aresample", preset.sample_rate)
            .filter("aformat", sample_fmts="fltp", channel_layouts="stereo")
            .filter("apad").filter("atrim", duration=duration)
        )
    if voice is not None and not spec.duck_source_audio:
        return voice
    pieces = _per_segment(segments, lambda s: _source_audio(s, infos[s.source], preset), "asplit")
    bed = ffmpeg.concat(*pieces, v=0, a=1) if len(pieces) > 1 else pieces[0]
    bed = bed.filter("apad").filter("atrim", duration=duration)
    if voice is None:
        return bed
    bed = bed.filter("volume", spec.source_audio_volume)
    voice_parts = voice.filter_multi_output("asplit", 2)
    ducked = ffmpeg.filter([bed, voice_parts[0]], "sidechaincompress", threshold=0.03, ratio=8, attack=20, release=350)
    return ffmpeg.filter([voice_parts[1], ducked], "amix", inputs=2, duration="first", normalize=0)


def _clip_duration(spec: RenderSpec, segments) -> tuple[float, float]:
    footage = sum(s.duration for s in segments)
    if spec.voiceover is None:
        return footage, 0.0
    voice = probe(spec.voiceover, count_frames=False)
    if not voice.has_audio:
        raise ValidationError(f"The voiceover {Path(spec.voiceover).name} has no audio; synthesize it again.")
    shortfall = voice.duration - footage
    if shortfall > SHORTFALL_PADDED:
        raise ValidationError(
            f"The segments cover {footage:.2f} s but the voiceover lasts {voice.duration:.2f} s; "
            "add segments or let selection fill the voiceover's length."
        )
    return voice.duration, max(shortfall, 0.0)


def render_clip(
    spec: RenderSpec,
    output: Path,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    *,
    work_root: Path | None = None,
) -> RenderResult:
    """Render ``spec`` to ``output`` (an .mp4) in one ffmpeg pass and return what was made.

    ``work_root`` holds the per-process scratch folder (ASS file, partial output); it
    defaults to ``<output folder>/.rendering`` and must be on the same drive as ``output``.
    Raises ValidationError for bad specs, MediaError for ffmpeg failures and
    CancelledError when ``cancel`` is set; in each case nothing is left behind.
    """
    output = Path(output)
    preset = get_preset(spec.preset)
    segments = _segments(spec)
    infos = _probe_sources(segments)
    duration, shortfall = _clip_duration(spec, segments)
    timeout = spec.timeout or 300.0 + 30.0 * duration
    work_root = Path(work_root) if work_root is not None else output.parent / ".rendering"
    output.parent.mkdir(parents=True, exist_ok=True)
    work_root.mkdir(parents=True, exist_ok=True)
    clean_stale_temp(work_root)
    work = make_temp_dir(work_root, "render")
    try:
        report = progress or (lambda message, fraction: None)
        report("Measuring loudness", 0.0)
        audio_for_measure = _audio_graph(spec, segments, infos, preset, duration)
        measured = loudness.measure(
            audio_for_measure, target_lufs=preset.loudness_lufs, true_peak_db=preset.true_peak_db,
            timeout=timeout, cancel=cancel,
        )
        report("Rendering", 0.05)

        videos = _per_segment(
            segments, lambda s: _video_chain(ffmpeg.input(str(s.source), ss=s.start, t=s.duration).video, preset), "split"
        )
        video = ffmpeg.concat(*videos, v=1, a=0) if len(videos) > 1 else videos[0]
        if shortfall > 0:
            video = video.filter("tpad", stop_mode="clone", stop_duration=round(shortfall + 0.1, 3))
        words = normalize_words(spec.words)
        if spec.caption_style is not None and words:
            ass_path = write_ass(words, spec.caption_style, preset.width, preset.height, work / "captions.ass")
            video = video.filter("ass", filename=str(ass_path), fontsdir=str(FONTS_DIR))
        audio = _audio_graph(spec, segments, infos, preset, duration)
        if measured.integrated > loudness.SILENCE_LUFS:
            audio = loudness.loudnorm_apply_filter(
                audio, measured, target_lufs=preset.loudness_lufs, true_peak_db=preset.true_peak_db,
                sample_rate=preset.sample_rate,
            )
        # else: silence (footage without sound, no voiceover) — loudnorm would divide by zero; keep it silent.
        partial = work / "partial.mp4"
        graph = ffmpeg.output(
            video, audio, str(partial),
            t=f"{duration:.6f}", r=preset.fps,
            vcodec=preset.video_codec, preset=preset.x264_preset, crf=preset.crf,
            pix_fmt=preset.pix_fmt, **{"profile:v": preset.profile},
            acodec=preset.audio_codec, audio_bitrate=preset.audio_bitrate, ar=preset.sample_rate,
            movflags="+faststart", f="mp4",
        )
        args = ["-v", "error", "-progress", "pipe:1", "-y", *graph.compile(cmd="ffmpeg")[1:]]

        def scaled(message: str, fraction: float | None) -> None:
            report(message, None if fraction is None else 0.05 + 0.95 * fraction)

        run_ffmpeg(args, timeout=timeout, what="Rendering the clip", duration=duration, progress=scaled, cancel=cancel)
        os.replace(partial, output)
        report("Rendered", 1.0)
        return RenderResult(
            path=output, duration=duration, width=preset.width, height=preset.height, fps=preset.fps,
            measured_input_lufs=measured.integrated, command=tuple(args),
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

