"""JobRunner: local pool, explicit profile binding, failures, cancel, retry, two profiles at once."""

from __future__ import annotations

import threading
import time

import pytest

from editfactory.core.errors import EditFactoryError, MediaError, NotFoundError, ValidationError
from editfactory.jobs import CANCELLED, FAILED, INTERRUPTED, SUCCEEDED, JobRunner, JobStore
from editfactory.services.projects import create_project, list_projects

from . import job_functions  # noqa: F401  (registers the test job kinds)


def test_job_runs_with_its_profile_and_temp_dir(profile):
    with JobRunner(workers=1) as runner:
        job_id = runner.submit(profile, "test.steps", {"steps": 3, "delay": 0})
        job = runner.wait(profile, job_id, timeout=30)
    assert job.status == SUCCEEDED and job.progress == 100
    assert job.outputs["profile_id"] == profile.id and job.outputs["steps"] == 3
    temp = job.outputs["temp_dir"]
    assert temp.startswith(str(profile.paths.tmp))
    assert not any(profile.paths.tmp.iterdir()), "the job's temp folder is removed when it ends"


def test_errors_are_recorded_with_their_message(profile):
    def user_error(_profile, _ctx):
        raise MediaError("ffmpeg could not read the source; re-import it.")

    def bug(_profile, _ctx):
        raise ZeroDivisionError("division by zero")

    with JobRunner(workers=1) as runner:
        first = runner.submit(profile, "t.user", fn=user_error)
        second = runner.submit(profile, "t.bug", fn=bug)
        failed_user = runner.wait(profile, first, timeout=30)
        failed_bug = runner.wait(profile, second, timeout=30)
    assert failed_user.status == FAILED and failed_user.error == "ffmpeg could not read the source; re-import it."
    assert failed_bug.status == FAILED and "ZeroDivisionError" in failed_bug.error and "See the log" in failed_bug.error


def test_unknown_kind_says_what_to_do(profile):
    with JobRunner(workers=1) as runner, pytest.raises(ValidationError, match="No job function is registered"):
        runner.submit(profile, "never.registered")


def test_cancel_running_job_through_the_event(profile):
    started = threading.Event()

    def waits_for_cancel(_profile, ctx):
        started.set()
        while True:
            ctx.check_cancelled()
            time.sleep(0.01)

    with JobRunner(workers=1) as runner:
        job_id = runner.submit(profile, "t.wait", fn=waits_for_cancel)
        assert started.wait(10)
        runner.cancel(profile, job_id)
        job = runner.wait(profile, job_id, timeout=10)
    assert job.status == CANCELLED and job.cancel_requested


def test_cancel_queued_job_never_runs_it(profile):
    release = threading.Event()
    ran: list[str] = []

    def blocker(_profile, ctx):
        release.wait(10)

    def should_not_run(_profile, ctx):
        ran.append(ctx.job_id)

    with JobRunner(workers=1) as runner:
        first = runner.submit(profile, "t.block", fn=blocker)
        second = runner.submit(profile, "t.never", fn=should_not_run)
        assert runner.cancel(profile, second).status == CANCELLED
        release.set()
        assert runner.wait(profile, first, timeout=10).status == SUCCEEDED
        assert runner.wait(profile, second, timeout=10).status == CANCELLED
    assert ran == []


def test_retry_reruns_with_the_same_inputs(profile):
    attempts: list[dict] = []

    def flaky(_profile, ctx):
        attempts.append(dict(ctx.inputs))
        if len(attempts) == 1:
            raise EditFactoryError("Temporary failure; retry.")
        return {"ok": True}

    with JobRunner(workers=1) as runner:
        job_id = runner.submit(profile, "t.flaky", {"n": 7}, fn=flaky)
        assert runner.wait(profile, job_id, timeout=10).status == FAILED
        assert runner.retry(profile, job_id) == job_id
        job = runner.wait(profile, job_id, timeout=10)
    assert job.status == SUCCEEDED and job.outputs == {"ok": True} and job.attempts == 2
    assert attempts == [{"n": 7}, {"n": 7}]


def test_foreign_ids_are_not_found_through_the_runner(profile, other_profile):
    with JobRunner(workers=1) as runner:
        job_id = runner.submit(profile, "test.steps", {"steps": 1, "delay": 0})
        runner.wait(profile, job_id, timeout=10)
        with pytest.raises(NotFoundError):
            runner.cancel(other_profile, job_id)
        with pytest.raises(NotFoundError):
            runner.retry(other_profile, job_id)
        with pytest.raises(NotFoundError):
            runner.wait(other_profile, job_id)


def test_two_profiles_concurrently_write_only_to_their_own(profile, other_profile):
    barrier = threading.Barrier(2, timeout=10)

    def make_projects(bound, ctx):
        barrier.wait()  # both jobs are running at the same time from here on
        for index in range(5):
            create_project(bound, f"{bound.name} project {index}")
            ctx.progress(f"project {index}", (index + 1) / 5)
        return {"profile": bound.id}

    with JobRunner(workers=2) as runner:
        job_a = runner.submit(profile, "t.projects", fn=make_projects)
        job_b = runner.submit(other_profile, "t.projects", fn=make_projects)
        assert runner.wait(profile, job_a, timeout=30).outputs == {"profile": profile.id}
        assert runner.wait(other_profile, job_b, timeout=30).outputs == {"profile": other_profile.id}
    assert {p["name"].split(" project")[0] for p in list_projects(profile)} == {"Store A"}
    assert {p["name"].split(" project")[0] for p in list_projects(other_profile)} == {"Store B"}
    assert [j.id for j in JobStore(profile).list()] == [job_a]
    assert [j.id for j in JobStore(other_profile).list()] == [job_b]


@pytest.mark.parametrize("stop", [SystemExit(3), KeyboardInterrupt()], ids=["SystemExit", "KeyboardInterrupt"])
def test_a_job_dying_on_a_base_exception_ends_interrupted_with_its_reservation_released(profile, stop):
    """A library calling sys.exit() (or raising KeyboardInterrupt) in a worker: the job must not stay running,
    and the quota it held is given back."""
    from editfactory.costs import ledger

    ledger.set_quota(profile, 1.0)

    def dies(bound, ctx):
        ledger.reserve(bound, "elevenlabs", "eleven_multilingual_v2", 0.40, units=4000, job_id=ctx.job_id)
        raise stop

    store = JobStore(profile)
    with JobRunner(workers=1) as runner:
        job_id = runner.submit(profile, "t.dies", fn=dies)
        job = store.watch(job_id, timeout=15, interval=0.05)
        assert job.status == INTERRUPTED and type(stop).__name__ in job.error and "Retry" in job.error
        assert [e["status"] for e in ledger.month_entries(profile)] == ["released"]
        assert ledger.remaining_quota(profile) == pytest.approx(1.0)
        assert runner.wait(profile, job_id, timeout=5).status == INTERRUPTED  # waiting does not re-raise it
        # The worker survived: the next job runs.
        assert runner.wait(profile, runner.submit(profile, "test.steps", {"steps": 1, "delay": 0}),
                           timeout=30).status == SUCCEEDED
    assert not any(profile.paths.tmp.iterdir())
