"""A profile's brand kit: its logo, how the logo sits on clips, its colours and its caption font.

What other parts read (the offer and end card, the production job, the studio)::

    from editfactory.services.brand import get_brand
    kit = get_brand(profile)          # a frozen BrandKit; defaults until anything is saved
    kit.logo                          # Path of the logo PNG in this profile's folder, or None
    kit.end_card_color, kit.font      # "#RRGGBB", a shipped font family (editfactory.media.captions.SHIPPED_FONTS)
    kit.watermark()                   # the RenderSpec field (editfactory.media.watermark.Watermark), None without logo

Setters refuse a bad value with a ValidationError that says why, and then nothing stored changes:
:func:`set_logo` (PNG, WebP, JPEG or SVG; every logo is stored as a PNG with its transparency, so renders read
one format), :func:`remove_logo`, :func:`update_brand` (placement, colours, font). The kit is kept in the settings
table under ``brand.kit``; the logo file in the profile's ``brand/`` folder, named by its content so a changed
logo changes every render key that uses it. Whether a project's clips carry the logo is the project's setting
``watermark`` (:func:`set_project_watermark`); unset, they do when the profile has a logo.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from PIL import Image, UnidentifiedImageError

from editfactory.core.errors import ValidationError, quoted
from editfactory.media.captions import DEFAULT_FONT, FONTS_DIR, SHIPPED_FONTS, CaptionStyle
from editfactory.media.watermark import (DEFAULT_CORNER, DEFAULT_MARGIN, DEFAULT_OPACITY, DEFAULT_SIZE, Watermark,
                                         check_corner, check_placement)
from editfactory.profiles import Profile
from editfactory.services import projects
from editfactory.storage.settings import get_setting, set_setting

SETTING_KEY = "brand.kit"
PROJECT_KEY = "watermark"
LOGO_FOLDER = "brand"
"""Inside the profile's folder: the logo lives with the profile, so exporting or deleting the profile takes it."""

MAX_LOGO_BYTES = 20 * 1024 * 1024
MAX_LOGO_PIXELS = 40_000_000
"""Decoded size refused above this (a 'decompression bomb': a small file that unpacks to gigabytes)."""
MIN_LONG_SIDE = 128
MIN_SHORT_SIDE = 32
"""A logo smaller than this is a blur of a few pixels at a watermark's size on a 1080-wide clip."""
STORED_LONG_SIDE = 1024
"""Larger logos are scaled down to this when stored: sharp at half a 1920 frame's width, cheap to decode."""
SVG_RENDER_LONG_SIDE = 1024
MAX_ASPECT = 10.0
FORMATS = {"PNG": "PNG", "WEBP": "WebP", "JPEG": "JPEG", "MPO": "JPEG"}  # Pillow's name → what users call it

_HEX = re.compile(r"#?([0-9a-fA-F]{6})")
COLOR_FIELDS = {"text_color": "caption text", "highlight_color": "caption highlight",
                "outline_color": "caption outline or box", "end_card_color": "end-card background"}


def check_color(value: object, what: str) -> str:
    """``#RRGGBB`` (upper case) from ``#rrggbb`` or ``rrggbb``; anything else is refused saying what a colour is."""
    match = _HEX.fullmatch(value.strip()) if isinstance(value, str) and len(value) <= 12 else None
    if match is None:
        raise ValidationError(f"The {what} colour {quoted(value)} is not a colour; type it as #RRGGBB, "
                              "e.g. #FF3366 (red, green, blue in hexadecimal).")
    return f"#{match.group(1).upper()}"


def check_font(value: object) -> str:
    if not isinstance(value, str) or value not in SHIPPED_FONTS:
        raise ValidationError(f"The brand font {quoted(value)} does not ship with Edit Factory; choose one of: "
                              f"{', '.join(SHIPPED_FONTS)}.")
    return value


@dataclass(frozen=True)
class BrandKit:
    """A profile's brand. ``logo`` is the stored PNG (in the profile's ``brand/`` folder) or ``None``."""

    logo: Path | None = None
    corner: str = DEFAULT_CORNER
    """Which corner of the safe area the watermark sits in (``top-left`` … ``bottom-right``)."""
    size: float = DEFAULT_SIZE
    """The watermark's longer side as a fraction of the frame's width."""
    opacity: float = DEFAULT_OPACITY
    margin: float = DEFAULT_MARGIN
    """Space between the watermark and the safe area's edges, a fraction of the frame's width."""
    text_color: str = "#FFFFFF"
    highlight_color: str = "#FFD400"
    outline_color: str = "#000000"
    """The captions' outline, or their box in looks that draw one."""
    end_card_color: str = "#111111"
    """The end card's background when it is not a blurred frame."""
    font: str = DEFAULT_FONT

    def __post_init__(self) -> None:
        check_corner(self.corner)
        size, opacity, margin = check_placement(self.size, self.opacity, self.margin)
        object.__setattr__(self, "size", size)
        object.__setattr__(self, "opacity", opacity)
        object.__setattr__(self, "margin", margin)
        for name, what in COLOR_FIELDS.items():
            object.__setattr__(self, name, check_color(getattr(self, name), what))
        check_font(self.font)

    def watermark(self) -> Watermark | None:
        """The render's watermark field for this kit (``None`` without a logo)."""
        if self.logo is None:
            return None
        return Watermark(self.logo, corner=self.corner, size=self.size, opacity=self.opacity, margin=self.margin)

    def caption_style(self, style: CaptionStyle) -> CaptionStyle:
        """``style`` in the brand's colours and font (the rest of the look is kept)."""
        return replace(style, primary_color=self.text_color, highlight_color=self.highlight_color,
                       outline_color=self.outline_color, font=self.font, look="")


_STORED = [f.name for f in fields(BrandKit) if f.name != "logo"]


def _from_stored(profile: Profile, stored: Any) -> BrandKit:
    stored = stored if isinstance(stored, dict) else {}
    values = {k: stored[k] for k in _STORED if k in stored}
    logo = stored.get("logo")
    path = _logo_folder(profile) / Path(logo).name if isinstance(logo, str) and logo else None
    try:
        return BrandKit(logo=path if path is not None and path.is_file() else None, **values)
    except ValidationError:  # a value edited by hand outside the studio: the defaults rather than a broken page
        return BrandKit(logo=path if path is not None and path.is_file() else None)


def _logo_folder(profile: Profile) -> Path:
    return profile.folder / LOGO_FOLDER


def get_brand(profile: Profile) -> BrandKit:
    """This profile's brand kit (the defaults until something is saved; never another profile's logo)."""
    return _from_stored(profile, get_setting(profile, SETTING_KEY))


def _store(profile: Profile, kit: BrandKit) -> BrandKit:
    value = asdict(kit)
    value["logo"] = kit.logo.name if kit.logo is not None else None
    set_setting(profile, SETTING_KEY, value)
    return kit


def update_brand(profile: Profile, **changes: Any) -> BrandKit:
    """Change the watermark's placement (corner, size, opacity, margin), the colours or the font.

    Every value is checked before anything is stored; a bad one is refused (ValidationError) and nothing changes.
    """
    unknown = set(changes) - set(_STORED)
    if unknown:
        raise ValidationError(f"The brand kit has no {', '.join(sorted(unknown))}; change one of: {', '.join(_STORED)}.")
    return _store(profile, replace(get_brand(profile), **changes))


# -- the logo -----------------------------------------------------------------------------------------------------


def _svg_to_png(data: bytes, name: str) -> bytes:
    """An SVG drawn to PNG by resvg (a self-contained wheel: no system Cairo), its longer side SVG_RENDER_LONG_SIDE.

    The SVG's own size is read first, so a huge or absurdly thin one is refused before anything is drawn; external
    files and system fonts are not read (text is drawn with the shipped fonts), so a logo renders the same anywhere.
    """
    import resvg_py

    try:
        root = ElementTree.fromstring(data)  # the whole document: a broken one is refused here, not half-drawn
    except ElementTree.ParseError:
        raise ValidationError(f"{name} is not a readable SVG; export it again, or upload a PNG.") from None
    if not root.tag.endswith("svg"):
        raise ValidationError(f"{name} is XML but not an SVG image; upload a PNG, WebP, JPEG or SVG logo.")
    for element in root.iter():
        for attribute, value in element.attrib.items():
            link = value.strip()
            if attribute.rsplit("}", 1)[-1] == "href" and not link.startswith(("#", "data:")):
                # resvg would read any file the server can (href="/home/…/photo.png"): only embedded images.
                raise ValidationError(f"{name} links to another file ({quoted(link)}); embed its images in the SVG "
                                      "or upload the logo as PNG.")
    width, height = _svg_size(root)
    if width <= 0 or height <= 0 or max(width, height) / min(width, height) > MAX_ASPECT:
        raise ValidationError(f"{name} has no usable size (width and height, or a viewBox, at most {MAX_ASPECT:g} "
                              "times wider than high); set them in the SVG or upload a PNG.")
    target = {"width": SVG_RENDER_LONG_SIDE} if width >= height else {"height": SVG_RENDER_LONG_SIDE}
    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=data.decode("utf-8"), skip_system_fonts=True,
                                           font_dirs=[str(FONTS_DIR)], resources_dir=None, **target))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError(f"{name} could not be drawn ({str(error)[:120]}); export it again, or upload a PNG."
                              ) from None


def _svg_size(root: ElementTree.Element) -> tuple[float, float]:
    view_box = (root.get("viewBox") or "").replace(",", " ").split()

    def length(value: str | None) -> float | None:
        match = re.fullmatch(r"\s*([0-9.]+)\s*(px)?\s*", value or "")
        try:
            return float(match.group(1)) if match else None
        except ValueError:
            return None

    width, height = length(root.get("width")), length(root.get("height"))
    if (width is None or height is None) and len(view_box) == 4:
        try:
            width, height = float(view_box[2]), float(view_box[3])
        except ValueError:
            return 0.0, 0.0
    return width or 0.0, height or 0.0


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:4096].lower())


def _read_logo(data: bytes, name: str) -> Image.Image:
    """The logo as an RGBA image, or a ValidationError saying why it is refused."""
    if not data:
        raise ValidationError(f"{name} is empty; upload the logo file itself (PNG, WebP, JPEG or SVG).")
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(f"{name} is {len(data) / 1024 / 1024:.0f} MB; a logo file may be at most "
                              f"{MAX_LOGO_BYTES // 1024 // 1024} MB. Export a smaller PNG.")
    if _looks_like_svg(data):
        data = _svg_to_png(data, name)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:
            raise ValidationError(f"{name} is not an image; upload the logo as PNG, WebP, JPEG or SVG.") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(_bomb(name)) from None
        if image.format not in FORMATS:
            raise ValidationError(f"{name} is a {image.format} image; upload the logo as PNG, WebP, JPEG or SVG.")
        width, height = image.size
        if width * height > MAX_LOGO_PIXELS:
            raise ValidationError(_bomb(name, f"{width}x{height} pixels"))
        try:
            image.load()
            image = image.convert("RGBA")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(_bomb(name)) from None
        except (OSError, SyntaxError, ValueError) as error:
            raise ValidationError(f"{name} is damaged ({str(error)[:100]}); export the logo again.") from None
    if max(width, height) < MIN_LONG_SIDE or min(width, height) < MIN_SHORT_SIDE:
        raise ValidationError(
            f"{name} is {width}x{height} pixels, too small to read on a clip; a logo needs at least {MIN_LONG_SIDE} "
            f"pixels on its longer side and {MIN_SHORT_SIDE} on its shorter. Upload a larger version."
        )
    if max(width, height) / min(width, height) > MAX_ASPECT:
        raise ValidationError(f"{name} is {width}x{height} pixels: more than {MAX_ASPECT:g} times longer than it is "
                              "wide, it would be a thin line on a clip. Upload the logo without the extra space.")
    if image.getchannel("A").getextrema()[1] == 0:
        raise ValidationError(f"{name} is fully transparent: nothing of it would show. Export it again.")
    return image


def _bomb(name: str, size: str = "too many pixels") -> str:
    return (f"{name} unpacks to {size} (over {MAX_LOGO_PIXELS // 1_000_000} million), more than a logo needs and "
            "possibly a file made to exhaust memory; export it at a normal size, e.g. 1024 pixels wide.")


def set_logo(profile: Profile, source: Path | bytes, filename: str = "") -> BrandKit:
    """Import a logo into this profile (PNG, WebP, JPEG or SVG; stored as PNG with its transparency).

    ``source`` is a file or the uploaded bytes; ``filename`` names it in messages. A file that is not an image,
    is damaged, too small, too large or a decompression bomb is refused (ValidationError) and the profile keeps
    its current logo. The previous logo file is removed once the new one is stored.
    """
    name = filename[:80] if isinstance(filename, str) and filename.strip() else ""
    if isinstance(source, bytes | bytearray):
        data, name = bytes(source), name or "The uploaded file"
    elif isinstance(source, str | Path):
        path = Path(source)
        name = name or quoted(path.name)
        try:
            found = path.is_file()
        except (OSError, ValueError):  # a name too long for the system, or with a NUL in it
            found = False
        if not found:
            raise ValidationError(f"{name} is not a file; choose the logo file itself.")
        if path.stat().st_size > MAX_LOGO_BYTES:
            data = b"x" * (MAX_LOGO_BYTES + 1)  # refused by size without reading it all
        else:
            data = path.read_bytes()
    else:
        raise ValidationError(f"A logo is a file or its content, not {type(source).__name__} {quoted(source)}; "
                              "upload a PNG, WebP, JPEG or SVG.")
    image = _read_logo(data, name)
    if max(image.size) > STORED_LONG_SIDE:
        image.thumbnail((STORED_LONG_SIDE, STORED_LONG_SIDE), Image.Resampling.LANCZOS)
    encoded = io.BytesIO()
    image.save(encoded, format="PNG", optimize=True)
    png = encoded.getvalue()
    folder = _logo_folder(profile)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"logo-{hashlib.sha256(png).hexdigest()[:16]}.png"
    if not target.is_file():
        partial = target.with_suffix(".partial")
        partial.write_bytes(png)
        partial.replace(target)
    before = get_brand(profile)
    kit = _store(profile, replace(before, logo=target))
    if before.logo is not None and before.logo != target:
        before.logo.unlink(missing_ok=True)
    return kit


def remove_logo(profile: Profile) -> BrandKit:
    """The profile has no logo (its clips carry none); the stored file is deleted."""
    before = get_brand(profile)
    kit = _store(profile, replace(before, logo=None))
    if before.logo is not None:
        before.logo.unlink(missing_ok=True)
    return kit


# -- per project -----------------------------------------------------------------------------------------------------


def project_watermark(profile: Profile, project_id: str) -> bool | None:
    """The project's own choice (True: logo on its clips, False: none), or ``None`` when it follows the profile."""
    settings = projects.get_project(profile, project_id).get("settings") or {}
    value = settings.get(PROJECT_KEY) if isinstance(settings, dict) else None
    return value if isinstance(value, bool) else None


def set_project_watermark(profile: Profile, project_id: str, on: bool | None) -> dict:
    """Switch the logo on or off for one project's clips (``None``: as the profile, on when it has a logo)."""
    if on is not None and not isinstance(on, bool):
        raise ValidationError(f"The logo on a project's clips is on or off (True or False), not {quoted(on)}.")
    project = projects.get_project(profile, project_id)
    settings = dict(project.get("settings") or {})
    if on is None:
        settings.pop(PROJECT_KEY, None)
    else:
        settings[PROJECT_KEY] = on
    return projects.update_project(profile, project_id, settings=settings)


def watermark_for(profile: Profile, project_id: str) -> Watermark | None:
    """The watermark the project's clips get: the profile's logo unless the project switched it off."""
    if project_watermark(profile, project_id) is False:
        return None
    return get_brand(profile).watermark()
