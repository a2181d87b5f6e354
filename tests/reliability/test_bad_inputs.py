"""Bad input across the product: each kind gets a specific, clear error of our own, and nothing stored changes.

One table, one test per row. Every row runs an action the way a user (or a
notebook) meets it, expects one of the project's error classes with words that
say what is wrong, and compares a snapshot of the whole workspace — every
profile's database rows, files and metadata — before and after.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from editfactory.core.errors import EditFactoryError, MediaError, NotFoundError, ValidationError, VoiceError
from editfactory.costs import set_quota
from editfactory.footage import import_source
from editfactory.footage.captions import save_caption_style
from editfactory.media.captions import CaptionStyle
from editfactory.media.runner import ffmpeg_path
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.publish.config import save_config
from editfactory.services import projects
from editfactory.services.uploads import stage_upload
from editfactory.tts import set_defaults
from editfactory.tts.cloning import clone_voice
from editfactory.tts.errors import SampleRejectedError
from editfactory.tts.registry import get_provider


@dataclass
class Ctx:
    """What a row may use: the workspace, a profile with some content, another profile, and a media folder."""

    workspace: object
    shop: object
    other: object
    project: dict
    other_clip: dict
    runner: object
    media: Path

    def ffmpeg(self, name: str, *args: str) -> Path:
        path = self.media / name
        if not path.exists():
            subprocess.run([ffmpeg_path(), "-v", "error", "-y", *args, str(path)], check=True, timeout=120)
        return path

    def video(self, name: str = "good.mp4", size: str = "320x240", seconds: int = 2) -> Path:
        return self.ffmpeg(name, "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30", "-t", str(seconds),
                           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")

    def wav(self, name: str, samples: np.ndarray, rate: int = 24_000) -> Path:
        import wave

        path = self.media / name
        pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(pcm.tobytes())
        return path

    def file(self, name: str, data: bytes) -> Path:
        path = self.media / name
        path.write_bytes(data)
        return path


ROWS: list[tuple[str, Callable[[Ctx], object], type[EditFactoryError], str]] = []


def row(name: str, error: type[EditFactoryError], words: str):
    def register(action: Callable[[Ctx], object]):
        ROWS.append((name, action, error, words))
        return action

    return register


# -- source videos -----------------------------------------------------------------------

row("video: empty file", ValidationError, "empty")(lambda c: import_source(c.shop, c.file("empty.mp4", b"")))
row("video: text renamed .mp4", MediaError, "not a media file")(
    lambda c: import_source(c.shop, c.file("notes.mp4", b"shopping list: sandals, hats\n" * 20)))
row("video: HTML page saved as .mp4", MediaError, "not a media file")(
    lambda c: import_source(c.shop, c.file("page.mp4", b"<!doctype html><html><body>404</body></html>" * 10)))
row("video: random bytes .mov", MediaError, "not a media file")(
    lambda c: import_source(c.shop, c.file("noise.mov", np.random.default_rng(1).bytes(40_000))))
row("video: audio only", ValidationError, "audio only")(
    lambda c: import_source(c.shop, c.ffmpeg("tone.m4a", "-f", "lavfi", "-i", "sine", "-t", "1")))
row("video: too small", ValidationError, "32x32 pixels")(lambda c: import_source(c.shop, c.video("tiny.mp4", "32x32", 1)))
row("video: absurd shape", ValidationError, "2000x100 pixels")(
    lambda c: import_source(c.shop, c.video("strip.mp4", "2000x100", 1)))
row("video: truncated", MediaError, "truncated|not a media file")(
    lambda c: import_source(c.shop, c.file("cut.mp4", c.video("whole.mp4", seconds=4).read_bytes()[:30_000])))
row("video: missing file", ValidationError, "does not exist")(lambda c: import_source(c.shop, c.media / "nowhere.mp4"))
row("video: a folder instead of a file", ValidationError, "folder|not a file|does not exist")(
    lambda c: import_source(c.shop, c.media))

# -- uploads ----------------------------------------------------------------------------

row("upload: program file", ValidationError, "not a supported file type")(
    lambda c: stage_upload(c.shop, "setup.exe", b"MZ" + b"\0" * 100))
row("upload: over the size limit", ValidationError, "above the upload limit")(
    lambda c: stage_upload(c.shop, "big.mp4", b"\0" * 2048, max_bytes=1024))
row("upload: empty", ValidationError, "empty")(lambda c: stage_upload(c.shop, "clip.mp4", b""))
row("upload: no file name", ValidationError, "no file name")(lambda c: stage_upload(c.shop, "", b"data"))
row("upload: voice sample as video", ValidationError, "not a supported file type")(
    lambda c: stage_upload(c.shop, "voice.wav", b"RIFF" + b"\0" * 100))

# -- scripts and production ---------------------------------------------------------------

row("script: empty", ValidationError, "script")(
    lambda c: start_production(c.runner, c.shop, ProductionRequest(c.project["id"], script="")))
row("script: only whitespace", ValidationError, "script")(
    lambda c: start_production(c.runner, c.shop, ProductionRequest(c.project["id"], script=" \n\t ")))
row("production: zero variants", ValidationError, "script|variant")(
    lambda c: start_production(c.runner, c.shop, ProductionRequest(c.project["id"], script="Hi.", variants=0)))
row("production: eleven variants", ValidationError, "between 1 and 10")(
    lambda c: start_production(c.runner, c.shop, ProductionRequest(c.project["id"], script="Hi.", variants=11)))
row("production: variants True", ValidationError, "variants must be a number, not a yes/no value")(
    lambda c: start_production(c.runner, c.shop, ProductionRequest(c.project["id"], script="Hi.", variants=True)))
row("production: variants NaN", ValidationError, "variants must be a finite number")(
    lambda c: start_production(c.runner, c.shop, ProductionRequest(c.project["id"], script="Hi.", variants=float("nan"))))
row("production: 2.5 variants", ValidationError, "variants must be a whole number")(
    lambda c: start_production(c.runner, c.shop, ProductionRequest(c.project["id"], script="Hi.", variants=2.5)))
row("production: script not text", ValidationError, "script must be text")(
    lambda c: start_production(c.runner, c.shop, ProductionRequest(c.project["id"], script=12)))
row("production: unknown selection mode", ValidationError, "selection mode")(
    lambda c: start_production(c.runner, c.shop, ProductionRequest(c.project["id"], script="Hi.", mode="zoom")))
row("production: seed infinite", ValidationError, "seed must be a finite number")(
    lambda c: start_production(c.runner, c.shop, ProductionRequest(c.project["id"], script="Hi.", seed=float("inf"))))
row("production: unknown format", ValidationError, "preset|format")(
    lambda c: start_production(c.runner, c.shop, ProductionRequest(c.project["id"], script="Hi.", preset="imax")))
row("production: another profile's project", NotFoundError, "was not found")(
    lambda c: start_production(c.runner, c.other, ProductionRequest(c.project["id"], script="Hi.")))

# -- voice samples and voices -----------------------------------------------------------------

_RATE = 24_000


def _clone(c: Ctx, samples: list[Path], name: str = "Anna") -> object:
    return clone_voice(c.shop, get_provider("xtts", c.shop), name, samples)


row("voice sample: none given", ValidationError, "at least one voice sample")(lambda c: _clone(c, []))
row("voice sample: too short", SampleRejectedError, "at least")(
    lambda c: _clone(c, [c.wav("short.wav", np.sin(np.arange(_RATE * 2) * 0.05) * 0.3)]))
row("voice sample: silence", SampleRejectedError, "silent")(lambda c: _clone(c, [c.wav("silence.wav", np.zeros(_RATE * 10))]))
row("voice sample: steady tone", SampleRejectedError, "no speech")(
    lambda c: _clone(c, [c.wav("tone.wav", np.sin(2 * np.pi * 440 * np.arange(_RATE * 10) / _RATE) * 0.3)]))
row("voice sample: a video file", SampleRejectedError, "not an audio file")(lambda c: _clone(c, [c.video()]))
row("voice sample: low sample rate", SampleRejectedError, "sample rate")(
    lambda c: _clone(c, [c.wav("phone.wav", np.random.default_rng(2).normal(0, 0.1, 8000 * 10), rate=8000)]))
row("voice: empty name", ValidationError, "voice name")(lambda c: _clone(c, [c.media / "x.wav"], name="  "))
row("voice: name too long", ValidationError, "voice name")(lambda c: _clone(c, [c.media / "x.wav"], name="A" * 81))
row("voice default: unknown provider", VoiceError, "Unknown voice provider")(lambda c: set_defaults(c.shop, "acme-tts"))

# -- profile names ------------------------------------------------------------------------------

row("profile name: empty", ValidationError, "name")(lambda c: c.workspace.create(""))
row("profile name: whitespace", ValidationError, "name")(lambda c: c.workspace.create("   "))
row("profile name: too long", ValidationError, "name")(lambda c: c.workspace.create("S" * 81))
row("profile name: control character", ValidationError, "name")(lambda c: c.workspace.create("Shop\x07"))
row("profile name: invisible character", ValidationError, "name")(lambda c: c.workspace.create("Sh\u200bop"))
row("profile name: taken in another case", ValidationError, "already exists")(lambda c: c.workspace.create("SHOP"))
row("profile rename: to a taken name", ValidationError, "already exists")(
    lambda c: c.workspace.update(c.other.id, name="shop"))
row("profile delete: the last one", ValidationError, "only profile")(
    lambda c: _delete_all_but_fail(c))

# -- settings -----------------------------------------------------------------------------------

row("caption style: font not shipped", ValidationError, "does not ship")(
    lambda c: save_caption_style(c.shop, CaptionStyle(font="Comic Sans MS")))
row("caption style: colour not #RRGGBB", ValidationError, "#RRGGBB")(
    lambda c: save_caption_style(c.shop, CaptionStyle(primary_color="white")))
row("caption style: size 0", ValidationError, "size")(lambda c: save_caption_style(c.shop, CaptionStyle(size=0)))
row("caption style: position below the frame", ValidationError, "position")(
    lambda c: save_caption_style(c.shop, CaptionStyle(vertical_position=1.5)))
row("caption style: outline 50", ValidationError, "outline")(lambda c: save_caption_style(c.shop, CaptionStyle(outline=50)))
row("quota: negative", ValidationError, "quota")(lambda c: set_quota(c.shop, -5))
row("quota: not a number", ValidationError, "quota")(lambda c: set_quota(c.shop, "lots"))

# -- Postiz URL and keys ------------------------------------------------------------------------

row("Postiz URL: ftp", ValidationError, "https://")(lambda c: save_config(c.shop, url="ftp://postiz.example.com"))
row("Postiz URL: with a query", ValidationError, "query")(lambda c: save_config(c.shop, url="https://p.example.com/api?x=1"))
row("Postiz URL: malformed IPv6", ValidationError, "not a valid address")(lambda c: save_config(c.shop, url="https://[::1"))
row("Postiz URL: key inside", ValidationError, "own field")(
    lambda c: save_config(c.shop, url="https://user:secret@p.example.com/api"))
row("Postiz key: ellipsis pasted", ValidationError, "key")(lambda c: save_config(c.shop, api_key="abcd1234…"))
row("Postiz key: zero-width space", ValidationError, "key")(lambda c: save_config(c.shop, api_key="abcd\u200b1234efgh"))
row("Postiz key: Cyrillic letter", ValidationError, "key")(lambda c: save_config(c.shop, api_key="abcd1234еfgh"))
row("Postiz key: too short", ValidationError, "key")(lambda c: save_config(c.shop, api_key="abc"))

# -- ids of another profile --------------------------------------------------------------------

row("clip: delete through another profile", NotFoundError, "was not found")(
    lambda c: projects.delete_clip(c.shop, c.other_clip["id"]))
row("clip: rename through another profile", NotFoundError, "was not found")(
    lambda c: projects.update_clip(c.shop, c.other_clip["id"], name="mine now"))


def _delete_all_but_fail(c: Ctx) -> None:
    from editfactory.profiles import Workspace

    lonely = Workspace(c.media / "lonely-workspace")
    only = lonely.list()[0]
    lonely.delete(only.id)


# -- the snapshot --------------------------------------------------------------------------------

def _digest(rows: list[tuple]) -> str:
    return hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()


def snapshot(workspace) -> dict:
    """Every profile's rows (by table), files (path and size, scratch space excluded) and the workspace's metadata."""
    state: dict = {"profiles": sorted((p.id, p.name, p.description) for p in workspace.list())}
    settings = workspace.root / "workspace.json"
    state["workspace.json"] = json.loads(settings.read_text()) if settings.exists() else None
    for profile in workspace.list():
        with profile.db.session():  # one open of the file for all the queries
            _snapshot_profile(profile, state)
    return state


def _snapshot_profile(profile, state: dict) -> None:
    tables = [t for (t,) in profile.db.fetchall(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1")]
    for table in tables:
        state[f"{profile.name}/{table}"] = _digest(profile.db.fetchall(f'SELECT * FROM "{table}"'))
    files = []
    for path in sorted(profile.folder.rglob("*")):
        relative = path.relative_to(profile.folder)
        if relative.parts[0] == "tmp" or path.suffix in (".lock", ".wal") or not path.is_file():
            continue
        files.append((str(relative), path.stat().st_size))
    state[f"{profile.name}/files"] = files


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bad-inputs-media")


@pytest.fixture(scope="module")
def ctx(tmp_path_factory, media):
    # One workspace for the whole table: a refusal changes nothing, and each row checks exactly that.
    from editfactory.jobs import JobRunner
    from editfactory.profiles import Workspace

    workspace = Workspace(tmp_path_factory.mktemp("bad-inputs-workspace"))
    shop, other = workspace.create("Shop"), workspace.create("Other")
    source = import_source(shop, Ctx(workspace, shop, other, {}, {}, None, media).video())
    project = projects.create_project(shop, "Launch", script="Sandals for summer.")
    projects.set_project_sources(shop, project["id"], [source.id])
    other_project = projects.create_project(other, "Theirs")
    other_clip = projects.create_clip(other, other_project["id"], "their clip", status="rendered")
    with JobRunner(workers=1) as runner:
        yield Ctx(workspace, shop, other, project, other_clip, runner, media)


def test_the_table_covers_at_least_forty_kinds():
    print(f"\nFIGURE: bad-input kinds covered: {len(ROWS)}")
    assert len(ROWS) >= 40
    assert len({name for name, *_ in ROWS}) == len(ROWS)


@pytest.mark.parametrize(("name", "action", "error", "words"), ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_is_refused_clearly_and_nothing_stored_changes(ctx, name, action, error, words):
    before = snapshot(ctx.workspace)
    with pytest.raises(error, match=f"(?i){words}") as caught:
        action(ctx)
    message = str(caught.value)
    assert "Traceback" not in message and len(message) >= 20, f"{name}: the message must explain: {message!r}"
    assert snapshot(ctx.workspace) == before, f"{name}: something stored changed"
