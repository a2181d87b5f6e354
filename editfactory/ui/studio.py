"""The studio app factory, shared by `panel serve apps/studio.py` and notebooks."""

from editfactory.ui.app import StudioApp, create_app

__all__ = ["StudioApp", "create_app"]
