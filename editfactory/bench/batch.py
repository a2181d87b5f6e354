"""Benchmark: wall time to render a batch of variants locally with 1 vs 2 workers and on a 2-worker Dask cluster.

    python -m editfactory.bench.batch [--variants 10] [--size 540x960] [--seconds 4]

The same pure render tasks (Piper voiceover, captions, one ffmpeg pass each) are
run three ways, side by side in one run, and reported as ratios against one local worker.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from editfactory.jobs.dask_backend import DaskBackend, LocalBackend, close_clients  # noqa: E402
from editfactory.media.captions import CaptionStyle  # noqa: E402
from editfactory.media.presets import get_preset  # noqa: E402
from editfactory.media.render import RenderSegment, RenderSpec  # noqa: E402
from editfactory.media.selection import Candidate, select_variants  # noqa: E402
from editfactory.ops.demo import generate_source  # noqa: E402
from editfactory.pipeline.render_task import VariantTask, render_variant  # noqa: E402
from editfactory.tts.piper_provider import PiperProvider  # noqa: E402

SCRIPT = "Meet the travel mug that keeps your coffee hot all day long."


def build_tasks(folder: Path, variants: int, width: int, height: int, source_seconds: float) -> list[RenderSpec]:
    source = generate_source(folder / "source.mp4", seconds=source_seconds)
    voice = PiperProvider().synthesize(SCRIPT, "en_US-joe-medium", folder / "voice.wav")
    preset = get_preset("tiktok").with_options(name="bench", width=width, height=height)
    step = 1.0
    candidates = [
        Candidate(source, start, min(start + step, source_seconds), 0.5, source_seconds, key=f"w{start}")
        for start in [i * step for i in range(int(source_seconds / step))]
    ]
    picks = select_variants(candidates, voice.duration, mode="random", variants=variants, seed=1)
    return [
        RenderSpec(
            segments=[RenderSegment(p.source, p.start, p.end) for p in variant], voiceover=voice.audio_path,
            words=voice.timings, caption_style=CaptionStyle(), preset=preset,
        )
        for variant in picks
    ]


def _tasks(specs: list[RenderSpec], out: Path) -> list[VariantTask]:
    return [VariantTask(spec, str(out / f"variant-{i:02d}.mp4"), str(out / "work")) for i, spec in enumerate(specs)]


def _timed(backend, specs: list[RenderSpec], out: Path) -> float:
    started = time.perf_counter()
    backend.run_all(render_variant, _tasks(specs, out), threading.Event())
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m editfactory.bench.batch", description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=10)
    parser.add_argument("--size", default="540x960", help="output WxH (the tiktok preset is 1080x1920)")
    parser.add_argument("--seconds", type=float, default=12.0, help="length of the generated source footage")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))

    from distributed import LocalCluster

    with tempfile.TemporaryDirectory(prefix="editfactory-bench-") as scratch:
        root = Path(scratch)
        specs = build_tasks(root, args.variants, width, height, args.seconds)
        print(f"{args.variants} variants, {width}x{height}, voiceover {specs[0].words[-1][2]:.1f} s, {os.cpu_count()} CPUs")
        one = _timed(LocalBackend(1), specs, root / "local-1")
        print(f"local, 1 worker : {one:7.2f} s")
        two = _timed(LocalBackend(2), specs, root / "local-2")
        print(f"local, 2 workers: {two:7.2f} s")
        started = time.perf_counter()
        # ":0": the scheduler's HTTP server takes a free port (with None it still wants 8787 and warns if taken).
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=":0", worker_dashboard_address=":0")
        startup = time.perf_counter() - started
        try:
            backend = DaskBackend(cluster.scheduler_address)
            _timed(backend, specs[:1], root / "dask-warmup")  # connect and import on the workers first
            dask = _timed(backend, specs, root / "dask-2")
        finally:
            close_clients()
            cluster.close()
        print(f"Dask, 2 workers : {dask:7.2f} s   (cluster start {startup:.2f} s, not counted)")
        print()
        print(f"ratio 1 worker / 2 workers      : {one / two:5.2f}x")
        print(f"ratio 1 worker / Dask 2 workers : {one / dask:5.2f}x")
        print(f"ratio 2 workers / Dask 2 workers: {two / dask:5.2f}x")


if __name__ == "__main__":
    main()
