"""kill -9 at random points of analysis, synthesis and rendering; then the profile is opened again as after a restart.

After every kill: no job is left queued or running (the killed one is interrupted, or finished if
it was quicker than the kill), no scratch files remain, nothing half-written is in the library,
every row points at a file that exists, and the database opens and answers. At the end each
stage's interrupted job is retried and succeeds. The kill points are random but seeded, spread
over each stage's running time; the figures are printed. (Publishing under kills is covered by
``tests/publish``'s fault run.)
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from editfactory.footage import import_source
from editfactory.footage.sources import list_sources
from editfactory.jobs import JobRunner, JobStore, recover_interrupted
from editfactory.jobs.store import FINISHED_STATUSES, INTERRUPTED, QUEUED, RUNNING, SUCCEEDED
from editfactory.media.runner import ffmpeg_path
from editfactory.profiles import Workspace
from editfactory.services import projects
from tests.soak import soak

CHILD = Path(__file__).with_name("kill_child.py")
RUNS_PER_STAGE = soak(20, 8)  # kills per stage: 20 under `invoke reliability`, 8 under `invoke test`
PARTIAL_MARKERS = (".tmp", ".part", ".partial", "~")


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = tmp_path_factory.mktemp("kill-workspace")
    footage = root.parent / "kill-footage.mp4"
    subprocess.run(
        [ffmpeg_path(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-t", "12",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(footage)],
        check=True, timeout=120,
    )
    workspace = Workspace(root)
    profile = workspace.create("Killed shop")
    source = import_source(profile, footage)
    project = projects.create_project(profile, "Launch")
    projects.set_project_sources(profile, project["id"], [source.id])
    return workspace, profile, source, project


def _params(stage: str, run: int, rng: random.Random, source, project) -> dict:
    # A new script each run, so synthesis is never a cache hit that finishes before the kill.
    script = f"Run {run} of the {stage} test. Sandals for every summer day, number {rng.randint(0, 10**6)}."
    return {"source_id": source.id, "project_id": project["id"], "script": script}


def _time_alone(workspace, profile, stage: str, params: dict) -> float:
    """How long the stage takes here when nobody kills it (from its job being recorded to its end)."""
    child = subprocess.Popen([sys.executable, str(CHILD), str(workspace.root), profile.id, stage, json.dumps(params)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().startswith("JOB ")
    started = time.monotonic()
    done = child.stdout.readline()
    elapsed = time.monotonic() - started
    child.communicate(timeout=600)
    assert done.strip() == f"DONE {SUCCEEDED}", child.stderr
    return elapsed


def _run_and_kill(workspace, profile, stage: str, params: dict, delay: float) -> tuple[str, bool]:
    """Start the stage in a child, kill -9 it ``delay`` s after its job was recorded; (job id, killed mid-work)."""
    child = subprocess.Popen([sys.executable, str(CHILD), str(workspace.root), profile.id, stage, json.dumps(params)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = child.stdout.readline()
    if not line.startswith("JOB "):
        child.kill()
        raise AssertionError(f"the child did not start its job: {line!r} {child.stderr.read()[-2000:]}")
    job_id = line.split()[1]
    time.sleep(delay)
    finished_before = child.poll() is not None
    child.kill()
    child.communicate(timeout=30)
    return job_id, not finished_before


def _check_after_restart(workspace: Workspace, profile_id: str, job_id: str) -> str:
    """Open the profile as a restarted program does and check every invariant; returns the job's status."""
    profile = Workspace(workspace.root).get(profile_id)  # removes scratch folders of dead processes
    recover_interrupted(profile)
    store = JobStore(profile)
    assert [j.id for j in store.list() if j.status in (QUEUED, RUNNING)] == [], "a job is still shown as running"
    status = store.get(job_id).status
    assert status in FINISHED_STATUSES, status
    leftovers = [p for p in profile.paths.tmp.rglob("*")] if profile.paths.tmp.exists() else []
    assert leftovers == [], f"scratch files left: {leftovers[:5]}"
    partial = [p for p in profile.folder.rglob("*") if any(m in p.name for m in PARTIAL_MARKERS)]
    assert partial == [], f"half-written files in the profile: {partial[:5]}"
    clips = projects.list_clips(profile, limit=10_000)
    for clip in clips:
        if clip.get("path"):
            assert profile.paths.absolute(clip["path"]).is_file(), f"clip {clip['id']} points at a missing file"
    referenced = {profile.paths.absolute(c["path"]).resolve() for c in clips if c.get("path")}
    for render in profile.paths.renders.glob("*.mp4"):
        assert render.resolve() in referenced, f"a render no clip owns: {render.name}"
    for source in list_sources(profile):
        assert profile.paths.absolute(source.path).is_file()
    orphans = profile.db.fetchone(
        "SELECT count(*) FROM segments WHERE source_id NOT IN (SELECT id FROM source_videos)")[0]
    assert orphans == 0, "segments of a source that does not exist"
    return status


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["analysis", "synthesis", "render"])
def test_kill_minus_nine_at_random_points_leaves_a_consistent_profile(shop, stage):
    workspace, profile, source, project = shop
    rng = random.Random(f"kill-{stage}")
    # Kill points spread over the stage's running time on this machine, measured first.
    alone = _time_alone(workspace, profile, stage, _params(stage, -1, rng, source, project))
    mid_work, statuses = 0, []
    last_interrupted = None
    for run in range(RUNS_PER_STAGE):
        params = _params(stage, run, rng, source, project)
        job_id, killed_mid_work = _run_and_kill(workspace, profile, stage, params, rng.uniform(0.0, 0.9 * alone))
        mid_work += killed_mid_work
        status = _check_after_restart(workspace, profile.id, job_id)
        statuses.append(status)
        if status == INTERRUPTED:
            last_interrupted = job_id
    print(f"\nFIGURE: kill -9 during {stage} ({alone:.1f} s alone): {RUNS_PER_STAGE} kills, {mid_work} while the child was still working; "
          f"job states after restart: {dict((s, statuses.count(s)) for s in sorted(set(statuses)))}")
    assert statuses.count(INTERRUPTED) >= RUNS_PER_STAGE // 4, "most kills should land mid-work"
    # An interrupted job can be retried and finishes.
    with JobRunner(workers=1) as runner:
        runner.retry(profile, last_interrupted)
        assert runner.wait(profile, last_interrupted, timeout=600).status == SUCCEEDED
    _check_after_restart(workspace, profile.id, last_interrupted)
