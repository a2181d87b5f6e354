"""Invoke tasks: start the studio, run tests and benchmarks.

`invoke --list` shows them all; `invoke --help TASK` explains one.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from invoke import Collection, Context, Exit, task

ROOT = Path(__file__).resolve().parent
PYTHON = shlex.quote(sys.executable)


def _data_env(data_dir: str | None) -> dict[str, str]:
    return {"EDITFACTORY_DATA": str(Path(data_dir).resolve())} if data_dir else {}


# -- tests -------------------------------------------------------------------


@task(help={"args": "extra arguments passed to pytest, e.g. '-k profiles -x'"})
def test_all(c: Context, args: str = "") -> None:
    """Run the whole test suite with pytest (offline: Hugging Face downloads are switched off)."""
    with c.cd(str(ROOT)):
        c.run(f"{PYTHON} -m pytest {args}", pty=False, env={"HF_HUB_OFFLINE": "1"})


test_ns = Collection("test")
test_ns.add_task(test_all, name="all", default=True)


# -- development ---------------------------------------------------------------


@task(
    help={
        "port": "port to serve on",
        "data_dir": "workspace root (default: data/ or $EDITFACTORY_DATA)",
        "show": "open the browser once the server is ready",
    }
)
def studio(c: Context, port: int = 5006, data_dir: str | None = None, show: bool = True) -> None:
    """Start the studio with `panel serve` and open it in the browser."""
    import socket

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise Exit(f"Port {port} is already in use; stop what runs there or pass --port another number.")
    show_flag = "--show" if show else ""
    with c.cd(str(ROOT)):
        c.run(
            f"{PYTHON} -m panel serve apps/studio.py --port {port} --address 127.0.0.1 "
            f"--allow-websocket-origin=127.0.0.1:{port} --allow-websocket-origin=localhost:{port} "
            # The media route streams renders and thumbnails to the page (see editfactory/ui/media_route.py).
            f"--plugins editfactory.ui.media_route {show_flag}",
            pty=False,
            env=_data_env(data_dir),
        )


dev_ns = Collection("dev")
dev_ns.add_task(studio, name="studio", default=True)


# -- benchmarks ------------------------------------------------------------------


@task(help={"clips": "clips in the profile", "projects": "projects they are spread over"})
def bench_storage(c: Context, clips: int = 100_000, projects: int = 1_000) -> None:
    """Query latency (p50/p95) on one profile with many clips: list by project, filter by status, search by name."""
    c.run(f"{PYTHON} -m editfactory.bench.storage --clips {clips} --projects {projects}", pty=False)


@task(
    help={
        "skip_moviepy": "leave out the slow MoviePy variant",
        "gop": "keyframe spacing of the generated source in seconds (phones: about 1)",
    }
)
def bench_render(c: Context, skip_moviepy: bool = False, gop: float = 1.0) -> None:
    """One-pass render vs the bare encode floor, MoviePy, and per-segment re-encoding (ratios)."""
    flag = " --skip-moviepy" if skip_moviepy else ""
    c.run(f"{PYTHON} -m editfactory.bench.render --gop {gop}{flag}", pty=False)


@task(help={"rounds": "timed runs of each variant (the best counts)"})
def bench_analyze(c: Context, rounds: int = 3) -> None:
    """Segment analysis speed as a multiple of real time on a 60 s 1080p30 source, and peak memory."""
    c.run(f"{PYTHON} -m editfactory.bench.analyze --rounds {rounds}", pty=False)


@task
def bench_tts(c: Context) -> None:
    """Piper real-time factor on this machine and synthesis-cache hit latency."""
    c.run(f"{PYTHON} -m editfactory.bench.tts", pty=False, env={"HF_HUB_OFFLINE": "1"})


@task
def bench_batch(c: Context) -> None:
    """Wall time for 10 variants: 1 vs 2 local workers vs a 2-worker Dask LocalCluster (ratios)."""
    c.run(f"{PYTHON} -m editfactory.bench.batch", pty=False, env={"HF_HUB_OFFLINE": "1"})


@task(help={"clips": "clips in the big profile", "projects": "projects they are spread over",
            "rounds": "timed repetitions of each measure"})
def bench_studio(c: Context, clips: int = 100_000, projects: int = 1_000, rounds: int = 10) -> None:
    """The served studio in Chromium: library page open, profile switch, job progress shown (p50/p95 vs targets)."""
    c.run(f"{PYTHON} -m editfactory.bench.studio --clips {clips} --projects {projects} --rounds {rounds}", pty=False)


bench_ns = Collection("bench")
for _name, _task in {
    "storage": bench_storage, "render": bench_render, "analyze": bench_analyze, "tts": bench_tts, "batch": bench_batch,
    "studio": bench_studio,
}.items():
    bench_ns.add_task(_task, name=_name)


@task(
    help={
        "out": "where to write the finished clip (.mp4)",
        "data_dir": "workspace root (default: data/ or $EDITFACTORY_DATA)",
        "source": "a source video to use instead of the generated one",
    }
)
def demo(c: Context, out: str = "demo.mp4", data_dir: str | None = None, source: str | None = None) -> None:
    """Make a finished, voiced, captioned 1080x1920 clip end to end, offline, in a 'Demo' profile."""
    args = f"--out {shlex.quote(out)}"
    if data_dir:
        args += f" --data-dir {shlex.quote(data_dir)}"
    if source:
        args += f" --source {shlex.quote(source)}"
    c.run(f"{PYTHON} -m editfactory.demo {args}", pty=False, env={"HF_HUB_OFFLINE": "1"})


ns = Collection(test_ns, dev_ns, bench_ns, demo)
ns.configure({"run": {"echo": True}})
