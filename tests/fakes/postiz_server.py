"""A fake Postiz public API on 127.0.0.1 for tests: real HTTP, real validation rules, injectable faults.

It follows the Postiz backend's public routes (``/public/v1``): the API-key
middleware (401 ``No API Key found`` / ``Invalid API key``), ``/is-connected``,
``/integrations``, multipart ``/upload`` (field ``file``, mp4/images only),
``POST /posts`` validated like ``CreatePostDto`` plus the per-provider settings
DTOs and caption limits (400 in NestJS's shapes), the create-post throttler
(429 ``ThrottlerException`` with ``Retry-After``), ``GET /posts`` by date range
and ``DELETE /posts/:id``. Post text is HTML: it is stored the way Postiz's
DOMPurify-style sanitiser leaves it (raw-text elements such as an unclosed
``<script>`` swallow the rest of the text), and lengths are counted on the
plain text Postiz makes of it for the platforms.

Faults are drawn per request from a seeded RNG: 429, 500, slow answers,
dropped connections before the work, and dropped connections *after* the post
was created (the case that makes duplicates possible).
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import html
import json
import random
import socket
import sys
import threading
import time
import re
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MAX_LENGTH = {"x": 280, "bluesky": 300, "threads": 500, "tiktok": 2000, "tiktok-business": 2000, "instagram": 2200,
              "instagram-standalone": 2200, "linkedin": 3000, "linkedin-page": 3000, "youtube": 5000,
              "facebook": 63206}
MEDIA_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp4")


@dataclass
class Faults:
    """Probabilities per request (0..1). ``after_post`` faults only hit POST /posts, after the post exists."""

    rate_limit: float = 0.0
    server_error: float = 0.0
    slow: float = 0.0
    drop_before: float = 0.0
    drop_after: float = 0.0
    slow_before: float = 0.0  # wait, then do the work: it may finish after the client gave up
    slow_seconds: float = 0.5
    retry_after: int = 1
    only_paths: tuple[str, ...] = ()  # empty: every path
    only_methods: tuple[str, ...] = ()  # empty: every method
    limit: int | None = None  # at most this many faults in all


@dataclass
class FakeIntegration:
    id: str
    name: str
    identifier: str
    disabled: bool = False


# -- Postiz's handling of post HTML -----------------------------------------------------

_ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "a", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5",
                 "h6", "span", "blockquote", "code", "pre", "div"}
_VOID_TAGS = {"br"}
# Elements whose content the HTML parser reads as raw text up to their end tag (to the end of the input when
# there is none); DOMPurify removes them with that content.
_SWALLOWING = ("script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes", "noscript")
_SWALLOW_START = re.compile(r"<(" + "|".join(_SWALLOWING) + r")(?=[\s/>])[^>]*>", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)


class _Sanitizer(HTMLParser):
    """Keeps allowed tags (``href`` only on links), drops others but keeps their text, re-escapes text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _ALLOWED_TAGS:
            href = "".join(f' href="{html.escape(v, quote=True)}"' for n, v in attrs
                           if tag == "a" and n == "href" and (v or "").startswith(("http://", "https://")))
            self.out.append(f"<{tag}{href}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in _ALLOWED_TAGS and tag not in _VOID_TAGS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(html.escape(data, quote=False).replace("\xa0", "&nbsp;"))


def sanitize_html(value: str) -> str:
    """What Postiz keeps of a post's HTML content (DOMPurify-like)."""
    value = _COMMENT.sub("", value)
    while (start := _SWALLOW_START.search(value)) is not None:
        end = re.compile(rf"</{start.group(1)}\s*>", re.IGNORECASE).search(value, start.end())
        value = value[:start.start()] + (value[end.end():] if end else "")
    parser = _Sanitizer()
    parser.feed(value)
    parser.close()
    return "".join(parser.out)


def platform_text(content: str) -> str:
    """The plain text Postiz sends to a platform for stored HTML content (its "normal" conversion)."""
    if not re.search(r"<p[\s>]", content, re.IGNORECASE):
        return content
    value = content.replace("&amp;", "&").replace("&nbsp;", " ").replace("&quot;", '"').replace("&#39;", "'")
    value = re.sub(r"^<p[^>]*>", "", value, flags=re.IGNORECASE)
    value = re.sub(r"<p[^>]*>", "\n", value, flags=re.IGNORECASE)
    value = re.sub(r"</p>", "", value, flags=re.IGNORECASE)
    value = re.sub(r"<[^>]*>", "", value)
    return value.replace("&gt;", ">").replace("&lt;", "<")


def _js_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _is_iso_date(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _parse_date(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _settings_errors(identifier: str, s: dict) -> list[str]:
    """The checks of the providers' settings DTOs that matter for video posts."""
    errors = []

    def one_of(name, allowed, optional=False):
        if optional and s.get(name) is None:
            return
        if s.get(name) not in allowed:
            errors.append(f"{name} must be one of the following values: {', '.join(allowed)}")

    def boolean(name):
        if not isinstance(s.get(name), bool):
            errors.append(f"{name} must be a boolean value")

    if identifier in ("tiktok", "tiktok-business"):
        if s.get("title") and _js_length(str(s["title"])) > 90:
            errors.append("title must be shorter than or equal to 90 characters")
        one_of("privacy_level", ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"))
        for name in ("duet", "stitch", "comment", "brand_content_toggle", "brand_organic_toggle"):
            boolean(name)
        one_of("autoAddMusic", ("yes", "no"))
        one_of("content_posting_method", ("DIRECT_POST", "UPLOAD"))
    elif identifier in ("instagram", "instagram-standalone"):
        one_of("post_type", ("post", "story"))
    elif identifier == "youtube":
        title = s.get("title")
        if not isinstance(title, str) or not 2 <= _js_length(title) <= 100:
            errors.append("title must be longer than or equal to 2 and shorter than or equal to 100 characters")
        one_of("type", ("public", "private", "unlisted"))
        one_of("selfDeclaredMadeForKids", ("yes", "no"), optional=True)
    elif identifier == "x":
        if s.get("post_type") != "article":
            one_of("who_can_reply_post", ("everyone", "following", "mentionedUsers", "subscribers", "verified"))
    elif identifier == "facebook":
        one_of("post_type", ("post", "story"), optional=True)
    elif identifier in ("linkedin", "linkedin-page"):
        if "post_as_images_carousel" in s and not isinstance(s["post_as_images_carousel"], bool):
            errors.append("post_as_images_carousel must be a boolean value")
    return errors


class _QuietServer(ThreadingHTTPServer):
    """A client that went away (killed, timed out) is normal here: no traceback on stderr for it."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Dropped(Exception):
    """Close the connection without answering."""


class FakePostiz:
    """Start with ``with FakePostiz(api_key, integrations) as server:``; ``server.base_url`` is the API base."""

    def __init__(self, api_key: str, integrations: list[FakeIntegration], *, seed: int = 0,
                 faults: Faults | None = None, post_limit_per_hour: int = 10_000, returns_settings: bool = True) -> None:
        self.api_key = api_key
        # Postiz stores each post's settings as sent (a JSON string) and, since July 2026 (postiz-app 80f7475),
        # returns them in GET /posts; False answers like the releases before (v2.23.0 and older).
        self.returns_settings = returns_settings
        self.integrations = {i.id: i for i in integrations}
        self.faults = faults or Faults()
        self.rng = random.Random(seed)
        self.post_limit_per_hour = post_limit_per_hour
        self.lock = threading.Lock()
        self.posts: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.auth_headers: list[str | None] = []
        self.faults_injected: dict[str, int] = {}
        self.forced: list[tuple] = []  # (method, path, status, body, headers) answered before anything else
        self.hold: threading.Event | None = None  # when set to an unset Event, every request waits for it (a hang)
        self._post_times: list[float] = []
        self._connections: set[socket.socket] = set()  # open client connections (kept alive between requests)
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits for it, and tests start dozens of servers.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    # -- lifecycle --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/public/v1"

    @property
    def backend_url(self) -> str:
        """What a user types for a self-hosted Postiz backend (the client adds /public/v1)."""
        return self.base_url.removesuffix("/public/v1")

    def __enter__(self) -> FakePostiz:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def go_down(self) -> None:
        """Stop listening, as a stopped Postiz: connections to its address are refused. Posts are kept."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        with self.lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:  # kept-alive connections end too, as when the process stops
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def come_back(self) -> None:
        """Listen again on the same address, with every post, media and count as they were."""
        self._server = _QuietServer(self._server.server_address[:2], self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def creates(self) -> int:
        """How many create-post requests reached it (answered or not)."""
        with self.lock:
            return self.requests.count(("POST", "/posts"))

    # -- test helpers ------------------------------------------------------------------

    def fail_next(self, status: int, body: dict, headers: dict | None = None, *, method: str | None = None,
                  path: str | None = None) -> None:
        """Answer the next matching request (any, or only ``method path``) with this status and body."""
        with self.lock:
            self.forced.append((method, path, status, body, headers or {}))

    def live_posts(self) -> list[dict]:
        with self.lock:
            return [p for p in self.posts.values() if not p["deleted"]]

    def set_state(self, post_id: str, state: str, release_url: str | None = None) -> None:
        with self.lock:
            self.posts[post_id]["state"] = state
            self.posts[post_id]["releaseURL"] = release_url

    def _count_fault(self, kind: str) -> None:
        self.faults_injected[kind] = self.faults_injected.get(kind, 0) + 1

    # -- request handling ------------------------------------------------------------

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def setup(self):
                super().setup()
                # Answers go out at once instead of waiting on the client's delayed ACK (Nagle).
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with fake.lock:
                    fake._connections.add(self.connection)

            def finish(self):
                with fake.lock:
                    fake._connections.discard(self.connection)
                super().finish()

            def _answer(self, status: int, body, headers: dict | None = None) -> None:
                # bytes go out as they are (an HTML page, with its Content-Type in ``headers``)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                if not any(name.lower() == "content-type" for name in headers or {}):
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, str(value))
                self.end_headers()
                self.wfile.write(data)

            def _drop(self) -> None:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    status, body, headers, delay = fake.dispatch(method, self.path, self.headers, raw)
                except _Dropped:
                    self._drop()
                    return
                if delay:
                    time.sleep(delay)
                try:
                    self._answer(status, body, headers)
                except OSError:  # the client gave up waiting
                    self.close_connection = True

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_DELETE(self):
                self._handle("DELETE")

        return Handler

    def dispatch(self, method: str, raw_path: str, headers, raw: bytes):
        url = urlsplit(raw_path)
        path = url.path.removeprefix("/public/v1")
        with self.lock:
            self.requests.append((method, path))
        hold = self.hold
        if hold is not None:
            hold.wait()
        with self.lock:
            self.auth_headers.append(headers.get("Authorization"))
            for index, (want_method, want_path, status, body, extra) in enumerate(self.forced):
                if want_method in (None, method) and want_path in (None, path):
                    del self.forced[index]
                    return status, body, extra, 0.0
        auth = headers.get("Authorization")
        if not auth:
            return 401, {"msg": "No API Key found"}, {}, 0.0
        if auth != self.api_key:
            return 401, {"msg": "Invalid API key"}, {}, 0.0
        fault = self._draw_fault(method, path)
        if fault == "slow_before":
            time.sleep(self.faults.slow_seconds)
        if fault == "drop_before":
            raise _Dropped
        if fault == "server_error":
            return 500, {"statusCode": 500, "message": "Internal server error"}, {}, 0.0
        if method == "POST" and path == "/posts":
            throttled = self._throttle(fault == "rate_limit")
            if throttled:
                return throttled
        status, body = self._route(method, path, parse_qs(url.query), headers, raw)
        if fault == "drop_after" and method == "POST" and path == "/posts":
            raise _Dropped
        delay = self.faults.slow_seconds if fault == "slow" else 0.0
        return status, body, {}, delay

    def _draw_fault(self, method: str, path: str) -> str | None:
        f = self.faults
        if (f.only_paths and path not in f.only_paths) or (f.only_methods and method not in f.only_methods):
            return None
        with self.lock:
            if f.limit is not None and sum(self.faults_injected.values()) >= f.limit:
                return None
            roll = self.rng.random()
            for kind in ("rate_limit", "server_error", "slow", "drop_before", "drop_after", "slow_before"):
                chance = getattr(f, kind)
                if roll < chance:
                    self._count_fault(kind)
                    return kind
                roll -= chance
        return None

    def _throttle(self, injected: bool):
        now = time.monotonic()
        with self.lock:
            self._post_times = [t for t in self._post_times if now - t < 3600]
            if injected or len(self._post_times) >= self.post_limit_per_hour:
                return (429, {"statusCode": 429, "message": "ThrottlerException: Too Many Requests"},
                        {"Retry-After": self.faults.retry_after}, 0.0)
            self._post_times.append(now)
        return None

    def _route(self, method: str, path: str, query: dict, headers, raw: bytes):
        if method == "GET" and path == "/is-connected":
            return 200, {"connected": True}
        if method == "GET" and path == "/integrations":
            return 200, [{"id": i.id, "name": i.name, "identifier": i.identifier, "picture": "", "disabled": i.disabled,
                          "profile": i.name.lower()} for i in self.integrations.values()]
        if method == "POST" and path == "/upload":
            return self._upload(headers, raw)
        if method == "POST" and path == "/posts":
            return self._create_posts(raw)
        if method == "GET" and path == "/posts":
            return self._list_posts(query)
        if method == "DELETE" and path.startswith("/posts/"):
            return self._delete(path.removeprefix("/posts/"))
        return 404, {"statusCode": 404, "message": f"Cannot {method} /public/v1{path}", "error": "Not Found"}

    def _upload(self, headers, raw: bytes):
        content_type = headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            return 400, {"msg": "No file provided"}
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
        part = next((p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "file"),
                    None)
        if part is None:
            return 400, {"msg": "No file provided"}
        data = part.get_payload(decode=True) or b""
        if data[4:8] != b"ftyp" and not data.startswith((b"\x89PNG", b"\xff\xd8\xff")):
            return 400, {"statusCode": 400, "message": "Unsupported file type.", "error": "Bad Request"}
        media_id = str(uuid.uuid4())
        name = f"{media_id}.mp4" if data[4:8] == b"ftyp" else f"{media_id}.png"
        record = {"id": media_id, "name": name, "originalName": part.get_filename(),
                  "path": f"{self.backend_url}/uploads/{name}", "thumbnail": None, "alt": None, "size": len(data)}
        with self.lock:
            self.media[media_id] = record
        return 201, {k: v for k, v in record.items() if k != "size"}

    def _dto_errors(self, body: dict) -> list[str]:
        errors = []
        if body.get("type") not in ("draft", "schedule", "now", "update"):
            errors.append("type must be one of the following values: draft, schedule, now, update")
        if not isinstance(body.get("shortLink"), bool):
            errors.append("shortLink must be a boolean value")
        if not _is_iso_date(body.get("date")):
            errors.append("date must be a valid ISO 8601 date string")
        tags = body.get("tags")
        if not isinstance(tags, list):
            errors.append("tags must be an array")
        elif any(not isinstance(t, dict) or not isinstance(t.get("value"), str) or not isinstance(t.get("label"), str)
                 for t in tags):
            errors.append("tags.value and tags.label must be strings")
        posts = body.get("posts")
        if not isinstance(posts, list) or not posts:
            errors.append("posts must contain at least 1 elements")
            return errors
        for i, post in enumerate(posts):
            values = post.get("value")
            if not isinstance(values, list) or not values:
                errors.append(f"posts.{i}.value must contain at least 1 elements")
                continue
            for j, value in enumerate(values):
                if not isinstance(value.get("content"), str):
                    errors.append(f"posts.{i}.value.{j}.content must be a string")
                images = value.get("image")
                if not isinstance(images, list):
                    errors.append(f"posts.{i}.value.{j}.image must be an array")
                    continue
                for image in images:
                    if not isinstance(image, dict) or not isinstance(image.get("id"), str):
                        errors.append(f"posts.{i}.value.{j}.image.id must be a string")
                    elif not str(image.get("path", "")).split("?")[0].endswith(MEDIA_EXTENSIONS):
                        errors.append("File must have a valid extension: .png, .jpg, .jpeg, .gif, .webp, or .mp4")
        return errors

    def _create_posts(self, raw: bytes):
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return 400, {"statusCode": 400, "message": "Unexpected token in JSON", "error": "Bad Request"}
        if not isinstance(body, dict) or not all(isinstance(p, dict) and (p.get("integration") or {}).get("id")
                                                 for p in body.get("posts") or [None]):
            return 400, {"statusCode": 400, "message": "All posts must have an integration id", "error": "Bad Request"}
        for post in body["posts"]:
            if post["integration"]["id"] not in self.integrations:
                return 400, {"statusCode": 400, "message": f"Integration with id {post['integration']['id']} not found",
                             "error": "Bad Request"}
        errors = self._dto_errors(body)
        if errors:
            return 400, {"statusCode": 400, "message": errors, "error": "Bad Request"}
        for post in body["posts"]:
            integration = self.integrations[post["integration"]["id"]]
            settings = {**(post.get("settings") or {}), "__type": integration.identifier}  # the server decides __type
            fail = {"statusCode": 400, "provider": integration.identifier, "name": integration.name}
            if not any(platform_text(sanitize_html(v["content"])).strip() or v["image"] for v in post["value"]):
                return 400, {**fail, "message": "Your post should have at least one character or one image."}
            if body["type"] != "draft":
                problems = _settings_errors(integration.identifier, settings)
                if problems:
                    return 400, {**fail, "message": problems[0]}
                limit = MAX_LENGTH.get(integration.identifier)
                if limit and any(_js_length(platform_text(sanitize_html(v["content"]))) > limit for v in post["value"]):
                    return 400, {**fail, "message": "post is too long, please fix it"}
            post["settings"] = settings
        created = []
        with self.lock:
            for post in body["posts"]:
                integration = self.integrations[post["integration"]["id"]]
                post_id = str(uuid.uuid4())
                now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
                date = now if body["type"] == "now" else _parse_date(body["date"])
                self.posts[post_id] = {
                    "id": post_id, "content": sanitize_html(post["value"][0]["content"]),
                    "publishDate": date.isoformat().replace("+00:00", "Z"), "releaseURL": None,
                    "state": "DRAFT" if body["type"] == "draft" else "QUEUE", "group": str(uuid.uuid4()),
                    "settings": json.dumps(post["settings"]), "image": json.dumps(post["value"][0]["image"]),
                    "tags": [], "deleted": False,
                    "integration": {"id": integration.id, "providerIdentifier": integration.identifier,
                                    "name": integration.name, "picture": ""},
                }
                created.append({"postId": post_id, "integration": integration.id})
        return 201, created

    def _list_posts(self, query: dict):
        start, end = (query.get(k, [None])[0] for k in ("startDate", "endDate"))
        errors = [f"{k} must be a valid ISO 8601 date string" for k, v in (("startDate", start), ("endDate", end))
                  if not _is_iso_date(v)]
        if errors:
            return 400, {"statusCode": 400, "message": errors, "error": "Bad Request"}
        low, high = _parse_date(start), _parse_date(end)
        hidden = {"deleted"} if self.returns_settings else {"deleted", "settings"}
        found = [{k: v for k, v in p.items() if k not in hidden} for p in self.live_posts()
                 if low <= _parse_date(p["publishDate"]) <= high]
        return 200, {"posts": found}

    def _delete(self, post_id: str):
        with self.lock:
            post = self.posts.get(post_id)
            if post is None or post["deleted"]:
                # Postiz reads the missing post's group and fails inside.
                return 500, {"statusCode": 500, "message": "Internal server error"}
            for other in self.posts.values():
                if other["group"] == post["group"]:
                    other["deleted"] = True
        return 200, {"error": False}
