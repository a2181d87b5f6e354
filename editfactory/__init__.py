"""Edit Factory: vertical product videos with voiceover, captions and publishing, one isolated profile per store."""

from __future__ import annotations

__version__ = "0.1.0"
