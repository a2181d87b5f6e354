"""Publishing errors: each says what Postiz answered, whether retrying helps, and what to do next."""

from __future__ import annotations

from editfactory.core.errors import PublishError


class PostizError(PublishError):
    """A call to Postiz failed.

    ``retryable``: trying again later can succeed. ``maybe_delivered``: the request
    may have reached Postiz and been acted on (timeouts, dropped connections, 5xx),
    so before re-sending a post the outbox must look for it on the server first.
    """

    retryable = False
    maybe_delivered = False
    may_land_later = False  # Postiz may still be working on the request after this error reached us

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class PublishingNotConfiguredError(PostizError):
    """The profile has no Postiz URL or API key, or publishing is switched off."""


class PostizSetupError(PostizError):
    """The profile's Postiz settings are the problem (key, URL), not the post: posts wait until they are fixed."""


class PostizAuthError(PostizSetupError):
    """401: the API key is missing or wrong for this Postiz instance."""


class PostizRedirectError(PostizSetupError):
    """3xx: the URL points at an address that moved; the key is never sent after a redirect, so save the new one."""

    def __init__(self, message: str, *, status: int | None = None, location: str | None = None) -> None:
        super().__init__(message, status=status)
        self.location = location


class PostizValidationError(PostizError):
    """400: Postiz refused the request's content or settings; fix them, retrying as-is fails again."""

    def __init__(self, message: str, *, status: int | None = 400, provider: str | None = None,
                 channel_name: str | None = None, details: list[str] | None = None) -> None:
        super().__init__(message, status=status)
        self.provider = provider
        self.channel_name = channel_name
        self.details = details or []


class PostizRateLimitError(PostizError):
    """429: Postiz throttles post creation per organisation per hour."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, status=429)
        self.retry_after = retry_after


class PostizServerError(PostizError):
    """5xx: Postiz failed inside; the post may or may not have been created."""

    retryable = True
    maybe_delivered = True

    @property
    def may_land_later(self) -> bool:  # a gateway gave up waiting; the backend behind it may still finish
        return self.status in (502, 504)


class PostizConnectionError(PostizError):
    """The connection failed or timed out."""

    retryable = True

    def __init__(self, message: str, *, maybe_delivered: bool, no_answer: bool = False) -> None:
        super().__init__(message)
        self.maybe_delivered = maybe_delivered
        self.no_answer = no_answer  # connected, then no answer came in time (a hung server, a wrong port)
        self.may_land_later = maybe_delivered  # a timeout or a dropped connection: the server may still be at it


class PostizNotFoundError(PostizError):
    """404: the post or channel no longer exists in Postiz."""
