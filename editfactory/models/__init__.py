"""Page state of the studio as plain param models (no Panel import), testable without a browser."""

from editfactory.models.pages import Page, pages, register_page
from editfactory.models.session import StudioSession

__all__ = ["Page", "StudioSession", "pages", "register_page"]
