"""Photo slideshow render speed: ours against its floor (part of ``invoke bench.render``).

Six generated 3024x4032 product photos (a phone's 12 MP), 5 s each, make the same 30 s 1080x1920 clip with the
benchmark's voiceover and burned captions:

* ours  — :func:`editfactory.media.render_clip` with photo segments (zoom and pan toward the subject);
* floor — the simplest graph that makes the same picture: each photo laid out and moved by the same filters
  (:mod:`editfactory.media.kenburns`), concatenated, captions burned, encoded with the voice as it is (no loudness
  measure or normalization) — what ours adds over it is the render's own work;
* zoompan — for reference only: the usual ``zoompan`` slideshow, cheaper but jittery (whole-pixel steps).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import ffmpeg

from editfactory.media.captions import FONTS_DIR, CaptionStyle, write_ass
from editfactory.media.kenburns import ZOOM_END, photo_canvas, photo_motion
from editfactory.media.presets import get_preset
from editfactory.media import loudness
from editfactory.media.render import RenderSegment, RenderSpec, render_clip
from editfactory.media.runner import ffmpeg_path, run_ffmpeg

PHOTO_SECONDS = 5.0
PHOTO_COUNT = 6
PHOTO_SIZE = (3024, 4032)


def make_photos(folder: Path) -> list[Path]:
    """Six different phone-size photos (JPEG), made once by ffmpeg's test sources and reused between runs."""
    photos = []
    for index in range(PHOTO_COUNT):
        path = folder / f"photo{index}_{PHOTO_SIZE[0]}x{PHOTO_SIZE[1]}.jpg"
        if not path.exists():
            source = ("testsrc2" if index % 2 == 0 else "mandelbrot") + f"=size={PHOTO_SIZE[0]}x{PHOTO_SIZE[1]}"
            subprocess.run(
                [ffmpeg_path(), "-v", "error", "-y", "-nostdin", "-f", "lavfi", "-i", source,
                 "-vf", f"select=gte(n\\,{index * 7})", "-frames:v", "1", "-q:v", "3", str(path)],
                check=True, timeout=300,
            )
        photos.append(path)
    return photos


def _preset(x264_preset: str):
    return get_preset("tiktok").with_options(x264_preset=x264_preset)


def run_slideshow(photos: list[Path], voice: Path, words, out: Path, x264_preset: str) -> None:
    segments = [RenderSegment(photo, 0.0, PHOTO_SECONDS, "fill", ((0.0, 0.4 + 0.05 * i),))
                for i, photo in enumerate(photos)]
    loudness.forget_measurements()  # each round measures its mix, as a new clip does
    render_clip(RenderSpec(segments=segments, voiceover=voice, words=words, preset=_preset(x264_preset)), out)


def _encode(videos: list, voice: Path, words, out: Path, x264_preset: str, work: Path) -> None:
    preset = _preset(x264_preset)
    ass = write_ass(words, CaptionStyle(), preset.width, preset.height, work / "slideshow.ass")
    video = ffmpeg.concat(*videos, v=1, a=0).filter("ass", filename=str(ass), fontsdir=str(FONTS_DIR))
    seconds = PHOTO_SECONDS * len(videos)
    graph = ffmpeg.output(video, ffmpeg.input(str(voice)).audio, str(out), t=seconds, r=preset.fps, vcodec="libx264",
                          preset=x264_preset, crf=preset.crf, pix_fmt="yuv420p", acodec="aac", ar=48000,
                          movflags="+faststart")
    run_ffmpeg(["-v", "error", "-y", *graph.compile(cmd="ffmpeg")[1:]], timeout=1800, what="slideshow floor encode")


def run_slideshow_floor(photos: list[Path], voice: Path, words, out: Path, x264_preset: str, work: Path) -> None:
    preset = _preset(x264_preset)
    videos = []
    for i, photo in enumerate(photos):
        canvas, centre = photo_canvas(str(photo), preset.width, preset.height, "fill", ((0.0, 0.4 + 0.05 * i),),
                                      PHOTO_SIZE)
        videos.append(photo_motion(canvas, preset.fps, PHOTO_SECONDS, centre).filter("setsar", 1))
    _encode(videos, voice, words, out, x264_preset, work)


def run_zoompan(photos: list[Path], voice: Path, words, out: Path, x264_preset: str, work: Path) -> None:
    preset = _preset(x264_preset)
    frames = round(PHOTO_SECONDS * preset.fps)
    videos = [
        ffmpeg.input(str(photo)).video
        .filter("scale", preset.width, preset.height, force_original_aspect_ratio="increase")
        .filter("crop", preset.width, preset.height)
        .filter("zoompan", z=f"1+{ZOOM_END - 1:.3f}*on/{frames}", x="iw/2-iw/zoom/2", y="ih/2-ih/zoom/2",
                d=frames, s=f"{preset.width}x{preset.height}", fps=preset.fps)
        .filter("setsar", 1)
        for photo in photos
    ]
    _encode(videos, voice, words, out, x264_preset, work)


def measure(cache: Path, voice: Path, words, work: Path, x264_preset: str, rounds: int) -> list[tuple]:
    """Time ours, the floor and zoompan side by side (alternating, best of ``rounds``), print them and return the
    checks ``(label, ratio, op, target)`` for the benchmark's summary."""
    from editfactory.bench.render import CPU, _timed  # bench.render runs this part: imported here, not at the top, to avoid a cycle

    photos = make_photos(cache)
    times: dict[str, float] = {}
    run_slideshow_floor(photos, voice, words, work / "warm-photos.mp4", x264_preset, work)
    for r in range(max(1, rounds)):
        times[f"photo-floor{r}"] = _timed(lambda: run_slideshow_floor(
            photos, voice, words, work / "photo-floor.mp4", x264_preset, work), f"photo-floor{r}")
        times[f"photos{r}"] = _timed(lambda: run_slideshow(photos, voice, words, work / "photos.mp4", x264_preset),
                                     f"photos{r}")
        times[f"zoompan{r}"] = _timed(lambda: run_zoompan(
            photos, voice, words, work / "zoompan.mp4", x264_preset, work), f"zoompan{r}")
    best = {name: min(times[f"{name}{r}"] for r in range(max(1, rounds))) for name in ("photos", "photo-floor", "zoompan")}
    cpu = {name: min(CPU[f"{name}{r}"] for r in range(max(1, rounds))) for name in ("photos", "photo-floor", "zoompan")}
    print(f"\n30 s 1080x1920 slideshow of six {PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} photos, 5 s each, x264 {x264_preset}")
    print(f"  ours (photos zoomed and panned, loudness measured): {best['photos']:7.2f} s wall, {cpu['photos']:.1f} s CPU")
    print(f"  floor (same filters, one plain encode):            {best['photo-floor']:7.2f} s wall, {cpu['photo-floor']:.1f} s CPU")
    print(f"  zoompan slideshow (reference; jittery):            {best['zoompan']:7.2f} s wall, {cpu['zoompan']:.1f} s CPU "
          f"(ours {cpu['photos'] / cpu['zoompan']:.2f}x its CPU)")
    return [("photos / floor", best["photos"] / best["photo-floor"], "<=", 1.15),
            ("photos / floor CPU", cpu["photos"] / cpu["photo-floor"], "<=", 1.15)]
