"""Analysis speed: how many times faster than real time a 60 s 1080p30 source is scored, and peak memory.

Run with ``invoke bench.analyze`` (or ``python -m editfactory.bench.analyze``). The
video is decoded once by ffmpeg at 4 fps and 160 px wide; the Python process only
holds a few numbers per sampled frame, so its peak memory stays small. Also
measured side by side: the same decode without the fast-decode flags, to show
what they buy. The scores include compression damage (from native-resolution tiles the
same decode hands over); the CPU seconds of ffmpeg and Python are printed next to the wall
time, because on a shared machine the wall time mostly measures the other load.
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
from editfactory.media.fingerprint import match_fingerprints
from editfactory.media.probe import probe


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds used so far by finished child processes (ffmpeg) and by this process."""
    children, own = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    return children.ru_utime + children.ru_stime, own.ru_utime + own.ru_stime


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
    cpu: dict[str, list[tuple[float, float]]] = {"fast": [], "plain": []}
    windows, damage = 0, []
    for _ in range(args.rounds):
        for name, fast in (("fast", True), ("plain", False)):
            ffmpeg_before, python_before = cpu_seconds()
            started = time.perf_counter()
            result = analyze_video(source, AnalysisOptions(fast_decode=fast), info=info)
            timings[name].append(time.perf_counter() - started)
            ffmpeg_after, python_after = cpu_seconds()
            cpu[name].append((ffmpeg_after - ffmpeg_before, python_after - python_before))
            windows = len(result.windows) + len(result.dropped)
            damage = [w.damage for w in result.windows]
    fast, plain = min(timings["fast"]), min(timings["plain"])
    ffmpeg_cpu, python_cpu = min(cpu["fast"], key=sum)
    print(f"\n{info.duration:.0f} s {info.width}x{info.height} @ {info.fps:g} fps source, {windows} windows of 2 s, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"  analysis (fast decode flags): {fast:6.2f} s   {info.duration / fast:5.1f}x real time   target >= 20x   "
          f"{'MET' if info.duration / fast >= 20 else 'NOT MET'}")
    print(f"  analysis (plain decode):      {plain:6.2f} s   {info.duration / plain:5.1f}x real time")
    print(f"  CPU of the fast analysis: ffmpeg {ffmpeg_cpu:.2f} s + Python {python_cpu:.2f} s "
          f"({info.duration / (ffmpeg_cpu + python_cpu):.1f}x real time per CPU second; the two run in parallel)")
    if damage:
        print(f"  compression damage of the windows: {min(damage):.2f}–{max(damage):.2f} (0 clean, 1 ruined)")
    # Near-duplicate search: the source's frame hashes (made inside the timed analysis) against themselves.
    started = time.process_time()
    shared = sum(s.a_end - s.a_start for s in match_fingerprints(result.fingerprint, result.fingerprint, 4.0))
    print(f"  near-duplicate search of its {len(result.fingerprint)} frame hashes against a 60 s source: "
          f"{(time.process_time() - started) * 1000:.0f} ms CPU ({shared:.0f} s found shared with itself)")
    print(f"  peak RSS of the Python process: {peak_rss_mb():.0f} MB (before analysis {before:.0f} MB)")


if __name__ == "__main__":
    main()
