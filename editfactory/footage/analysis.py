"""Analyze a profile's source (video or photo) and store its scored windows as automatic segments."""

from __future__ import annotations

import threading

from editfactory.core.progress import ProgressCallback
from editfactory.footage.duplicates import record_fingerprint
from editfactory.footage.segments import replace_auto_segments
from editfactory.footage.sources import get_source
from editfactory.media.analysis import AnalysisOptions, AnalysisResult, analyze_video
from editfactory.media.photo_analysis import analyze_photo
from editfactory.profiles import Profile


def analyze_source(
    profile: Profile,
    source_id: str,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    options: AnalysisOptions = AnalysisOptions(),
) -> AnalysisResult:
    """Score the source (no database connection held meanwhile), then replace its 'auto' segments at once.

    Its frame fingerprints are stored too, and it is compared with the profile's other analyzed sources to find
    the same footage imported twice (``library.duplicates``).
    """
    source = get_source(profile, source_id)
    if source.kind == "photo":
        result = analyze_photo(source.path, options, progress, cancel)
    else:
        result = analyze_video(source.path, options, progress, cancel)
    replace_auto_segments(profile, source_id, [(w.start, w.end, w.score, w.scores()) for w in result.windows])
    record_fingerprint(profile, source_id, result.fingerprint, options.sample_fps)
    return result
