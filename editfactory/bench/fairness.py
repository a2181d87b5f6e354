"""Fairness between two processes on one profile: a busy studio and a notebook job.

Run with ``invoke bench.fairness`` (or ``python -m editfactory.bench.fairness``).
One OS process plays the studio under load: several threads doing short
transactions without a break. A second process plays a notebook job: N writes
in a row. The job runs once alone and once next to the busy process; printed
are lost writes and raw lock errors (both must be 0), the longest time any
unit of work waited for the file (target under 1 s) and the job's time next
to the busy process over its time alone (target at most 1.5×).

The roles run as ``python -m editfactory.bench.fairness --role busy|job …``;
``tests/storage/test_fairness.py`` uses the same roles with a smaller job.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from editfactory.core.errors import EditFactoryError
from editfactory.profiles import Workspace
from editfactory.services import projects

MAX_WAIT_TARGET = 1.0
RATIO_TARGET = 1.5


def _wait_for(path: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path.name} did not appear within {timeout:.0f} s")
        time.sleep(0.005)


def busy_role(root: Path, profile_id: str, threads: int, hold: float, stop: Path, ready: Path) -> dict:
    """Threads doing short transactions back to back until ``stop`` exists; ``hold`` seconds inside each."""
    profile = Workspace(root).get(profile_id)
    counts = {"writes": 0, "raw": 0, "project": 0}
    lock = threading.Lock()

    def work(index: int) -> None:
        n = 0
        while not stop.exists():
            try:
                with profile.db.transaction() as cur:
                    projects.insert_rows(cur, "projects", [{"id": f"busy-{index}-{n}", "name": "busy"}])
                    if hold:
                        time.sleep(hold)  # a unit of real work: the connection stays in use meanwhile
                n += 1
                with lock:
                    counts["writes"] += 1
                if n == 3 and index == 0:
                    ready.touch()
            except duckdb.Error:
                with lock:
                    counts["raw"] += 1
            except EditFactoryError:
                with lock:
                    counts["project"] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stats = profile.db.wait_stats
    return {**counts, "longest_wait": stats.longest, "waits": stats.waits, "handovers": stats.handovers,
            "stats": asdict(stats)}


def reader_role(root: Path, profile_id: str, interval: float, stop: Path, ready: Path) -> dict:
    """One short read every ``interval`` seconds until ``stop`` exists, as a studio page polling for progress."""
    profile = Workspace(root).get(profile_id)
    reads = raw = project = 0
    while not stop.exists():
        try:
            profile.db.fetchone("SELECT count(*) FROM projects")
            reads += 1
        except duckdb.Error:
            raw += 1
        except EditFactoryError:
            project += 1
        if reads == 1:
            ready.touch()
        time.sleep(interval)
    return {"reads": reads, "raw": raw, "project": project, "stats": asdict(profile.db.wait_stats)}


def job_role(root: Path, profile_id: str, tag: str, writes: int, busy_timeout: float, seconds: float = 0.0) -> dict:
    """N writes in a row, as a notebook's batch job makes them; each one its own short transaction.

    With ``seconds``, as many writes as fit in that time instead (a sustained run; ``writes`` says how many).
    Like a real job it stops at the first error (the remaining writes then count as lost).
    """
    profile = Workspace(root, busy_timeout=busy_timeout).get(profile_id)
    raw = project = done = 0
    started = time.perf_counter()
    for i in itertools.count() if seconds else range(writes):
        if seconds and time.perf_counter() - started >= seconds:
            break
        try:
            with profile.db.transaction() as cur:
                projects.insert_rows(cur, "projects", [{"id": f"{tag}-{i}", "name": "job"}])
        except duckdb.Error:
            raw += 1
            break  # a job stops at its first error
        except EditFactoryError:
            project += 1
            break
        done += 1
    elapsed = time.perf_counter() - started
    stats = profile.db.wait_stats
    return {"seconds": elapsed, "writes": done, "raw": raw, "project": project, "longest_wait": stats.longest,
            "waits": stats.waits, "stats": asdict(stats)}


def file_breakdown(stats: dict) -> str:
    """Where a process's time with the file went (its ``WaitStats`` as a dict), in words."""
    return (f"{stats['units']} units of work, {stats['work_seconds']:.2f} s inside them; "
            f"waited {stats['waits']}x for the file, {stats['total']:.2f} s in all with reopening it (longest "
            f"{stats['longest'] * 1000:.0f} ms); opened it {stats['opens']}x ({stats['open_seconds']:.2f} s), "
            f"closed it {stats['closes']}x ({stats['close_seconds']:.2f} s), handed it over {stats['handovers']}x "
            f"(kept it at most {stats['longest_hold_after_signal'] * 1000:.0f} ms after a signal)")


def _role(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "editfactory.bench.fairness", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(process: subprocess.Popen, timeout: float) -> dict:
    out, err = process.communicate(timeout=timeout)
    if process.returncode != 0:
        raise RuntimeError(f"a fairness role failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


@dataclass
class FairnessResult:
    writes: int
    alone_s: float
    contended_s: float
    lost_writes: int
    raw_errors: int
    project_errors: int
    job_longest_wait_s: float
    busy_longest_wait_s: float
    busy_writes: int
    handovers: int
    job_stats: dict
    busy_stats: dict
    alone_stats: dict

    @property
    def ratio(self) -> float:
        return self.contended_s / self.alone_s if self.alone_s else float("inf")


def run(root: Path, *, writes: int, threads: int = 4, hold: float = 0.0, busy_timeout: float = 60.0,
        timeout: float = 600.0, seconds: float = 0.0) -> FairnessResult:
    """The job alone, then next to the busy process; every row is checked afterwards.

    With ``seconds`` the job runs alone that long (a sustained run) and then makes as many writes next to the
    busy process as it made alone.
    """
    workspace = Workspace(root)
    profile = workspace.create("Fairness")
    common = ["--root", str(root), "--profile", profile.id]
    alone = _result(_role([*common, "--role", "job", "--tag", "alone", "--writes", str(writes),
                           "--seconds", str(seconds), "--busy-timeout", str(busy_timeout)]), timeout)
    writes = alone["writes"]
    stop, ready = root / "stop", root / "busy-ready"
    busy = _role([*common, "--role", "busy", "--threads", str(threads), "--hold", str(hold),
                  "--stop", str(stop), "--ready", str(ready)])
    try:
        _wait_for(ready)
        job = _result(_role([*common, "--role", "job", "--tag", "contended", "--writes", str(writes),
                             "--busy-timeout", str(busy_timeout)]), timeout)
    finally:
        stop.touch()
    busy_result = _result(busy, timeout)
    stored = {tag: profile.db.fetchone("SELECT count(*) FROM projects WHERE id LIKE ?", [f"{tag}-%"])[0]
              for tag in ("alone", "contended", "busy")}
    lost = (writes - stored["alone"]) + (writes - stored["contended"]) + (busy_result["writes"] - stored["busy"])
    return FairnessResult(
        writes=writes, alone_s=alone["seconds"], contended_s=job["seconds"], lost_writes=lost,
        raw_errors=alone["raw"] + job["raw"] + busy_result["raw"],
        project_errors=alone["project"] + job["project"] + busy_result["project"],
        job_longest_wait_s=job["longest_wait"], busy_longest_wait_s=busy_result["longest_wait"],
        busy_writes=busy_result["writes"], handovers=busy_result["handovers"],
        job_stats=job["stats"], busy_stats=busy_result["stats"], alone_stats=alone["stats"],
    )


def report(result: FairnessResult) -> str:
    longest = max(result.job_longest_wait_s, result.busy_longest_wait_s)
    return "\n".join([
        f"job of {result.writes} writes: alone {result.alone_s:.2f} s, next to the busy process "
        f"{result.contended_s:.2f} s = {result.ratio:.2f}x (target <= {RATIO_TARGET}x: "
        f"{'met' if result.ratio <= RATIO_TARGET else 'NOT met'})",
        f"longest wait for the file: {longest * 1000:.0f} ms (job {result.job_longest_wait_s * 1000:.0f} ms, "
        f"busy process {result.busy_longest_wait_s * 1000:.0f} ms; target < {MAX_WAIT_TARGET * 1000:.0f} ms: "
        f"{'met' if longest < MAX_WAIT_TARGET else 'NOT met'})",
        f"busy process: {result.busy_writes} writes meanwhile, handed the file over {result.handovers} times",
        f"lost writes {result.lost_writes}, raw lock errors {result.raw_errors}, other errors {result.project_errors}",
        f"job next to the busy process: {file_breakdown(result.job_stats)}",
        f"job alone: {file_breakdown(result.alone_stats)}",
        f"busy process: {file_breakdown(result.busy_stats)}",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=("bench", "busy", "job", "reader"), default="bench")
    parser.add_argument("--root", type=Path)
    parser.add_argument("--profile")
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--hold", type=float, default=0.0, help="seconds each busy transaction keeps working")
    parser.add_argument("--tag", default="job")
    parser.add_argument("--interval", type=float, default=0.2, help="reader: seconds between two reads")
    parser.add_argument("--busy-timeout", type=float, default=60.0)
    parser.add_argument("--seconds", type=float, default=0.0,
                        help="the job writes for this long instead of --writes (alone; then as many writes contended)")
    parser.add_argument("--stop", type=Path)
    parser.add_argument("--ready", type=Path)
    args = parser.parse_args(argv)
    if args.role == "busy":
        print(json.dumps(busy_role(args.root, args.profile, args.threads, args.hold, args.stop, args.ready)))
    elif args.role == "reader":
        print(json.dumps(reader_role(args.root, args.profile, args.interval, args.stop, args.ready)))
    elif args.role == "job":
        print(json.dumps(job_role(args.root, args.profile, args.tag, args.writes, args.busy_timeout, args.seconds)))
    else:
        with tempfile.TemporaryDirectory(prefix="ef-fairness-") as root:
            result = run(Path(root), writes=args.writes, threads=args.threads, hold=args.hold,
                         busy_timeout=args.busy_timeout, seconds=args.seconds)
            print(report(result))
            print(json.dumps({**asdict(result), "ratio": result.ratio}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
