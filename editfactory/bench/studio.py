"""How fast the served studio answers a person, on a profile with 100 000 clips in 1 000 projects.

Run with ``invoke bench.studio``. The studio is served the way README command (1)
starts it and driven by Playwright in Debian's Chromium; three things are timed
from the person's side (p50/p95 in ms, against the issue's targets):

- page open → the library's first page of clips is on screen (target < 1 s);
- profile switch in the header → the other profile's clips are on screen (target < 0.5 s);
- job progress written to the profile's database (by another process, as a notebook would) →
  the new step is on screen on the Jobs page (target < 1 s).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from editfactory.bench.storage import populate
from editfactory.jobs import JobStore
from editfactory.profiles import Workspace
from editfactory.services import projects

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
TARGETS_MS = {"library page open": 1000, "profile switch": 500, "job progress shown": 1000}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(root: Path, port: int, log) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "panel", "serve", str(ROOT / "apps" / "studio.py"), "--port", str(port),
         "--address", "127.0.0.1", f"--allow-websocket-origin=127.0.0.1:{port}", "--plugins", "editfactory.ui.media_route"],
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


def run(clips: int, project_count: int, rounds: int, root: Path) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    workspace = Workspace(root)
    big = workspace.create("Big store")
    small = workspace.create("Small store")
    started = time.perf_counter()
    populate(big, clips, project_count)
    populate(small, 50, 5, seed=3)
    print(f"populated {clips:,} clips in {project_count:,} projects in {time.perf_counter() - started:.1f} s")
    big_first, small_first = _first_clip_name(big), _first_clip_name(small)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/studio"
    samples: dict[str, list[float]] = {name: [] for name in TARGETS_MS}
    with open(root / "studio.log", "wb") as log:
        server = _serve(root, port, log)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(f"{base}?page=library&profile={big.id}")  # warm the server (imports, first session)
                page.get_by_text(big_first).first.wait_for(timeout=120_000)

                for _ in range(rounds):
                    start = time.perf_counter()
                    page.goto(f"{base}?page=library&profile={big.id}")
                    page.get_by_text(big_first).first.wait_for(timeout=60_000)
                    samples["library page open"].append((time.perf_counter() - start) * 1000)

                for index in range(rounds * 2):
                    target, expected = (small, small_first) if index % 2 == 0 else (big, big_first)
                    page.get_by_role("combobox").first.click()
                    start = time.perf_counter()
                    page.get_by_role("listbox").get_by_text(target.name).first.click()
                    page.get_by_text(expected).first.wait_for(timeout=60_000)
                    samples["profile switch"].append((time.perf_counter() - start) * 1000)

                page.goto(f"{base}?page=jobs&profile={small.id}")
                page.get_by_text("job(s) shown").first.wait_for(timeout=60_000)
                store = JobStore(small)
                job = store.create("bench", {"label": "Bench job"})
                store.mark_running(job.id, temp_dir=None)
                for index in range(rounds * 2):
                    step = f"bench step {index:03d}"
                    start = time.perf_counter()
                    store.set_progress(job.id, step, index / (rounds * 2))
                    page.get_by_text(step).first.wait_for(timeout=60_000)
                    samples["job progress shown"].append((time.perf_counter() - start) * 1000)
                store.finish(job.id, "succeeded")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    return samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-studio-") as root:
        samples = run(args.clips, args.projects, args.rounds, Path(root))
    print(f"\n{'measure':<22} {'p50 ms':>8} {'p95 ms':>8} {'target':>8}  result")
    for name, values in samples.items():
        p50, p95 = _percentiles(values)
        target = TARGETS_MS[name]
        print(f"{name:<22} {p50:8.0f} {p95:8.0f} {target:8d}  {'met' if p95 < target else 'NOT met'} ({len(values)} samples)")


if __name__ == "__main__":
    main()
