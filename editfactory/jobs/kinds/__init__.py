"""The job functions and ``start_*`` helpers of the slow work the studio and notebooks run as durable jobs.

Every kind is listed once, in :mod:`editfactory.jobs.registry` (name -> function);
the runner finds the function there, also when retrying after a restart. The
production job lives with its pipeline (:mod:`editfactory.pipeline`), which
builds on the jobs package, so it is not imported here.

=================  ============================================================  =====================
kind               what it does                                                  start it with
=================  ============================================================  =====================
import_sources     import uploaded videos; each bad file refused with its reason  ``start_import``
analyze_source     score a source's windows into automatic segments             ``start_analysis``
voiceover          speak a project's script (audio, word timings, cues, cost)   ``start_voiceover``
voice_preview      a short sample of a voice                                    ``start_voice_preview``
clone_voice        create a voice from samples                                  ``start_clone``
production         render variants into clips (``draft=True``: a fast preview)  ``pipeline.start_production``
publish            send clips to Postiz channels                                ``start_publish``
publish_refresh    ask Postiz how the sent posts stand                          ``start_status_refresh``
publish_resume     finish posts a crash or an outage left open                  ``start_outbox_resume``
publish_retry_due  send posts whose wait (Retry-After, landing window) is over  ``start_due_retry``
export             the profile as a zip                                         ``start_export``
=================  ============================================================  =====================
"""

from editfactory.jobs.kinds.export import EXPORT, start_export
from editfactory.jobs.kinds.footage import ANALYZE_SOURCE, IMPORT_SOURCES, start_analysis, start_import
from editfactory.jobs.kinds.publishing import (
    PUBLISH,
    PUBLISH_REFRESH,
    PUBLISH_RESUME,
    PUBLISH_RETRY_DUE,
    start_due_retry,
    start_outbox_resume,
    start_publish,
    start_status_refresh,
)
from editfactory.jobs.kinds.voices import CLONE_VOICE, VOICE_PREVIEW, VOICEOVER, start_clone, start_voice_preview, start_voiceover
from editfactory.jobs.registry import PRODUCTION, STANDARD_KINDS

KINDS = tuple(STANDARD_KINDS)

__all__ = [
    "ANALYZE_SOURCE", "CLONE_VOICE", "EXPORT", "IMPORT_SOURCES", "KINDS", "PRODUCTION", "PUBLISH", "PUBLISH_REFRESH",
    "PUBLISH_RESUME", "PUBLISH_RETRY_DUE", "VOICEOVER", "VOICE_PREVIEW", "start_analysis",
    "start_clone", "start_due_retry", "start_export", "start_import", "start_outbox_resume",
    "start_publish", "start_status_refresh", "start_voice_preview", "start_voiceover",
]
