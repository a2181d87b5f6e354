"""A profile's source library: imported videos, their segments (manual and analyzed), selection and renders.

Every function takes the profile handle first and only ever sees that profile's rows and files.
"""

from editfactory.footage.analysis import analyze_source
from editfactory.footage.captions import get_caption_style, save_caption_style
from editfactory.footage.deletion import delete_source
from editfactory.footage.renders import render_for_profile
from editfactory.footage.segments import (
    Segment,
    count_segments,
    create_segment,
    delete_segment,
    get_segment,
    list_segments,
    update_segment,
)
from editfactory.footage.selection import select_for_sources
from editfactory.footage.sources import (
    SourceVideo,
    count_sources,
    get_source,
    import_source,
    list_sources,
)

__all__ = [
    "Segment",
    "SourceVideo",
    "analyze_source",
    "count_segments",
    "count_sources",
    "create_segment",
    "delete_segment",
    "delete_source",
    "get_caption_style",
    "get_segment",
    "get_source",
    "import_source",
    "list_segments",
    "list_sources",
    "render_for_profile",
    "save_caption_style",
    "select_for_sources",
    "update_segment",
]
