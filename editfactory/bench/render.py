"""Render speed: our one-pass clip against the floor, MoviePy, and per-segment re-encoding.

Run with ``invoke bench.render`` (or ``python -m editfactory.bench.render``). A 60 s
1080p30 source is generated once; each variant makes the same 30 s 1080x1920 clip
(six 5 s segments, burned word captions, voiceover) with the same x264 preset, and
the times are measured side by side in one run:

* ours   — :func:`editfactory.media.render_clip`: one ffmpeg pass plus the cheap loudness measure;
* draft  — the same render at the draft preset (540x960, x264 ultrafast) the studio's "Draft preview" uses,
  decoding the source's proxy (960x540, made once as the import job makes it: :mod:`editfactory.media.proxies`),
  reported as a fraction of ours in CPU seconds (``--draft-only`` also times a draft that decodes the source);
* fit    — the same clip with ``fit`` framing: each segment whole over a blurred, enlarged copy of itself;
* moving crop — the same clip with ``fill`` framing whose crop follows a subject track (0.5 ± 0.2 of the width,
  moving at up to 0.25 frame widths per second, a point every 0.25 s), as analysis hands it to the render;
* music  — ours with background music under the voice (a 20 s track looped to 30 s with a crossfade, faded,
  leveled and ducked), held against its own floor: the bare encode with the music looped under the voice by a
  plain ``amix`` (``--music-only`` times just this pair);
* floor  — a bare single-pass encode of one contiguous 30 s trim with the same captions (no loudnorm); fit and
  the moving crop are also held against a floor with their own framing (same filters on one contiguous trim), since
  x264 spends more on a panning picture than on a still crop of the same footage;
* moviepy — composed with MoviePy the way MoneyPrinterTurbo/ShortGPT do (subclips, resize/crop,
  TextClip captions, CompositeVideoClip, write_videofile);
* two-pass — each segment re-encoded on its own, then the whole encoded again with captions and
  loudnorm (the original Edit Factory's way). Its segment encodes use the original's own
  preparation settings (libx264 ``-preset fast -crf 23``, from its ``get_prep_codec_params``;
  ``--baseline-segment-preset`` changes them); its final encode uses the same preset as ours.

Wall time and CPU seconds (ours and ffmpeg's) are both printed: on a shared machine the wall time also measures
the other load. Targets: ours ≤ 1.15× floor, fit and moving crop each ≤ 1.15× their framing's floor, ≥ 10× faster than MoviePy, ≥ 2× faster than two-pass,
draft ≤ 0.25× ours (issue 21). A photo slideshow is timed next to its own floor too (:mod:`editfactory.bench.photo_render`),
and a clip with everything on (music, karaoke captions, crossfades, photos among the videos) next to its floor,
≤ 1.2× in CPU seconds (:mod:`editfactory.bench.everything`; ``--everything-only`` times just that pair).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

import math

import ffmpeg

from editfactory.bench import everything, photo_render
from editfactory.media import loudness
from editfactory.media.captions import FONTS_DIR, CaptionStyle, group_into_cues, write_ass
from editfactory.media.safe_zones import safe_area
from editfactory.media.framing import fill_chain, fit_chain
from editfactory.media.music import MusicBed, MusicOptions
from editfactory.media.presets import draft_preset, get_preset
from editfactory.media.proxies import make_proxy
from editfactory.media.render import RenderSegment, RenderSpec, render_clip
from editfactory.media.spec import Proxy
from editfactory.media.runner import ffmpeg_path, run_ffmpeg

SEGMENTS = [(40.0, 45.0), (5.0, 10.0), (50.0, 55.0), (20.0, 25.0), (30.0, 35.0), (12.0, 17.0)]
CLIP_SECONDS = 30.0
SCRIPT = (
    "Meet the bottle that keeps your coffee hot for twelve hours. Steel inside, soft grip outside. "
    "It fits every cup holder and never leaks. Wash it in seconds. Pick your colour today and get free "
    "shipping on every order. Tap the link and make your mornings better. Limited stock, so hurry."
).split()


def make_source(folder: Path, seconds: float = 60.0, gop_seconds: float = 1.0) -> Path:
    """A 1080p30 H.264 source with sound, like a phone product video (generated once, then reused).

    Phone cameras put a keyframe about every second; ``gop_seconds`` sets that spacing, which
    decides how much a seek must decode before a segment's first frame.
    """
    path = folder / f"source_{int(seconds)}s_1080p30_gop{gop_seconds:g}.mp4"
    if not path.exists():
        subprocess.run(
            [ffmpeg_path(), "-v", "error", "-y", "-nostdin",
             "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={seconds}",
             "-f", "lavfi", "-i", f"sine=f=300:sample_rate=48000:duration={seconds}",
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-g", str(int(round(30 * gop_seconds))),
             "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)],
            check=True, timeout=900,
        )
    return path


def make_voiceover(folder: Path) -> tuple[Path, list[tuple[str, float, float]]]:
    """A 30 s 'voice' (a modulated tone) and evenly spoken word timings for the script."""
    path = folder / "voice.wav"
    if not path.exists():
        subprocess.run(
            [ffmpeg_path(), "-v", "error", "-y", "-nostdin", "-f", "lavfi", "-i",
             f"sine=f=180:sample_rate=24000:duration={CLIP_SECONDS},volume='0.1+0.08*sin(7*t)':eval=frame", str(path)],
            check=True, timeout=120,
        )
    step = (CLIP_SECONDS - 0.5) / len(SCRIPT)
    words = [(word, round(i * step, 3), round(i * step + step * 0.85, 3)) for i, word in enumerate(SCRIPT)]
    return path, words


MUSIC_SECONDS = 20.0


def make_music(folder: Path) -> Path:
    """A 20 s track: a kick at 120 BPM over a held chord (shorter than the clip, so it loops)."""
    path = folder / "music.m4a"
    if not path.exists():
        beat = "mod(t\\,0.5)"
        expression = (f"0.6*sin(2*PI*55*{beat})*exp(-10*{beat})"
                      "+0.08*(sin(2*PI*261.6*t)+sin(2*PI*329.6*t)+sin(2*PI*392*t))")
        subprocess.run(
            [ffmpeg_path(), "-v", "error", "-y", "-nostdin", "-f", "lavfi", "-i",
             f"aevalsrc='{expression}|{expression}':s=44100:d={MUSIC_SECONDS}", "-c:a", "aac", str(path)],
            check=True, timeout=120,
        )
    return path


def run_music(source: Path, voice: Path, words, music: Path, out: Path, x264_preset: str) -> None:
    """Ours with the track under the voice (looped, faded, leveled, ducked)."""
    loudness.forget_measurements()
    preset = get_preset("tiktok").with_options(x264_preset=x264_preset)
    spec = RenderSpec(segments=[(source, a, b) for a, b in SEGMENTS], voiceover=voice, words=words, preset=preset,
                      music=MusicBed(music, MUSIC_SECONDS, MusicOptions()))
    render_clip(spec, out)


def run_floor_music(source: Path, voice: Path, words, music: Path, out: Path, x264_preset: str, work: Path) -> None:
    """The bare encode with the track looped under the voice by a plain mix: the least that makes the same sound."""
    preset = get_preset("tiktok")
    ass = write_ass(words, CaptionStyle(), preset.width, preset.height, work / "floor.ass")
    video = (ffmpeg.input(str(source), ss=10.0, t=CLIP_SECONDS).video.filter("fps", preset.fps)
             .filter("scale", preset.width, preset.height, force_original_aspect_ratio="increase")
             .filter("crop", preset.width, preset.height).filter("ass", filename=str(ass), fontsdir=str(FONTS_DIR)))
    bed = ffmpeg.input(str(music), stream_loop=-1).audio.filter("volume", 0.25)
    audio = ffmpeg.filter([ffmpeg.input(str(voice)).audio, bed], "amix", inputs=2, duration="first")
    graph = ffmpeg.output(video, audio, str(out), t=CLIP_SECONDS, vcodec="libx264", preset=x264_preset,
                          crf=preset.crf, pix_fmt="yuv420p", acodec="aac", ar=48000, movflags="+faststart")
    run_ffmpeg(["-v", "error", "-y", *graph.compile(cmd="ffmpeg")[1:]], timeout=1800, what="floor encode with music")


CPU: dict[str, float] = {}
"""CPU seconds (this process and its ffmpeg children) of each measured run, by the name it was stored under."""


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(run, name: str = "") -> float:
    started, cpu = time.perf_counter(), _cpu_seconds()
    run()
    if name:
        CPU[name] = _cpu_seconds() - cpu
    return time.perf_counter() - started


def run_ours(source: Path, voice: Path, words, out: Path, x264_preset: str) -> None:
    loudness.forget_measurements()  # each final render measures its mix, as a new clip does
    preset = get_preset("tiktok").with_options(x264_preset=x264_preset)
    spec = RenderSpec(segments=[(source, a, b) for a, b in SEGMENTS], voiceover=voice, words=words, preset=preset)
    render_clip(spec, out)


def moving_track(start: float, end: float) -> tuple[tuple[float, float], ...]:
    """A subject swaying across the middle of the frame: 0.5 ± 0.2 of the width, at most 0.25 widths a second."""
    steps = int(round((end - start) / 0.25))
    amplitude, top_speed = 0.2, 0.25
    return tuple((start + i * 0.25, 0.5 + amplitude * math.sin(i * 0.25 * top_speed / amplitude)) for i in range(steps + 1))


def run_framed(source: Path, voice: Path, words, out: Path, x264_preset: str, framing: str) -> None:
    """Ours with ``fit`` framing, or ``fill`` following :func:`moving_track`."""
    loudness.forget_measurements()
    preset = get_preset("tiktok").with_options(x264_preset=x264_preset)
    segments = [RenderSegment(source, a, b, framing, moving_track(a, b) if framing == "fill" else ()) for a, b in SEGMENTS]
    render_clip(RenderSpec(segments=segments, voiceover=voice, words=words, preset=preset), out)


def run_draft(source: Path, voice: Path, words, out: Path, proxy: Path | None = None) -> None:
    """The studio's draft preview; with ``proxy`` it decodes that (as after an import) instead of the source."""
    spec = RenderSpec(segments=[(source, a, b) for a, b in SEGMENTS], voiceover=voice, words=words,
                      preset=draft_preset("tiktok"), proxies=[Proxy(source, proxy)] if proxy else ())
    render_clip(spec, out)


def source_proxy(cache: Path, source: Path) -> tuple[Path, float]:
    """The source's proxy as the import job makes it (once, kept with the source) and the CPU seconds it took
    (0 when it was there already)."""
    target = cache / f"{source.stem}.proxy.mp4"
    if target.exists():
        return target, 0.0
    cpu = _cpu_seconds()
    make_proxy(source, target, work_root=cache / "proxy-work")
    return target, _cpu_seconds() - cpu


def run_floor(source: Path, voice: Path, words, out: Path, x264_preset: str, work: Path, framing: str = "") -> None:
    """The bare encode; ``framing`` 'fit' or 'fill' (a moving crop) frames it as those renders do."""
    preset = get_preset("tiktok")
    ass = write_ass(words, CaptionStyle(), preset.width, preset.height, work / "floor.ass", safe_area(preset))
    video = ffmpeg.input(str(source), ss=10.0, t=CLIP_SECONDS).video.filter("fps", preset.fps)
    if framing == "fit":
        video = fit_chain(video, preset.width, preset.height)
    elif framing == "fill":
        video = fill_chain(video, preset.width, preset.height, moving_track(10.0, 10.0 + CLIP_SECONDS), 10.0)
    else:
        video = (video.filter("scale", preset.width, preset.height, force_original_aspect_ratio="increase")
                 .filter("crop", preset.width, preset.height))
    video = video.filter("ass", filename=str(ass), fontsdir=str(FONTS_DIR))
    graph = ffmpeg.output(video, ffmpeg.input(str(voice)).audio, str(out), t=CLIP_SECONDS, vcodec="libx264",
                          preset=x264_preset, crf=preset.crf, pix_fmt="yuv420p", acodec="aac", ar=48000,
                          movflags="+faststart")
    run_ffmpeg(["-v", "error", "-y", *graph.compile(cmd="ffmpeg")[1:]], timeout=1800, what="floor encode")


def run_two_pass(source: Path, voice: Path, words, out: Path, x264_preset: str, work: Path,
                 segment_preset: str = "fast", segment_crf: int = 23) -> None:
    preset = get_preset("tiktok")
    pieces = []
    for index, (start, end) in enumerate(SEGMENTS):
        piece = work / f"piece{index}.mp4"
        video = (ffmpeg.input(str(source), ss=start, t=end - start).video.filter("fps", preset.fps)
                 .filter("scale", preset.width, preset.height, force_original_aspect_ratio="increase")
                 .filter("crop", preset.width, preset.height).filter("setsar", 1))
        graph = ffmpeg.output(video, str(piece), vcodec="libx264", preset=segment_preset, crf=segment_crf, pix_fmt="yuv420p")
        run_ffmpeg(["-v", "error", "-y", *graph.compile(cmd="ffmpeg")[1:]], timeout=1800, what="segment encode")
        pieces.append(piece)
    listing = work / "pieces.txt"
    listing.write_text("".join(f"file '{p}'\n" for p in pieces))
    ass = write_ass(words, CaptionStyle(), preset.width, preset.height, work / "two_pass.ass", safe_area(preset))
    video = ffmpeg.input(str(listing), f="concat", safe=0).video.filter("ass", filename=str(ass), fontsdir=str(FONTS_DIR))
    audio = ffmpeg.input(str(voice)).audio.filter("loudnorm", I=-14, TP=-1, LRA=11).filter("aresample", 48000)
    graph = ffmpeg.output(video, audio, str(out), t=CLIP_SECONDS, vcodec="libx264", preset=x264_preset, crf=preset.crf,
                          pix_fmt="yuv420p", acodec="aac", ar=48000, movflags="+faststart")
    run_ffmpeg(["-v", "error", "-y", *graph.compile(cmd="ffmpeg")[1:]], timeout=1800, what="whole re-encode")


def run_moviepy(source: Path, voice: Path, words, out: Path, x264_preset: str) -> None:
    """MoneyPrinterTurbo-style composition: subclip, resize to cover, center crop, TextClip captions, write_videofile."""
    from moviepy import AudioFileClip, CompositeVideoClip, TextClip, VideoFileClip, concatenate_videoclips
    from moviepy.video.fx import Crop, Resize

    width, height = 1080, 1920
    base = VideoFileClip(str(source))
    clips = []
    for start, end in SEGMENTS:
        clip = base.subclipped(start, end)
        scale = max(width / clip.w, height / clip.h)
        clip = clip.with_effects([Resize(scale)])
        clip = clip.with_effects([Crop(x_center=clip.w / 2, y_center=clip.h / 2, width=width, height=height)])
        clips.append(clip)
    video = concatenate_videoclips(clips, method="compose")
    font = str(FONTS_DIR / "DejaVuSans-Bold.ttf")
    captions = []
    for cue in group_into_cues(words, max_words=3, max_chars=18):
        text = TextClip(font=font, text=cue.text, font_size=84, color="white", stroke_color="black", stroke_width=5,
                        method="caption", size=(int(width * 0.88), None))
        captions.append(text.with_start(cue.start).with_duration(cue.end - cue.start).with_position(("center", int(height * 0.62))))
    voice_clip = AudioFileClip(str(voice))
    final = CompositeVideoClip([video, *captions], size=(width, height)).with_audio(voice_clip).with_duration(CLIP_SECONDS)
    final.write_videofile(str(out), fps=30, codec="libx264", preset=x264_preset, audio_codec="aac", threads=os.cpu_count() or 2,
                          logger=None, ffmpeg_params=["-crf", "21", "-pix_fmt", "yuv420p"])
    final.close()
    base.close()
    voice_clip.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--x264-preset", default="veryfast", help="x264 preset used by every variant")
    parser.add_argument("--baseline-segment-preset", default="fast",
                        help="x264 preset of the two-pass baseline's segment encodes (the original Edit Factory used fast)")
    parser.add_argument("--skip-moviepy", action="store_true", help="leave out the (slow) MoviePy variant")
    parser.add_argument("--gop", type=float, default=1.0, help="keyframe spacing of the generated source, seconds")
    parser.add_argument("--work-dir", default=None, help="where to keep the generated source between runs")
    parser.add_argument("--draft-only", action="store_true",
                        help="time only the final render and the draft preview (a quick check on a busy machine)")
    parser.add_argument("--music-only", action="store_true",
                        help="time only the render with music against its floor")
    parser.add_argument("--photos-only", action="store_true",
                        help="time only the photo slideshow against its floor (editfactory.bench.photo_render)")
    parser.add_argument("--everything-only", action="store_true",
                        help="time only the clip with everything on against its floor (editfactory.bench.everything)")
    parser.add_argument("--rounds", type=int, default=2, help="timed runs of ours, the floor and the draft (best counts)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cache = Path(args.work_dir) if args.work_dir else Path(tempfile.gettempdir()) / "editfactory-bench-render"
    cache.mkdir(parents=True, exist_ok=True)
    print("Preparing a 60 s 1080p30 source and a 30 s voiceover…", flush=True)
    source = make_source(cache, gop_seconds=args.gop)
    voice, words = make_voiceover(cache)
    music = make_music(cache)
    proxy, proxy_cpu = source_proxy(cache, source)
    with tempfile.TemporaryDirectory(dir=cache) as scratch:
        work = Path(scratch)
        times: dict[str, float] = {}
        rounds = range(max(1, args.rounds))
        if args.everything_only:
            _print_checks(everything.measure(cache, source, voice, words, music, MUSIC_SECONDS, work, args.x264_preset,
                                             args.rounds))
            return
        if args.photos_only:
            _print_checks(photo_render.measure(cache, voice, words, work, args.x264_preset, args.rounds))
            return
        if not args.draft_only:  # the render with music next to its floor
            run_floor(source, voice, words, work / "warm.mp4", args.x264_preset, work)  # warm the page cache first
            for round_ in rounds:
                times[f"floor-music{round_}"] = _timed(lambda: run_floor_music(
                    source, voice, words, music, work / "floor-music.mp4", args.x264_preset, work), f"floor-music{round_}")
                times[f"music{round_}"] = _timed(lambda: run_music(
                    source, voice, words, music, work / "music.mp4", args.x264_preset), f"music{round_}")
            music_cpu = {name: min(CPU[f"{name}{r}"] for r in rounds) for name in ("music", "floor-music")}
            music_wall = {name: min(times[f"{name}{r}"] for r in rounds) for name in ("music", "floor-music")}
            print(f"\nwith music: {music_wall['music']:.2f} s, {music_cpu['music']:.1f} CPU s; its floor "
                  f"{music_wall['floor-music']:.2f} s, {music_cpu['floor-music']:.1f} CPU s; "
                  f"music / floor CPU {music_cpu['music'] / music_cpu['floor-music']:.2f}x (target <= 1.15x); "
                  f"load average {os.getloadavg()[0]:.1f}")
        if args.music_only:
            return
        # Warm the page cache, then alternate ours/floor/draft so all see the same machine load; keep each one's best.
        run_floor(source, voice, words, work / "warm.mp4", args.x264_preset, work)
        rounds = range(max(1, args.rounds))
        for round_ in rounds:
            if not args.draft_only:
                times[f"floor{round_}"] = _timed(lambda: run_floor(source, voice, words, work / "floor.mp4", args.x264_preset, work),
                                                 f"floor{round_}")
            times[f"ours{round_}"] = _timed(lambda: run_ours(source, voice, words, work / "ours.mp4", args.x264_preset),
                                            f"ours{round_}")
            if not args.draft_only:
                for framing in ("fit", "fill"):
                    times[f"floor-{framing}{round_}"] = _timed(lambda: run_floor(
                        source, voice, words, work / "floor.mp4", args.x264_preset, work, framing), f"floor-{framing}{round_}")
                    times[f"{framing}{round_}"] = _timed(lambda: run_framed(
                        source, voice, words, work / f"{framing}.mp4", args.x264_preset, framing), f"{framing}{round_}")
            # After the final, the draft reuses the mix's measured loudness (as a second draft or a draft of a
            # rendered clip does in the studio); a cold draft measures it first, as the first preview of a new script.
            times[f"draft{round_}"] = _timed(lambda: run_draft(source, voice, words, work / "draft.mp4", proxy),
                                             f"draft{round_}")
            loudness.forget_measurements()
            times[f"draft-cold{round_}"] = _timed(lambda: run_draft(source, voice, words, work / "draft.mp4", proxy),
                                                  f"draft-cold{round_}")
            if args.draft_only:  # the same draft decoding the 1080p source, as before proxies (and without one)
                times[f"draft-source{round_}"] = _timed(lambda: run_draft(source, voice, words, work / "draft.mp4"),
                                                        f"draft-source{round_}")
            loudness.forget_measurements()
        ours = min(times[f"ours{r}"] for r in rounds)
        draft = min(times[f"draft{r}"] for r in rounds)
        draft_cold = min(times[f"draft-cold{r}"] for r in rounds)
        if args.draft_only:
            cpu = {name: min(CPU[f"{name}{r}"] for r in rounds) for name in ("ours", "draft", "draft-cold", "draft-source")}
            final = cpu["ours"]
            print(f"\nCPU seconds (best of {len(rounds)}), side by side in one run, load average "
                  f"{os.getloadavg()[0]:.1f}:")
            print(f"  final 1080x1920 render (x264 {args.x264_preset}):        {final:6.1f}   (wall {ours:.2f} s)")
            print(f"  draft 540x960 ultrafast, decoding the proxy:      {cpu['draft']:6.1f}   = {cpu['draft'] / final:.2f}x "
                  f"the final (target <= 0.25x)  (wall {draft:.2f} s = {draft / ours:.2f}x)")
            print(f"  the same, measuring the loudness first (cold):    {cpu['draft-cold']:6.1f}   = "
                  f"{cpu['draft-cold'] / final:.2f}x  (wall {draft_cold:.2f} s)")
            print(f"  the same draft decoding the 1080p source:         {cpu['draft-source']:6.1f}   = "
                  f"{cpu['draft-source'] / final:.2f}x (no proxy yet; before proxies)")
            print(f"  making the proxy (once per source, at import):    {proxy_cpu:6.1f}   "
                  f"{'(made in this run)' if proxy_cpu else '(already made by an earlier run)'}")
            _print_checks([("draft / final CPU", cpu["draft"] / final, "<=", 0.25),
                           ("cold draft / final", cpu["draft-cold"] / final, "<=", 0.25)])
            return
        floor = min(times[f"floor{r}"] for r in rounds)
        fit = min(times[f"fit{r}"] for r in rounds)
        moving = min(times[f"fill{r}"] for r in rounds)
        fit_floor = min(times[f"floor-fit{r}"] for r in rounds)
        moving_floor = min(times[f"floor-fill{r}"] for r in rounds)
        cpu = {name: min(CPU[f"{name}{r}"] for r in rounds) for name in ("ours", "floor", "fit", "fill", "floor-fit", "floor-fill")}
        two_pass = min(
            _timed(lambda: run_two_pass(source, voice, words, work / "two_pass.mp4", args.x264_preset, work,
                                        args.baseline_segment_preset)) for _ in rounds
        )
        moviepy = None if args.skip_moviepy else _timed(lambda: run_moviepy(source, voice, words, work / "moviepy.mp4", args.x264_preset))
        photo_checks = photo_render.measure(cache, voice, words, work, args.x264_preset, args.rounds)
        photo_checks += everything.measure(cache, source, voice, words, music, MUSIC_SECONDS, work, args.x264_preset,
                                           args.rounds)

    print(f"\n30 s 1080x1920 clip from six 5 s segments of a 60 s 1080p30 source (keyframe every {args.gop:g} s), "
          f"x264 preset {args.x264_preset}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"  ours (one pass + loudness measure): {ours:7.2f} s   ({CLIP_SECONDS / ours:4.1f}x real time)")
    print(f"  fit framing (whole frame over a blurred copy): {fit:7.2f} s   (its floor {fit_floor:.2f} s)")
    print(f"  fill with a moving crop (subject track): {moving:7.2f} s   (its floor {moving_floor:.2f} s)")
    print(f"  draft preview (540x960, x264 ultrafast): {draft:7.2f} s   ({draft / ours:.0%} of the final render; "
          f"{draft_cold:.2f} s = {draft_cold / ours:.0%} measuring the loudness first)")
    print(f"  floor (one contiguous trim, same captions): {floor:7.2f} s")
    print(f"  per-segment re-encode then whole: {two_pass:7.2f} s   (segments at x264 {args.baseline_segment_preset}, CRF 23)")
    if moviepy is not None:
        print(f"  MoviePy composition:           {moviepy:7.2f} s")
    print(f"  CPU seconds: ours {cpu['ours']:.1f} / floor {cpu['floor']:.1f}; fit {cpu['fit']:.1f} / its floor "
          f"{cpu['floor-fit']:.1f}; moving crop {cpu['fill']:.1f} / its floor {cpu['floor-fill']:.1f}")
    print(f"  against the plain floor: fit {fit / floor:.2f}x, moving crop {moving / floor:.2f}x (wall); "
          f"{cpu['fit'] / cpu['floor']:.2f}x, {cpu['fill'] / cpu['floor']:.2f}x (CPU)")
    checks = [("ours / floor", ours / floor, "<=", 1.15), ("fit / its floor", fit / fit_floor, "<=", 1.15),
              ("moving / its floor", moving / moving_floor, "<=", 1.15),
              ("ours / floor CPU", cpu["ours"] / cpu["floor"], "<=", 1.15),
              ("fit / floor CPU", cpu["fit"] / cpu["floor-fit"], "<=", 1.15),
              ("moving / floor CPU", cpu["fill"] / cpu["floor-fill"], "<=", 1.15),
              ("two-pass / ours", two_pass / ours, ">=", 2.0),
              ("draft / ours", draft / ours, "<=", 0.25), ("cold draft / ours", draft_cold / ours, "<=", 0.25)]
    if moviepy is not None:
        checks.insert(1, ("MoviePy / ours", moviepy / ours, ">=", 10.0))
    _print_checks(checks + photo_checks)


def _print_checks(checks: list[tuple]) -> None:
    print()
    for label, ratio, op, target in checks:
        met = ratio <= target if op == "<=" else ratio >= target
        print(f"  {label:19s} {ratio:6.2f}x   target {op} {target}x   {'MET' if met else 'NOT MET'}")


if __name__ == "__main__":
    main()
