"""How the studio shows a source's quality warning (too small for the output format): visible text, not a tooltip."""

from __future__ import annotations

import html

WARNING_COLOR = "#9a5b00"
"""Dark amber: reads as a warning on white and passes contrast checks (unlike plain orange)."""


def upscale_note(source, *, width: str = "100%") -> str:
    """An HTML block with the source's upscale warning, or '' when it has none."""
    warning = getattr(source, "upscale_warning", None)
    if not warning:
        return ""
    return (f"<div class='ef-upscale-warning' style='width:{width};color:{WARNING_COLOR};font-size:12px;"
            f"line-height:1.3;margin-top:4px'>⚠ {html.escape(warning)}</div>")
