"""A profile's proxies: the low-resolution copy of each source video that its draft previews decode.

The copy is made in the background once the source is imported (:mod:`editfactory.jobs.kinds.footage`), lives in
``cache/proxies/<source id>.mp4`` (left out of exports, never listed in the Library) and goes with its source
(:mod:`editfactory.footage.deletion`). The ffmpeg work and the check that a copy is whole are
:mod:`editfactory.media.proxies`; a draft reads the source whenever the copy is missing or not whole.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from editfactory.core.errors import CancelledError, MediaError
from editfactory.core.progress import ProgressCallback
from editfactory.footage.sources import SourceVideo
from editfactory.media.probe import probe
from editfactory.media.proxies import is_whole, make_proxy
from editfactory.media.spec import Proxy, RenderSegment
from editfactory.profiles import Profile

log = logging.getLogger(__name__)


def proxy_path(profile: Profile, source_id: str) -> Path:
    """Where the proxy of ``source_id`` lives (whether or not it was made)."""
    return profile.paths.proxies / f"{source_id}.mp4"


def make_source_proxy(profile: Profile, source: SourceVideo, progress: ProgressCallback | None = None,
                      cancel: threading.Event | None = None) -> Path | None:
    """Make the proxy of a video ``source`` when it has none yet; ``None`` for photos and for sources small enough
    to be their own proxy. A failure is logged and returns ``None`` (drafts then read the source); cancelling
    raises CancelledError and leaves no proxy."""
    target = proxy_path(profile, source.id)
    if source.kind == "photo":
        return None
    try:
        if target.is_file() and is_whole(target, probe(source.path, count_frames=False)):
            return target  # a proxy that is not whole (a damaged disk, say) is made again
        return make_proxy(source.path, target, work_root=profile.paths.tmp, progress=progress, cancel=cancel)
    except CancelledError:
        raise
    except MediaError as error:
        log.warning("No preview copy of %s (drafts read the video itself): %s", source.filename, error)
        return None


def make_proxies(profile: Profile, sources: Iterable[SourceVideo], progress: ProgressCallback | None = None,
                 cancel: threading.Event | None = None) -> int:
    """Make the missing proxies of ``sources`` one after the other; returns how many exist now. Stops quietly when
    ``cancel`` is set: what was imported stays imported, and drafts read the sources that have no proxy."""
    sources = [s for s in sources if s.kind != "photo"]
    made = 0
    for index, source in enumerate(sources):
        def step(message: str, fraction: float | None, index: int = index) -> None:
            if progress is not None:
                progress(f"Preview copy {index + 1} of {len(sources)}", (index + (fraction or 0.0)) / len(sources))
        try:
            made += make_source_proxy(profile, source, step, cancel) is not None
        except CancelledError:
            break
    return made


def draft_proxies(profile: Profile, segments: Iterable[RenderSegment], source_of: Mapping[Path, str]) -> tuple[Proxy, ...]:
    """The proxies a draft of ``segments`` may read: one per source (``source_of``: path → source id) whose proxy file
    is there. Whether each is whole is checked by the render itself."""
    found: dict[Path, Proxy] = {}
    for segment in segments:
        source = segment.source if isinstance(segment, RenderSegment) else Path(segment[0])
        source_id = source_of.get(source)
        if source_id is None or source in found:
            continue
        path = proxy_path(profile, source_id)
        if path.is_file():
            found[source] = Proxy(source, path)
    return tuple(found.values())


def delete_proxy(profile: Profile, source_id: str) -> None:
    proxy_path(profile, source_id).unlink(missing_ok=True)
