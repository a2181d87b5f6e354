"""The one progress-callback type every service takes, and two small helpers around it.

A service reports ``progress(message, fraction)`` with ``fraction`` in 0..1, or
None when it cannot tell how far it is. Jobs, notebooks and the studio all pass
callbacks of this shape, so a step can be reused anywhere without adapters.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressCallback = Callable[[str, "float | None"], None]
"""``progress(message, fraction)``: what is happening now and how far (0..1, or None when unknown)."""


def ignore_progress(message: str, fraction: float | None = None) -> None:
    """A callback that drops every report, for callers that passed none."""


def scaled(progress: ProgressCallback | None, start: float, end: float, prefix: str = "") -> ProgressCallback:
    """A callback for one step that maps the step's own 0..1 onto [start, end] of the whole task."""
    if progress is None:
        return ignore_progress

    def report(message: str, fraction: float | None = None) -> None:
        overall = None if fraction is None else start + (end - start) * min(max(fraction, 0.0), 1.0)
        progress(f"{prefix}{message}", overall)

    return report
