"""One command that shows the product working: a voiced, captioned 1080x1920 clip, offline, without keys.

    python -m editfactory.ops.demo --out demo.mp4 [--data-dir DIR] [--source VIDEO|PHOTO|FOLDER ...] [--music TRACK]
        [--product NAME --price 49.90 [--currency EUR] [--old-price 59.90] [--cta TEXT] [--url URL]] [--hook TEXT]
        [--look PRESET] [--transition cut|crossfade|slide|zoom]

It uses a "Demo" profile, the offline Piper voice, and — when no source or music is
given — footage and music (chords over a kick at 120 BPM) that ffmpeg generates. ``--source`` may be
repeated; a folder gives every video and photo in it. Everything goes through the same job and
pipeline as the studio. An offer (``--product`` and ``--price``) ends the clip with an end card, ``--hook``
opens it with a title; both are stored as the demo project's offer, as the Produce page would.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network

from editfactory.core.errors import EditFactoryError  # noqa: E402
from editfactory.footage import import_source  # noqa: E402
from editfactory.footage.music import import_track  # noqa: E402
from editfactory.jobs import SUCCEEDED, JobRunner, JobStore, recover_interrupted, run_subprocess  # noqa: E402
from editfactory.media.caption_looks import LOOKS  # noqa: E402
from editfactory.media.runner import ffmpeg_path  # noqa: E402
from editfactory.media.transitions import TRANSITIONS  # noqa: E402
from editfactory.pipeline import ProductionRequest, start_production  # noqa: E402
from editfactory.services.brand import set_logo, set_project_watermark  # noqa: E402
from editfactory.profiles import Profile, Workspace  # noqa: E402
from editfactory.services import projects  # noqa: E402
from editfactory.services.offer import DEFAULT_CTA, Offer, set_offer, set_profile_locale  # noqa: E402
from editfactory.services.uploads import FOOTAGE_SUFFIXES  # noqa: E402
from editfactory.tts.piper_provider import PiperProvider  # noqa: E402

DEMO_PROFILE = "Demo"
DEMO_PROJECT = "Demo: travel mug"
DEMO_SCRIPT = "Meet the travel mug that keeps your coffee hot all day. Grab yours today!"


def generate_source(target: Path, seconds: float = 8.0) -> Path:
    """Landscape product-like footage with sound, made by ffmpeg's test sources (deterministic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    run_subprocess(
        [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30:duration={seconds}",
         "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
         "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(target)],
        timeout=120,
        what="ffmpeg (generating demo footage)",
    )
    return target


def generate_music(target: Path, seconds: float = 16.0) -> Path:
    """A 120 BPM track: a kick on every beat over a chord whose top note moves every two bars (deterministic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    beat = "mod(t\\,0.5)"
    top = "if(lt(mod(t\\,4)\\,2)\\,392\\,440)"
    expression = (f"0.6*sin(2*PI*55*{beat})*exp(-10*{beat})+0.2*exp(-150*{beat})*sin(2*PI*1500*{beat})"
                  f"+0.07*(sin(2*PI*261.6*t)+sin(2*PI*329.6*t)+sin(2*PI*{top}*t))")
    run_subprocess(
        [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"aevalsrc='{expression}|{expression}':s=44100:d={seconds}", "-c:a", "aac", "-b:a", "160k", str(target)],
        timeout=120, what="ffmpeg (generating demo music)",
    )
    return target


def _check_readable(source: Path, what: str = "source video", option: str = "--source") -> None:
    """Refuse a --source (or --music) that is missing, not a file or not readable, before any profile is touched."""
    try:
        if not source.exists():
            raise EditFactoryError(f"The {what} {source} does not exist; check the path or leave {option} out.")
        if source.is_dir() and option == "--source":
            return
        if not source.is_file():
            raise EditFactoryError(f"The {what} {source} is not a file; name a file or leave {option} out.")
        with open(source, "rb") as handle:
            handle.read(1)
    except OSError as error:  # e.g. no permission to read it or its folder
        raise EditFactoryError(
            f"The {what} {source} cannot be read ({error.strerror or error}); "
            f"check its permissions, or leave {option} out to use generated {'music' if option == '--music' else 'footage'}."
        ) from None


def footage_files(sources: Sequence[Path]) -> list[Path]:
    """The files named by ``--source``: each file itself, each folder's videos and photos (by name)."""
    files: list[Path] = []
    for source in sources:
        _check_readable(source)
        if source.is_dir():
            found = sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() in FOOTAGE_SUFFIXES)
            if not found:
                raise EditFactoryError(
                    f"The source folder {source} holds no photo or video ({', '.join(FOOTAGE_SUFFIXES)}); "
                    "name a folder with footage, or leave --source out."
                )
            for path in found:
                _check_readable(path)
            files.extend(found)
        else:
            files.append(source)
    return files


def _demo_profile(workspace: Workspace) -> Profile:
    return workspace.find_by_name(DEMO_PROFILE) or workspace.create(DEMO_PROFILE, "Made by `invoke demo`.")


def _demo_project(profile: Profile) -> dict:
    for project in projects.list_projects(profile):
        if project["name"] == DEMO_PROJECT:
            return project
    return projects.create_project(profile, DEMO_PROJECT, script=DEMO_SCRIPT)


def _print_progress(message: str, fraction: float | None) -> None:
    percent = "" if fraction is None else f"{fraction * 100:5.1f}% "
    print(f"  {percent}{message}", file=sys.stderr, flush=True)


def _demo_music(profile: Profile, music: Path | None) -> str:
    """Import ``music`` (or generated music) into the profile's library; returns the track id."""
    if music is None:
        with profile.temp_dir("demo-music") as scratch:
            _print_progress("Generating demo music with ffmpeg", None)
            return import_track(profile, generate_music(scratch / "demo-music.m4a"), moods=["demo"]).id
    try:
        return import_track(profile, music).id
    except EditFactoryError as error:
        raise EditFactoryError(
            f"The music {music} cannot be used: {error}\n"
            "Pass an MP3, M4A/AAC, WAV, OGG/Opus or FLAC file of at least 5 s with --music, or leave --music out "
            "to use generated music."
        ) from None


def demo_offer(product: str = "", price: str | float | None = None, currency: str = "EUR",
               old_price: str | float | None = None, cta: str = DEFAULT_CTA, url: str = "", hook: str = "",
               background: str = "blur") -> Offer:
    """The offer the demo options describe, checked (a ValidationError names the option's problem)."""
    return Offer.from_dict({"product": product, "price": price, "currency": currency, "old_price": old_price,
                            "cta": cta, "url": url, "hook": hook, "background": background})


def _demo_logo(profile: Profile, project: dict, logo: Path | None) -> None:
    """The demo clip carries ``logo`` (imported into the Demo profile's brand kit), or no logo when none is given."""
    if logo is None:
        set_project_watermark(profile, project["id"], False)  # a logo of an earlier run stays off this clip
        return
    _check_readable(Path(logo), "logo", "--logo")
    try:
        set_logo(profile, Path(logo))
    except EditFactoryError as error:
        raise EditFactoryError(f"The logo {logo} cannot be used: {error}\nPass a PNG, WebP, JPEG or SVG logo of at "
                               "least 128 pixels with --logo, or leave --logo out.") from None
    set_project_watermark(profile, project["id"], True)


def run_demo(out: Path, data_dir: Path | None = None, source: Path | Sequence[Path] | None = None,
             music: Path | None = None, look: str = "", offer: Offer | None = None, locale: str = "",
             transition: str | None = None, logo: Path | None = None) -> Path:
    """Make the demo clip and copy it to ``out``; returns ``out``. ``source``: videos, photos or folders of them;
    ``offer``: the end card and hook (none when not given); ``locale``: how its prices read (e.g. ro_RO);
    ``transition``: between segments (the project's choice when not given); ``logo``: the store's logo (PNG, WebP,
    JPEG or SVG), drawn as a watermark in the top-right of the safe area and on the end card."""
    out = Path(out).resolve()
    if out.suffix.lower() != ".mp4":
        raise EditFactoryError(f"--out must name an .mp4 file (got {out.name}), for example --out demo.mp4.")
    offer = offer or Offer(end_card=False)
    if isinstance(source, (str, Path)):
        source = [source]
    files = footage_files([Path(s) for s in source]) if source else []
    if music is not None:
        _check_readable(Path(music), "music track", "--music")
    workspace = Workspace(data_dir)
    profile = _demo_profile(workspace)
    recover_interrupted(profile)
    project = _demo_project(profile)
    _print_progress(f"Profile {profile.name!r} in {profile.folder}", None)
    imported = []
    if not files:
        with profile.temp_dir("demo-source") as scratch:
            _print_progress("Generating demo footage with ffmpeg", None)
            imported.append(import_source(profile, generate_source(scratch / "demo-footage.mp4"), _print_progress))
    for path in files:
        try:
            imported.append(import_source(profile, path, _print_progress))
        except EditFactoryError as error:
            raise EditFactoryError(
                f"The source {path} cannot be used: {error}\n"
                "Pass a video that ffmpeg can read (an MP4 works) or a photo (JPEG, PNG, WebP, AVIF, HEIC) with "
                "--source, or leave --source out to use generated footage."
            ) from None
    projects.set_project_sources(profile, project["id"], list(dict.fromkeys(s.id for s in imported)))
    track_id = _demo_music(profile, music)
    set_offer(profile, project["id"], offer)  # as the Produce page stores it; the job reads it from the project
    if locale:
        set_profile_locale(profile, locale)
    _demo_logo(profile, project, logo)

    request = ProductionRequest(project["id"], DEMO_SCRIPT, variants=1, preset="tiktok",
                                voice={"provider": PiperProvider.name}, music={"track_id": track_id},
                                caption_look=look, transition=transition)
    with JobRunner(workers=1) as runner:
        job_id = start_production(runner, profile, request)
        job = _follow(runner, profile, job_id)
    if job.status != SUCCEEDED:
        raise EditFactoryError(f"The demo job {job.status}: {job.error}")
    clip = projects.get_clip(profile, job.outputs["clip_ids"][0])
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    shutil.copyfile(profile.paths.absolute(clip["path"]), partial)
    os.replace(partial, out)
    return out


def _follow(runner: JobRunner, profile: Profile, job_id: str):
    """Wait for the job, printing its progress as it changes."""
    store, last = JobStore(profile), None
    while True:
        try:
            return runner.wait(profile, job_id, timeout=0.5)
        except TimeoutError:
            job = store.get(job_id)
            if (job.step, int(job.progress)) != last:
                last = (job.step, int(job.progress))
                _print_progress(job.step, job.progress / 100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m editfactory.ops.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="where to write the finished clip (.mp4)")
    parser.add_argument("--data-dir", type=Path, default=None, help="workspace root (default: data/ or $EDITFACTORY_DATA)")
    parser.add_argument("--source", type=Path, action="append", default=None,
                        help="a video, a photo or a folder of both to cut from; repeatable (default: generated footage)")
    parser.add_argument("--music", type=Path, default=None, help="a music track for the clip (default: generated music)")
    parser.add_argument("--look", choices=list(LOOKS), default="",
                        help="caption look (default: the Demo profile's caption style)")
    parser.add_argument("--product", default="", help="the product the end card sells (with --price)")
    parser.add_argument("--price", default=None, help="its price, e.g. 49.90")
    parser.add_argument("--currency", default="EUR", help="ISO currency code of the prices (default EUR)")
    parser.add_argument("--old-price", default=None, help="the price before the sale, shown struck through")
    parser.add_argument("--cta", default=DEFAULT_CTA, help=f"the call to action (default: {DEFAULT_CTA!r})")
    parser.add_argument("--url", default="", help="the shop's URL on the end card")
    parser.add_argument("--hook", default="", help="a big title over the first 1.5 s")
    parser.add_argument("--end-card-background", choices=["blur", "color"], default="blur",
                        help="the end card over the last frame blurred (default) or a solid colour")
    parser.add_argument("--locale", default="", help="how prices read, e.g. ro_RO or en_US (default: the voice's)")
    parser.add_argument("--transition", choices=list(TRANSITIONS), default=None,
                        help="between segments (default: the demo project's choice, a cut until one is saved)")
    parser.add_argument("--logo", type=Path, default=None,
                        help="the store's logo (PNG, WebP, JPEG or SVG) as a watermark (default: none)")
    args = parser.parse_args(argv)
    try:
        offer = demo_offer(args.product, args.price, args.currency, args.old_price, args.cta, args.url, args.hook,
                           args.end_card_background)
        out = run_demo(args.out, args.data_dir, args.source, args.music, args.look, offer, args.locale,
                       args.transition, args.logo)
    except EditFactoryError as error:
        print(f"Demo failed: {error}", file=sys.stderr)
        return 2
    print(f"Demo clip written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
