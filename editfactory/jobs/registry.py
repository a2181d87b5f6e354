"""The one list of job kinds: each kind's name and the function that runs it.

A job is stored with its kind's name; the runner finds the function here when it
starts the job and again when it retries one after a restart. The standard kinds
are named as ``"module:function"`` and imported on first use: the studio and
``invoke --list`` start without loading the voice engines, ffmpeg helpers and
publish clients behind them, and this module depends on none of them (they
depend on it). A new kind is one line here plus its module; a kind outside this
list (a test's, a plug-in's) is registered with ``@job_kind``.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from editfactory.jobs.context import JobContext
    from editfactory.profiles.profile import Profile

JobFunction = Callable[["Profile", "JobContext"], "dict | None"]

IMPORT_SOURCES = "import_sources"
ANALYZE_SOURCE = "analyze_source"
VOICEOVER = "voiceover"
VOICE_PREVIEW = "voice_preview"
CLONE_VOICE = "clone_voice"
PRODUCTION = "production"
PUBLISH = "publish"
PUBLISH_REFRESH = "publish_refresh"
PUBLISH_RESUME = "publish_resume"
PUBLISH_RETRY_DUE = "publish_retry_due"
EXPORT = "export"

STANDARD_KINDS: dict[str, str] = {
    IMPORT_SOURCES: "editfactory.jobs.kinds.footage:import_sources_job",
    ANALYZE_SOURCE: "editfactory.jobs.kinds.footage:analyze_source_job",
    VOICEOVER: "editfactory.jobs.kinds.voices:voiceover_job",
    VOICE_PREVIEW: "editfactory.jobs.kinds.voices:voice_preview_job",
    CLONE_VOICE: "editfactory.jobs.kinds.voices:clone_voice_job",
    PRODUCTION: "editfactory.pipeline.production:production_job",
    PUBLISH: "editfactory.jobs.kinds.publishing:publish_job",
    PUBLISH_REFRESH: "editfactory.jobs.kinds.publishing:publish_refresh_job",
    PUBLISH_RESUME: "editfactory.jobs.kinds.publishing:publish_resume_job",
    PUBLISH_RETRY_DUE: "editfactory.jobs.kinds.publishing:publish_retry_due_job",
    EXPORT: "editfactory.jobs.kinds.export:export_job",
}
"""kind -> ``"module:function"`` of the function that runs it, for every kind the studio and notebooks start."""

_extra: dict[str, JobFunction] = {}
_lock = threading.Lock()


def job_kind(kind: str) -> Callable[[JobFunction], JobFunction]:
    """Register ``fn`` for ``kind``, a kind outside STANDARD_KINDS (tests, plug-ins); also found for retries."""

    def register(fn: JobFunction) -> JobFunction:
        with _lock:
            _extra[kind] = fn
        return fn

    return register


def registered_job(kind: str) -> JobFunction | None:
    """The function that runs jobs of ``kind``, or None for a kind nobody registered."""
    with _lock:
        function = _extra.get(kind)
    if function is not None:
        return function
    target = STANDARD_KINDS.get(kind)
    if target is None:
        return None
    module_name, _, name = target.partition(":")
    return getattr(importlib.import_module(module_name), name)
