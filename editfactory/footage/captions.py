"""The profile's caption style, kept in the settings table under ``captions.style``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from editfactory.footage.sources import get_source, list_sources
from editfactory.media.captions import CaptionStyle
from editfactory.media.style_preview import caption_style_frame
from editfactory.profiles import Profile
from editfactory.services.brand import get_brand
from editfactory.storage.settings import set_setting

SETTING_KEY = "captions.style"


def get_caption_style(profile: Profile) -> CaptionStyle:
    """The saved style, or the default one when the profile never saved any."""
    row = profile.db.fetchone("SELECT value FROM settings WHERE key = ?", [SETTING_KEY])
    if row is None:
        return CaptionStyle()
    value = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    return CaptionStyle.from_dict(value)


def save_caption_style(profile: Profile, style: CaptionStyle) -> CaptionStyle:
    set_setting(profile, SETTING_KEY, style.to_dict())
    return style


def apply_brand_to_captions(profile: Profile) -> CaptionStyle:
    """Save the profile's caption style in its brand kit's colours (text, highlight, outline or box) and font;
    the rest of the style (size, position, box, words per cue) is kept."""
    return save_caption_style(profile, get_brand(profile).caption_style(get_caption_style(profile)))


def caption_preview(profile: Profile, style: CaptionStyle, *, source_id: str | None = None) -> Path:
    """A still of ``style`` (saved or not) burned over this profile's footage: the given source, else the most
    recently imported one, else a plain background. Cached in the previews folder by style and footage."""

    if source_id:
        source = get_source(profile, source_id)  # this profile's source only
    else:
        sources = list_sources(profile)
        source = sources[-1] if sources else None
    key = json.dumps([style.to_dict(), source.id if source else None, source.content_hash if source else None],
                     sort_keys=True)
    target = profile.paths.previews / "captions" / f"{hashlib.sha256(key.encode()).hexdigest()[:20]}.jpg"
    if target.is_file():
        return target
    at = min(1.0, source.duration / 2) if source else 0.0
    return caption_style_frame(style, target, footage=source.path if source else None, at=at)
