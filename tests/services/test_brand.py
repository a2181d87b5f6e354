"""The brand kit: logos of every accepted kind stored as PNG in the profile's own folder, bad ones refused with a
reason and nothing stored changed, colours and font checked, the per-project switch, and applying the brand to a
caption style."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from editfactory.core.errors import ValidationError
from editfactory.media.caption_looks import LOOKS
from editfactory.media.watermark import Watermark
from editfactory.services import projects
from editfactory.services.brand import (MIN_LONG_SIDE, MIN_SHORT_SIDE, BrandKit, get_brand, project_watermark,
                                        remove_logo, set_logo, set_project_watermark, update_brand, watermark_for)
from editfactory.storage.settings import get_setting


@pytest.fixture
def shop(workspace):
    return workspace.create("Shop")


def _image_bytes(fmt: str, size=(300, 150), color=(200, 30, 60, 255), mode="RGBA") -> bytes:
    image = Image.new(mode, size, color if mode == "RGBA" else color[:3])
    if mode == "RGBA":
        image.paste((0, 0, 0, 0), (0, 0, size[0] // 3, size[1]))  # a transparent left third
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
       b'<rect x="100" y="0" width="100" height="100" fill="#00ff00"/></svg>')


def _stored(kit: BrandKit) -> Image.Image:
    image = Image.open(kit.logo)
    image.load()
    return image


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_a_transparent_logo_is_stored_as_png_in_the_profiles_folder_with_its_transparency(shop, fmt):
    kit = set_logo(shop, _image_bytes(fmt), f"logo.{fmt.lower()}")
    assert kit.logo.parent == shop.folder / "brand" and kit.logo.suffix == ".png"
    image = _stored(kit)
    assert image.format == "PNG" and image.mode == "RGBA" and image.size == (300, 150)
    assert image.getpixel((10, 75))[3] == 0, "the transparent third stays transparent"
    assert image.getpixel((250, 75))[:3] == pytest.approx((200, 30, 60), abs=3 if fmt == "WEBP" else 0)
    assert get_brand(shop).logo == kit.logo


def test_a_jpeg_logo_is_stored_opaque(shop):
    kit = set_logo(shop, _image_bytes("JPEG", mode="RGB"), "logo.jpg")
    image = _stored(kit)
    assert image.getpixel((10, 10))[3] == 255


def test_an_svg_logo_is_drawn_to_png_at_import(shop, tmp_path):
    path = tmp_path / "logo.svg"
    path.write_bytes(SVG)
    image = _stored(set_logo(shop, path))
    assert image.size == (1024, 512), "drawn sharp: 1024 px on its longer side"
    assert image.getpixel((10, 256))[3] == 0, "the SVG's empty half is transparent"
    assert image.getpixel((900, 256)) == (0, 255, 0, 255)


def test_a_new_logo_replaces_the_old_file_and_each_profile_keeps_its_own(workspace, shop):
    other = workspace.create("Other shop")
    first = set_logo(shop, _image_bytes("PNG"), "a.png").logo
    theirs = set_logo(other, _image_bytes("PNG", color=(0, 0, 255, 255)), "b.png").logo
    second = set_logo(shop, _image_bytes("PNG", color=(0, 200, 0, 255)), "c.png").logo
    assert second != first and not first.exists() and second.is_file()
    assert theirs.is_file() and theirs.parent == other.folder / "brand"
    assert get_brand(other).logo == theirs and get_brand(shop).logo == second
    remove_logo(shop)
    assert get_brand(shop).logo is None and not second.exists() and theirs.is_file()


def _png_bomb(width: int, height: int) -> bytes:
    """A valid PNG header claiming ``width`` x ``height`` over a tiny compressed body (a decompression bomb)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * (width + 1) * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


BAD_LOGOS = [
    (b"Just some text, not a picture", "not an image"),
    (b"", "empty"),
    (_image_bytes("PNG")[:200], "damaged"),
    (_image_bytes("PNG", size=(100, 100)), f"at least {MIN_LONG_SIDE} pixels"),
    (_image_bytes("PNG", size=(400, 20)), f"{MIN_SHORT_SIDE} on its shorter"),
    (_png_bomb(30_000, 30_000), "million"),
    (_image_bytes("GIF", mode="RGB"), "GIF image"),
    (_image_bytes("PNG", color=(0, 0, 0, 0)), "fully transparent"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="10"></svg>', "no usable size"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect', "not a readable SVG"),
    (b'<?xml version="1.0"?><html><svg/></html>', "not an SVG"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink" width="200" height="100">'
     b'<image x:href="/etc/hostname.png" width="100" height="100"/></svg>', "links to another file"),
]


@pytest.mark.parametrize("data,reason", BAD_LOGOS, ids=[r for _, r in BAD_LOGOS])
def test_a_bad_logo_is_refused_with_its_reason_and_the_stored_one_is_kept(shop, data, reason):
    kept = set_logo(shop, _image_bytes("PNG"), "good.png")
    stored = get_setting(shop, "brand.kit")
    with pytest.raises(ValidationError, match=reason) as refused:
        set_logo(shop, data, "upload.png")
    assert "upload.png" in str(refused.value)
    assert get_setting(shop, "brand.kit") == stored and kept.logo.is_file()
    assert sorted(p.name for p in (shop.folder / "brand").iterdir()) == [kept.logo.name]


def test_placement_colours_and_font_are_checked_and_saved(shop):
    kit = update_brand(shop, corner="bottom-left", size=0.25, opacity=0.6, margin=0.03, text_color="ff3366",
                       end_card_color="#0a0b0c", font="Bebas Neue")
    assert (kit.corner, kit.size, kit.text_color, kit.end_card_color, kit.font) == (
        "bottom-left", 0.25, "#FF3366", "#0A0B0C", "Bebas Neue")
    assert get_brand(shop) == kit


@pytest.mark.parametrize("changes,reason", [
    (dict(text_color="red"), "caption text colour 'red' is not a colour"),
    (dict(highlight_color="#12345"), "not a colour"),
    (dict(end_card_color="#GGGGGG"), "end-card background colour"),
    (dict(outline_color="#000000\n#FFFFFF"), "not a colour"),
    (dict(outline_color=None), "not a colour"),
    (dict(font="Comic Sans"), "does not ship"),
    (dict(corner="centre"), "Unknown logo corner"),
    (dict(size=2), "logo size"),
    (dict(opacity=float("nan")), "logo opacity"),
    (dict(logo="/etc/passwd"), "has no logo"),
])
def test_a_bad_value_is_refused_and_nothing_changes(shop, changes, reason):
    update_brand(shop, text_color="#123456")
    stored = get_setting(shop, "brand.kit")
    with pytest.raises(ValidationError, match=reason):
        update_brand(shop, **changes)
    assert get_setting(shop, "brand.kit") == stored


def test_applying_the_brand_to_a_caption_style_keeps_the_look_but_takes_colours_and_font(shop):
    kit = update_brand(shop, text_color="#FFEEDD", highlight_color="#00FFAA", outline_color="#202020", font="Inter")
    style = kit.caption_style(LOOKS["bold-box"])
    assert (style.primary_color, style.highlight_color, style.outline_color, style.font) == (
        "#FFEEDD", "#00FFAA", "#202020", "Inter")
    assert style.box and style.uppercase and style.size == LOOKS["bold-box"].size


def test_a_project_switches_the_logo_on_or_off(shop):
    project = projects.create_project(shop, "Launch", settings={"framing": "fit"})
    assert watermark_for(shop, project["id"]) is None, "no logo, no watermark"
    kit = set_logo(shop, _image_bytes("PNG"), "logo.png")
    assert watermark_for(shop, project["id"]) == Watermark(kit.logo, kit.corner, kit.size, kit.opacity, kit.margin)
    set_project_watermark(shop, project["id"], False)
    assert watermark_for(shop, project["id"]) is None and project_watermark(shop, project["id"]) is False
    assert projects.get_project(shop, project["id"])["settings"]["framing"] == "fit", "other settings kept"
    set_project_watermark(shop, project["id"], None)
    assert watermark_for(shop, project["id"]) is not None
    with pytest.raises(ValidationError, match="on or off"):
        set_project_watermark(shop, project["id"], "yes")


def test_a_logo_file_given_by_path(shop, tmp_path):
    path = tmp_path / "shop logo.png"
    path.write_bytes(_image_bytes("PNG"))
    assert set_logo(shop, path).logo.is_file()
    with pytest.raises(ValidationError, match="not a file"):
        set_logo(shop, tmp_path / "missing.png")
