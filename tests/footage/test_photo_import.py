"""Importing product photos: every format Pillow writes, upright, in sRGB; bad pictures refused, nothing stored."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from editfactory.core.errors import ValidationError
from editfactory.footage.sources import import_source, list_sources
from editfactory.media.photos import HEIF_SUPPORTED

RED, BLUE, WHITE = (230, 20, 20), (20, 40, 220), (255, 255, 255)


def marked_picture(width: int = 480, height: int = 320) -> Image.Image:
    """Blue picture with a red marker in its top-left corner (where it must end up once upright)."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width // 5, height // 5))
    return image


def corner_colour(path: Path, corner: str = "top-left") -> tuple[int, int, int]:
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    h, w = pixels.shape[:2]
    y = slice(2, h // 12) if corner.startswith("top") else slice(h - h // 12, h - 2)
    x = slice(2, w // 12) if corner.endswith("left") else slice(w - w // 12, w - 2)
    return tuple(int(round(v)) for v in pixels[y, x].reshape(-1, 3).mean(axis=0))


def near(colour, expected, tolerance: int = 25) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected))


def stored_state(profile) -> tuple[list[str], int]:
    media = profile.paths.media
    files = sorted(p.name for p in media.iterdir()) if media.exists() else []
    return files, profile.db.fetchone("SELECT count(*) FROM source_videos")[0]


@pytest.mark.parametrize("suffix, save", [
    (".jpg", {"format": "JPEG", "quality": 92}),
    (".png", {"format": "PNG"}),
    (".webp", {"format": "WEBP", "quality": 90}),
    (".avif", {"format": "AVIF", "quality": 90}),
    pytest.param(".heic", {"format": "HEIF", "quality": 90},
                 marks=pytest.mark.skipif(not HEIF_SUPPORTED, reason="pillow-heif is not installed")),
])
def test_every_format_is_imported_upright_with_the_marker_where_it_belongs(profile, tmp_path, suffix, save):
    # Stored on its side with EXIF orientation 6 ("turn 90° clockwise to view"): the marker that belongs top-left
    # is bottom-left in the stored pixels.
    upright = marked_picture()
    on_its_side = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / f"product{suffix}"
    on_its_side.save(path, exif=exif.tobytes(), **save)
    source = import_source(profile, path)
    assert source.kind == "photo" and source.path.is_file() and source.path.suffix in (".png", ".jpg")
    assert (source.width, source.height) == (480, 320)
    assert near(corner_colour(source.path, "top-left"), RED), "the EXIF orientation was applied"
    assert near(corner_colour(source.path, "bottom-right"), BLUE)
    assert source.thumbnail_path.is_file() and source.duration > 0 and source.has_audio is False
    assert import_source(profile, path).id == source.id, "the same photo is imported once"


def test_png_with_alpha_16_bit_and_palette(profile, tmp_path):
    cutout = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    cutout.paste((*RED, 255), (100, 100, 200, 200))
    cutout.save(tmp_path / "cutout.png")
    sixteen = Image.new("I;16", (256, 200))
    sixteen.frombytes(np.tile(np.linspace(0, 65535, 256).astype("<u2"), (200, 1)).tobytes())
    sixteen.save(tmp_path / "gray16.png")
    marked_picture().convert("P", palette=Image.Palette.ADAPTIVE, colors=8).save(tmp_path / "palette.png")

    cut = import_source(profile, tmp_path / "cutout.png")
    assert near(corner_colour(cut.path), WHITE), "transparency is put on white"
    with Image.open(cut.path) as image:
        assert image.mode == "RGB" and near(image.getpixel((150, 150)), RED, 2)
    gray = import_source(profile, tmp_path / "gray16.png")
    with Image.open(gray.path) as image:
        row = np.asarray(image.convert("L"), dtype=np.int32)[100]
    assert row[0] <= 2 and row[-1] >= 250 and abs(int(row[128]) - 128) <= 3, "16-bit scaled down, not clipped"
    palette = import_source(profile, tmp_path / "palette.png")
    assert near(corner_colour(palette.path), RED) and near(corner_colour(palette.path, "bottom-right"), BLUE)


def test_cmyk_and_wide_gamut_profiles_come_out_in_srgb(profile, tmp_path):
    marked_picture().convert("CMYK").save(tmp_path / "print.jpg", quality=95)
    cmyk = import_source(profile, tmp_path / "print.jpg")
    assert near(corner_colour(cmyk.path), RED, 35) and near(corner_colour(cmyk.path, "bottom-right"), BLUE, 35)
    # A picture with an embedded colour profile goes through the profile conversion and keeps its colours.
    wide = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    marked_picture().save(tmp_path / "tagged.png", icc_profile=wide.tobytes())
    tagged = import_source(profile, tmp_path / "tagged.png")
    assert near(corner_colour(tagged.path), RED, 6)


def test_small_photo_gets_the_blurry_warning(profile, tmp_path):
    marked_picture(200, 150).save(tmp_path / "tiny.jpg")
    source = import_source(profile, tmp_path / "tiny.jpg")
    assert source.upscale_warning and "blurry" in source.upscale_warning
    marked_picture(1600, 2400).save(tmp_path / "big.jpg")
    assert import_source(profile, tmp_path / "big.jpg").upscale_warning is None


def bomb_png(path: Path, side: int = 20000) -> Path:
    """A valid 1-bit ``side`` x ``side`` PNG of zeros: about 50 KB on disk, 400 megapixels decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + side // 8)
    body = b"".join(compressor.compress(row * 500) for _ in range(side // 500)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


def test_bad_pictures_are_refused_with_a_reason_and_nothing_changes(profile, tmp_path):
    keep = tmp_path / "keep.jpg"
    marked_picture().save(keep)
    import_source(profile, keep)
    before = stored_state(profile)
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(keep.read_bytes()[: len(keep.read_bytes()) // 2])
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    one = tmp_path / "pixel.png"
    Image.new("RGB", (1, 1), RED).save(one)
    bomb = bomb_png(tmp_path / "bomb.png")
    reasons = {
        corrupt: "damaged", text: "not a readable picture", one: "1x1 pixels", bomb: "far too large",
    }
    for path, reason in reasons.items():
        with pytest.raises(ValidationError, match=reason):
            import_source(profile, path)
        assert stored_state(profile) == before, path.name
    assert len(list_sources(profile)) == 1


def test_decompression_bomb_is_refused_before_it_fills_memory(tmp_path):
    bomb = bomb_png(tmp_path / "bomb.png")
    code = (
        "import resource, sys\n"
        "from editfactory.media.photos import store_photo\n"
        "from editfactory.core.errors import ValidationError\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"try:\n    store_photo(__import__('pathlib').Path({str(bomb)!r}), __import__('pathlib').Path({str(tmp_path / 'out')!r}))\n"
        "except ValidationError:\n    pass\n"
        "else:\n    sys.exit('not refused')\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr + done.stdout
    assert int(done.stdout.strip()) < 50_000, "decoding 400 megapixels would take 50+ MB (1-bit) to 1.2 GB (RGB)"
