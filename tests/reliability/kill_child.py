"""Child process for the kill -9 tests: start one job of a stage on a profile and wait for it.

Usage: python kill_child.py WORKSPACE PROFILE_ID STAGE JSON_PARAMS
Prints ``JOB <id>`` as soon as the job is recorded, ``DONE <status>`` at the end.
"""

from __future__ import annotations

import json
import sys

from editfactory.jobs import JobRunner
from editfactory.jobs.kinds import start_analysis, start_voiceover
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.profiles import Workspace


def main() -> None:
    root, profile_id, stage, raw = sys.argv[1:5]
    params = json.loads(raw)
    profile = Workspace(root, busy_timeout=60).get(profile_id)
    with JobRunner(workers=1) as runner:
        if stage == "analysis":
            job_id = start_analysis(runner, profile, params["source_id"])
        elif stage == "synthesis":
            job_id = start_voiceover(runner, profile, script=params["script"])
        elif stage == "render":
            request = ProductionRequest(params["project_id"], script=params["script"], variants=1,
                                        preset={"name": "small", "width": 270, "height": 480})
            job_id = start_production(runner, profile, request)
        else:
            raise SystemExit(f"unknown stage {stage}")
        print(f"JOB {job_id}", flush=True)
        job = runner.wait(profile, job_id)
        print(f"DONE {job.status}", flush=True)


if __name__ == "__main__":
    main()
