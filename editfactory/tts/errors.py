"""Voice errors: subclasses of the project's VoiceError so callers can tell the cases apart."""

from __future__ import annotations

from editfactory.core.errors import VoiceError, ValidationError

__all__ = ["VoiceError", "VoiceUnavailableError", "VoiceServiceError", "SampleRejectedError", "ScriptTooLongError"]


class VoiceUnavailableError(VoiceError):
    """The provider cannot run here (extra not installed, model missing, no key); the message says how to fix it."""


class VoiceServiceError(VoiceError):
    """A remote voice service refused or failed the request; ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class ScriptTooLongError(VoiceError):
    """The script is longer than the provider accepts in one request; refused before any work or charge."""

    def __init__(self, message: str, *, limit: int, length: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.length = length


class SampleRejectedError(ValidationError):
    """A voice-cloning sample failed validation; ``reasons`` lists each sample's problem."""

    def __init__(self, reasons: dict[str, str]) -> None:
        lines = [f"{name}: {reason}" for name, reason in reasons.items()]
        super().__init__("Some voice samples cannot be used:\n" + "\n".join(lines))
        self.reasons = reasons
