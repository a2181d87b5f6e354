"""Query latency on one profile with many clips: list, filter, search, count and page them as the library does.

Run with ``invoke bench.storage`` (or ``python -m editfactory.bench.storage``).
Latency is measured through the real service functions, both inside a held
session (a batch or page render) and cold (the file opened for each query, as
the studio does between user actions), and printed as p50/p95 in ms against
the roadmap's 50 ms bound and our 5 ms aim.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from editfactory.core.ids import new_id
from editfactory.profiles import Workspace
from editfactory.services import projects

STATUSES = projects.CLIP_STATUSES
WORDS = ["summer", "sandal", "sneaker", "promo", "launch", "sale", "unboxing", "review", "teaser", "bundle"]


def populate(profile, clips: int, project_count: int, seed: int = 7) -> list[str]:
    """Fill the profile with projects and clips quickly through one bulk insert (through their owner, projects)."""
    rng = random.Random(seed)
    project_ids = [new_id("proj") for _ in range(project_count)]
    clip_rows = [
        {"id": new_id("clip"), "project_id": project_ids[i % project_count],
         "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} #{i}", "status": rng.choice(STATUSES), "variant": i % 10}
        for i in range(clips)
    ]
    with profile.db.transaction() as cur:
        projects.insert_rows(cur, "projects", [{"id": p, "name": f"Project {i}"} for i, p in enumerate(project_ids)])
        projects.insert_rows(cur, "clips", clip_rows)
    return project_ids


def measure(call: Callable[[], object], repeats: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def run(clips: int, project_count: int, repeats: int, root: Path) -> list[tuple[str, str, float, float]]:
    profile = Workspace(root).create("Bench")
    t0 = time.perf_counter()
    project_ids = populate(profile, clips, project_count)
    print(f"populated {clips:,} clips in {project_count:,} projects in {time.perf_counter() - t0:.1f} s")
    rng = random.Random(1)
    queries = {
        "list a project's clips": lambda: projects.list_clips(profile, rng.choice(project_ids)),
        "filter by status": lambda: projects.list_clips(profile, status=rng.choice(STATUSES), limit=100),
        "project + status": lambda: projects.list_clips(profile, rng.choice(project_ids), status=rng.choice(STATUSES)),
        "search by name": lambda: projects.list_clips(profile, search=rng.choice(WORDS) + " " + rng.choice(WORDS), limit=100),
        "count all clips": lambda: projects.count_clips(profile),
        "count a search": lambda: projects.count_clips(profile, search=rng.choice(WORDS), status=rng.choice(STATUSES)),
        "library page + total": lambda: projects.clips_page(profile, limit=50),
        "deep page by name": lambda: projects.clips_page(profile, sort="name", offset=rng.randrange(0, clips - 50), limit=50),
        "published filter page": lambda: projects.clips_page(profile, publish_state="unpublished", limit=50),
        "projects with counts": lambda: projects.list_projects(profile, with_clip_counts=True, limit=50),
    }
    results = []
    with profile.db.session():
        for label, call in queries.items():
            call()  # warm
            results.append((label, "held", *measure(call, repeats)))
    for label, call in queries.items():
        results.append((label, "cold", *measure(call, max(repeats // 4, 20))))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as root:
        results = run(args.clips, args.projects, args.repeats, Path(root))
    print(f"\n{'query':<24} {'connection':<10} {'p50 ms':>8} {'p95 ms':>8}  p95 vs 50 ms bound")
    for label, mode, p50, p95 in results:
        print(f"{label:<24} {mode:<10} {p50:8.2f} {p95:8.2f}  {p95 / 50:.2f}x of bound{'  (aim <5 ms met)' if p95 < 5 else ''}")
    print("\nheld = inside profile.db.session() (batch work); cold = file opened and closed per query (studio between actions).")


if __name__ == "__main__":
    main()
