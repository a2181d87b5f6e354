"""Where each platform's own interface covers a clip, and the safe area left for captions (and later logo and offer).

Every zone is a rectangle in fractions of the frame (0..1 from the left and from the top), so one table serves
the final size and the half-size draft. Each number says where it comes from. The platforms publish these as
creative "safe zone" guidance for 1080x1920 (9:16) uploads; where a guide gives a range, the larger cover is
taken, so text inside the safe area is clear of the interface on every phone the guide describes.

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
        # TikTok Ads Manager / Creative Center "safe zone" overlay for 9:16: keep ~150 px at the top clear
        # (the "Following | For You" tabs, LIVE and search icons).
        Zone("top bar", 0.0, 0.0, 1.0, 150 * _PX),
        # Same guide: the action column (avatar, like, comment, save, share, sound disc) takes ~140 px of the
        # right edge (of 1080), from about 40 % of the height down to the caption area.
        Zone("right-hand buttons", 1 - 140 / 1080, 0.40, 1.0, 1 - 380 * _PX),
        # Same guide: ~380 px at the bottom hold the user name, description, sound name and the tab bar.
        Zone("caption and description", 0.0, 1 - 380 * _PX, 1.0, 1.0),
        # Same guide: a ~60 px margin on the left edge, where the description starts.
        Zone("left margin", 0.0, 0.0, 60 / 1080, 1.0),
    ),
    "reels": (
        # Meta Business Help Center, "Reels ads safe zones": leave the top 14 % free of text
        # (the "Reels" title and camera icon).
        Zone("top bar", 0.0, 0.0, 1.0, 0.14),
        # Same page: the right-hand like/comment/share/audio column, inside the 6 % side margin plus the buttons'
        # width (~12 % of the width), above the bottom area.
        Zone("right-hand buttons", 0.88, 0.40, 1.0, 0.65),
        # Same page: leave the bottom 35 % free (profile name, caption, audio and the navigation bar).
        Zone("caption and description", 0.0, 0.65, 1.0, 1.0),
        # Same page: 6 % margins on the left and right edges.
        Zone("left margin", 0.0, 0.0, 0.06, 1.0),
    ),
    "shorts": (
        # YouTube Help / Google Ads "Shorts safe zone" template: the top ~15 % holds the search and menu icons.
        Zone("top bar", 0.0, 0.0, 1.0, 0.15),
        # Same template: like, dislike, comment, share and remix buttons take ~12 % on the right, from about the
        # middle of the height down to the title.
        Zone("right-hand buttons", 0.88, 0.45, 1.0, 0.70),
        # Same template: the bottom ~30 % holds the title, channel name, subscribe button and the tab bar.
        Zone("caption and description", 0.0, 0.70, 1.0, 1.0),
        # Same template: a ~6 % margin on the left edge where the title starts.
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
