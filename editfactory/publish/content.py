"""A caption as Postiz's HTML post content, and back.

Postiz stores a post's text as HTML: its sanitiser parses what it receives, so
plain text sent as-is loses anything that looks like markup. An unclosed
``<script>``, ``<style>``, ``<title>`` or ``<textarea>`` swallows the rest of the
text, the reconciliation marker included. So every caption is escaped and sent
the way Postiz's own editor writes text: one ``<p>`` per line. Postiz turns
that back into plain text for the platforms (first ``<p>`` dropped, the others
become line breaks, entities decoded), so the caption arrives as typed.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")
_FIRST_PARAGRAPH = re.compile(r"^<p(?:\s[^>]*)?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>", re.IGNORECASE)
_PARAGRAPH_END = re.compile(r"</p\s*>", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def to_postiz_html(text: str) -> str:
    """Plain ``text`` as Postiz post content: each line escaped in its own paragraph."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines)


def from_postiz_html(stored: str) -> str:
    """Post content as Postiz stores it, reduced to the plain text the platforms receive."""
    value = _FIRST_PARAGRAPH.sub("", stored or "")
    value = _PARAGRAPH.sub("\n", value)
    value = _PARAGRAPH_END.sub("", value)
    value = _BREAK.sub("\n", value)
    return html.unescape(_TAG.sub("", value)).replace("\u00a0", " ")  # Postiz sends &nbsp; as a plain space
