"""The media engine: probe, analyze, select and render — pure file-in/file-out functions, no database.

Public API (what the jobs pipeline and notebooks call)::

    from editfactory.media import RenderSpec, RenderSegment, render_clip, CaptionStyle, probe
    result = render_clip(RenderSpec(segments=[(src, 0, 5), (src, 12, 17)], voiceover=vo,
                                    words=[("Hello", 0.0, 0.4), ...], preset="tiktok"),
                         Path("out.mp4"), progress=callback, cancel=threading.Event())

The per-profile library (import, segments, analysis into the database) is
:mod:`editfactory.footage`.
"""

from editfactory.media.analysis import AnalysisOptions, AnalysisResult, ScoredWindow, analyze_video
from editfactory.media.captions import CaptionStyle, WordTiming, build_subtitles, group_into_cues
from editfactory.media.presets import PRESETS, RenderPreset, get_preset
from editfactory.media.probe import MediaInfo, probe
from editfactory.media.render import RenderResult, RenderSegment, RenderSpec, render_clip
from editfactory.media.runner import ffmpeg_path
from editfactory.media.selection import Candidate, Pick, select_variants

__all__ = [
    "PRESETS",
    "AnalysisOptions",
    "AnalysisResult",
    "Candidate",
    "CaptionStyle",
    "MediaInfo",
    "Pick",
    "RenderPreset",
    "RenderResult",
    "RenderSegment",
    "RenderSpec",
    "ScoredWindow",
    "WordTiming",
    "analyze_video",
    "build_subtitles",
    "ffmpeg_path",
    "get_preset",
    "group_into_cues",
    "probe",
    "render_clip",
    "select_variants",
]
