"""A clip with everything on, against its floor (part of ``invoke bench.render``; ``--everything-only`` alone).

The same 30 s 1080x1920 clip as the other variants, with every finishing option that exists switched on
(:data:`OPTIONS`): music under the voice, the karaoke caption look, crossfades between segments, the store's logo,
an opening hook, an end card (which makes the clip 2.5 s longer), and product photos (zoomed and panned) mixed with
the video segments.

* ours  — :func:`editfactory.media.render_clip` of that spec: loudness measured, voice and music mixed with ducking,
  normalized, checked on the encoded file;
* floor — the same inputs through the simplest graph that makes the same picture and sound: each segment framed and
  moved by the same filters, joined by the same transitions, the same captions burned, each option's own filters,
  the music looped under the voice by a plain ``amix``, one encode (no measuring, ducking or normalizing).

An option is one line of :data:`OPTIONS`: the spec fields it sets and, when the floor must draw it too (a logo, a
hook, an end card), the filter it adds to the floor's picture. Captions, transitions and music need no floor line:
the floor reads them from the spec.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ffmpeg

from editfactory.bench import photo_render
from editfactory.media import endcard, transitions
from editfactory.media.caption_looks import LOOKS
from editfactory.media.captions import FONTS_DIR, write_ass
from editfactory.media.framing import fill_chain
from editfactory.media.kenburns import photo_canvas, photo_motion
from editfactory.media.music import MusicBed, MusicOptions
from editfactory.media.presets import get_preset
from editfactory.media.probe import probe
from editfactory.media.render import RenderSegment, RenderSpec, render_clip
from editfactory.media.runner import run_ffmpeg
from editfactory.media.safe_zones import safe_area
from editfactory.media.spec import EndCard, OpeningHook, Watermark
from editfactory.media.transitions import Transition
from editfactory.media.watermark import overlay_watermark

TARGET = 1.2
"""Ours may take at most this many times the floor's CPU seconds (issue 20)."""
VIDEO_SEGMENTS = [(40.0, 45.0), (5.0, 10.0), (50.0, 55.0), (20.0, 25.0)]
LAYOUT = ["video", "photo", "video", "video", "photo", "video"]
"""Six 5 s segments: four from the video source, two photos, mixed."""


@dataclass(frozen=True)
class Inputs:
    """The files every option may use (generated once by the benchmark)."""

    source: Path
    photos: list[Path]
    voice: Path
    words: list
    music: Path
    music_seconds: float
    logo: Path


@dataclass(frozen=True)
class Option:
    name: str
    spec: Callable[[Inputs], dict[str, Any]]
    """The RenderSpec fields the option sets."""
    floor: Callable[[Any, Inputs, RenderSpec, Path], Any] | None = None
    """What the option adds to the floor's picture (``video, inputs, spec, work folder``; before the captions, as in
    ours); ``None`` when the floor reads it from the spec."""


OPTIONS: list[Option] = [
    Option("music", lambda i: {"music": MusicBed(i.music, i.music_seconds, MusicOptions())}),
    Option("karaoke captions", lambda i: {"caption_style": LOOKS["karaoke"]}),
    Option("crossfades", lambda i: {"transition": Transition("crossfade")}),
    Option("logo", lambda i: {"watermark": Watermark(i.logo)},
           lambda video, i, spec, work: overlay_watermark(video, spec.watermark, spec.preset)),
    Option("hook and end card", lambda i: {"hook": OpeningHook("Hot coffee. All day."), "end_card": EndCard(
        product="Travel mug", price="49,90 €", old_price="59,90 €", badge="−17 %", cta="Shop now — link in bio",
        logo=i.logo)}, lambda video, i, spec, work: endcard.add_offer(
            video, hook=spec.hook, card=spec.end_card, width=spec.preset.width, height=spec.preset.height,
            fps=spec.preset.fps, safe=safe_area(spec.preset), spoken=probe(i.voice).duration, work=work)),
]


def make_logo(cache: Path) -> Path:
    """A 600x300 two-colour logo with transparent corners (made once)."""
    path = cache / "everything-logo.png"
    if not path.exists():
        from PIL import Image, ImageDraw

        image = Image.new("RGBA", (600, 300), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle((0, 0, 599, 299), radius=60, fill=(228, 0, 43, 255))
        draw.ellipse((200, 50, 400, 250), fill=(255, 255, 255, 255))
        image.save(path)
    return path


def segments(inputs: Inputs) -> list[RenderSegment]:
    videos, photos = iter(VIDEO_SEGMENTS), iter(inputs.photos)
    result = []
    for kind in LAYOUT:
        if kind == "video":
            start, end = next(videos)
            result.append(RenderSegment(inputs.source, start, end, "fill"))
        else:
            result.append(RenderSegment(next(photos), 0.0, photo_render.PHOTO_SECONDS, "fill", ((0.0, 0.45),)))
    return result


def everything_spec(inputs: Inputs, x264_preset: str) -> RenderSpec:
    preset = get_preset("tiktok").with_options(x264_preset=x264_preset)
    spec = RenderSpec(segments=segments(inputs), voiceover=inputs.voice, words=inputs.words, preset=preset)
    for option in OPTIONS:
        spec = replace(spec, **option.spec(inputs))
    return spec


def run_everything(inputs: Inputs, out: Path, x264_preset: str) -> None:
    render_clip(everything_spec(inputs, x264_preset), out)


def _frame_counts(spec: RenderSpec, fps: int) -> list[int]:
    ends, total = [], 0.0
    for segment in spec.segments:
        total += segment.duration
        ends.append(round(total * fps))
    return [end - start for start, end in zip([0, *ends[:-1]], ends)]


def run_floor(inputs: Inputs, out: Path, x264_preset: str, work: Path) -> None:
    spec = everything_spec(inputs, x264_preset)
    preset = spec.preset
    photo_size = photo_render.PHOTO_SIZE
    lengths = {inputs.source: 60.0, **{photo: None for photo in inputs.photos}}
    joining = transitions.plan(spec.segments, _frame_counts(spec, preset.fps), spec.transition, preset.fps, lengths)
    chains = []
    for segment in joining.segments:
        if segment.source in inputs.photos:
            canvas, centre = photo_canvas(str(segment.source), preset.width, preset.height, "fill", segment.track,
                                          photo_size)
            chain = photo_motion(canvas, preset.fps, segment.duration, centre)
        else:
            chain = fill_chain(ffmpeg.input(str(segment.source), ss=segment.start, t=segment.duration).video
                               .filter("fps", preset.fps), preset.width, preset.height, segment.track, segment.start)
        chains.append(chain.filter("setsar", 1).filter("format", preset.pix_fmt))
    video = transitions.join(chains, joining)
    for option in OPTIONS:
        if option.floor is not None:
            video = option.floor(video, inputs, spec, work)
    ass = write_ass(spec.words, spec.caption_style, preset.width, preset.height, work / "everything.ass",
                    safe_area(preset))
    video = video.filter("ass", filename=str(ass), fontsdir=str(FONTS_DIR))
    audio = ffmpeg.input(str(inputs.voice)).audio
    if spec.music is not None:
        bed = ffmpeg.input(str(spec.music.path), stream_loop=-1).audio.filter("volume", 0.25)
        audio = ffmpeg.filter([audio, bed], "amix", inputs=2, duration="first")
    seconds = sum(s.duration for s in spec.segments) + endcard.extra_seconds(spec.end_card)
    graph = ffmpeg.output(video, audio, str(out), t=seconds, r=preset.fps, vcodec="libx264", preset=x264_preset,
                          crf=preset.crf, pix_fmt="yuv420p", acodec="aac", ar=48000, movflags="+faststart")
    run_ffmpeg(["-v", "error", "-y", *graph.compile(cmd="ffmpeg")[1:]], timeout=1800, what="everything floor encode")


def measure(cache: Path, source: Path, voice: Path, words, music: Path, music_seconds: float, work: Path,
            x264_preset: str, rounds: int) -> list[tuple]:
    """Time ours and its floor side by side (alternating, best of ``rounds``), print them and return the checks."""
    from editfactory.bench.render import CPU, _timed  # bench.render runs this part: imported here to avoid a cycle

    inputs = Inputs(source, photo_render.make_photos(cache)[:2], voice, words, music, music_seconds, make_logo(cache))
    run_floor(inputs, work / "warm-everything.mp4", x264_preset, work)
    times: dict[str, float] = {}
    count = range(max(1, rounds))
    for r in count:
        times[f"everything-floor{r}"] = _timed(lambda: run_floor(
            inputs, work / "everything-floor.mp4", x264_preset, work), f"everything-floor{r}")
        times[f"everything{r}"] = _timed(lambda: run_everything(inputs, work / "everything.mp4", x264_preset),
                                         f"everything{r}")
    wall = {name: min(times[f"{name}{r}"] for r in count) for name in ("everything", "everything-floor")}
    cpu = {name: min(CPU[f"{name}{r}"] for r in count) for name in ("everything", "everything-floor")}
    names = ", ".join(option.name for option in OPTIONS)
    print(f"\n30 s 1080x1920 clip with everything on ({names}; {LAYOUT.count('photo')} of {len(LAYOUT)} segments "
          f"photos), x264 {x264_preset}")
    print(f"  ours:  {wall['everything']:7.2f} s wall, {cpu['everything']:.1f} s CPU")
    print(f"  floor: {wall['everything-floor']:7.2f} s wall, {cpu['everything-floor']:.1f} s CPU "
          "(same picture filters, plain amix, no loudness work)")
    return [("everything / floor CPU", cpu["everything"] / cpu["everything-floor"], "<=", TARGET)]
