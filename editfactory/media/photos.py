"""Product photos as footage: check a photo, and store it upright, in sRGB, as a plain 8-bit PNG or JPEG.

Pillow reads JPEG, PNG (alpha, 16-bit, palette), WebP and AVIF; HEIC/HEIF through pillow-heif when it is
installed. The size is read from the header before any pixel is decoded, so a decompression bomb (a small file
that unpacks to gigapixels) is refused without filling memory. The stored copy is what renders read: EXIF
orientation applied, colour profiles (CMYK, wide gamut) converted to sRGB, transparency put on white.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from editfactory.core.errors import ValidationError
from editfactory.media.probe import MediaInfo

try:  # HEIC/HEIF (iPhone photos): an optional, well-kept plugin (pillow-heif, libheif)
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the installation
    HEIF_SUPPORTED = False

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".heic", ".heif")
STORED_SUFFIXES = frozenset({".jpg", ".png"})
"""What an imported photo is stored as; a source file with one of these suffixes is rendered as a still."""
PHOTO_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "AVIF", "HEIF"})
MIN_PHOTO_SIDE = 64
MAX_PHOTO_SIDE = 16384
MAX_PHOTO_PIXELS = 100_000_000
"""Largest photo accepted (100 megapixels, beyond any phone or product camera): about 300 MB once decoded."""
PHOTO_DURATION = 6.0
"""Seconds of footage a photo offers: the longest a photo stays on screen in one segment."""
JPEG_QUALITY = 95


@dataclass(frozen=True)
class StoredPhoto:
    path: Path
    width: int
    height: int
    format: str
    """What the original was (``JPEG``, ``PNG``, ``HEIF`` …)."""


def is_photo_path(path: Path | str) -> bool:
    return Path(path).suffix.lower() in PHOTO_SUFFIXES


def is_stored_photo(path: Path | str) -> bool:
    """Whether a source file is a still picture (rendered with motion) rather than a video."""
    return Path(path).suffix.lower() in STORED_SUFFIXES


def _open_checked(path: Path) -> Image.Image:
    """Open ``path`` (header only) and refuse what is not a usable photo, before decoding any pixel."""
    name = path.name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            f"{name} is far too large to be a photo (it would unpack to hundreds of megapixels); "
            "export it at a normal size (at most 100 megapixels) and import it again."
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        hint = "" if HEIF_SUPPORTED or path.suffix.lower() not in {".heic", ".heif"} else \
            " (HEIC support needs the pillow-heif package)"
        raise ValidationError(
            f"{name} is not a readable picture{hint}: {error}. Export it again as JPEG or PNG and import it."
        ) from None
    if image.format not in PHOTO_FORMATS:
        image.close()
        raise ValidationError(f"{name} is a {image.format} picture; import a JPEG, PNG, WebP, AVIF or HEIC photo.")
    width, height = image.size
    if width * height > MAX_PHOTO_PIXELS or max(width, height) > MAX_PHOTO_SIDE:
        image.close()
        raise ValidationError(
            f"{name} is {width}x{height} pixels, far too large to be a photo; "
            f"export it at most {MAX_PHOTO_SIDE} px on a side and {MAX_PHOTO_PIXELS // 1_000_000} megapixels."
        )
    if min(width, height) < MIN_PHOTO_SIDE:
        image.close()
        raise ValidationError(
            f"{name} is only {width}x{height} pixels, too small to show in a video; "
            f"import a photo of at least {MIN_PHOTO_SIDE} px on each side (the original, not a thumbnail)."
        )
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """The picture in 8-bit sRGB (``RGB`` or ``RGBA``): embedded profile converted, 16-bit and palettes expanded."""
    icc = image.info.get("icc_profile")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit gray: keep the top 8 bits (convert() would clip)
        image = image.point(lambda v: v / 256).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("LA", "PA"):
        image = image.convert("RGBA")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            target_mode = "RGBA" if image.mode == "RGBA" else "RGB"
            converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"),
                                                  outputMode=target_mode)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: fall back to Pillow's plain conversion below
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    return image


def store_photo(path: Path, target_stem: Path) -> StoredPhoto:
    """Check ``path`` and write it upright in sRGB as ``target_stem`` + ``.png`` (had transparency or was PNG)
    or ``.jpg``; raises ValidationError with the reason when it is not a usable photo (nothing written)."""
    image = _open_checked(path)
    original_format = image.format or "?"
    try:
        with image:
            try:
                image.load()
                upright = ImageOps.exif_transpose(image)
                picture = _to_srgb(upright)
            except (OSError, ValueError, SyntaxError) as error:
                raise ValidationError(
                    f"{path.name} is damaged and cannot be decoded ({error}); copy or export it again, then import."
                ) from None
            if picture.mode == "RGBA":  # product cut-outs: put on white, the usual shop background
                background = Image.new("RGB", picture.size, (255, 255, 255))
                background.paste(picture, mask=picture.getchannel("A"))
                picture = background
            as_png = original_format == "PNG" or upright.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            target = target_stem.with_suffix(".png" if as_png else ".jpg")
            if as_png:
                picture.save(target, "PNG", compress_level=3)
            else:
                picture.save(target, "JPEG", quality=JPEG_QUALITY, subsampling=0)
            return StoredPhoto(target, picture.width, picture.height, original_format)
    except BaseException:
        for suffix in (".png", ".jpg"):
            target_stem.with_suffix(suffix).unlink(missing_ok=True)
        raise


def photo_info(path: Path) -> MediaInfo:
    """What a render needs to know of a stored photo (its size; it has no sound and no length of its own)."""
    try:
        with Image.open(path) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError) as error:
        raise ValidationError(f"The photo {Path(path).name} cannot be read ({error}); import it again.") from None
    return MediaInfo(path=str(path), duration=PHOTO_DURATION, has_video=True, has_audio=False,
                     video_codec="png" if Path(path).suffix.lower() == ".png" else "mjpeg",
                     coded_width=width, coded_height=height, width=width, height=height)


def make_photo_thumbnail(photo: Path, target: Path, size: int = 320) -> None:
    with Image.open(photo) as image:
        image.thumbnail((size, size))
        image.convert("RGB").save(target, "JPEG", quality=85)
