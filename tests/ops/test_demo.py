"""`python -m editfactory.ops.demo`: one command, offline, gives a voiced, captioned 1080x1920 clip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from editfactory.footage import get_source
from editfactory.media.probe import probe
from editfactory.profiles import Workspace
from editfactory.services import projects

from jobs.media_fixtures import make_source


def _demo(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("EDITFACTORY_DASK_SCHEDULER", None)
    return subprocess.run([sys.executable, "-m", "editfactory.ops.demo", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=env)


def _assert_demo_clip(out: Path, data: Path) -> dict:
    info = probe(out)
    assert (info.width, info.height) == (1080, 1920) and info.has_audio and info.duration > 2
    profile = Workspace(data).find_by_name("Demo")
    [clip] = projects.list_clips(profile)
    assert clip["tts"]["provider"] == "piper" and clip["status"] == "rendered"
    assert "Dialogue:" in profile.paths.absolute(clip["captions_path"]).read_text(encoding="utf-8")
    assert not any(profile.paths.tmp.iterdir())
    return clip


def test_demo_makes_a_finished_clip_in_a_demo_profile(tmp_path):
    out, data = tmp_path / "out" / "demo.mp4", tmp_path / "data"
    result = _demo("--out", str(out), "--data-dir", str(data), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Demo clip written to {out}" in result.stdout
    _assert_demo_clip(out, data)


def test_demo_plays_the_given_music_and_refuses_a_bad_track(tmp_path):
    from music_tracks import make_track

    from editfactory.footage.music import list_tracks

    data = tmp_path / "data"
    notes = tmp_path / "notes.mp3"
    notes.write_text("Not a song.\n" * 100, encoding="utf-8")
    refused = _demo("--out", str(tmp_path / "x.mp4"), "--data-dir", str(data), "--music", str(notes), cwd=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "not an audio file" in refused.stderr and "--music" in refused.stderr
    assert not (tmp_path / "x.mp4").exists()
    track = make_track(tmp_path / "my-song.flac", seconds=8, title="My Song")
    out = tmp_path / "with-music.mp4"
    result = _demo("--out", str(out), "--data-dir", str(data), "--music", str(track), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    _assert_demo_clip(out, data)
    [stored] = list_tracks(Workspace(data).find_by_name("Demo"))
    assert stored.title == "My Song"


def test_demo_cuts_from_the_given_source(tmp_path):
    source = make_source(tmp_path / "my-footage.mp4", seconds=3.0)
    out, data = tmp_path / "mine.mp4", tmp_path / "data"
    result = _demo("--out", str(out), "--data-dir", str(data), "--source", str(source), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    clip = _assert_demo_clip(out, data)
    profile = Workspace(data).find_by_name("Demo")
    [source_id] = projects.project_sources(profile, clip["project_id"])
    imported = get_source(profile, source_id)
    assert imported.filename == "my-footage.mp4" and (imported.width, imported.height) == (320, 240)


def test_demo_cuts_from_a_folder_of_photos_and_videos_and_another_photo(tmp_path):
    from PIL import Image

    folder = tmp_path / "shop"
    folder.mkdir()
    make_source(folder / "clip.mp4", seconds=2.0)
    Image.new("RGB", (900, 1200), (30, 90, 200)).save(folder / "front.jpg")
    (folder / "notes.txt").write_text("not footage")
    single = tmp_path / "side.png"
    Image.new("RGB", (1200, 900), (200, 60, 30)).save(single)
    out, data = tmp_path / "photos.mp4", tmp_path / "data"
    result = _demo("--out", str(out), "--data-dir", str(data), "--source", str(folder), "--source", str(single),
                   cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    clip = _assert_demo_clip(out, data)
    profile = Workspace(data).find_by_name("Demo")
    sources = [get_source(profile, s) for s in projects.project_sources(profile, clip["project_id"])]
    assert sorted((s.filename, s.kind) for s in sources) == [
        ("clip.mp4", "video"), ("front.jpg", "photo"), ("side.png", "photo")]


def _bad_source(folder: Path, kind: str) -> Path:
    if kind == "folder":
        (folder / "clips").mkdir()
        return folder / "clips"
    if kind == "not-a-video":
        (folder / "notes.mp4").write_text("Shopping list: milk, eggs.\n" * 200, encoding="utf-8")
        return folder / "notes.mp4"
    return folder / "nope.mov"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("missing", "does not exist"), ("folder", "holds no photo or video"), ("not-a-video", "not a media file ffmpeg can read")],
)
def test_demo_refuses_a_bad_source_with_a_clear_message(tmp_path, kind, expected):
    source = _bad_source(tmp_path, kind)
    result = _demo("--out", str(tmp_path / "x.mp4"), "--data-dir", str(tmp_path / "d"), "--source", str(source),
                   cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr and "--source" in result.stderr
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may read any file; needs a normal user")
def test_demo_refuses_a_source_it_may_not_read(tmp_path):
    source = make_source(tmp_path / "locked.mp4", seconds=1.0)
    source.chmod(0)
    try:
        result = _demo("--out", str(tmp_path / "x.mp4"), "--data-dir", str(tmp_path / "d"), "--source", str(source),
                       cwd=tmp_path)
    finally:
        source.chmod(0o600)
    assert result.returncode == 2, result.stderr
    assert "cannot be read" in result.stderr and "permissions" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "d").exists(), "nothing is created before the source is checked"


def test_demo_refuses_an_output_that_is_not_mp4(tmp_path):
    result = _demo("--out", str(tmp_path / "demo.mov"), "--data-dir", str(tmp_path / "d"), cwd=tmp_path)
    assert result.returncode == 2
    assert "--out must name an .mp4 file" in result.stderr and "demo.mov" in result.stderr
    assert not (tmp_path / "d").exists()


def test_demo_renders_with_a_caption_look_and_refuses_an_unknown_one(tmp_path):
    out, data = tmp_path / "punch.mp4", tmp_path / "data"
    refused = _demo("--out", str(out), "--data-dir", str(data), "--look", "neon", cwd=tmp_path)
    assert refused.returncode == 2 and "invalid choice: 'neon'" in refused.stderr and not out.exists()
    result = _demo("--out", str(out), "--data-dir", str(data), "--look", "punch", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    clip = _assert_demo_clip(out, data)
    profile = Workspace(data).find_by_name("Demo")
    assert "Caption,Bebas Neue Regular," in profile.paths.absolute(clip["captions_path"]).read_text(encoding="utf-8")


def test_demo_ends_with_the_offer_and_opens_with_the_hook(tmp_path):
    from editfactory.services.offer import get_offer
    from tests.media.media_helpers import frame_at

    out, data = tmp_path / "offer.mp4", tmp_path / "data"
    refused = _demo("--out", str(out), "--data-dir", str(data), "--product", "Travel mug", "--price", "49.90",
                    "--currency", "XYZ", cwd=tmp_path)
    assert refused.returncode == 2 and "not a currency code" in refused.stderr and not (tmp_path / "data").exists()
    result = _demo("--out", str(out), "--data-dir", str(data), "--product", "Travel mug", "--price", "49.90",
                   "--currency", "EUR", "--old-price", "59.90", "--cta", "Shop now — link in bio",
                   "--hook", "Hot coffee all day", "--locale", "ro_RO", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    clip = _assert_demo_clip(out, data)
    profile = Workspace(data).find_by_name("Demo")
    assert get_offer(profile, clip["project_id"]).old_price == 59.9
    voice = probe(profile.paths.absolute(clip["voiceover_path"])).duration
    assert probe(out).duration == pytest.approx(voice + 2.5, abs=0.1)
    # The card's last frame is the blurred, darkened freeze with white words; a frame before it is sharp footage.
    end = frame_at(out, voice + 2.3, 1080, 1920).astype(int)
    assert (end > 235).all(axis=2).sum() > 5000, "white words on the end card"
    assert end[1500:, :].mean() < 100, "the held frame is darkened under the card"


def test_demo_renders_with_a_transition_and_refuses_an_unknown_one(tmp_path):
    from editfactory.jobs import JobStore

    out, data = tmp_path / "crossfade.mp4", tmp_path / "data"
    refused = _demo("--out", str(out), "--data-dir", str(data), "--transition", "spin", cwd=tmp_path)
    assert refused.returncode == 2 and "invalid choice: 'spin'" in refused.stderr and not out.exists()
    result = _demo("--out", str(out), "--data-dir", str(data), "--transition", "crossfade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    _assert_demo_clip(out, data)
    [job] = JobStore(Workspace(data).find_by_name("Demo")).list()
    assert job.inputs["transition"] == "crossfade" and len(job.outputs["footage"][0]) >= 2


def test_demo_draws_the_given_logo_in_the_safe_area_and_refuses_a_bad_one(tmp_path):
    import numpy as np
    from PIL import Image

    from editfactory.media.runner import ffmpeg_path
    from editfactory.media.watermark import logo_box
    from editfactory.services.brand import get_brand

    out, data = tmp_path / "logo.mp4", tmp_path / "data"
    bad = tmp_path / "logo.txt"
    bad.write_text("not a logo")
    refused = _demo("--out", str(out), "--data-dir", str(data), "--logo", str(bad), cwd=tmp_path)
    assert refused.returncode == 2 and "The logo" in refused.stderr and "not an image" in refused.stderr
    assert not out.exists()
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (300, 150), (0, 200, 255, 255)).save(logo)
    result = _demo("--out", str(out), "--data-dir", str(data), "--logo", str(logo), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    _assert_demo_clip(out, data)
    kit = get_brand(Workspace(data).find_by_name("Demo"))
    x, y, w, h = logo_box(kit.watermark(), "tiktok", (300, 150))
    raw = subprocess.run([ffmpeg_path(), "-v", "error", "-ss", "1", "-i", str(out), "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], check=True, capture_output=True, timeout=60).stdout
    frame = np.frombuffer(raw, dtype=np.uint8).reshape(1920, 1080, 3).astype(int)
    box = frame[y + 4:y + h - 4, x + 4:x + w - 4].reshape(-1, 3).mean(axis=0)
    # 85 % opaque light blue over the footage: blue and green high, red low.
    assert box[2] > 190 and box[1] > 150 and box[0] < 90, box
