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


@task(
    default=True,
    help={
        "args": "extra arguments passed to pytest, e.g. '-k profiles -x'",
        "ui": "also run browser tests (needs /usr/bin/chromium); on by default when it exists",
    },
)
def test_all(c: Context, args: str = "", ui: bool | None = None) -> None:
    """Run the whole test suite (unit, service, notebook and, where Chromium exists, browser tests)."""
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
            f"--allow-websocket-origin=127.0.0.1:{port} --allow-websocket-origin=localhost:{port} {show_flag}",
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


bench_ns = Collection("bench")
bench_ns.add_task(bench_storage, name="storage")


ns = Collection(test_ns, dev_ns, bench_ns)
ns.configure({"run": {"echo": True}})
