"""Page state of the studio as plain param models (no Panel import), testable without a browser."""

from editfactory.models.session import PAGES, StudioSession

__all__ = ["PAGES", "StudioSession"]
