"""Per-profile Postiz configuration: URL, enabled flag, default channels, and the API key kept as a secret.

The URL and choices live in the profile's settings (``postiz.config``); the API
key lives in the secret store (never in the database). Clients are cached per
profile and keyed by a fingerprint of the configuration, so saving a new URL or
key for one profile drops that profile's client and no other.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from editfactory.core.errors import ValidationError
from editfactory.profiles.profile import Profile
from editfactory.publish import outbox
from editfactory.publish.client import DEFAULT_TIMEOUT, Channel, PostizClient, api_base_url, url_problem
from editfactory.publish.delivery import RetryPolicy, with_retries
from editfactory.publish.errors import PostizConnectionError, PostizSetupError, PublishingNotConfiguredError
from editfactory.storage.secrets import api_key_problem, check_api_key, delete_secret, get_secret, mask, set_secret
from editfactory.storage.settings import get_setting, set_setting

CONFIG_KEY = "postiz.config"
CHANNELS_KEY = "postiz.channels"
API_KEY_SECRET = "postiz.api_key"


@dataclass(frozen=True)
class PostizConfig:
    """What a profile needs to publish; ``url`` empty means Postiz cloud."""

    url: str = ""
    enabled: bool = False
    default_channels: tuple[str, ...] = field(default_factory=tuple)

    @property
    def api_url(self) -> str:
        return api_base_url(self.url)


def _clean_url(url: str) -> str:
    if not isinstance(url, str):
        raise ValidationError("Type the Postiz URL as text, e.g. https://postiz.example.com/api.")
    url = url.strip().rstrip("/")
    if not url:
        return ""
    problem = url_problem(url)  # before urlsplit, which silently drops tabs and line breaks
    if problem and ("invisible" in problem):
        raise ValidationError(f"The Postiz URL {problem}. Write it like https://postiz.example.com/api; nothing "
                              "was saved.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number, or out of range, raises here
    except ValueError:
        raise ValidationError(
            "The Postiz URL is not a valid address (a bracket, the port or the host is malformed). Write it like "
            "https://postiz.example.com/api; an IPv6 address goes in brackets with its port after them, e.g. "
            "https://[2001:db8::1]:5000/api.") from None
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValidationError(
            "The Postiz URL must not contain a '?…' query or a '#…' part: give only the address of the Postiz "
            "backend, e.g. https://postiz.example.com/api (the API key has its own field).")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            "The Postiz URL must start with https:// (or http:// for a server on this machine), e.g. "
            "https://postiz.example.com/api, or be left empty for Postiz cloud.")
    if parts.username or parts.password:
        raise ValidationError("Put the API key in its own field, not inside the Postiz URL.")
    problem = url_problem(api_base_url(url))
    if problem:
        raise ValidationError(f"The Postiz URL {problem}. Write it like https://postiz.example.com/api; nothing "
                              "was saved.")
    return url


MIN_KEY_LENGTH = 8
"""Fewer characters cannot be a Postiz API key (Postiz makes long random ones); it was cut when copied."""


def _clean_key(api_key: str) -> str:
    """The typed key without surrounding whitespace ('' for none), or a ValidationError saying what is wrong."""
    if not isinstance(api_key, str):
        raise ValidationError("Paste the Postiz API key as text (Postiz → Settings → Public API).")
    api_key = check_api_key(api_key, "Postiz")
    if api_key and len(api_key) < MIN_KEY_LENGTH:
        raise ValidationError(
            f"That does not look like a Postiz API key: it has {len(api_key)} characters and a key has at least "
            f"{MIN_KEY_LENGTH}. Copy the whole key again from Postiz → Settings → Public API.")
    return api_key


def _settings_changed(profile: Profile) -> None:
    """Posts that wait because the key or URL was refused are tried again (by the background loop) now."""
    outbox.wake_refused(profile)


def load_config(profile: Profile) -> PostizConfig:
    raw = get_setting(profile, CONFIG_KEY, {}) or {}
    return PostizConfig(url=str(raw.get("url") or ""), enabled=bool(raw.get("enabled")),
                        default_channels=tuple(str(c) for c in raw.get("default_channels") or ()))


def save_config(profile: Profile, *, url: str | None = None, enabled: bool | None = None,
                default_channels: list[str] | tuple[str, ...] | None = None, api_key: str | None = None) -> PostizConfig:
    """Change any part of the configuration; ``api_key=""`` removes the key. Drops the profile's cached client."""
    current = load_config(profile)
    updated = PostizConfig(
        url=_clean_url(url) if url is not None else current.url,
        enabled=bool(enabled) if enabled is not None else current.enabled,
        default_channels=tuple(default_channels) if default_channels is not None else current.default_channels,
    )
    if api_key is not None:
        api_key = _clean_key(api_key)
        if api_key:
            set_secret(profile, API_KEY_SECRET, api_key)
        else:
            delete_secret(profile, API_KEY_SECRET)
    data = asdict(updated)
    data["default_channels"] = list(updated.default_channels)
    set_setting(profile, CONFIG_KEY, data)
    if url is not None and updated.url != current.url:
        set_setting(profile, CHANNELS_KEY, [])  # channels of another server mean nothing here
    if api_key or (url is not None and updated.url != current.url) or (enabled and not current.enabled):
        _settings_changed(profile)
    drop_cached_client(profile)
    return updated


def api_key_masked(profile: Profile) -> str:
    """The key as the UI may show it: masked, or empty when none is saved."""
    return mask(get_secret(profile, API_KEY_SECRET))


def has_api_key(profile: Profile) -> bool:
    return bool(get_secret(profile, API_KEY_SECRET))


# -- clients cached per profile --------------------------------------------------------

_cache_lock = threading.Lock()
_clients: dict[str, tuple[str, PostizClient]] = {}


def _fingerprint(config: PostizConfig, api_key: str, timeout: float) -> str:
    # The key enters only as a hash and only in memory; the fingerprint is never stored or logged.
    data = json.dumps([config.api_url, hashlib.sha256(api_key.encode()).hexdigest(), timeout])
    return hashlib.sha256(data.encode()).hexdigest()


def client_for(profile: Profile, *, timeout: float = DEFAULT_TIMEOUT, require_enabled: bool = True) -> PostizClient:
    """The cached client of this profile, made anew when its URL or key changed."""
    config = load_config(profile)
    if require_enabled and not config.enabled:
        raise PublishingNotConfiguredError(
            f"Publishing is switched off for profile {profile.name!r}; turn it on in the profile's publishing settings.")
    api_key = get_secret(profile, API_KEY_SECRET)
    if not api_key:
        raise PublishingNotConfiguredError(
            f"Profile {profile.name!r} has no Postiz API key; paste it in the profile's publishing settings "
            "(Postiz → Settings → Public API).")
    problem = api_key_problem(api_key)
    if problem:  # saved before keys were checked: say so instead of failing inside the HTTP library
        raise PublishingNotConfiguredError(
            f"The Postiz API key saved in profile {profile.name!r} {problem}, so it cannot be sent. Copy the key "
            "again from Postiz → Settings → Public API and save it in the profile's publishing settings.")
    fingerprint = _fingerprint(config, api_key, timeout)
    with _cache_lock:
        cached = _clients.get(profile.id)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        client = PostizClient(config.url, api_key, timeout=timeout)
        _clients[profile.id] = (fingerprint, client)
    if cached is not None:
        cached[1].close()
    return client


def drop_cached_client(profile: Profile) -> None:
    with _cache_lock:
        cached = _clients.pop(profile.id, None)
    if cached is not None:
        cached[1].close()


# -- channels ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionReport:
    api_url: str
    key_masked: str
    channels: list[Channel]


CONNECTION_TEST_SECONDS = 10.0
"""A connection test gives up after this long: a server that accepts and never answers is reported, not waited on."""


def check_connection(profile: Profile, *, url: str | None = None, api_key: str | None = None,
                     timeout: float | None = None, budget: float = CONNECTION_TEST_SECONDS,
                     policy: RetryPolicy | None = None) -> ConnectionReport:
    """Check a URL and key, list the channels, and remember them when they are the saved ones. Works while
    publishing is off.

    ``url`` and ``api_key`` are what the form holds (None or an empty key: the saved one), checked as saving
    would check them, so a test never needs a save first. The whole test takes at most ``budget`` seconds:
    a request without an answer is not repeated (the message says the server did not answer); a passing
    failure (5xx, a refused or dropped connection) is tried again while time is left; a wrong key at once.
    """
    budget = max(1.0, budget)
    config = load_config(profile)
    tested_url = _clean_url(url) if url is not None else config.url
    saved_key = get_secret(profile, API_KEY_SECRET)
    tested_key = _clean_key(api_key) if api_key else None
    saved = tested_url == config.url and (tested_key is None or tested_key == saved_key)
    timeout = min(timeout or DEFAULT_TIMEOUT, budget / 2)  # two requests: both fit in the budget
    if saved:
        client = client_for(profile, timeout=timeout, require_enabled=False)
    else:
        key = tested_key or saved_key
        if not key:
            raise PublishingNotConfiguredError(
                "Type the Postiz API key (Postiz → Settings → Public API) to test the connection.")
        client = PostizClient(tested_url, key, timeout=timeout)
    policy = (policy or RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=2.0, retry_after_cap=5.0)).within(
        budget - timeout)  # no new try that could not finish in time
    try:
        with_retries(lambda: _answered(client.is_connected, client, timeout), policy, "the connection test")
        channels = with_retries(lambda: _answered(client.integrations, client, timeout), policy, "listing channels")
    finally:
        if not saved:
            client.close()
    if saved:
        remember_channels(profile, channels)
    return ConnectionReport(api_url=client.base_url, key_masked=mask(tested_key) if tested_key and not saved
                            else api_key_masked(profile), channels=channels)


def _answered(call, client: PostizClient, timeout: float):
    """``call()``, with a request that got no answer reported as such (and not tried again)."""
    try:
        return call()
    except PostizConnectionError as error:
        if not getattr(error, "no_answer", False):
            raise
        raise PostizSetupError(
            f"The server at {client.base_url} accepted the connection but did not answer within {timeout:.0f} s. "
            "Check that the URL points at the Postiz backend (its API, often ending in /api) and that Postiz "
            "runs; nothing was changed.") from None


def remember_channels(profile: Profile, channels: list[Channel]) -> None:
    set_setting(profile, CHANNELS_KEY, [asdict(c) for c in channels])


def known_channels(profile: Profile) -> dict[str, Channel]:
    """Channels seen at the last connection test or publish, by id (no network)."""
    return {c["id"]: Channel(**c) for c in get_setting(profile, CHANNELS_KEY, []) or []}
