"""The shipped fonts, the caption looks and the check that the chosen font can draw the script."""

from __future__ import annotations

import subprocess
from dataclasses import replace

import numpy as np
import pysubs2
import pytest

from editfactory.core.errors import ValidationError
from editfactory.media.caption_looks import LOOKS, get_look, style_for
from editfactory.media.captions import (
    FONTS_DIR, SHIPPED_FONTS, CaptionStyle, build_subtitles, check_font_covers, font_covers, write_ass,
)
from editfactory.media.runner import ffmpeg_path

ROMANIAN_CYRILLIC_GREEK = "Știință țară ăîâ ȘȚĂÎÂ Привет Ёж Ωμέγα άέήίόύώ"


def _burn(ass_path, width: int, height: int, at: float = 0.0) -> np.ndarray:
    raw = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-f", "lavfi", "-i", f"color=c=black:s={width}x{height}:d=2:r=10",
         "-vf", f"ass=filename={ass_path}:fontsdir={FONTS_DIR}", "-ss", f"{at}", "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"], check=True, capture_output=True, timeout=60).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(height, width)


def test_at_least_six_fonts_ship_with_their_licences_and_stay_small():
    assert len(SHIPPED_FONTS) >= 6
    files = {name for pair in SHIPPED_FONTS.values() for name in pair}
    assert all((FONTS_DIR / name).is_file() for name in files)
    licences = {path.name for path in FONTS_DIR.glob("LICENSE-*.txt")}
    for family in SHIPPED_FONTS:
        assert any(name.startswith(f"LICENSE-{family.split()[0]}") for name in licences), family
    assert sum(path.stat().st_size for path in FONTS_DIR.iterdir()) < 6_000_000


def test_libass_draws_each_shipped_font_itself_not_a_fallback(tmp_path):
    # A family name libass does not find falls back to another font without a word: compare the pixels.
    pictures = {}
    for family in [*SHIPPED_FONTS, "No Such Font"]:
        style = CaptionStyle(font="DejaVu Sans", bold=False, outline=0, highlight_current_word=False)
        subs = build_subtitles([("Hamburgefonstiv", 0, 1.5)], style, 400, 200)
        subs.styles["Caption"].fontname = family if family == "No Such Font" else _ass_name(family)
        subs.save(str(tmp_path / "f.ass"))
        pictures[family] = _burn(tmp_path / "f.ass", 400, 200).tobytes()
    fallback = pictures.pop("No Such Font")
    assert len(set(pictures.values())) == len(pictures), "every family draws its own letters"
    # libass's fallback here is DejaVu Sans; no other family may have silently become it (Bebas Neue had).
    assert [name for name, picture in pictures.items() if picture == fallback] in ([], ["DejaVu Sans"])


def _ass_name(family: str) -> str:
    style = CaptionStyle(font=family, highlight_current_word=False)
    return build_subtitles([("x", 0, 1)], style, 100, 100).styles["Caption"].fontname


def test_a_family_covers_romanian_cyrillic_and_greek_and_a_condensed_face_ships():
    covering = [name for name in SHIPPED_FONTS
                if all(ord(c) in font_covers(name) for c in ROMANIAN_CYRILLIC_GREEK if not c.isspace())]
    assert "Noto Sans" in covering
    assert {"Bebas Neue", "Roboto Condensed"} <= set(SHIPPED_FONTS)


def test_a_script_the_font_cannot_draw_is_refused_naming_the_characters_and_a_font_that_can():
    with pytest.raises(ValidationError) as refused:
        check_font_covers("Reducere azi: Ωμέγα", CaptionStyle(font="League Spartan"))
    message = str(refused.value)
    assert "Ω" in message and "μ" in message and "'League Spartan'" in message
    font = message.split("choose the font '")[1].split("'")[0]
    check_font_covers("Reducere azi: Ωμέγα", CaptionStyle(font=font))  # the font it names does draw them
    with pytest.raises(ValidationError, match="no font that ships"):
        check_font_covers("今日 セール", CaptionStyle(font="Noto Sans"))
    check_font_covers("Mulțumim! Привет 🔥", CaptionStyle(font="Noto Sans"))  # emoji are left out, not refused


def test_six_looks_a_viewer_tells_apart(tmp_path):
    words = [("Fresh", 0.0, 0.5), ("drops", 0.5, 1.0), ("today!", 1.0, 1.5)]
    masks = {}
    for name, style in LOOKS.items():
        ass = write_ass(words, replace(style, outline_color="#808080"), 270, 480, tmp_path / f"{name}.ass")
        masks[name] = _burn(ass, 270, 480, at=0.7) > 40
        assert masks[name].sum() > 200, f"{name} draws a caption"
    assert len(LOOKS) >= 6
    for a in LOOKS:
        for b in LOOKS:
            if a < b:
                differ = (masks[a] ^ masks[b]).sum() / max(masks[a].sum(), masks[b].sum())
                assert differ > 0.5, f"{a} and {b} look alike"


def test_a_project_look_overrides_the_profile_style():
    profile = replace(LOOKS["clean"], size=70)
    assert style_for(profile, "") is profile
    assert style_for(profile, "punch") == LOOKS["punch"]
    with pytest.raises(ValidationError, match="Unknown caption look 'neon'"):
        get_look("neon")
    with pytest.raises(ValidationError, match="Caption align 'right' is unknown"):
        CaptionStyle(align="right")
    with pytest.raises(ValidationError, match="box opacity"):
        CaptionStyle(box_opacity=1.5)
    saved = CaptionStyle.from_dict(LOOKS["lower-third"].to_dict())
    assert saved == LOOKS["lower-third"] and pysubs2  # survives the profile's settings round trip
