"""The profile's caption style, kept in the settings table under ``captions.style``."""

from __future__ import annotations

import json

from editfactory.media.captions import CaptionStyle
from editfactory.profiles import Profile

SETTING_KEY = "captions.style"


def get_caption_style(profile: Profile) -> CaptionStyle:
    """The saved style, or the default one when the profile never saved any."""
    row = profile.db.fetchone("SELECT value FROM settings WHERE key = ?", [SETTING_KEY])
    if row is None:
        return CaptionStyle()
    value = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    return CaptionStyle.from_dict(value)


def save_caption_style(profile: Profile, style: CaptionStyle) -> CaptionStyle:
    profile.db.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, now()) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()",
        [SETTING_KEY, json.dumps(style.to_dict())],
    )
    return style
