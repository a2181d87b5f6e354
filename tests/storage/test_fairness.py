"""A notebook job gets the profile's file while a studio process keeps it busy from several threads.

The busy process's units of work overlap (each transaction works a little while
holding the connection), so it is never idle: without the fair hand-over the
job would wait until its busy timeout and fail as "busy". Figures are printed
(``pytest -s``); ``invoke bench.fairness`` measures them at a larger size.
"""

from __future__ import annotations

from editfactory.bench.fairness import _result, _role, _wait_for, file_breakdown, report, run
from editfactory.profiles import Workspace


def test_a_job_gets_its_turn_next_to_a_busy_process_with_nothing_lost(tmp_path):
    result = run(tmp_path / "ws", writes=20, threads=4, hold=0.005, busy_timeout=20)
    print("\n" + "\n".join(f"FIGURE: two processes on one profile, {line}" for line in report(result).splitlines()))
    assert result.raw_errors == 0 and result.project_errors == 0, report(result)
    assert result.lost_writes == 0, report(result)
    assert result.busy_writes > 0 and result.handovers > 0  # the busy process kept working and let the job in


def test_a_batch_next_to_an_occasional_reader_keeps_the_file_between_its_writes(tmp_path):
    """A studio page polling now and then must not make a notebook batch close and reopen the file for every write
    (it did: 50 opens for 60 writes next to the served studio, each open and close costing more than the write)."""
    workspace = Workspace(tmp_path / "ws")
    profile = workspace.create("Fairness")
    common = ["--root", str(workspace.root), "--profile", profile.id]
    stop, ready = tmp_path / "stop", tmp_path / "reader-ready"
    reader = _role([*common, "--role", "reader", "--interval", "0.3", "--stop", str(stop), "--ready", str(ready)])
    try:
        _wait_for(ready)
        job = _result(_role([*common, "--role", "job", "--tag", "batch", "--writes", "300", "--busy-timeout", "60"]),
                      timeout=600)
    finally:
        stop.touch()
    read = _result(reader, timeout=600)
    print(f"\nbatch: {file_breakdown(job['stats'])}\nreader: {read['reads']} reads, {file_breakdown(read['stats'])}")
    assert job["raw"] == job["project"] == read["raw"] == read["project"] == 0
    assert profile.db.fetchone("SELECT count(*) FROM projects WHERE id LIKE 'batch-%'")[0] == 300
    assert read["stats"]["waits"] > 0  # the reader did come in while the batch ran
    # The batch opens the file again only after letting the reader in, not after each of its own writes.
    assert job["stats"]["opens"] <= job["stats"]["waits"] + 1 + 300 // 10, file_breakdown(job["stats"])
