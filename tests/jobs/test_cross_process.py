"""Jobs seen and controlled across OS processes: progress, cancel, a killed owner, recovery and retry."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import psutil

from editfactory.jobs import (
    CANCELLED,
    INTERRUPTED,
    RUNNING,
    SUCCEEDED,
    JobRunner,
    JobStore,
    ProcessIdentity,
    recover_interrupted,
)

from . import job_functions  # noqa: F401  (registers the test job kinds for the retry)


def _wait_until(predicate, timeout: float = 30, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def test_progress_is_readable_from_another_process_while_the_job_runs(profile, child_job):
    child = child_job(profile, "test.steps", {"steps": 8, "delay": 0.4})
    store = JobStore(profile)
    seen: list[tuple[str, float]] = []
    final = store.watch(child.job_id, timeout=60, interval=0.1,
                        on_change=lambda job: job.status == RUNNING and seen.append((job.step, job.progress)))
    assert final.status == SUCCEEDED and final.progress == 100
    assert child.finish() == f"DONE {SUCCEEDED}"
    intermediate = {p for _, p in seen if 0 < p < 100}
    assert len(intermediate) >= 2, f"expected to watch the job move, saw {seen}"
    assert any(step.startswith("Step ") for step, _ in seen)
    assert store.get(child.job_id).owner.pid == child.process.pid


def test_killed_owner_leaves_job_interrupted_with_temp_files_gone_and_retry_works(profile, child_job, tmp_path):
    hold = tmp_path / "hold"
    hold.touch()
    child = child_job(profile, "test.steps", {"steps": 3, "delay": 0.05, "hold_file": str(hold)})
    store = JobStore(profile)
    job = _wait_until(lambda: (j := store.get(child.job_id)).progress == 100 and j.temp_dir and j)
    temp = profile.paths.absolute(job.temp_dir)
    assert sorted(p.name for p in temp.iterdir()) == ["part-0.bin", "part-1.bin", "part-2.bin"]

    child.kill()
    assert store.get(child.job_id).status == RUNNING  # nobody has looked yet

    recovered = recover_interrupted(profile)
    assert [j.id for j in recovered] == [child.job_id]
    job = store.get(child.job_id)
    assert job.status == INTERRUPTED and "Retry" in job.error
    assert not temp.exists()
    assert recover_interrupted(profile) == []  # idempotent

    hold.unlink()  # let the retried run finish
    with JobRunner(workers=1) as runner:
        runner.retry(profile, child.job_id)
        retried = runner.wait(profile, child.job_id, timeout=30)
    assert retried.status == SUCCEEDED and retried.inputs["hold_file"] == str(hold) and retried.attempts == 2


def test_a_new_runner_marks_a_dead_processs_job_interrupted_on_first_use(profile, child_job, tmp_path):
    hold = tmp_path / "hold"
    hold.touch()
    child = child_job(profile, "test.steps", {"steps": 1, "delay": 0, "hold_file": str(hold)})
    store = JobStore(profile)
    temp = profile.paths.absolute(_wait_until(lambda: store.get(child.job_id).temp_dir))
    child.kill()
    with JobRunner(workers=1) as runner:  # a restarted app or notebook: it only submits new work
        fresh = runner.submit(profile, "test.steps", {"steps": 1, "delay": 0})
        assert runner.wait(profile, fresh, timeout=30).status == SUCCEEDED
    dead = store.get(child.job_id)
    assert dead.status == INTERRUPTED and "Retry the job" in dead.error
    assert not temp.exists()


def test_jobs_of_a_live_process_are_not_recovered(profile, child_job, tmp_path):
    hold = tmp_path / "hold"
    hold.touch()
    child = child_job(profile, "test.steps", {"steps": 1, "delay": 0, "hold_file": str(hold)})
    _wait_until(lambda: JobStore(profile).get(child.job_id).status == RUNNING)
    assert recover_interrupted(profile) == []
    hold.unlink()
    assert child.finish() == f"DONE {SUCCEEDED}"


def test_cancel_from_another_process_stops_ffmpeg(profile, workspace, child_job):
    child = child_job(profile, "test.slow_encode", {"seconds": 10})
    store = JobStore(profile)
    _wait_until(lambda: store.get(child.job_id).status == RUNNING)
    time.sleep(0.5)  # ffmpeg is encoding now
    started = time.monotonic()
    # A third process asks for the cancel, as the studio would for a notebook's job.
    subprocess.run(
        [sys.executable, "-c",
         "import sys; from editfactory.profiles import Workspace; from editfactory.jobs import JobStore; "
         "JobStore(Workspace(sys.argv[1]).get(sys.argv[2])).request_cancel(sys.argv[3])",
         str(workspace.root), profile.id, child.job_id],
        check=True, timeout=60,
    )
    assert child.finish(timeout=30) == f"DONE {CANCELLED}"
    assert time.monotonic() - started < 8  # well under the 10 s the encode needs (includes interpreter start)
    assert not any(profile.paths.tmp.iterdir())


def test_a_reused_pid_does_not_keep_a_dead_owners_job_running(profile):
    """The recorded owner's pid now belongs to another live process (started at another time): the job is interrupted."""
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        started = psutil.Process(stranger.pid).create_time()
        store = JobStore(profile)
        reused = ProcessIdentity(stranger.pid, socket.gethostname(), started - 3600)  # the dead owner, an hour earlier
        living = ProcessIdentity(stranger.pid, socket.gethostname(), started)
        orphan, alive = store.create("render", owner=reused), store.create("render", owner=living)
        assert store.mark_running(orphan.id, temp_dir=None, owner=reused)
        assert store.mark_running(alive.id, temp_dir=None, owner=living)
        assert psutil.pid_exists(stranger.pid)
        assert [j.id for j in recover_interrupted(profile)] == [orphan.id]
        assert store.get(orphan.id).status == INTERRUPTED and store.get(alive.id).status == RUNNING
    finally:
        stranger.kill()
        stranger.wait()


def test_a_job_owned_on_another_machine_is_left_running_with_its_temp_folder(profile):
    """A notebook on another machine (same shared workspace) runs a job: we cannot see that process, so recovery
    here must neither interrupt the job nor delete its scratch files. A dead local owner beside it is recovered."""
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()  # its pid is free now: checked on this machine, that owner would be dead
    store = JobStore(profile)
    elsewhere = ProcessIdentity(finished.pid, f"not-{socket.gethostname()}", time.time() - 60)
    dead_here = ProcessIdentity(finished.pid, socket.gethostname(), time.time() - 60)
    remote, local = store.create("render", owner=elsewhere), store.create("render", owner=dead_here)
    folders = {}
    for job, owner in ((remote, elsewhere), (local, dead_here)):
        folders[job.id] = profile.make_temp_dir(f"job-{job.id[-8:]}")
        (folders[job.id] / "part-0.bin").write_bytes(b"x" * 1024)
        assert store.mark_running(job.id, temp_dir=profile.paths.relative(folders[job.id]), owner=owner)

    with JobRunner(workers=1) as runner:  # the studio opening the profile
        recovered = runner.recover(profile)

    assert [j.id for j in recovered] == [local.id]
    assert store.get(local.id).status == INTERRUPTED and not folders[local.id].exists()
    assert store.get(remote.id).status == RUNNING
    assert (folders[remote.id] / "part-0.bin").read_bytes() == b"x" * 1024
