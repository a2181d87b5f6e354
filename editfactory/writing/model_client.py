"""Any OpenAI-compatible model, per profile, through the official ``openai`` SDK: settings, test, streamed calls.

A profile keeps its model settings (base URL, model, prices per million tokens, output limit) in its settings
(``writing.model``) and the API key in the secret store (``model.api_key``: masked, never logged, left out of
exports). A call reserves the prompt's tokens plus the output limit against the monthly quota before it is
made, settles on the usage the server reports, and releases the hold when the call fails; every failure is
a :class:`ModelError` whose message says what to do, with the key redacted from anything the server said.
The model gets no tools: its reply is only text, returned to the caller as data.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from urllib.parse import urlsplit

from editfactory.core.errors import CancelledError, EditFactoryError, ValidationError, check_number, check_text
from editfactory.costs import ledger
from editfactory.profiles.profile import Profile
from editfactory.storage.secrets import check_api_key, declare_secret, delete_secret, get_secret, mask, redact, set_secret
from editfactory.storage.settings import get_setting, set_setting

log = logging.getLogger(__name__)

# The openai SDK's transport (httpx2/httpcore2 in openai 2+, httpx/httpcore before) logs every response's headers
# at DEBUG, and a server or proxy may echo the key in one (tests/writing/test_secret_leaks.py caught it): the
# transport stays quiet even when the application logs at DEBUG; its INFO line names only the method and URL.
for _name in ("httpcore", "httpx", "httpcore2", "httpx2", "openai"):
    if logging.getLogger(_name).level in (logging.NOTSET, logging.DEBUG):
        logging.getLogger(_name).setLevel(logging.INFO)

CONFIG_KEY = "writing.model"
API_KEY_SECRET = "model.api_key"
declare_secret(API_KEY_SECRET, "model server")
TEST_TIMEOUT = 10.0
"""'Test connection' answers within this many seconds, as for Postiz."""
CALL_TIMEOUT = 120.0
MAX_OUTPUT_TOKENS = 8000
MAX_REPLY_CHARS = 40_000
"""A reply longer than this is not a handful of scripts; the rest is not kept."""
CHARS_PER_TOKEN = 3
"""Prompt tokens are estimated high (English averages about four characters a token) so the hold covers them."""


class ModelError(EditFactoryError):
    """The model server could not be reached or refused the call; the message says what to do."""


@dataclass(frozen=True)
class ModelPreset:
    label: str
    base_url: str
    model: str
    price_input_per_m: float
    price_output_per_m: float
    needs_key: bool = True


PRESETS: dict[str, ModelPreset] = {
    # Prices in USD per million tokens as the providers list them; check yours and change them in Settings.
    "openai": ModelPreset("OpenAI", "https://api.openai.com/v1", "gpt-4o-mini", 0.15, 0.60),
    "ollama": ModelPreset("Ollama (this computer)", "http://127.0.0.1:11434/v1", "llama3.2", 0.0, 0.0, False),
    "openrouter": ModelPreset("OpenRouter", "https://openrouter.ai/api/v1", "openai/gpt-4o-mini", 0.15, 0.60),
    "groq": ModelPreset("Groq", "https://api.groq.com/openai/v1", "llama-3.1-8b-instant", 0.05, 0.08),
    "deepseek": ModelPreset("DeepSeek", "https://api.deepseek.com/v1", "deepseek-chat", 0.27, 1.10),
    "mistral": ModelPreset("Mistral", "https://api.mistral.ai/v1", "mistral-small-latest", 0.10, 0.30),
    "gemini": ModelPreset("Google Gemini (OpenAI-compatible)",
                          "https://generativelanguage.googleapis.com/v1beta/openai", "gemini-2.0-flash", 0.10, 0.40),
    "anthropic": ModelPreset("Anthropic (OpenAI-compatible)", "https://api.anthropic.com/v1",
                             "claude-3-5-haiku-latest", 0.80, 4.00),
}


@dataclass(frozen=True)
class ModelConfig:
    """A profile's model settings (the key is not part of them: it lives in the secret store)."""

    base_url: str
    model: str
    price_input_per_m: float = 0.0
    price_output_per_m: float = 0.0
    max_output_tokens: int = 1200

    @property
    def provider(self) -> str:
        """How the cost ledger names it: the server's host ('api.openai.com', '127.0.0.1')."""
        return urlsplit(self.base_url).hostname or "model"


def _clean_url(url: object) -> str:
    url = check_text(url, "The model server URL", max_length=500).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise ValidationError("The model server URL must look like https://api.openai.com/v1 (or "
                              "http://127.0.0.1:11434/v1 for Ollama); the key goes in its own field.")
    return url


def check_config(base_url: object, model: object, price_input_per_m: object = 0.0, price_output_per_m: object = 0.0,
                 max_output_tokens: object = 1200) -> ModelConfig:
    """A ModelConfig from typed values, or a ValidationError saying which one to fix."""
    name = check_text(model, "The model name", max_length=200)
    if not name:
        raise ValidationError("Type the model's name, e.g. gpt-4o-mini or llama3.2.")
    return ModelConfig(
        _clean_url(base_url), name,
        float(check_number(price_input_per_m, "The price per million input tokens", minimum=0, maximum=1000,
                           text=True, hint="Type it in dollars, e.g. 0.15 (0 for a local model).")),
        float(check_number(price_output_per_m, "The price per million output tokens", minimum=0, maximum=1000,
                           text=True, hint="Type it in dollars, e.g. 0.60 (0 for a local model).")),
        int(check_number(max_output_tokens, "The output limit in tokens", minimum=100, maximum=MAX_OUTPUT_TOKENS,
                         integer=True, text=True)))


def save_model_config(profile: Profile, config: ModelConfig, *, api_key: str | None = None) -> ModelConfig:
    """Store the settings; ``api_key`` "" removes the key, None keeps it. Checked before anything is stored."""
    config = check_config(**asdict(config))
    if api_key is not None:
        api_key = check_api_key(api_key if isinstance(api_key, str) else "", "model server")
    set_setting(profile, CONFIG_KEY, asdict(config))
    if api_key:
        set_secret(profile, API_KEY_SECRET, api_key)
    elif api_key == "":
        delete_secret(profile, API_KEY_SECRET)
    return config


def load_model_config(profile: Profile) -> ModelConfig | None:
    """The profile's model settings, or None when no model is set (scripts then come from templates)."""
    stored = get_setting(profile, CONFIG_KEY)
    if not stored:
        return None
    try:
        return check_config(**stored)
    except (TypeError, ValidationError) as error:
        log.warning("The stored model settings are not usable (%s); templates are used", error)
        return None


def clear_model_config(profile: Profile) -> None:
    set_setting(profile, CONFIG_KEY, None)
    delete_secret(profile, API_KEY_SECRET)


def api_key_masked(profile: Profile) -> str:
    return mask(get_secret(profile, API_KEY_SECRET))


@dataclass(frozen=True)
class Completion:
    """What the model wrote, why it stopped, and what it cost."""

    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    refusal: str = ""


def estimate_tokens(messages: list[dict]) -> int:
    return sum(math.ceil(len(str(m.get("content") or "")) / CHARS_PER_TOKEN) + 4 for m in messages)


def cost_of(config: ModelConfig, prompt_tokens: int, completion_tokens: int) -> float:
    return (prompt_tokens * config.price_input_per_m + completion_tokens * config.price_output_per_m) / 1e6


class ModelClient:
    """Calls one profile's model. Make it per call (cheap); it holds no connection between calls."""

    def __init__(self, profile: Profile, config: ModelConfig | None = None, *, api_key: str | None = None) -> None:
        self.profile = profile
        self.config = config or load_model_config(profile)
        if self.config is None:
            raise ModelError("No model is set for this profile: choose one in Settings → Writing, or write the "
                             "scripts from templates (no model needed).")
        self._key = api_key if api_key is not None else (get_secret(profile, API_KEY_SECRET) or "")

    def __repr__(self) -> str:  # never the key
        return f"ModelClient({self.config.model!r} at {self.config.base_url!r})"

    def _sdk(self, timeout: float):
        import openai

        # max_retries=0: a retry would make a second paid call behind the user's back and hold the page;
        # failures are reported with what to do (a 429 says when to try again).
        return openai.OpenAI(base_url=self.config.base_url, api_key=self._key or "no-key", timeout=timeout,
                             max_retries=0)

    def _explain(self, error: Exception, doing: str) -> ModelError:
        """``error`` as a ModelError saying what to do, the key redacted from whatever the server said."""
        import openai

        where = f"{self.config.base_url} ({self.config.model})"
        said = redact(str(getattr(error, "message", "") or error), self._key)[:300].rstrip(". ")
        if isinstance(error, openai.AuthenticationError):
            text = (f"The model server at {where} refused the API key while {doing}: {said}. Paste the key again "
                    "in Settings → Writing.")
        elif isinstance(error, openai.RateLimitError):
            wait = error.response.headers.get("retry-after") if error.response is not None else None
            text = (f"The model server at {where} is limiting requests while {doing}"
                    f"{f'; try again in {wait} seconds' if wait else '; try again in a minute'}: {said}")
        elif isinstance(error, openai.NotFoundError):
            text = (f"The model server at {where} does not know this model or address while {doing}: {said}. "
                    "Check the model name and the URL (it usually ends in /v1).")
        elif isinstance(error, openai.APIStatusError):
            text = (f"The model server at {where} failed ({error.status_code}) while {doing}: {said}. Try again; if "
                    "it keeps failing, check the provider's status page.")
        elif isinstance(error, openai.APITimeoutError):
            text = f"The model server at {where} did not answer in time while {doing}. Try again, or use templates."
        elif isinstance(error, openai.APIConnectionError):
            text = (f"Could not connect to the model server at {where} while {doing}. Check the URL and that the "
                    "server is running (for Ollama: 'ollama serve').")
        else:
            text = (f"The model server at {where} sent an answer that is not an OpenAI-compatible reply while "
                    f"{doing} ({type(error).__name__}: {said}). Check the URL points at the /v1 API.")
        return ModelError(redact(text, self._key))

    def test_connection(self, timeout: float = TEST_TIMEOUT) -> str:
        """A sentence saying the server answered and knows the model, or a ModelError (at most ``timeout`` s)."""
        try:
            with self._sdk(timeout) as sdk:  # closing it closes its connections
                listed = [m.id for m in sdk.models.list()]
        except Exception as error:  # every failure becomes a message that says what to do
            raise self._explain(error, "testing the connection") from None
        if listed and self.config.model not in listed:
            shown = ", ".join(sorted(listed)[:8]) + (" …" if len(listed) > 8 else "")
            raise ModelError(f"The model server at {self.config.base_url} answered but has no model "
                             f"{self.config.model!r}; it has: {shown}.")
        return f"Connected to {self.config.base_url}: model {self.config.model} is available."

    def complete(self, messages: list[dict], *, max_tokens: int | None = None,
                 on_text: Callable[[str], None] | None = None, cancel: threading.Event | None = None,
                 description: str = "script writing", timeout: float = CALL_TIMEOUT) -> Completion:
        """Stream the model's reply to ``messages``; ``on_text`` gets each piece as it arrives.

        The quota holds the prompt's tokens plus ``max_tokens`` before the call (QuotaExceededError: no call
        is made). Setting ``cancel`` closes the stream (the server stops writing) and raises CancelledError;
        the hold is then settled at what was sent so far. Failures release the hold and raise ModelError.
        """
        config = self.config
        limit = int(check_number(max_tokens or config.max_output_tokens, "The output limit", minimum=1,
                                 maximum=MAX_OUTPUT_TOKENS, integer=True))
        prompt_estimate = estimate_tokens(messages)
        reservation = ledger.reserve(self.profile, config.provider, config.model,
                                     cost_of(config, prompt_estimate, limit), units=prompt_estimate + limit,
                                     unit="tokens", description=description)
        pieces: list[str] = []
        finish, usage, refusal = "", None, ""
        stream = None
        sdk = self._sdk(timeout)
        try:
            stream = sdk.chat.completions.create(
                model=config.model, messages=messages, max_tokens=limit, stream=True,
                stream_options={"include_usage": True})
            size = chunks = 0
            for chunk in stream:
                chunks += 1
                if finish == "too_long":
                    break
                if cancel is not None and cancel.is_set():
                    raise CancelledError("Writing was cancelled; nothing was kept.")
                if getattr(chunk, "usage", None) is not None:
                    usage = chunk.usage
                for choice in chunk.choices or ():
                    piece = choice.delta.content or "" if choice.delta else ""
                    refusal += (getattr(choice.delta, "refusal", None) or "") if choice.delta else ""
                    if piece:
                        size += len(piece)
                        if size > MAX_REPLY_CHARS:
                            finish = "too_long"  # the rest is not read, nor kept
                            break
                        pieces.append(piece)
                        if on_text is not None:
                            on_text(piece)
                    finish = finish if finish == "too_long" else (choice.finish_reason or finish)
            if not chunks:  # a body that is no event stream at all (an HTML error page, a proxy's answer)
                raise ValueError("no reply events in the answer")
        except CancelledError:
            if stream is not None:
                stream.close()  # closes the HTTP response: the server sees the client gone and stops
            sent = math.ceil(len("".join(pieces)) / CHARS_PER_TOKEN)
            ledger.settle(reservation, cost_of(config, prompt_estimate, sent), units=prompt_estimate + sent)
            raise
        except Exception as error:
            ledger.release(reservation)
            raise self._explain(error, "writing") from None
        finally:
            if stream is not None:
                stream.close()
            sdk.close()
        text = "".join(pieces)
        if usage is not None:
            prompt_tokens, completion_tokens = int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0)
        else:  # the server did not say: bill the estimate of what was sent, not nothing
            prompt_tokens, completion_tokens = prompt_estimate, math.ceil(len(text) / CHARS_PER_TOKEN)
        cost = cost_of(config, prompt_tokens, completion_tokens)
        ledger.settle(reservation, cost, units=prompt_tokens + completion_tokens)
        return Completion(text, finish or "stop", prompt_tokens, completion_tokens, cost, refusal)


def with_preset(name: str, **changes) -> ModelConfig:
    """The settings of a preset ('openai', 'ollama', ...) with ``changes`` (e.g. another model)."""
    if name not in PRESETS:
        raise ValidationError(f"Unknown model preset {name!r}; choose one of {', '.join(PRESETS)}.")
    preset = PRESETS[name]
    base = ModelConfig(preset.base_url, preset.model, preset.price_input_per_m, preset.price_output_per_m)
    return replace(base, **changes)
