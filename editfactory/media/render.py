"""Render a finished clip in ONE ffmpeg pass: trims (or photos in motion) → scale/crop → concat → burned captions → encode.

This module is pure: a spec (:mod:`editfactory.media.spec`) and files in, one file out, no database — so a Dask worker or a
notebook can call :func:`render_clip` directly. The library layer
(:mod:`editfactory.footage.renders`) wraps it for a profile.

The output is written to a temporary file inside a per-process work folder and
moved into place with ``os.replace`` only when ffmpeg succeeded; cancel, failure,
timeout or a killed process leave no partial clip, and stale work folders are
removed on the next start (:func:`editfactory.storage.tempdirs.clean_stale_temp`).
"""

from __future__ import annotations

import math
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from editfactory.core.diskspace import disk_full_error, is_disk_full
from editfactory.core.errors import ValidationError
from editfactory.core.progress import ProgressCallback
from editfactory.media import endcard, loudness, mixing, proxies, transitions
from editfactory.media.captions import FONTS_DIR, normalize_words, write_ass
from editfactory.media.filtergraph import one_chain_per_use as _per_segment
from editfactory.media.framing import check_framing, choose_framing, fill_chain, fit_chain
from editfactory.media.kenburns import photo_canvas, photo_motion
from editfactory.media.photos import is_stored_photo, photo_info
from editfactory.media.presets import DRAFT_SCALE, DRAFT_SUFFIX, RenderPreset, get_preset
from editfactory.media.probe import MediaInfo, probe
from editfactory.media.runner import run_ffmpeg
from editfactory.media.safe_zones import safe_area
from editfactory.media.spec import RenderSegment, RenderSpec
from editfactory.media.watermark import overlay_watermark
from editfactory.storage.tempdirs import clean_stale_temp, make_temp_dir

SHORTFALL_PADDED = 0.5
"""Seconds of missing footage the render covers by holding the last frame; more than that is refused."""
LOUDNESS_TOLERANCE = 0.3
"""LU the encoded clip may differ from the preset's loudness before its audio is encoded again."""
TRUE_PEAK_SAFETY = 0.1
"""dB kept under the true-peak limit on the encoded file, so a player's own measurement rounds on the safe side."""
LOUDNESS_CORRECTIONS = 3


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
    result = list(spec.segments)  # the spec made them RenderSegments with Path sources and float times
    for segment in result:
        if segment.end - segment.start <= 0.0:
            raise ValidationError(f"Segment {segment.start}–{segment.end} s of {segment.source.name} is empty.")
        check_framing(segment.framing)
    if not result:
        raise ValidationError("A clip needs at least one segment of footage; pick or analyze some first.")
    return result


def _probe_sources(segments: list[RenderSegment]) -> dict[Path, MediaInfo]:
    infos: dict[Path, MediaInfo] = {}
    for segment in segments:
        if is_stored_photo(segment.source):
            if segment.source not in infos:
                infos[segment.source] = photo_info(segment.source)
            continue  # a photo lasts as long as its segment asks
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


def framing_of(segment: RenderSegment, info: MediaInfo, preset: RenderPreset) -> str:
    """``fill`` or ``fit``: the segment's own choice, or what ``auto`` decides for this footage and format.

    A draft decides as its final render does (at the final size), so the preview shows the framing the clip gets.
    """
    scale = DRAFT_SCALE if _is_draft(preset) else 1.0
    return choose_framing(segment.framing, info.width, info.height, round(preset.width / scale),
                          round(preset.height / scale), segment.spread)


def _photo_canvases(segments: list[RenderSegment], infos: dict[Path, MediaInfo], preset: RenderPreset) -> dict:
    """Each photo laid out once per framing and subject (:func:`editfactory.media.kenburns.photo_canvas`), split
    into one outlet per distinct segment that shows it: ffmpeg-python merges equal chains, so two segments of one
    photo must share one canvas through a split."""
    distinct = [s for s in dict.fromkeys(segments) if is_stored_photo(s.source)]
    uses: dict[tuple, int] = {}
    for segment in distinct:
        key = _canvas_key(segment, infos[segment.source], preset)
        uses[key] = uses.get(key, 0) + 1
    canvases = {}
    for (source, framing, track), count in uses.items():
        info = infos[source]
        canvas, centre = photo_canvas(str(source), preset.width, preset.height, framing, track, (info.width, info.height))
        outlets = [canvas] if count == 1 else [canvas.filter_multi_output("split", count)[i] for i in range(count)]
        canvases[(source, framing, track)] = [(outlet, centre) for outlet in outlets]
    return canvases


def _canvas_key(segment: RenderSegment, info: MediaInfo, preset: RenderPreset) -> tuple:
    return (segment.source, framing_of(segment, info, preset), segment.track)


def _video_chain(segment: RenderSegment, info: MediaInfo, preset: RenderPreset, canvases: dict | None = None,
                 read: Path | None = None):
    if is_stored_photo(segment.source):  # a still: zoom and pan toward the subject (media.kenburns)
        canvas, centre = canvases[_canvas_key(segment, info, preset)].pop(0)
        stream = photo_motion(canvas, preset.fps, segment.duration, centre)
        return stream.filter("setsar", 1).filter("format", preset.pix_fmt)
    # fps first so high-rate footage is thinned before the (costly) scale; then fill (crop) or fit the frame.
    stream = ffmpeg.input(str(read or segment.source), ss=segment.start, t=segment.duration).video.filter("fps", preset.fps)
    if framing_of(segment, info, preset) == "fit":
        stream = fit_chain(stream, preset.width, preset.height)
    else:
        stream = fill_chain(stream, preset.width, preset.height, segment.track, segment.start)
    return stream.filter("setsar", 1).filter("format", preset.pix_fmt)


def _frame_counts(segments: list[RenderSegment], preset: RenderPreset) -> list[int]:
    """Frames of each segment so every cut is on the frame nearest its time in the clip.

    A segment's own rounding (its first frame may fall either side of a source frame) could add a frame
    per segment and push later cuts off their times (a cut on the beat one frame late); counting from the
    clip's start keeps each cut within half a frame.
    """
    ends, total = [], 0.0
    for segment in segments:
        total += segment.duration
        ends.append(round(total * preset.fps))
    return [max(end - start, 1) for start, end in zip([0, *ends[:-1]], ends)]


def _first_ceiling(preset: RenderPreset) -> float:
    return preset.true_peak_db - loudness.FIRST_CEILING_MARGIN


def _is_draft(preset: RenderPreset) -> bool:
    return preset.name.endswith(DRAFT_SUFFIX)


def _normalized_audio(mix: mixing.Mix, preset: RenderPreset, measured, ceiling: float, gain_correction: float):
    audio = mix.graph()
    if measured.integrated <= loudness.SILENCE_LUFS:
        return audio
    # A draft preview is never published: a sample-peak limiter is enough there (the oversampled one costs more).
    return loudness.apply_filter(audio, measured, target_lufs=preset.loudness_lufs, ceiling_db=ceiling,
                                 sample_rate=preset.sample_rate, gain_correction=gain_correction,
                                 oversampling=1 if _is_draft(preset) else loudness.OVERSAMPLING)


def _meet_loudness_on_the_encoded_file(partial: Path, mix: mixing.Mix, preset: RenderPreset, duration: float,
                                       measured, timeout: float, cancel, commands: list) -> Path:
    """Measure the encoded clip; while it misses the target or the true-peak limit, encode its audio again.

    The picture is copied, only the audio is made again from the sources with a corrected gain and a lower
    limiter ceiling, so a correction costs an audio encode, not a render. Returns the file that meets both
    (or, after ``LOUDNESS_CORRECTIONS`` tries, the closest one, which in practice has never been needed).
    """
    gain_correction, ceiling = 0.0, _first_ceiling(preset)
    for attempt in range(1, LOUDNESS_CORRECTIONS + 1):
        check = loudness.measure_file(partial, timeout=timeout, cancel=cancel)
        miss = preset.loudness_lufs - check.integrated
        over = check.true_peak - (preset.true_peak_db - TRUE_PEAK_SAFETY)
        if abs(miss) <= LOUDNESS_TOLERANCE and over <= 0:
            return partial
        gain_correction += miss
        if over > 0:
            ceiling -= over + TRUE_PEAK_SAFETY
        corrected = partial.with_name(f"partial-{attempt}.mp4")
        audio = _normalized_audio(mix, preset, measured, ceiling, gain_correction)
        graph = ffmpeg.output(
            ffmpeg.input(str(partial)).video, audio, str(corrected),
            t=f"{duration:.6f}", vcodec="copy",
            acodec=preset.audio_codec, audio_bitrate=preset.audio_bitrate, ar=preset.sample_rate,
            movflags="+faststart", f="mp4",
        )
        args = ["-v", "error", "-y", *graph.compile(cmd="ffmpeg")[1:]]
        run_ffmpeg(args, timeout=timeout, what="Correcting the loudness of the clip", cancel=cancel)
        commands.append(tuple(args))
        partial = corrected
    return partial


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
    timeout: float | None = None,
) -> RenderResult:
    """Render ``spec`` to ``output`` (an .mp4) in one ffmpeg pass and return what was made.

    ``work_root`` holds the per-process scratch folder (ASS file, partial output); it
    defaults to ``<output folder>/.rendering`` and must be on the same drive as ``output``.
    ``timeout`` (seconds for each ffmpeg run) defaults to 5 minutes plus 30 s per second of clip; it is
    how long to wait, not what to make, so it is not part of the spec (nor of its render key).
    Raises ValidationError for bad specs, MediaError for ffmpeg failures (DiskFullError when the disk
    filled up) and CancelledError when ``cancel`` is set; in each case nothing is left behind.
    """
    output = Path(output)
    try:
        return _render_clip(spec, output, progress, cancel, work_root, timeout)
    except OSError as error:  # our own writes (work folder, captions file, the final move) on a full disk
        if not is_disk_full(error):
            raise
        folder = Path(error.filename).parent if error.filename else output.parent
        raise disk_full_error("Rendering the clip", folder) from error


def _render_clip(
    spec: RenderSpec, output: Path, progress: ProgressCallback | None, cancel: threading.Event | None,
    work_root: Path | None, timeout: float | None,
) -> RenderResult:
    preset = get_preset(spec.preset)
    segments = _segments(spec)
    infos = _probe_sources(segments)
    spoken, shortfall = _clip_duration(spec, segments)
    duration = spoken + endcard.extra_seconds(spec.end_card)  # the end card extends the clip; the voice is not cut
    timeout = timeout or 300.0 + 30.0 * duration
    work_root = Path(work_root) if work_root is not None else output.parent / ".rendering"
    output.parent.mkdir(parents=True, exist_ok=True)
    work_root.mkdir(parents=True, exist_ok=True)
    clean_stale_temp(work_root)
    work = make_temp_dir(work_root, "render")
    try:
        report = progress or (lambda message, fraction: None)
        report("Measuring loudness", 0.0)
        mix = mixing.plan_mix(
            mixing.sounds_of(segments, infos), duration=duration, preset=preset, voiceover=spec.voiceover,
            duck=spec.duck_source_audio, bed_volume=spec.source_audio_volume, timeout=timeout, cancel=cancel,
            music=spec.music,
        )
        measured = loudness.measure(
            mix.graph(), target_lufs=preset.loudness_lufs, true_peak_db=preset.true_peak_db,
            timeout=timeout, cancel=cancel,
        )
        report("Rendering", 0.05)

        # Each segment exactly its frames, from time 0 (a first frame at 1/fps would shift every later cut); a
        # transition gives the segments on both sides of a cut a few frames more (media.transitions).
        joining = transitions.plan(segments, _frame_counts(segments, preset), spec.transition, preset.fps,
                                   {p: None if is_stored_photo(p) else i.duration for p, i in infos.items()})
        canvases = _photo_canvases(list(joining.segments), infos, preset)
        reads = proxies.files_to_read(spec.proxies, infos) if _is_draft(preset) else {}  # a draft decodes proxies
        videos = _per_segment(joining.segments, lambda s: _video_chain(s, infos[s.source], preset, canvases,
                                                                       reads.get(s.source)), "split")
        video = transitions.join(videos, joining)
        # The last frame is held past the clip's end (the output takes exactly its frames): trimmed segments can
        # come out a frame short of their count, and a clip whose picture stopped before its sound lost its end.
        video = video.filter("tpad", stop_mode="clone", stop_duration=round(max(shortfall, 0.0) + 0.2, 3))
        if spec.watermark is not None:  # under the end card, which shows the logo itself
            video = overlay_watermark(video, spec.watermark, preset)
        # Before the captions: the frame held under the end card is the footage's, without the last caption burned in.
        video = endcard.add_offer(video, hook=spec.hook, card=spec.end_card, width=preset.width, height=preset.height,
                                  fps=preset.fps, safe=safe_area(preset), spoken=spoken, work=work)
        words = normalize_words(spec.words)
        if spec.caption_style is not None and words:
            ass_path = write_ass(words, spec.caption_style, preset.width, preset.height, work / "captions.ass",
                                 safe_area(preset))
            video = video.filter("ass", filename=str(ass_path), fontsdir=str(FONTS_DIR))
        audio = _normalized_audio(mix, preset, measured, _first_ceiling(preset), 0.0)
        partial = work / "partial.mp4"
        graph = ffmpeg.output(
            video, audio, str(partial),
            t=f"{duration:.6f}", r=preset.fps,
            # Exactly the frames that start before the clip's end: with -t alone, a transition's timestamps (xfade)
            # could let one frame more through when the end fell near a frame's start (41 vs 42 frames, flaky).
            **{"frames:v": math.ceil(duration * preset.fps - 1e-6)},
            vcodec=preset.video_codec, preset=preset.x264_preset, crf=preset.crf,
            pix_fmt=preset.pix_fmt, **{"profile:v": preset.profile},
            acodec=preset.audio_codec, audio_bitrate=preset.audio_bitrate, ar=preset.sample_rate,
            movflags="+faststart", f="mp4",
        )
        args = ["-v", "error", "-progress", "pipe:1", "-y", *graph.compile(cmd="ffmpeg")[1:]]

        def scaled(message: str, fraction: float | None) -> None:
            report(message, None if fraction is None else 0.05 + 0.85 * fraction)

        run_ffmpeg(args, timeout=timeout, what="Rendering the clip", duration=duration, progress=scaled, cancel=cancel)
        commands = [tuple(args)]
        if measured.integrated > loudness.SILENCE_LUFS and not _is_draft(preset):
            # else: silence (footage without sound, no voiceover) — no gain can bring it to the target; keep it silent.
            # A draft (a preview, never published) keeps its first encode: one gain lands within a fraction of an LU.
            report("Checking the loudness", 0.9)
            partial = _meet_loudness_on_the_encoded_file(
                partial, mix, preset, duration, measured, timeout, cancel, commands,
            )
        os.replace(partial, output)
        report("Rendered", 1.0)
        return RenderResult(
            path=output, duration=duration, width=preset.width, height=preset.height, fps=preset.fps,
            measured_input_lufs=measured.integrated, command=commands[-1],
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

