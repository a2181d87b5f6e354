"""Benchmark voices: Piper's real-time factor on this machine and what a cache hit costs, side by side.

Run: ``python -m editfactory.bench.tts`` (``invoke bench.tts``).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from editfactory.profiles import Workspace
from editfactory.tts.piper_provider import BUNDLED_VOICE, PiperProvider, load_piper_voice, bundled_model_path
from editfactory.tts.service import synthesize_for_profile

SCRIPT = (
    "Meet the travel mug that keeps coffee hot for twelve hours. It fits every cup holder, never leaks, "
    "and costs only $19.99 this week. Order today and get free shipping on your first order!"
)


def _timed(function, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main(repeats: int = 5) -> None:
    started = time.perf_counter()
    load_piper_voice(bundled_model_path())
    load_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        exact, estimated = PiperProvider(), PiperProvider(use_alignments=False)
        load_piper_voice(bundled_model_path(), alignments=False)
        duration = exact.synthesize(SCRIPT, BUNDLED_VOICE, root / "warm.wav").duration
        with_alignments = _timed(lambda: exact.synthesize(SCRIPT, BUNDLED_VOICE, root / "a.wav"), repeats)
        without = _timed(lambda: estimated.synthesize(SCRIPT, BUNDLED_VOICE, root / "b.wav"), repeats)

        profile = Workspace(root / "ws").create("Bench")
        miss = _timed(lambda: synthesize_for_profile(profile, SCRIPT, use_cache=False), 3)
        synthesize_for_profile(profile, SCRIPT)
        hits = _timed(lambda: synthesize_for_profile(profile, SCRIPT), repeats * 4)

    median = statistics.median
    print(f"Piper voice load (once per process): {load_seconds * 1000:.0f} ms")
    print(f"Script: {len(SCRIPT)} characters → {duration:.2f} s of speech; median of {repeats} runs")
    print(f"{'path':44} {'seconds':>9} {'real-time factor':>17}")
    for label, times in (("Piper + exact word timings (alignments)", with_alignments),
                         ("Piper + estimated timings (no alignments)", without),
                         ("synthesize_for_profile, cache miss", miss),
                         ("synthesize_for_profile, cache hit", hits)):
        print(f"{label:44} {median(times):9.4f} {median(times) / duration:17.4f}")
    print(f"Real-time factor < 1 means faster than real time; Piper speaks {duration / median(with_alignments):.1f}x "
          f"faster than real time here.")
    print(f"Cache hit is {median(miss) / median(hits):.0f}x faster than generating ({median(hits) * 1000:.1f} ms "
          f"vs {median(miss) * 1000:.0f} ms); alignments cost {median(with_alignments) / median(without):.2f}x "
          "the time of estimated timings.")


if __name__ == "__main__":
    main()
