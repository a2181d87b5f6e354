"""Job functions used by the job tests, importable both in pytest and in a child process started by a test."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import imageio_ffmpeg

from editfactory.jobs import JobContext, JobRunner, job_kind, run_subprocess
from editfactory.profiles import Profile, Workspace


@job_kind("test.steps")
def steps_job(profile: Profile, ctx: JobContext) -> dict:
    """Reports ``steps`` progress points, writes temp files, then waits while ``hold_file`` exists."""
    steps = int(ctx.inputs.get("steps", 5))
    delay = float(ctx.inputs.get("delay", 0.1))
    for step in range(steps):
        ctx.check_cancelled()
        (ctx.temp_dir / f"part-{step}.bin").write_bytes(b"x" * 1024)
        ctx.progress(f"Step {step + 1} of {steps}", (step + 1) / steps)
        time.sleep(delay)
    hold = ctx.inputs.get("hold_file")
    while hold and Path(hold).exists():
        ctx.check_cancelled()
        time.sleep(0.05)
    return {"profile_id": profile.id, "temp_dir": str(ctx.temp_dir), "steps": steps}


def slow_encode_command(output: Path, seconds: float = 10.0) -> list[str]:
    """A real lavfi encode that takes about ``seconds`` of wall time (-re reads at native speed)."""
    return [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-re",
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", str(seconds),
        "-c:v", "libx264", "-preset", "ultrafast", str(output),
    ]


@job_kind("test.slow_encode")
def slow_encode_job(profile: Profile, ctx: JobContext) -> dict:
    output = ctx.temp_dir / "slow.mp4"
    ctx.progress("Encoding", 0.0)
    run_subprocess(slow_encode_command(output, float(ctx.inputs.get("seconds", 10))), ctx, timeout=60)
    return {"bytes": output.stat().st_size}


def main() -> None:
    """Child process: ``job_functions.py ROOT PROFILE_ID KIND INPUTS_JSON`` runs one job and reports on stdout."""
    root, profile_id, kind, inputs = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    profile = Workspace(root, busy_timeout=30).get(profile_id)
    with JobRunner(workers=1, cancel_poll_interval=0.2) as runner:
        job_id = runner.submit(profile, kind, inputs)
        print(f"JOB {job_id}", flush=True)
        job = runner.wait(profile, job_id)
        print(f"DONE {job.status}", flush=True)


if __name__ == "__main__":
    main()
