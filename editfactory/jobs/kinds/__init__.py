"""Every kind of slow work the studio and notebooks run as a durable job, registered on import.

``import editfactory.jobs.kinds`` registers them all (the runner also imports this
package by itself when it meets a kind it does not know, e.g. when retrying after a restart).

=================  ============================================================  =====================
kind               what it does                                                  start it with
=================  ============================================================  =====================
import_sources     import uploaded videos; each bad file refused with its reason  ``start_import``
analyze_source     score a source's windows into automatic segments             ``start_analysis``
voiceover          speak a project's script (audio, word timings, cues, cost)   ``start_voiceover``
voice_preview      a short sample of a voice                                    ``start_voice_preview``
clone_voice        create a voice from samples                                  ``start_clone``
production         render variants into clips (``draft=True``: a fast preview)  ``start_production``
publish            send clips to Postiz channels                                ``start_publish``
publish_refresh    ask Postiz how the sent posts stand                          ``start_status_refresh``
publish_resume     finish posts a crash or an outage left open                  ``start_outbox_resume``
publish_retry_due  send posts whose wait (Retry-After, landing window) is over  ``start_due_retry``
export             the profile as a zip                                         ``start_export``
=================  ============================================================  =====================
"""

from editfactory.jobs.kinds.export import EXPORT, start_export
from editfactory.jobs.kinds.library import ANALYZE_SOURCE, IMPORT_SOURCES, start_analysis, start_import
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
from editfactory.pipeline.production import JOB_KIND as PRODUCTION
from editfactory.pipeline.production import ProductionRequest, start_production

KINDS = (IMPORT_SOURCES, ANALYZE_SOURCE, VOICEOVER, VOICE_PREVIEW, CLONE_VOICE, PRODUCTION, PUBLISH, PUBLISH_REFRESH,
         PUBLISH_RESUME, PUBLISH_RETRY_DUE, EXPORT)

__all__ = [
    "ANALYZE_SOURCE", "CLONE_VOICE", "EXPORT", "IMPORT_SOURCES", "KINDS", "PRODUCTION", "PUBLISH", "PUBLISH_REFRESH",
    "PUBLISH_RESUME", "PUBLISH_RETRY_DUE", "ProductionRequest", "VOICEOVER", "VOICE_PREVIEW", "start_analysis",
    "start_clone", "start_due_retry", "start_export", "start_import", "start_outbox_resume", "start_production",
    "start_publish", "start_status_refresh", "start_voice_preview", "start_voiceover",
]
