"""The Settings page's brand section: the profile's logo, where it sits on clips, its colours and font.

Every change goes through :mod:`editfactory.services.brand`, so a bad logo or value is refused there with its
reason and nothing is stored. The placement preview is drawn from the form's values (saved or not).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import param

from editfactory.footage.captions import apply_brand_to_captions
from editfactory.media.captions import CaptionStyle
from editfactory.media.watermark import placement_preview
from editfactory.models.session import StudioSession
from editfactory.services.brand import BrandKit, get_brand, remove_logo, set_logo, update_brand

PREVIEW_PRESET = "tiktok"
"""The format the placement preview shows: TikTok covers the most of the frame."""


class BrandModel(param.Parameterized):
    """The session's profile's brand kit."""

    session = param.ClassSelector(class_=StudioSession)
    kit = param.ClassSelector(class_=BrandKit, default=BrandKit(), doc="The saved brand kit.")

    def load(self) -> BrandKit:
        """Read the kit (safe in a worker thread; :meth:`apply` it on the event loop)."""
        return get_brand(self.session.require_profile())

    def apply(self, kit: BrandKit) -> None:
        self.kit = kit

    def clear(self) -> None:
        self.kit = BrandKit()

    def upload_logo(self, data: bytes, filename: str) -> BrandKit:
        """Import an uploaded logo; a file that is not a usable logo is refused with its reason, the old one kept."""
        self.kit = set_logo(self.session.require_profile(), data, filename)
        return self.kit

    def remove_logo(self) -> BrandKit:
        self.kit = remove_logo(self.session.require_profile())
        return self.kit

    def save(self, **changes: Any) -> BrandKit:
        """Save placement, colours and font (all checked first; a bad one refused and nothing stored)."""
        self.kit = update_brand(self.session.require_profile(), **changes)
        return self.kit

    def apply_to_captions(self) -> CaptionStyle:
        """Save the brand's colours and font into the profile's caption style; returns the saved style."""
        return apply_brand_to_captions(self.session.require_profile())

    def placement_preview(self, **changes: Any) -> Path | None:
        """A PNG of the logo placed as the form says, on a TikTok frame with its covered areas; ``None`` without a logo.

        A bad value raises ValidationError (the form shows the reason)."""
        kit = replace(self.kit, **changes)
        if kit.logo is None:
            return None
        profile = self.session.require_profile()
        name = hashlib.sha256(repr((kit.watermark(), PREVIEW_PRESET)).encode()).hexdigest()[:20]
        target = profile.paths.previews / "brand" / f"{name}.png"
        return target if target.is_file() else placement_preview(kit.watermark(), PREVIEW_PRESET, target)
