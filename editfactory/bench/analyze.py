"""Analysis speed: how many times faster than real time a 60 s 1080p30 source is scored, and peak memory.

Run with ``invoke bench.analyze`` (or ``python -m editfactory.bench.analyze``). The
video is decoded once by ffmpeg at 4 fps and 160 px wide; the Python process only
holds a few numbers per sampled frame, so its peak memory stays small. Also
measured side by side: the same decode without the fast-decode flags, to show
what they buy.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from editfactory.bench.render import make_source
from editfactory.media.analysis import AnalysisOptions, analyze_video
from editfactory.media.probe import probe


def peak_rss_mb() -> float:
    """Peak resident memory of this Python process (ffmpeg children not included), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gop", type=float, default=1.0, help="keyframe spacing of the generated source, seconds")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each variant (the best counts)")
    parser.add_argument("--work-dir", default=None, help="where to keep the generated source between runs")
    args = parser.parse_args(argv)
    cache = Path(args.work_dir) if args.work_dir else Path(tempfile.gettempdir()) / "editfactory-bench-render"
    cache.mkdir(parents=True, exist_ok=True)
    print("Preparing a 60 s 1080p30 source…", flush=True)
    source = make_source(cache, gop_seconds=args.gop)
    info = probe(source)
    before = peak_rss_mb()
    timings: dict[str, list[float]] = {"fast": [], "plain": []}
    windows = 0
    for _ in range(args.rounds):
        for name, fast in (("fast", True), ("plain", False)):
            started = time.perf_counter()
            result = analyze_video(source, AnalysisOptions(fast_decode=fast), info=info)
            timings[name].append(time.perf_counter() - started)
            windows = len(result.windows) + len(result.dropped)
    fast, plain = min(timings["fast"]), min(timings["plain"])
    print(f"\n{info.duration:.0f} s {info.width}x{info.height} @ {info.fps:g} fps source, {windows} windows of 2 s, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"  analysis (fast decode flags): {fast:6.2f} s   {info.duration / fast:5.1f}x real time   target >= 20x   "
          f"{'MET' if info.duration / fast >= 20 else 'NOT MET'}")
    print(f"  analysis (plain decode):      {plain:6.2f} s   {info.duration / plain:5.1f}x real time")
    print(f"  peak RSS of the Python process: {peak_rss_mb():.0f} MB (before analysis {before:.0f} MB)")


if __name__ == "__main__":
    main()
