"""Is an online voice service reachable from here? A quick, bounded, cached TCP probe for ``availability()``.

The provider picker asks every provider whether it can be used; for Edge TTS and
ElevenLabs "no network" is a reason to show next to them. The probe opens a TCP
connection (through the configured HTTPS proxy, if any, since that is where the
clients connect), never waits longer than ``timeout`` even when DNS hangs, and
remembers its answer for a short while so a picker refresh does not probe again.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse
import urllib.request

CACHE_SECONDS = 15.0
_cache: dict[tuple[str, int], tuple[float, str | None]] = {}
_cache_lock = threading.Lock()


def address_of(url: str, default_port: int = 443) -> tuple[str, int]:
    """(host, port) of a base URL such as ``https://api.elevenlabs.io`` or ``http://127.0.0.1:8123``."""
    parts = urllib.parse.urlsplit(url if "//" in url else f"//{url}")
    port = parts.port or (80 if parts.scheme == "http" else default_port)
    return parts.hostname or "", port


def _through_proxy(host: str, port: int) -> tuple[str, int]:
    """Where a client really connects to reach ``host``: the HTTPS/ALL proxy unless the host bypasses it."""
    if urllib.request.proxy_bypass(host):
        return host, port
    proxies = urllib.request.getproxies()
    proxy = proxies.get("https") or proxies.get("all")
    return address_of(proxy, 8080) if proxy else (host, port)


def _connect(host: str, port: int, timeout: float) -> str | None:
    """None when a TCP connection opens within ``timeout`` (DNS included), else what went wrong."""
    outcome: list[str | None] = []

    def attempt() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            outcome.append(None)
        except OSError as error:
            outcome.append(error.strerror or type(error).__name__)

    # getaddrinfo ignores socket timeouts; a daemon thread bounds the whole probe.
    worker = threading.Thread(target=attempt, name=f"probe-{host}", daemon=True)
    worker.start()
    worker.join(timeout + 0.5)
    return outcome[0] if outcome else f"no answer within {timeout:.0f} s"


def unreachable_reason(host: str, port: int = 443, *, timeout: float = 2.0) -> str | None:
    """None when ``host:port`` can be reached, otherwise a reason that starts with "no network"."""
    target = _through_proxy(host, port)
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(target)
        if cached is not None and cached[0] > now:
            return cached[1]
    problem = _connect(*target, timeout)
    reason = None
    if problem is not None:
        via = f" (through the proxy {target[0]}:{target[1]})" if target != (host, port) else ""
        reason = (f"no network: cannot reach {host}{via}: {problem}. Check the internet connection, "
                  "or use Piper (offline).")
    with _cache_lock:
        _cache[target] = (time.monotonic() + CACHE_SECONDS, reason)
    return reason


def forget() -> None:
    """Drop remembered answers (after the connection came back, and in tests)."""
    with _cache_lock:
        _cache.clear()
