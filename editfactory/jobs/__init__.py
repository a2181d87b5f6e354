"""Durable background jobs per profile: records, a local runner, cancel, recovery and retry."""

from editfactory.jobs.context import CommandFailedError, CommandTimeoutError, JobContext, run_subprocess
from editfactory.jobs.recovery import recover_interrupted
from editfactory.jobs.registry import STANDARD_KINDS, job_kind, registered_job
from editfactory.jobs.runner import JobRunner
from editfactory.jobs.store import (
    CANCELLED,
    FAILED,
    INTERRUPTED,
    QUEUED,
    RUNNING,
    STATUSES,
    SUCCEEDED,
    Job,
    JobStore,
    ProcessIdentity,
)

__all__ = [
    "CANCELLED", "FAILED", "INTERRUPTED", "QUEUED", "RUNNING", "STATUSES", "SUCCEEDED",
    "CommandFailedError", "CommandTimeoutError", "Job", "JobContext", "JobRunner", "JobStore",
    "ProcessIdentity", "STANDARD_KINDS", "job_kind", "recover_interrupted", "registered_job", "run_subprocess",
]
