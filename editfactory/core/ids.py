"""Identifiers that are unique across every profile, so a foreign id can never match by accident."""

from __future__ import annotations

import uuid


def new_id(prefix: str) -> str:
    """A fresh id such as ``clip_3f9a…``; the prefix tells a person what kind of thing it names."""
    return f"{prefix}_{uuid.uuid4().hex}"
