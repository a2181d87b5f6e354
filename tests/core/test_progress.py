"""The one progress-callback type: its helpers, and no module declaring its own copy again."""

from __future__ import annotations

import re
from pathlib import Path

from editfactory.core.progress import ignore_progress, scaled

PACKAGE = Path(__file__).resolve().parents[2] / "editfactory"
# A callback alias is any module-level name bound to Callable[[str, ...float...], None].
_OWN_ALIAS = re.compile(r"^\w+\s*=\s*Callable\[\[str,\s*[\"']?float", re.M)


def test_scaled_maps_a_step_onto_its_share_of_the_whole():
    seen = []
    step = scaled(lambda message, fraction: seen.append((message, fraction)), 0.2, 0.6, prefix="Clip 1: ")
    step("half", 0.5)
    step("over", 1.7)
    step("unknown", None)
    assert seen == [("Clip 1: half", 0.4), ("Clip 1: over", 0.6), ("Clip 1: unknown", None)]


def test_scaled_without_a_callback_ignores_reports():
    assert scaled(None, 0.0, 1.0) is ignore_progress
    ignore_progress("anything", 0.3)  # accepts the same arguments and does nothing


def test_no_module_declares_its_own_progress_type():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "progress.py" and _OWN_ALIAS.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], f"import ProgressCallback from editfactory.core.progress instead: {offenders}"
