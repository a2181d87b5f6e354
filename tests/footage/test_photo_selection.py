"""Photos in analysis and selection: scored like video windows, paired with their copies, mixed with video in a clip."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageFilter

from editfactory.footage import analyze_source, import_source, list_segments, list_sources, select_for_sources
from editfactory.footage.duplicates import copies_of
from editfactory.media.presets import draft_preset
from editfactory.media.probe import probe
from editfactory.media.render import RenderSpec, render_clip
from editfactory.profiles import Workspace

from library_helpers import make_media


def textured(seed: int, size=(900, 1200), blur: float = 1.5) -> Image.Image:
    """A product-like photo: random shapes of varied colour on a light background, fine detail at ``blur`` px."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", size, (235, 232, 228))
    for _ in range(60):
        x, y = rng.integers(0, size[0]), rng.integers(0, size[1])
        w, h = rng.integers(20, 200, size=2)
        image.paste(tuple(int(v) for v in rng.integers(0, 255, 3)), (int(x), int(y), int(x + w), int(y + h)))
    noise = rng.normal(0, 18, (size[1], size[0], 3))
    pixels = np.clip(np.asarray(image, dtype=np.float64) + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels).filter(ImageFilter.GaussianBlur(blur))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    textured(1).save(folder / "bottle.png")
    textured(1).resize((450, 600), Image.Resampling.LANCZOS).save(folder / "bottle-small.jpg", quality=85)
    textured(2).save(folder / "box.jpg", quality=92)
    textured(2, blur=9).save(folder / "box-blurred.jpg", quality=92)
    buffer = io.BytesIO()
    textured(3).save(buffer, "JPEG", quality=3)  # a ruined copy of another photo: blocky
    (folder / "crushed.jpg").write_bytes(buffer.getvalue())
    textured(3).save(folder / "clean.jpg", quality=95)
    video = make_media(folder / "clip.mp4", "-f", "lavfi", "-i", "testsrc2=size=480x640:rate=30", "-t", "4",
                       "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
    return {p.stem: p for p in folder.iterdir()} | {"clip": video}


@pytest.fixture(scope="module")
def store(tmp_path_factory, files):
    profile = Workspace(tmp_path_factory.mktemp("store") / "ws").create("Store A")
    ids = {}
    for name, path in files.items():
        source = import_source(profile, path)
        analyze_source(profile, source.id)
        ids[name] = source.id
    return profile, ids


def photo_segment(profile, source_id):
    segments = list_segments(profile, source_id)
    assert len(segments) == 1
    return segments[0]


def test_photos_are_scored_for_sharpness_and_damage(store):
    profile, ids = store
    sharp, blurred = photo_segment(profile, ids["box"]), photo_segment(profile, ids["box-blurred"])
    assert sharp.scores["sharpness"] > blurred.scores["sharpness"] + 0.1 and sharp.score > blurred.score
    clean, crushed = photo_segment(profile, ids["clean"]), photo_segment(profile, ids["crushed"])
    assert crushed.scores["damage"] > clean.scores["damage"] + 0.2 and clean.score > crushed.score
    assert sharp.end - sharp.start > 2.0 and sharp.scores["motion"] > 0
    video = list_segments(profile, ids["clip"])
    assert video and all(s.score is not None for s in video), "video windows are scored on the same scale"


def test_a_resized_copy_of_a_photo_is_paired_and_different_photos_are_not(store):
    profile, ids = store
    assert [c.source_id for c in copies_of(profile, ids["bottle"])] == [ids["bottle-small"]]
    assert ids["box"] not in [c.source_id for c in copies_of(profile, ids["bottle"])]
    assert ids["bottle"] not in [c.source_id for c in copies_of(profile, ids["clean"])]


def test_a_clip_never_shows_a_photo_and_its_copy_and_mixes_photos_with_video(store, tmp_path):
    profile, ids = store
    names = {source.path: source.filename for source in list_sources(profile)}
    chosen = [ids[n] for n in ("bottle", "bottle-small", "box", "clip")]
    shown: set[str] = set()
    for variant in select_for_sources(profile, chosen, 9.0, variants=3, seed=4):
        assert sum(s.duration for s in variant) == pytest.approx(9.0, abs=0.01)
        used = {names[segment.source] for segment in variant}
        assert not {"bottle.png", "bottle-small.jpg"} <= used, f"a photo and its copy in one clip: {used}"
        shown |= used
    assert shown & {"bottle.png", "bottle-small.jpg"} and "box.jpg" in shown, "sharp photos outrank damaged video"
    segments = select_for_sources(profile, [ids["box"], ids["clip"]], 7.0, seed=1)[0]
    assert {names[s.source] for s in segments} == {"box.jpg", "clip.mp4"}
    clip = render_clip(RenderSpec(segments=segments, caption_style=None, preset=draft_preset("tiktok")), tmp_path / "c.mp4")
    assert probe(clip.path).duration == pytest.approx(7.0, abs=0.05)
