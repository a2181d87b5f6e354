"""Fixtures for the job tests: a workspace with two profiles, and a child process that runs a job."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from editfactory.profiles import Profile, Workspace

JOB_PROCESS = Path(__file__).with_name("job_functions.py")


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws", busy_timeout=30)


@pytest.fixture
def profile(workspace: Workspace) -> Profile:
    return workspace.create("Store A")


@pytest.fixture
def other_profile(workspace: Workspace) -> Profile:
    return workspace.create("Store B")


class ChildJob:
    """A job run by a separate OS process (as when a notebook and the studio share a profile)."""

    def __init__(self, workspace: Workspace, profile: Profile, kind: str, inputs: dict) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(JOB_PROCESS), str(workspace.root), profile.id, kind, json.dumps(inputs)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("JOB "):
            self.process.kill()
            raise AssertionError(f"child did not start a job: {line!r} {self.process.stderr.read()}")
        self.job_id = line.split()[1]

    def finish(self, timeout: float = 60) -> str:
        out, err = self.process.communicate(timeout=timeout)
        assert self.process.returncode == 0, err
        return out.strip().splitlines()[-1]

    def kill(self) -> None:
        self.process.kill()
        self.process.communicate(timeout=30)


@pytest.fixture
def child_job(workspace: Workspace):
    started: list[ChildJob] = []

    def start(profile: Profile, kind: str, inputs: dict) -> ChildJob:
        child = ChildJob(workspace, profile, kind, inputs)
        started.append(child)
        return child

    yield start
    for child in started:
        if child.process.poll() is None:
            child.kill()
