"""How long the soak tests run: in full under `invoke reliability` (EDITFACTORY_SOAK=full), a shorter pass of the
same checks under `invoke test`, so CI stays well inside its time while nothing is left untested."""

from __future__ import annotations

import os

SOAK_ENV = "EDITFACTORY_SOAK"


def full_soak() -> bool:
    return os.environ.get(SOAK_ENV, "").strip().lower() == "full"


def soak(full: int, short: int) -> int:
    """``full`` repetitions under `invoke reliability`, ``short`` otherwise."""
    return full if full_soak() else short
