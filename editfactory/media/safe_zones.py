"""Where each platform's own interface covers a clip, and the safe area left for captions (and later logo and offer).

Every zone is a rectangle in fractions of the frame (0..1 from the left and from the top), so one table serves
the final size and the half-size draft. Each number says where it comes from. The platforms publish these as
creative "safe zone" guidance for 1080x1920 (9:16) uploads, mostly read through guides that summarise them (named
per number); where a guide gives a range, the larger cover is taken, so text inside the safe area is clear of
the interface on every phone the guide describes. The interfaces change: re-check the numbers with each app update.

The safe area is the largest rectangle that no zone touches along a frame edge: a zone along the top or bottom
edge pushes that edge of the area in, a zone along the left or right edge (the buttons) pushes that side in over
the whole height. That is stricter than needed beside the buttons, and simple to check on a rendered frame.
"""

from __future__ import annotations

from dataclasses import dataclass

from editfactory.media.presets import DRAFT_SUFFIX, RenderPreset, get_preset


@dataclass(frozen=True)
class Zone:
    """A covered rectangle, in fractions of the frame."""

    name: str
    left: float
    top: float
    right: float
    bottom: float

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """``(x, y, w, h)`` in pixels of a ``width`` x ``height`` frame (rounded outward)."""
        x0, y0 = int(self.left * width), int(self.top * height)
        x1, y1 = -int(-self.right * width // 1), -int(-self.bottom * height // 1)
        return x0, y0, x1 - x0, y1 - y0


@dataclass(frozen=True)
class SafeArea:
    """The part of the frame no interface covers, in fractions of the frame."""

    left: float
    top: float
    right: float
    bottom: float

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """``(x0, y0, x1, y1)`` in pixels, rounded inward."""
        return (-int(-self.left * width // 1), -int(-self.top * height // 1),
                int(self.right * width), int(self.bottom * height))


_PX = 1 / 1920  # one pixel of the 1920 px long side, for numbers the guides give in pixels

ZONES: dict[str, tuple[Zone, ...]] = {
    "tiktok": (
        # TikTok points advertisers to its Creative Center safe-zone files; the summary used here is
        # socaptions.com/blog/tiktok-safe-zones-2026 (ranges: top 180-250 px, bottom 320-460 px, right 120-180 px
        # of 1080x1920; its overlay marks top 250, bottom 420, right 170). Top: "Following | For You", LIVE, search.
        Zone("top bar", 0.0, 0.0, 1.0, 250 * _PX),
        # Right: avatar, like, comment, save, share and the sound disc, from about 40 % of the height down.
        Zone("right-hand buttons", 1 - 170 / 1080, 0.40, 1.0, 1 - 420 * _PX),
        # Bottom: user name, description, sound name and the tab bar.
        Zone("caption and description", 0.0, 1 - 420 * _PX, 1.0, 1.0),
        # Left: the description starts ~60 px in (houseofmarketers.com safe-zone guide: "central 80-90 %").
        Zone("left margin", 0.0, 0.0, 60 / 1080, 1.0),
    ),
    "reels": (
        # Meta Business Help Center, Reels ads safe zone: keep the top 14 %, the bottom 35 % and 6 % on each side
        # free of text (as summarised by adsuploader.com/blog/meta-ads-safe-zones and houseofmarketers.com).
        Zone("top bar", 0.0, 0.0, 1.0, 0.14),
        # Not one of Meta's percentages: our estimate of the like/comment/share/audio column (~12 % of the width)
        # where it reaches above the bottom 35 % on tall phones; kept so the right side is never trusted.
        Zone("right-hand buttons", 0.88, 0.40, 1.0, 0.65),
        # Profile name, caption, audio and the navigation bar.
        Zone("caption and description", 0.0, 0.65, 1.0, 1.0),
        Zone("left margin", 0.0, 0.0, 0.06, 1.0),
    ),
    "shorts": (
        # YouTube does not publish Shorts percentages beyond its Google Ads mock-ups; creator guides give the bottom
        # ~25 % (480 px) to title, channel and subscribe (youraithumbnailgenerator.com "YouTube Shorts safe zones")
        # and the top ~10-15 % to search and menu; the larger covers are taken: top 15 %, bottom 30 %.
        Zone("top bar", 0.0, 0.0, 1.0, 0.15),
        # The right-hand panel (like, dislike, comment, share, remix: Google Ads Help "YouTube Shorts ads",
        # "Right Hand Side (RHS) panel"), ~12 % of the width, from about the middle down to the title.
        Zone("right-hand buttons", 0.88, 0.45, 1.0, 0.70),
        Zone("caption and description", 0.0, 0.70, 1.0, 1.0),
        # A ~6 % margin on the left edge where the title starts (the same side margin Meta asks for).
        Zone("left margin", 0.0, 0.0, 0.06, 1.0),
    ),
    "square": (
        # Feed posts (Instagram, Facebook) draw their interface outside a 1:1 frame; the 5 % title-safe margin of
        # broadcast practice (SMPTE ST 2046-1, "title safe" = the central 90 %) keeps text off rounded corners.
        Zone("top margin", 0.0, 0.0, 1.0, 0.05),
        Zone("bottom margin", 0.0, 0.95, 1.0, 1.0),
        Zone("left margin", 0.0, 0.0, 0.05, 1.0),
        Zone("right margin", 0.95, 0.0, 1.0, 1.0),
    ),
    "landscape": (
        # YouTube's player shows the title over the top ~10 % on hover and pause (YouTube Help, "video player").
        Zone("title bar", 0.0, 0.0, 1.0, 0.10),
        # The player's progress bar and controls cover the bottom ~12 % on hover and pause (same page).
        Zone("player controls", 0.0, 0.88, 1.0, 1.0),
        # Broadcast title-safe margins (SMPTE ST 2046-1) on the sides.
        Zone("left margin", 0.0, 0.0, 0.05, 1.0),
        Zone("right margin", 0.95, 0.0, 1.0, 1.0),
    ),
}

_FALLBACK = ZONES["square"]
"""A format that is not one of the platforms' gets the title-safe margins only."""


def zones_for(preset: str | RenderPreset) -> tuple[Zone, ...]:
    """The covered areas of ``preset`` (its draft too: ``tiktok-draft`` is covered like ``tiktok``)."""
    name = get_preset(preset).name
    return ZONES.get(name.removesuffix(DRAFT_SUFFIX), _FALLBACK)


def safe_area(preset: str | RenderPreset) -> SafeArea:
    """The rectangle of ``preset``'s frame that none of its zones covers (see the module docstring)."""
    left, top, right, bottom = 0.0, 0.0, 1.0, 1.0
    for zone in zones_for(preset):
        spans_width = zone.left <= 0.0 and zone.right >= 1.0
        if spans_width and zone.top <= 0.0:
            top = max(top, zone.bottom)
        elif spans_width and zone.bottom >= 1.0:
            bottom = min(bottom, zone.top)
        elif zone.left <= 0.0:
            left = max(left, zone.right)
        elif zone.right >= 1.0:
            right = min(right, zone.left)
    return SafeArea(left, top, right, bottom)
