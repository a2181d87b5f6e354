"""Screenshots of every studio page, with a store owner's data, at a laptop's and a desktop's size (issue 21).

    invoke screenshots --out docs/screenshots
    python -m editfactory.ops.screenshots --out docs/screenshots [--keep-workspace DIR]

It builds a fresh workspace in a temporary folder: a store ("Sunny Sandals") with generated footage imported
as sources, 100 clips over 4 projects (the newest with real video files, so posters and Play work), a music
track, a brand logo, an offer on a project, a fake Postiz (``tests/fakes/postiz_server.py``, on 127.0.0.1) with
3 channels, some clips posted and scheduled through the real publishing code, and 20 jobs in every state; a
second store with a few clips, and a new empty store (the first-run view). Then it serves the studio the way
``invoke serve`` does and takes a full-page screenshot of every page of the menu with Playwright in Debian's
Chromium, at 1366×768 and 1920×1080, saved as small palette PNGs. It is a developer's tool: it needs a checkout
(the fake Postiz lives in ``tests/``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from editfactory.tts.elevenlabs_provider import ElevenLabsProvider
from editfactory.tts.piper_provider import BUNDLED_VOICE, PiperProvider

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
os.environ.setdefault("EDITFACTORY_SECRETS_BACKEND", "file")  # the fake key stays in the temporary workspace
os.environ.setdefault("EDITFACTORY_PUBLISH_AUTO_RETRY", "0")  # nothing is sent behind the screenshots' back

ROOT = Path(__file__).resolve().parents[2]
VIEWPORTS = ((1366, 768), (1920, 1080))
PAGES = ("library", "produce", "music", "voices", "publish", "dashboard", "jobs", "settings")
STORE = "Sunny Sandals"
SECOND_STORE = "Mug & Co"
EMPTY_STORE = "New store"
POSTIZ_KEY = "screenshots-key-0123456789"
CHANNEL_IDS = ["sunny-tiktok", "sunny-insta", "sunny-yt"]
CLIPS = 100
REAL_CLIPS = 24  # the newest clips, the Library's first page and more, have video files and posters
JOBS = 20
PROJECTS = {
    "Summer sandals launch": "Meet the summer sandal. Soft straps, a cushioned sole and a grip that holds on wet stone.",
    "Beach bag bundle": "Everything for the beach in one bag: towel, bottle and a pocket that keeps your phone dry.",
    "Autumn boots teaser": "Boots that keep up with rainy mornings. Waterproof leather, warm lining, light step.",
    "Black Friday sale": "Our biggest sale of the year: every sandal thirty percent off, this weekend only.",
}
# ffmpeg test sources that give each clip a different poster.
PATTERNS = ("testsrc2", "smptehdbars", "mandelbrot", "rgbtestsrc", "testsrc", "cellauto")


def _ffmpeg(*args: str, what: str) -> None:
    from editfactory.jobs import run_subprocess
    from editfactory.media.runner import ffmpeg_path

    run_subprocess([ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-y", *args], timeout=300, what=what)


def _vertical_clip(target: Path, pattern: str, seconds: float = 6.0) -> Path:
    """A small vertical H.264 clip with sound, as a finished clip's file would be (scaled down)."""
    source = f"{pattern}=size=360x640:rate=24" if pattern != "cellauto" else "cellauto=size=360x640:rate=24:rule=110"
    if pattern == "mandelbrot":
        source = "mandelbrot=size=360x640:rate=24"
    _ffmpeg("-f", "lavfi", "-i", source, "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000",
            "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-shortest", str(target), what="ffmpeg (a screenshot clip)")
    return target


def _logo(target: Path) -> Path:
    """A round sun logo with a wordmark, drawn with Pillow (transparent background)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (512, 512), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((56, 56, 456, 456), fill=(255, 176, 32, 255), outline=(230, 100, 20, 255), width=18)
    draw.rectangle((150, 236, 362, 276), fill=(255, 255, 255, 255))
    image.save(target)
    return target


# -- the data ----------------------------------------------------------------------------------------------


def _clip_rows(profile, project_ids: list[str], videos: list[Path], count: int, real: int, now: dt.datetime,
               cost_every: int = 3) -> list[str]:
    """``count`` clips over the projects, oldest first; the newest ``real`` have video files (posters and Play)."""
    from editfactory.core.ids import new_id
    from editfactory.services import projects

    words = ["strap close-up", "on the beach", "unboxing", "price reveal", "walk test", "colours", "bundle", "review"]
    rows, ids = [], []
    for index in range(count):
        clip_id = new_id("clip")
        project = project_ids[index % len(project_ids)]
        created = now - dt.timedelta(hours=(count - index) * 5)
        row = {"id": clip_id, "project_id": project, "name": f"{words[index % len(words)]} · v{index % 3 + 1}",
               "status": "rendered" if index % 11 else ("failed" if index % 2 else "draft"), "variant": index % 3,
               "duration": 12.0 + (index % 7) * 3.5, "width": 1080, "height": 1920, "created_at": created,
               "cost_usd": 0.07 if index % cost_every == 0 else 0.0,
               "tts": json.dumps({"provider": PiperProvider.name, "voice": BUNDLED_VOICE, "model": "medium"}),
               "path": None}
        if index >= count - real:
            video = profile.paths.renders / f"{clip_id}.mp4"
            video.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(videos[index % len(videos)], video)
            row.update(status="rendered", path=profile.paths.relative(video))
        rows.append(row)
        ids.append(clip_id)
    with profile.db.transaction() as cur:
        projects.insert_rows(cur, "clips", rows)
    return ids


def _jobs(profile, project_ids: list[str], clip_ids: list[str], source_ids: list[str], channel_ids: list[str]) -> None:
    """20 jobs in every state, with the inputs the studio's own jobs have (so the page says what each makes)."""
    from editfactory.jobs import JobStore
    from editfactory.jobs import registry as kinds

    store = JobStore(profile)
    voice = {"provider": PiperProvider.name, "voice": BUNDLED_VOICE}
    production = lambda p, n=3: (kinds.PRODUCTION, {"project_id": p, "variants": n, "voice": voice, "preset": "tiktok"})  # noqa: E731
    plans = [
        (production(project_ids[0]), "succeeded", None, None),
        (production(project_ids[1], 2), "succeeded", None, None),
        ((kinds.ANALYZE_SOURCE, {"source_id": source_ids[0]}), "succeeded", None, None),
        ((kinds.IMPORT_SOURCES, {"paths": ["/home/owner/Videos/sandal-beach.mp4"], "project_id": project_ids[0]}),
         "succeeded", None, None),
        ((kinds.VOICEOVER, {"project_id": project_ids[0], "voice": voice}), "succeeded", None, None),
        ((kinds.PUBLISH, {"clip_ids": clip_ids[-1:], "targets": channel_ids[:2]}), "succeeded", None, None),
        ((kinds.PUBLISH, {"clip_ids": clip_ids[-4:-2], "targets": channel_ids,
                          "start": "2026-12-10T09:00:00+00:00", "spacing_minutes": 120}), "succeeded", None, None),
        (production(project_ids[2]), "failed",
         "The voiceover could not be made: the script is empty. Write a script on Produce, then render again.", None),
        ((kinds.PUBLISH, {"clip_ids": clip_ids[-6:-5], "targets": channel_ids[2:]}), "failed",
         "Postiz refused the post: YouTube needs a title of at most 100 characters. Shorten the title and retry.",
         None),
        ((kinds.ANALYZE_SOURCE, {"source_id": source_ids[-1]}), "failed",
         "ffmpeg could not read the video (moov atom not found); it may be cut short. Import it again.", None),
        (production(project_ids[3], 4), "running", None, ("Rendering variant 2 of 4", 0.43)),
        ((kinds.ANALYZE_SOURCE, {"source_id": source_ids[0]}), "running", None, ("Finding scene changes", 0.71)),
        ((kinds.VOICEOVER, {"project_id": project_ids[1], "voice": voice}), "running", None, ("Synthesising", 0.15)),
        (production(project_ids[0], 2), "queued", None, None),
        ((kinds.PUBLISH_REFRESH, {}), "queued", None, None),
        ((kinds.EXPORT, {"destination": "/home/owner/backups/sunny-sandals.zip"}), "queued", None, None),
        (production(project_ids[1]), "cancelled", None, None),
        ((kinds.VOICE_PREVIEW, {"voice": voice, "text": "Meet the summer sandal."}), "cancelled", None, None),
        ((kinds.PUBLISH_RESUME, {}), "succeeded", None, None),
        ((kinds.CLONE_VOICE, {"name": "Ana – warm", "samples": ["a.wav", "b.wav"],
                                    "provider": ElevenLabsProvider.name}),
         "failed", "ElevenLabs refused the key (401). Paste a valid key in Settings → Voices, then retry.", None),
    ]
    assert len(plans) == JOBS
    for (kind, inputs), status, error, progress in plans:
        job = store.create(kind, inputs)
        if status == "queued":
            continue
        if status != "cancelled":
            store.mark_running(job.id, temp_dir=None)
        if status == "running":
            store.set_progress(job.id, *progress)
        elif status == "succeeded":
            store.set_progress(job.id, "Done", 1.0)
            store.finish(job.id, status)
        else:
            store.finish(job.id, status, error=error)


def _costs(profile, amounts: list[float]) -> None:
    """Paid voiceovers this month, as the cost ledger records them."""
    from editfactory.costs.ledger import reserve, set_quota, settle

    set_quota(profile, 20.0)
    for amount in amounts:
        settle(reserve(profile, ElevenLabsProvider.name, ElevenLabsProvider.default_model, amount, units=amount * 3300,
                       description="Voiceover"), amount, units=amount * 3300)


def fake_postiz():
    """The fake Postiz of the checkout's tests (``tests/fakes/postiz_server.py``) with the store's 3 channels; start it
    with ``with fake_postiz() as server:``."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.fakes.postiz_server import FakeIntegration, FakePostiz

    return FakePostiz(POSTIZ_KEY, [FakeIntegration("sunny-tiktok", "Sunny Sandals TikTok", "tiktok"),
                                   FakeIntegration("sunny-insta", "sunnysandals.shop", "instagram"),
                                   FakeIntegration("sunny-yt", "Sunny Sandals Shorts", "youtube")])


def build(root: Path, postiz_url: str, scratch: Path) -> dict[str, str]:
    """The workspace under ``root`` (publishing to the fake Postiz at ``postiz_url``); returns {store: profile id}."""
    from editfactory.footage import analyze_source, import_source
    from editfactory.footage.music import MusicChoice, import_track, set_project_music
    from editfactory.ops.demo import generate_music, generate_source
    from editfactory.profiles import Workspace
    from editfactory.publish import save_config
    from editfactory.publish.config import check_connection
    from editfactory.publish.service import publish_many
    from editfactory.services import projects
    from editfactory.services.brand import set_logo, set_project_watermark
    from editfactory.services.offer import Offer, set_offer

    channel_ids = CHANNEL_IDS
    workspace = Workspace(root)
    store = workspace.create(STORE, "Sandals and beach bags, sold online.")
    second = workspace.create(SECOND_STORE, "Travel mugs and flasks.")
    empty = workspace.create(EMPTY_STORE)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)

    print("footage, music and logo …", flush=True)
    sources = [import_source(store, generate_source(scratch / name, seconds))
               for name, seconds in (("sandal-beach.mp4", 8.0), ("strap-closeup.mp4", 6.0))]
    analyze_source(store, sources[0].id)
    # Created last to first, so the first project (footage, music, logo, offer) is the newest: Produce opens it.
    project_ids = [projects.create_project(store, name, script=script)["id"]
                   for name, script in reversed(PROJECTS.items())][::-1]
    for project_id in project_ids[:2]:
        projects.set_project_sources(store, project_id, [s.id for s in sources])
    track = import_track(store, generate_music(scratch / "sunny-beat.m4a"), moods=["upbeat", "summer"])
    set_project_music(store, project_ids[0], MusicChoice(track_id=track.id))
    set_logo(store, _logo(scratch / "logo.png"))
    set_project_watermark(store, project_ids[0], True)
    set_offer(store, project_ids[0], Offer.from_dict({
        "product": "Summer sandal", "price": 49.90, "old_price": 59.90, "currency": "EUR",
        "cta": "Shop now — link in bio", "url": "sunnysandals.shop", "hook": "Summer starts here"}))

    print("clips …", flush=True)
    videos = [_vertical_clip(scratch / f"clip-{pattern}.mp4", pattern) for pattern in PATTERNS]
    clip_ids = _clip_rows(store, project_ids, videos, CLIPS, REAL_CLIPS, now)

    print("publishing to the fake Postiz …", flush=True)
    save_config(store, url=postiz_url, enabled=True, api_key=POSTIZ_KEY, default_channels=channel_ids[:2])
    check_connection(store)  # remembers the channels, as Settings' "Test connection" does
    publish_many(store, clip_ids[-1:], channel_ids[:2], captions="Summer starts here ☀️ #sandals")
    publish_many(store, clip_ids[-4:-2], channel_ids, captions="New colours are in. #summer",
                 start=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2), spacing=dt.timedelta(hours=2))

    print("jobs and costs …", flush=True)
    _jobs(store, project_ids, clip_ids, [s.id for s in sources], channel_ids)
    _costs(store, [0.07, 0.12, 0.31])

    mug = projects.create_project(second, "Travel mug", script="The travel mug that keeps coffee hot all day.")
    _clip_rows(second, [mug["id"]], videos, 8, 8, now)
    return {STORE: store.id, SECOND_STORE: second.id, EMPTY_STORE: empty.id}


# -- serving and shooting ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def served_studio(root: Path, log_path: Path) -> Iterator[str]:
    """``panel serve apps/studio.py`` on a free loopback port over the workspace ``root``; yields the studio's URL."""
    port = _free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "panel", "serve", str(ROOT / "apps" / "studio.py"), "--port", str(port),
             "--address", "127.0.0.1", f"--allow-websocket-origin=127.0.0.1:{port}",
             "--plugins", "editfactory.ui.media_route"],
            cwd=ROOT, env={**os.environ, "EDITFACTORY_DATA": str(root)}, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"the studio exited: {log_path.read_text(errors='replace')[-2000:]}")
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit("the studio did not start within 120 s")
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port}/studio"
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _settle(page, name: str) -> None:
    """Wait until the page's data is on screen and its images have loaded."""
    page.locator("h5", has_text=name.capitalize()).first.wait_for(timeout=120_000)
    page.get_by_text(re.compile(r"^Opening .*…$")).wait_for(state="detached", timeout=120_000)
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=60_000)
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.wait_for_timeout(1500)  # the last widgets' layout and fonts


# How much taller than the window the page's content is: the studio scrolls its main area inside the page, so
# Playwright's full_page (the document's height) would stop at the window's bottom edge.
_OVERFLOW_JS = """() => {
    const find = (root) => {
        for (const e of root.querySelectorAll('*')) {
            if (e.classList.contains('main-content')) return e;
            const inner = e.shadowRoot && find(e.shadowRoot);
            if (inner) return inner;
        }
        return null;
    };
    const main = find(document);
    return main ? Math.max(0, main.scrollHeight - main.clientHeight) : 0;
}"""


def save_small(page, path: Path) -> int:
    """A full-page screenshot (the window made as tall as the content, the width kept) as a 256-colour PNG."""
    from PIL import Image

    size = page.viewport_size
    height = size["height"]
    for _ in range(4):  # a taller window can lay out (or load) more below, so measure again until it all fits
        extra = page.evaluate(_OVERFLOW_JS)
        if extra <= 0:
            break
        height += extra
        page.set_viewport_size({"width": size["width"], "height": height})
        page.wait_for_timeout(1000)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    return path.stat().st_size


def shoot(url: str, profiles: dict[str, str], out: Path, pages: tuple[str, ...] = PAGES,
          viewports: tuple[tuple[int, int], ...] = VIEWPORTS) -> list[Path]:
    """Every page for the store at each viewport, and the empty store's Library (the first-run view)."""
    from playwright.sync_api import sync_playwright

    from editfactory.ops.chromium import CHROMIUM, CHROMIUM_FLAGS

    out.mkdir(parents=True, exist_ok=True)
    shots = [(name, profiles[STORE], name) for name in pages]
    shots.append(("library", profiles[EMPTY_STORE], "library-empty-profile"))
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            for width, height in viewports:
                page = browser.new_page(viewport={"width": width, "height": height})
                for name, profile_id, file_name in shots:
                    page.goto(f"{url}?page={name}&profile={profile_id}")
                    _settle(page, name)
                    path = out / f"{file_name}-{width}.png"
                    size = save_small(page, path)
                    print(f"  {path.name}: {size / 1024:.0f} KiB", flush=True)
                    written.append(path)
                page.close()
        finally:
            browser.close()
    return written


def run(out: Path, keep: Path | None = None, pages: tuple[str, ...] = PAGES) -> list[Path]:
    """Build the workspace (in ``keep``, or a temporary folder), serve it and take the screenshots into ``out``."""
    with contextlib.ExitStack() as stack:
        root = keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ef-screenshots-")))
        scratch = root / "_scratch"
        scratch.mkdir(parents=True, exist_ok=True)
        postiz = stack.enter_context(fake_postiz())
        started = time.perf_counter()
        profiles = build(root / "workspace", postiz.backend_url, scratch)
        print(f"workspace built in {time.perf_counter() - started:.0f} s", flush=True)
        url = stack.enter_context(served_studio(root / "workspace", root / "studio.log"))
        return shoot(url, profiles, Path(out).resolve(), pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m editfactory.ops.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNG files")
    parser.add_argument("--keep-workspace", type=Path, default=None,
                        help="build the workspace here and keep it (default: a temporary folder, removed after)")
    parser.add_argument("--page", action="append", choices=PAGES, default=None, help="only this page (repeatable)")
    args = parser.parse_args(argv)
    written = run(args.out, args.keep_workspace, tuple(args.page or PAGES))
    total = sum(p.stat().st_size for p in written)
    print(f"{len(written)} screenshots, {total / 1024 / 1024:.1f} MiB, in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
