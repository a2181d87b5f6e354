"""A small synchronous client for the Postiz public API (``/public/v1``), cloud or self-hosted.

One method per endpoint, one request per call: retries belong to the outbox,
which knows whether a post may already exist. Every failure becomes a
:class:`~editfactory.publish.errors.PostizError` with a message for people.
The API key goes only into the ``Authorization`` header; it never appears in
messages, reprs or logs, and is redacted from anything a server answers.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from editfactory.publish.errors import (
    PostizAuthError,
    PostizConnectionError,
    PostizError,
    PostizNotFoundError,
    PostizRateLimitError,
    PostizRedirectError,
    PostizServerError,
    PostizValidationError,
    PublishingNotConfiguredError,
)
from editfactory.storage.secrets import api_key_problem, redact

log = logging.getLogger(__name__)

# httpcore logs every response's headers at DEBUG, and a server may echo the key in one: our clients' transport
# stays quiet even when the application logs at DEBUG (its own INFO line names only the method and URL).
for _name in ("httpcore", "httpx"):
    if logging.getLogger(_name).level in (logging.NOTSET, logging.DEBUG):
        logging.getLogger(_name).setLevel(logging.INFO)

CLOUD_URL = "https://api.postiz.com/public/v1"
DEFAULT_TIMEOUT = 30.0
UPLOAD_TIMEOUT = 600.0
MAX_UPLOAD_BYTES = 1024 * 1024 * 1024  # Postiz accepts videos up to 1 GB
CREATE_POST = "create the post"


def api_base_url(url: str | None) -> str:
    """The ``…/public/v1`` base for a configured URL: empty means the cloud; a self-hosted backend gets the suffix."""
    url = (url or "").strip().rstrip("/")
    if not url:
        return CLOUD_URL
    return url if url.endswith("/public/v1") else f"{url}/public/v1"


def url_problem(url: str) -> str | None:
    """Why the requests could not go to ``url`` (an API base), or None; checked with the parser that sends them.

    httpx parses the URL, and the host must encode to IDNA as the resolver needs it (no empty label, none
    over 63 characters): otherwise every later call fails with a raw ``InvalidURL`` or ``UnicodeError``.
    """
    for position, ch in enumerate(url, start=1):
        if not ch.isprintable() or ch.isspace():
            return (f"contains an invisible character or a space (U+{ord(ch):04X}) at position {position}; type "
                    "the address again")
    try:
        host = httpx.URL(url).host
    except (httpx.InvalidURL, ValueError, UnicodeError) as error:
        return f"cannot be used for requests ({type(error).__name__}: {str(error)[:80]})"
    if not host:
        return "has no host name"
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    for label in host.rstrip(".").split("."):
        if not label:
            return f"has an empty part in its host name {host!r} (two dots in a row, or a dot at its start)"
        if len(label) > 63:
            return f"has a part of its host name longer than 63 characters ({label[:20]}…)"
    try:
        host.encode("idna")
    except UnicodeError:
        return f"has a host name that cannot be looked up ({host!r}: a part is empty or longer than 63 characters)"
    return None


def iso_utc(moment: dt.datetime) -> str:
    """The date format Postiz expects: ISO 8601 in UTC with milliseconds and a Z."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Channel:
    """A connected social account in Postiz (an "integration")."""

    id: str
    name: str
    identifier: str  # provider: tiktok, instagram, youtube, x, linkedin, facebook, threads, bluesky…
    picture: str = ""
    disabled: bool = False
    profile: str = ""


@dataclass(frozen=True)
class UploadedMedia:
    id: str
    path: str


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            moment = dt.datetime.strptime(value, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=dt.timezone.utc)
        except ValueError:
            return None
        return max(0.0, (moment - dt.datetime.now(dt.timezone.utc)).total_seconds())


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        text = response.text
        if "html" in response.headers.get("content-type", "") or text.lstrip()[:1] == "<":
            # A proxy's or web app's page, not Postiz's API: never copy a whole page into a message.
            return {"message": "an HTML page instead of an answer of Postiz's API; check the URL"}
        return {"message": text}


REASON_LIMIT = 300
"""The most characters of a server's own words kept in a message (and so in the outbox and exports)."""


def _short(text: str, limit: int = REASON_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def clean_reason(raw: object, secret: str | None) -> str:
    """A short, printable reason from what a server said, with the key taken out first.

    Redacting comes before shortening: a key echoed across the cut would leave its first characters behind.
    Tags, control characters and runs of spaces go, so no page or body is kept as it came.
    """
    text = redact(str(raw), secret)
    text = re.sub(r"<[^>]{0,200}>", " ", text)
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return _short(redact(text, secret))


def _redirect_error(response: httpx.Response, what: str, base_url: str, secret: str | None = None
                    ) -> PostizRedirectError:
    """A redirect names where Postiz moved; suggest the URL to save instead of following it with the key."""
    location = response.headers.get("location") or ""
    target = urlsplit(urljoin(str(response.request.url) if response.request else base_url, location))
    target = target._replace(query="", fragment="", netloc=target.netloc.rpartition("@")[2])  # no user:password
    suggestion = ""
    if target.scheme in ("http", "https") and target.netloc:
        path = target.path
        marker = path.find("/public/v1")
        suggestion = urlunsplit(target._replace(path=path[:marker] if marker >= 0 else path)).rstrip("/")
        if redact(suggestion, secret) != suggestion or len(suggestion) > REASON_LIMIT:
            suggestion = ""  # an address carrying the key (or a page's worth of text) is not one to suggest
    where = f" to {suggestion}" if suggestion else ""
    fix = (f"Save {suggestion} as the Postiz URL" if suggestion else "Save the address Postiz really answers at") + \
        " in the profile's publishing settings and run the connection test"
    return PostizRedirectError(
        f"The Postiz URL answered with a redirect (HTTP {response.status_code}){where} while trying to {what}. "
        f"{fix}; the key is never sent to a redirected address. Posts wait in the outbox until then.",
        status=response.status_code, location=suggestion or None)


def error_for_response(response: httpx.Response, what: str, secret: str | None = None) -> PostizError:
    """Turn a non-2xx Postiz answer into the matching error with a readable message.

    Everything taken from the answer is stripped of ``secret`` first (a server or
    proxy may echo the request's headers, escaped or encoded) and only then cleaned and shortened.
    """
    status = response.status_code
    body = _body(response)
    detail = ""
    if isinstance(body, dict):
        raw = body.get("message", body.get("msg", ""))
        detail = "; ".join(str(m) for m in raw) if isinstance(raw, list) else str(raw or "")
    elif isinstance(body, (str, int, float)):
        detail = str(body)
    detail = clean_reason(detail, secret)
    if status == 401:
        return PostizAuthError(
            f"Postiz refused the API key while trying to {what} ({detail or 'unauthorized'}). "
            "Copy the key again from Postiz → Settings → Public API and save it in this profile's publishing settings.",
            status=status,
        )
    if status == 429:
        retry_after = _retry_after(response)
        wait = f" Postiz asks to wait {retry_after:.0f} s." if retry_after is not None else ""
        # Only a post has an outbox row to wait in; other calls are simply tried again later.
        after = (" The post stays in the outbox and is retried automatically." if what == CREATE_POST
                 else " Wait a little and try again.")
        return PostizRateLimitError(
            f"Postiz is limiting requests ({detail or 'too many requests'}) while trying to {what}: new posts are "
            f"limited per organisation per hour.{wait}{after}",
            retry_after=retry_after,
        )
    if status == 404:
        return PostizNotFoundError(f"Postiz could not find what was asked while trying to {what}: {detail}.",
                                   status=status)
    if status >= 500:
        return PostizServerError(
            f"Postiz had an internal error while trying to {what} (HTTP {status}). "
            "It is retried automatically; if it keeps failing, check the Postiz server's logs.",
            status=status,
        )
    if status in (400, 403, 422) and isinstance(body, dict):
        provider, name = (clean_reason(v, secret) if v is not None else None for v in (body.get("provider"),
                                                                                       body.get("name")))
        details = [clean_reason(d, secret) for d in body.get("message")] if isinstance(body.get("message"), list) else []
        where = f" for {name} ({provider})" if provider else ""
        return PostizValidationError(
            f"Postiz refused the request to {what}{where}: {detail or 'invalid request'}. "
            "Fix the caption or the channel settings and publish again.",
            status=status, provider=provider, channel_name=name, details=details,
        )
    return PostizError(f"Postiz answered HTTP {status} while trying to {what}: {detail}.", status=status)


class PostizClient:
    """Talks to one Postiz instance with one API key. Use as a context manager or call :meth:`close`."""

    def __init__(self, base_url: str | None, api_key: str, *, timeout: float = DEFAULT_TIMEOUT,
                 upload_timeout: float = UPLOAD_TIMEOUT) -> None:
        self.base_url = api_base_url(base_url)
        self.timeout = timeout  # seconds one request may take; the outbox's landing window builds on it
        self._upload_timeout = upload_timeout
        problem = api_key_problem(api_key or "")
        if problem:  # checked before the HTTP library sees it: its encoding error would carry the key
            raise PublishingNotConfiguredError(
                f"The Postiz API key {problem}, so it cannot be sent. Copy it again from Postiz → Settings → "
                "Public API and save it in the profile's publishing settings.")
        problem = url_problem(self.base_url)
        if problem:  # a URL saved before it was checked this way: say so instead of a raw httpx error later
            raise PublishingNotConfiguredError(
                f"The Postiz URL {problem}. Save the address of the Postiz backend in the profile's publishing "
                "settings, e.g. https://postiz.example.com/api.")
        self._secret = api_key
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": api_key, "Accept": "application/json"},
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,  # a redirect could carry the key elsewhere
        )

    def __repr__(self) -> str:
        return f"PostizClient({self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PostizClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ------------------------------------------------------------------

    def _request(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.ConnectTimeout:
            raise PostizConnectionError(
                f"Could not reach Postiz at {self.base_url} to {what} (connection timed out). "
                "Check the URL and your network; it is retried automatically.", maybe_delivered=False) from None
        except httpx.ConnectError:
            raise PostizConnectionError(
                f"Could not connect to Postiz at {self.base_url} to {what}. "
                "Check the URL and that the server runs; it is retried automatically.", maybe_delivered=False) from None
        except httpx.TimeoutException:
            raise PostizConnectionError(
                f"Postiz did not answer in time while trying to {what}; it may still have done it. "
                "The outbox checks before trying again.", maybe_delivered=True, no_answer=True) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.NetworkError):
            raise PostizConnectionError(
                f"The connection to Postiz dropped while trying to {what}; it may still have done it. "
                "The outbox checks before trying again.", maybe_delivered=True) from None
        log.debug("Postiz %s %s -> %s", method, path, response.status_code)
        if 300 <= response.status_code < 400:
            raise _redirect_error(response, what, self.base_url, self._secret)
        if response.status_code >= 300:
            raise error_for_response(response, what, self._secret)
        return _body(response)

    # -- endpoints ------------------------------------------------------------------

    def is_connected(self) -> bool:
        body = self._request("GET", "/is-connected", "check the connection")
        return bool(isinstance(body, dict) and body.get("connected"))

    def integrations(self) -> list[Channel]:
        body = self._request("GET", "/integrations", "list the connected channels")
        if not isinstance(body, list):
            raise PostizError("Postiz answered the channel list with something that is not a list; "
                              "check that the URL points at the Postiz backend's public API.")
        return [
            Channel(id=str(item["id"]), name=str(item.get("name") or ""), identifier=str(item.get("identifier") or ""),
                    picture=str(item.get("picture") or ""), disabled=bool(item.get("disabled")),
                    profile=str(item.get("profile") or ""))
            for item in body if isinstance(item, dict) and item.get("id")
        ]

    def upload(self, path: Path | str) -> UploadedMedia:
        """Upload a video or image (multipart field ``file``); Postiz answers with the media's id and URL."""
        path = Path(path)
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise PostizValidationError(
                f"{path.name} is {size / 1e9:.2f} GB; Postiz accepts videos up to 1 GB. Render a shorter or "
                "smaller clip and publish that.", status=None)
        mime = "video/mp4" if path.suffix.lower() == ".mp4" else "application/octet-stream"
        with path.open("rb") as handle:
            body = self._request("POST", "/upload", f"upload {path.name}",
                                 files={"file": (path.name, handle, mime)}, timeout=self._upload_timeout)
        if not isinstance(body, dict) or not body.get("id") or not body.get("path"):
            raise PostizServerError("Postiz accepted the upload but did not return its id and path; try again.")
        return UploadedMedia(id=str(body["id"]), path=str(body["path"]))

    def create_post(self, payload: dict) -> list[dict]:
        """POST /posts; returns ``[{postId, integration}]``, one per channel."""
        body = self._request("POST", "/posts", CREATE_POST, json=payload)
        if not isinstance(body, list):
            raise PostizServerError("Postiz answered the new post with something unexpected; the outbox checks "
                                    "whether it was created before trying again.")
        return body

    def list_posts(self, start: dt.datetime, end: dt.datetime) -> list[dict]:
        """Posts whose publish date lies in [start, end] (each with id, content, publishDate, state, integration)."""
        body = self._request("GET", "/posts", "list posts",
                             params={"startDate": iso_utc(start), "endDate": iso_utc(end)})
        posts = body.get("posts") if isinstance(body, dict) else None
        if not isinstance(posts, list):
            raise PostizError("Postiz answered the post list with something unexpected; check the URL.")
        return posts

    def delete_post(self, post_id: str) -> None:
        self._request("DELETE", f"/posts/{post_id}", "delete the post")
