"""A route that streams a profile's media files (renders, sources, thumbnails, voiceovers) to the browser.

`pn.pane.Video`/`Audio` would inline a local file as base64 into the page;
instead a session hands out an unguessable link for each file it shows. The
link serves that one file and nothing else — no path from the URL ever reaches
the file system, so one profile's files cannot be reached by guessing.

Served with ``panel serve apps/studio.py --plugins editfactory.ui.media_route``.
"""

from __future__ import annotations

import mimetypes
import secrets
import threading
from pathlib import Path

from tornado.web import HTTPError, StaticFileHandler

ROUTE_PREFIX = "/efmedia"
_links: dict[str, Path] = {}
_by_path: dict[Path, str] = {}
_lock = threading.Lock()
_MAX_LINKS = 200_000  # a long-running server forgets the oldest links beyond this


def link_for(path: Path | str) -> str:
    """The URL path under which the browser can fetch ``path`` (the same link for the same file)."""
    path = Path(path).resolve()
    with _lock:
        token = _by_path.get(path)
        if token is None:
            token = secrets.token_urlsafe(18)
            if len(_links) >= _MAX_LINKS:
                oldest = next(iter(_links))
                _by_path.pop(_links.pop(oldest), None)
            _links[token] = path
            _by_path[path] = token
    return f"{ROUTE_PREFIX}/{token}/{path.name}"


def path_for(token: str) -> Path | None:
    with _lock:
        return _links.get(token)


class MediaHandler(StaticFileHandler):
    """Serves the file behind a token (with range requests, so videos seek)."""

    def initialize(self) -> None:  # type: ignore[override]
        super().initialize(path="/")

    async def get(self, token: str, name: str = "", include_body: bool = True) -> None:  # type: ignore[override]
        path = path_for(token)
        if path is None or not path.is_file():
            raise HTTPError(404)
        self.root = str(path.parent)
        await super().get(path.name, include_body=include_body)

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        return absolute_path

    def get_content_type(self) -> str:
        return mimetypes.guess_type(self.absolute_path)[0] or "application/octet-stream"


ROUTES = [(rf"{ROUTE_PREFIX}/([A-Za-z0-9_\-]+)/?(.*)", MediaHandler, {})]
