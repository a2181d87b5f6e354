"""How fast the served studio answers a person, next to the framework's floor, idle and while a render runs.

Run with ``invoke bench.studio``. The studio (a profile with 100 000 clips in 1 000 projects) and the floor app
(:mod:`editfactory.bench.floor_app`: a minimal ``panel_material_ui`` Page with a menu and a 25-row Tabulator) are
served by one ``panel serve`` the way README command (1) starts the studio, and driven by Playwright in Debian's
Chromium, side by side in one run (each round opens the floor, then the studio's page). Timed, p50/p95 in ms:

- first open of each page by URL → its data on screen, as a ratio to the floor's open (targets p50 ≤ 1.3×,
  p95 ≤ 2×); "(whole)" is the same open until the page's lower parts, built once its top is on screen
  (``PageView.deferred``), are there too (no target: printed so the deferral hides nothing);
- in-app page change (a click in the menu) and profile switch → the new page's data on screen (p50 ≤ 300 ms,
  p95 ≤ 600 ms);
- job progress written to the profile's database (by another process, as a notebook would) → the new step on
  screen on the Jobs page (p95 ≤ 1 s);
- the same while a final render (1080x1920, x264 veryfast, both cores) runs over and over in this process, as the
  studio's job runner would run it (target: each ≤ 1.5× its idle figure). ``--render-nice 0`` runs the render at
  the server's priority (as before issue 21), for comparison.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from editfactory.bench.storage import populate
from editfactory.core.priority import NICE_ENV
from editfactory.jobs import JobStore
from editfactory.ops.chromium import CHROMIUM, CHROMIUM_FLAGS
from editfactory.profiles import Workspace
from editfactory.services import projects

ROOT = Path(__file__).resolve().parents[2]
FLOOR_APP = Path(__file__).with_name("floor_app.py")
PAGES = ("library", "produce", "voices", "publish", "dashboard", "jobs", "settings")
LABELS = {"library": "Library", "produce": "Produce", "voices": "Voices", "publish": "Publish",
          "dashboard": "Dashboard", "jobs": "Jobs", "settings": "Settings"}
SWITCH_TARGETS_MS = (300, 600)  # p50, p95 of in-app page changes and profile switches
PROGRESS_TARGET_MS = 1000  # p95
OPEN_RATIO_TARGETS = (1.3, 2.0)  # p50, p95 of a first open by URL, over the floor's
UNDER_RENDER_TARGET = 1.5  # each figure while a render runs, over its idle figure
WAIT_MS = 120_000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(root: Path, port: int, log) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "panel", "serve", str(ROOT / "apps" / "studio.py"), str(FLOOR_APP),
         "--port", str(port), "--address", "127.0.0.1", f"--allow-websocket-origin=127.0.0.1:{port}",
         "--plugins", "editfactory.ui.media_route"],
        cwd=ROOT, env={**os.environ, "EDITFACTORY_DATA": str(root)}, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the studio did not start within 90 s")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(round(len(ordered) * 0.95)) - 1)]


def _first_clip_name(profile) -> str:
    return projects.list_clips(profile, limit=1)[0]["name"]


class RenderLoad:
    """Final renders one after another in a background thread, as the studio's job runner runs them."""

    def __init__(self, root: Path, nice: int | None) -> None:
        self.root, self.nice = root, nice
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.renders = 0

    def _prepare(self) -> tuple[Path, Path]:
        from editfactory.media.runner import run_ffmpeg

        source, voice = self.root / "load-source.mp4", self.root / "load-voice.wav"
        run_ffmpeg(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "20",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(source)],
                   timeout=600, what="load source")
        run_ffmpeg(["-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=220:sample_rate=48000", "-t", "15", str(voice)],
                   timeout=600, what="load voice")
        return source, voice

    def start(self) -> None:
        from editfactory.core.priority import lower_this_thread
        from editfactory.media import loudness
        from editfactory.media.presets import get_preset
        from editfactory.media.render import RenderSpec, render_clip

        if self.nice is not None:
            os.environ[NICE_ENV] = str(self.nice)
        source, voice = self._prepare()
        spec = RenderSpec(segments=[(source, 0.0, 8.0), (source, 10.0, 18.0)], voiceover=voice,
                          preset=get_preset("tiktok"))

        def loop() -> None:
            lower_this_thread()  # as a job runner's worker thread is
            while not self._stop.is_set():
                loudness.forget_measurements()
                render_clip(spec, self.root / "load-render.mp4", cancel=self._stop)
                self.renders += 1

        def guarded() -> None:
            try:
                loop()
            except Exception:  # noqa: BLE001 - the stop cancels the render in flight
                if not self._stop.is_set():
                    raise

        self._thread = threading.Thread(target=guarded, name="bench-render-load", daemon=True)
        self._thread.start()
        time.sleep(3)  # let the first encode take the cores

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)


class Driver:
    """One Chromium page over the served studio and floor; each method returns milliseconds."""

    def __init__(self, page, base: str, profiles: dict[str, tuple[str, str]]) -> None:
        self.page, self.base, self.profiles = page, base, profiles  # name -> (profile id, its first clip)

    def shown(self, name: str, profile: str) -> None:
        """Wait until ``name``'s data for ``profile`` is on screen."""
        page = self.page
        if name == "library":
            page.get_by_text(self.profiles[profile][1]).filter(visible=True).first.wait_for(timeout=WAIT_MS)
        elif name == "jobs":
            page.get_by_text("job(s) shown").filter(visible=True).first.wait_for(timeout=WAIT_MS)
        else:
            page.locator("h5", has_text=LABELS[name]).filter(visible=True).first.wait_for(timeout=WAIT_MS)
        # The shell shows "Opening …" until the page's refresh for this profile has run.
        page.get_by_text(re.compile(r"^Opening .*…$")).wait_for(state="hidden", timeout=WAIT_MS)

    def open_floor(self) -> float:
        start = time.perf_counter()
        self.page.goto(f"{self.base}/floor_app")
        self.page.get_by_text("floor row 25", exact=True).wait_for(timeout=WAIT_MS)
        return (time.perf_counter() - start) * 1000

    def complete(self) -> None:
        """Wait until the page's lower parts (built once its top is on screen, ``PageView.deferred``) are there."""
        self.page.locator(".ef-page:visible .ef-deferred:not(.ef-filled)").first.wait_for(
            state="detached", timeout=WAIT_MS)

    def open(self, name: str, profile: str = "big") -> tuple[float, float]:
        """Milliseconds to the page's data on screen, and to the whole page (its lower parts too)."""
        start = time.perf_counter()
        self.page.goto(f"{self.base}/studio?page={name}&profile={self.profiles[profile][0]}")
        self.shown(name, profile)
        shown = (time.perf_counter() - start) * 1000
        self.complete()
        return shown, (time.perf_counter() - start) * 1000

    def change_page(self, name: str, profile: str = "big") -> float:
        item = self.page.locator(".MuiListItemButton-root", has_text=LABELS[name]).first
        start = time.perf_counter()
        item.click()
        self.shown(name, profile)
        elapsed = (time.perf_counter() - start) * 1000
        self.complete()  # the next click waits for the whole page, as a person would
        return elapsed

    def switch_profile(self, target_name: str, profile: str) -> float:
        self.page.get_by_role("combobox").first.click()
        start = time.perf_counter()
        self.page.get_by_role("listbox").get_by_text(target_name).first.click()
        self.shown("library", profile)
        return (time.perf_counter() - start) * 1000


def measure(driver: Driver, rounds: int, store: JobStore, job_id: str, names: dict[str, str], tag: str,
            samples: dict[str, list[float]]) -> None:
    """One set of every measure; ``tag`` (idle / render) prefixes each sample's name."""
    def add(key: str, value: float) -> None:
        samples.setdefault(f"{tag}|{key}", []).append(value)

    for _ in range(rounds):
        for name in PAGES:
            add("open floor", driver.open_floor())  # side by side: the floor just before each page
            shown, whole = driver.open(name)
            add(f"open {name}", shown)
            add(f"open {name} (whole)", whole)
    driver.open("library")
    for _ in range(rounds):
        for name in (*PAGES[1:], "library"):
            add("page change", driver.change_page(name))
    for index in range(rounds * 2):
        target = "small" if index % 2 == 0 else "big"
        add("profile switch", driver.switch_profile(names[target], target))
    driver.open("jobs", "small")
    for index in range(rounds * 2):
        step = f"{tag} step {index:03d}"
        start = time.perf_counter()
        store.set_progress(job_id, step, index / (rounds * 2))
        driver.page.get_by_text(step).first.wait_for(timeout=WAIT_MS)
        add("job progress shown", (time.perf_counter() - start) * 1000)


def run(clips: int, project_count: int, rounds: int, root: Path, render_nice: int | None,
        under_render: bool) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    workspace = Workspace(root)
    big = workspace.create("Big store")
    small = workspace.create("Small store")
    started = time.perf_counter()
    populate(big, clips, project_count)
    populate(small, 50, 5, seed=3)
    print(f"populated {clips:,} clips in {project_count:,} projects in {time.perf_counter() - started:.1f} s", flush=True)
    profiles = {"big": (big.id, _first_clip_name(big)), "small": (small.id, _first_clip_name(small))}
    names = {"big": big.name, "small": small.name}
    port = _free_port()
    samples: dict[str, list[float]] = {}
    with open(root / "studio.log", "wb") as log:
        server = _serve(root, port, log)
        load = RenderLoad(root, render_nice)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                driver = Driver(page, f"http://127.0.0.1:{port}", profiles)
                driver.open_floor()  # warm the server (imports, first sessions) before timing
                for name in PAGES:
                    driver.open(name)
                store = JobStore(small)
                job = store.create("bench", {"label": "Bench job"})
                store.mark_running(job.id, temp_dir=None)
                measure(driver, rounds, store, job.id, names, "idle", samples)
                report(samples)  # the idle figures now: a starved machine may not reach the end
                if under_render:
                    load.start()
                    print("a final render is running now", flush=True)
                    measure(driver, rounds, store, job.id, names, "render", samples)
                store.finish(job.id, "succeeded")
                browser.close()
        finally:
            load.stop()
            server.terminate()
            server.wait(timeout=30)
        if load.renders or under_render:
            print(f"renders finished while measuring: {load.renders}")
    return samples


def report(samples: dict[str, list[float]]) -> None:
    """Print p50/p95 of every measure, the ratios to the floor and to the idle figures, and the targets."""
    tags = sorted({key.split("|")[0] for key in samples}, key=lambda t: t != "idle")
    for tag in tags:
        floor50, floor95 = _percentiles(samples[f"{tag}|open floor"])
        print(f"\n{tag}: {'measure':<22} {'p50 ms':>8} {'p95 ms':>8} {'p50/floor':>10} {'p95/floor':>10}  target")
        for key, values in samples.items():
            if not key.startswith(f"{tag}|"):
                continue
            name = key.split("|", 1)[1]
            p50, p95 = _percentiles(values)
            if name.startswith("open "):
                ratio50, ratio95 = p50 / floor50, p95 / floor95
                target = ("—" if name == "open floor" or name.endswith("(whole)") else
                          f"p50 <= {OPEN_RATIO_TARGETS[0]}x, p95 <= {OPEN_RATIO_TARGETS[1]}x floor: "
                          f"{'met' if ratio50 <= OPEN_RATIO_TARGETS[0] and ratio95 <= OPEN_RATIO_TARGETS[1] else 'NOT met'}")
                print(f"{'':<{len(tag) + 2}}{name:<22} {p50:8.0f} {p95:8.0f} {ratio50:10.2f} {ratio95:10.2f}  {target}")
            elif name == "job progress shown":
                met = "met" if p95 <= PROGRESS_TARGET_MS else "NOT met"
                print(f"{'':<{len(tag) + 2}}{name:<22} {p50:8.0f} {p95:8.0f} {'':>10} {'':>10}  "
                      f"p95 <= {PROGRESS_TARGET_MS}: {met}")
            else:
                met = "met" if p50 <= SWITCH_TARGETS_MS[0] and p95 <= SWITCH_TARGETS_MS[1] else "NOT met"
                print(f"{'':<{len(tag) + 2}}{name:<22} {p50:8.0f} {p95:8.0f} {'':>10} {'':>10}  "
                      f"p50 <= {SWITCH_TARGETS_MS[0]}, p95 <= {SWITCH_TARGETS_MS[1]}: {met} ({len(values)} samples)")
    if "render" in tags:
        print(f"\nwhile a render runs / idle (target <= {UNDER_RENDER_TARGET}x):")
        for key, values in samples.items():
            if key.startswith("render|"):
                name = key.split("|", 1)[1]
                idle50, idle95 = _percentiles(samples[f"idle|{name}"])
                p50, p95 = _percentiles(values)
                met = "met" if p50 / idle50 <= UNDER_RENDER_TARGET and p95 / idle95 <= UNDER_RENDER_TARGET else "NOT met"
                print(f"  {name:<22} p50 {p50 / idle50:5.2f}x  p95 {p95 / idle95:5.2f}x  {met}")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5, help="timed repetitions of each measure")
    parser.add_argument("--no-render", action="store_true", help="leave out the measures while a render runs")
    parser.add_argument("--render-nice", type=int, default=None,
                        help=f"the render's nice increment (default: ${NICE_ENV} or 10; 0: the server's priority)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-studio-") as root:
        samples = run(args.clips, args.projects, args.rounds, Path(root), args.render_nice, not args.no_render)
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if any(key.startswith("render|") for key in samples):
        report(samples)


if __name__ == "__main__":
    main()
