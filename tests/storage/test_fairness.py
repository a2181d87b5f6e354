"""A notebook job gets the profile's file while a studio process keeps it busy from several threads.

The busy process's units of work overlap (each transaction works a little while
holding the connection), so it is never idle: without the fair hand-over the
job would wait until its busy timeout and fail as "busy". Figures are printed
(``pytest -s``); ``invoke bench.fairness`` measures them at a larger size.
"""

from __future__ import annotations

from editfactory.bench.fairness import report, run


def test_a_job_gets_its_turn_next_to_a_busy_process_with_nothing_lost(tmp_path):
    result = run(tmp_path / "ws", writes=20, threads=4, hold=0.005, busy_timeout=20)
    print("\n" + "\n".join(f"FIGURE: two processes on one profile, {line}" for line in report(result).splitlines()))
    assert result.raw_errors == 0 and result.project_errors == 0, report(result)
    assert result.lost_writes == 0, report(result)
    assert result.busy_writes > 0 and result.handovers > 0  # the busy process kept working and let the job in
