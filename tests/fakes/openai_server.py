"""A fake OpenAI-compatible server on 127.0.0.1 for tests: chat completions (plain and streamed), models, faults.

It follows the shapes of the OpenAI API that every compatible server (Ollama, vLLM, OpenRouter, ...) speaks:
``GET /v1/models``, ``POST /v1/chat/completions`` with ``stream`` (server-sent events, ``data: [DONE]``, and a
last chunk with ``usage`` when ``stream_options.include_usage``), errors as ``{"error": {...}}``. Faults are
injected per request: 401, 429 with Retry-After, 500, a slow answer, a malformed body, a reply cut by the
token limit (``finish_reason: "length"``), an empty reply, an error that echoes the key. A streamed reply is sent a few words at a time
with ``chunk_delay`` between them, so a client can cancel it midway; ``disconnects`` counts the streams the
client closed before the end.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

FAULT_KINDS = ("unauthorized", "rate_limited", "server_error", "slow", "malformed", "length", "empty", "echo_key")
"""``echo_key``: a 400 whose message repeats the request's Authorization header, as some proxies do."""


@dataclass
class Fault:
    kind: str
    times: int = 1
    delay: float = 0.0
    retry_after: int = 7


def tokens(text: str) -> int:
    """A stand-in tokenizer: one token per four characters, at least one for any text."""
    return max(1, (len(text) + 3) // 4) if text else 0


class FakeOpenAI:
    """Start with ``with FakeOpenAI() as server:``; point the SDK at ``server.base_url`` with ``server.api_key``."""

    def __init__(self, *, api_key: str = "sk-fake-openai-key-0123456789abcdef", models: tuple[str, ...] = ("fake-gpt",),
                 reply: str | Callable[[list[dict]], str] = "A reply.", chunk_delay: float = 0.0) -> None:
        self.api_key = api_key
        self.models = models
        self.reply = reply
        self.chunk_delay = chunk_delay
        self.requests: list[dict] = []
        self.faults: list[Fault] = []
        self.disconnects = 0
        self.completed_streams = 0
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def inject(self, kind: str, *, times: int = 1, delay: float = 0.0, retry_after: int = 7) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULT_KINDS}")
        with self.lock:
            self.faults.append(Fault(kind, times, delay, retry_after))

    def __enter__(self) -> FakeOpenAI:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _take_fault(self) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _reply_for(self, messages: list[dict]) -> str:
        return self.reply(messages) if callable(self.reply) else self.reply

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def _send(self, status: int, body: Any, headers: dict | None = None) -> None:
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def _error(self, status: int, message: str, kind: str, headers: dict | None = None) -> None:
                self._send(status, {"error": {"message": message, "type": kind, "param": None, "code": kind}}, headers)

            def _fault_answered(self, fault: Fault | None) -> bool:
                """Answer with an error fault (any route); False when there is none or it shapes the reply."""
                kind = fault.kind if fault else ""
                if kind == "echo_key":
                    self._error(400, f"Bad request (authorization: {self.headers.get('authorization')})",
                                "invalid_request_error", {"x-echo-authorization": self.headers.get("authorization")})
                    return True
                if kind == "unauthorized":
                    self._error(401, "Incorrect API key provided: sk-...0000.", "invalid_api_key")
                    return True
                if kind == "rate_limited":
                    self._error(429, "Rate limit reached for requests", "rate_limit_exceeded",
                                {"retry-after": str(fault.retry_after)})
                    return True
                if kind == "server_error":
                    self._error(500, "The server had an error while processing your request.", "server_error")
                    return True
                return False

            def do_GET(self) -> None:
                if not self._authorized():
                    return
                fault = fake._take_fault()
                if fault and fault.delay:
                    time.sleep(fault.delay)
                if self._fault_answered(fault):
                    return
                if self.path.split("?")[0] == "/v1/models":
                    return self._send(200, {"object": "list", "data": [
                        {"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in fake.models]})
                self._error(404, f"Unknown path {self.path}", "not_found")

            def _authorized(self) -> bool:
                given = self.headers.get("authorization", "")
                with fake.lock:
                    fake.requests.append({"method": self.command, "path": self.path, "authorization": given})
                if given != f"Bearer {fake.api_key}":
                    # Like OpenAI, the message shows only the end of the key it was given.
                    self._error(401, f"Incorrect API key provided: sk-...{given[-4:]}. You can find your API key "
                                     "at https://platform.openai.com/account/api-keys.", "invalid_api_key")
                    return False
                return True

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                if not self._authorized():
                    return
                if self.path.split("?")[0] != "/v1/chat/completions":
                    return self._error(404, f"Unknown path {self.path}", "not_found")
                body = json.loads(raw)
                with fake.lock:
                    fake.requests[-1]["body"] = body
                fault = fake._take_fault()
                kind = fault.kind if fault else ""
                if fault and fault.delay:
                    time.sleep(fault.delay)
                if self._fault_answered(fault):
                    return
                if kind == "malformed":
                    payload = b"<html><body>502 Bad Gateway</body></html>"
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                text = "" if kind == "empty" else fake._reply_for(body.get("messages") or [])
                finish = "stop"
                limit = body.get("max_tokens") or body.get("max_completion_tokens")
                if kind == "length" or (limit and tokens(text) > limit):
                    text = text[: max(1, min(len(text) // 2, 4 * int(limit or 10**6)))]
                    finish = "length"
                prompt = sum(tokens(str(m.get("content") or "")) for m in body.get("messages") or [])
                usage = {"prompt_tokens": prompt, "completion_tokens": tokens(text),
                         "total_tokens": prompt + tokens(text)}
                if body.get("stream"):
                    return self._stream(body, text, finish, usage)
                self._send(200, {
                    "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model"), "usage": usage,
                    "choices": [{"index": 0, "finish_reason": finish,
                                 "message": {"role": "assistant", "content": text}}]})

            def _stream(self, body: dict, text: str, finish: str, usage: dict) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()
                self.close_connection = True
                ident, model = f"chatcmpl-{uuid.uuid4().hex[:12]}", body.get("model")

                def event(choices: list, extra: dict | None = None) -> None:
                    chunk = {"id": ident, "object": "chat.completion.chunk", "created": int(time.time()),
                             "model": model, "choices": choices, **(extra or {})}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()

                words = text.split(" ")
                try:
                    event([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
                    for i in range(0, len(words), 3):
                        piece = " ".join(words[i:i + 3]) + (" " if i + 3 < len(words) else "")
                        if fake.chunk_delay:
                            time.sleep(fake.chunk_delay)
                        event([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
                    event([{"index": 0, "delta": {}, "finish_reason": finish}])
                    if (body.get("stream_options") or {}).get("include_usage"):
                        event([], {"usage": usage})
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                    with fake.lock:
                        fake.completed_streams += 1
                except (BrokenPipeError, ConnectionResetError):
                    with fake.lock:
                        fake.disconnects += 1

        return Handler
