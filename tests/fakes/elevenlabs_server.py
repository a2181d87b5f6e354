"""A local stand-in for the ElevenLabs REST API (127.0.0.1, real HTTP, real response shapes).

Covers what Edit Factory uses: GET /v1/voices, POST /v1/text-to-speech/{voice_id}
(audio bytes) and /with-timestamps (JSON with base64 audio and character
alignment), POST /v1/voices/add (multipart instant clone), DELETE
/v1/voices/{voice_id}, GET /v1/user/subscription. Every request needs the
``xi-api-key`` header. Faults (401 quota_exceeded, 401 invalid key, 422, 429,
500, slow responses) are queued per path prefix with ``inject``.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREMADE_VOICES = [
    {"voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel", "category": "premade",
     "labels": {"accent": "american", "gender": "female", "language": "en"},
     "preview_url": "https://storage.googleapis.com/eleven-public-prod/premade/voices/21m00Tcm4TlvDq8ikWAM/preview.mp3"},
    {"voice_id": "pNInz6obpgDQGcFmaJgB", "name": "Adam", "category": "premade",
     "labels": {"accent": "american", "gender": "male", "language": "en"},
     "preview_url": "https://storage.googleapis.com/eleven-public-prod/premade/voices/pNInz6obpgDQGcFmaJgB/preview.mp3"},
]


@dataclass
class Fault:
    path_prefix: str
    status: int
    body: Any
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


FAULTS = {
    "quota_exceeded": (401, {"detail": {"status": "quota_exceeded", "message":
        "This request exceeds your quota of 10000. You have 12 credits remaining, while 480 credits are required for this request."}}),
    "invalid_api_key": (401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}),
    "unprocessable": (422, {"detail": [{"loc": ["body", "text"], "msg": "field required", "type": "value_error.missing"}]}),
    "rate_limited": (429, {"detail": {"status": "too_many_concurrent_requests", "message":
        "Too many concurrent requests for your subscription."}}),
    "server_error": (500, {"detail": {"status": "internal_error", "message": "Internal server error"}}),
}


class FakeElevenLabs:
    """Start with ``with FakeElevenLabs(audio) as server:``; point the SDK at ``server.base_url``."""

    def __init__(self, audio_mp3: bytes, *, api_key: str = "sk_test_fake_key_0123456789", character_limit: int = 100_000,
                 seconds_per_char: float = 0.055, latency: float = 0.0, billing_factor: int = 1) -> None:
        self.audio_mp3 = audio_mp3
        self.billing_factor = billing_factor
        """Characters billed per character sent (the character-cost header), e.g. 2 for a plan billing double."""
        self.api_key = api_key
        self.character_limit = character_limit
        self.character_count = 0
        self.seconds_per_char = seconds_per_char
        self.latency = latency
        self.voices: list[dict] = [dict(v) for v in PREMADE_VOICES]
        self.requests: list[dict] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def inject(self, kind: str, path_prefix: str = "/v1/text-to-speech", *, times: int = 1, delay: float = 0.0) -> None:
        status, body = FAULTS[kind]
        headers = {"retry-after-ms": "20"} if status == 429 else {}
        with self.lock:
            self.faults.append(Fault(path_prefix, status, body, times, headers, delay))

    def calls(self, path_prefix: str = "", method: str | None = None) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"].startswith(path_prefix) and (method is None or r["method"] == method)]

    def __enter__(self) -> FakeElevenLabs:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-elevenlabs", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- behaviour -------------------------------------------------------------------

    def _take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault.path_prefix) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def alignment(self, text: str) -> dict:
        """Character timings shaped like the real ones: every character, spaces shorter."""
        starts, ends, clock = [], [], 0.0
        for ch in text:
            length = self.seconds_per_char * (0.5 if ch.isspace() else 1.0)
            starts.append(round(clock, 3))
            clock += length
            ends.append(round(clock, 3))
        return {"characters": list(text), "character_start_times_seconds": starts, "character_end_times_seconds": ends}

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def _send(self, status: int, body: Any, content_type: str = "application/json", headers: dict | None = None) -> None:
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def _read_body(self) -> bytes:
                length = int(self.headers.get("content-length") or 0)
                return self.rfile.read(length) if length else b""

            def _handle(self, method: str) -> None:
                path = self.path.split("?", 1)[0]
                raw = self._read_body()
                record = {"method": method, "path": path, "query": self.path.partition("?")[2],
                          "content_type": self.headers.get("content-type", ""), "body": raw,
                          "has_key": self.headers.get("xi-api-key") == fake.api_key}
                with fake.lock:
                    fake.requests.append(record)
                if fake.latency:
                    time.sleep(fake.latency)
                if self.headers.get("xi-api-key") != fake.api_key:
                    return self._send(401, FAULTS["invalid_api_key"][1])
                fault = fake._take_fault(path)
                if fault is not None:
                    time.sleep(fault.delay)
                    return self._send(fault.status, fault.body, headers=fault.headers)
                return self._route(method, path, raw)

            def _route(self, method: str, path: str, raw: bytes) -> None:
                if method == "GET" and path == "/v1/voices":
                    return self._send(200, {"voices": fake.voices})
                if method == "GET" and path == "/v1/user/subscription":
                    return self._send(200, {
                        "tier": "creator", "character_count": fake.character_count,
                        "character_limit": fake.character_limit, "can_extend_character_limit": False,
                        "allowed_to_extend_character_limit": False, "max_credit_limit_extension": 0,
                        "next_character_count_reset_unix": 1767225600, "voice_slots_used": len(fake.voices) - 2,
                        "voice_limit": 30, "professional_voice_slots_used": 0, "can_extend_voice_limit": False,
                        "can_use_instant_voice_cloning": True, "can_use_professional_voice_cloning": True,
                        "status": "active", "open_invoices": [], "has_open_invoices": False})
                match = re.fullmatch(r"/v1/text-to-speech/([^/]+)(/with-timestamps)?", path)
                if method == "POST" and match:
                    return self._tts(match.group(1), bool(match.group(2)), raw)
                if method == "POST" and path == "/v1/voices/add":
                    return self._add_voice(raw)
                match = re.fullmatch(r"/v1/voices/([^/]+)", path)
                if method == "DELETE" and match:
                    before = len(fake.voices)
                    fake.voices = [v for v in fake.voices if v["voice_id"] != match.group(1)]
                    if len(fake.voices) == before:
                        return self._send(404, {"detail": {"status": "voice_not_found", "message": "A voice with the voice_id was not found."}})
                    return self._send(200, {"status": "ok"})
                return self._send(404, {"detail": "Not Found"})

            def _tts(self, voice_id: str, timestamps: bool, raw: bytes) -> None:
                body = json.loads(raw or b"{}")
                text = body.get("text")
                if not isinstance(text, str) or not text:
                    return self._send(422, FAULTS["unprocessable"][1])
                if all(v["voice_id"] != voice_id for v in fake.voices):
                    return self._send(404, {"detail": {"status": "voice_not_found", "message": "A voice with the voice_id was not found."}})
                with fake.lock:
                    if fake.character_count + len(text) > fake.character_limit:
                        status, error = FAULTS["quota_exceeded"]
                        return self._send(status, error)
                    fake.character_count += len(text)
                headers = {"character-cost": str(len(text) * fake.billing_factor), "request-id": uuid.uuid4().hex}
                if not timestamps:
                    return self._send(200, fake.audio_mp3, "audio/mpeg", headers)
                alignment = fake.alignment(text)
                return self._send(200, {"audio_base64": base64.b64encode(fake.audio_mp3).decode(),
                                        "alignment": alignment, "normalized_alignment": alignment}, headers=headers)

            def _add_voice(self, raw: bytes) -> None:
                content_type = self.headers.get("content-type", "")
                if not content_type.startswith("multipart/form-data"):
                    return self._send(422, FAULTS["unprocessable"][1])
                message = BytesParser(policy=default_policy).parsebytes(
                    f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
                fields, files = {}, []
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    if part.get_filename():
                        files.append((part.get_filename(), part.get_payload(decode=True)))
                    else:
                        fields[name] = part.get_content().strip()
                if not fields.get("name") or not files:
                    return self._send(422, {"detail": [{"loc": ["body", "files"], "msg": "field required", "type": "value_error.missing"}]})
                voice_id = uuid.uuid4().hex[:20]
                fake.voices.append({"voice_id": voice_id, "name": fields["name"], "category": "cloned", "labels": {},
                                    "preview_url": None, "samples": [{"file_name": n, "size_bytes": len(d)} for n, d in files]})
                return self._send(200, {"voice_id": voice_id, "requires_verification": False})

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

        return Handler
