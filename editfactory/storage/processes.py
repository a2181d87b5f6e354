"""Who holds a record: a process named by pid, host and start time, and whether it still runs.

Jobs and cost holds record their owner so that what a dead process left behind
(a job still "running", a quota hold never settled) can be told from live work.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class ProcessIdentity:
    """Who runs a job: pid, host and the process start time (so a reused pid is not mistaken for the owner)."""

    pid: int
    host: str
    started: float

    @classmethod
    def current(cls) -> ProcessIdentity:
        return cls(os.getpid(), socket.gethostname(), psutil.Process().create_time())

    def alive(self) -> bool | None:
        """True/False on this host; None when the owner runs on another machine and we cannot tell."""
        if self.host != socket.gethostname():
            return None
        try:
            return abs(psutil.Process(self.pid).create_time() - self.started) < 1.0
        except psutil.Error:
            return False
