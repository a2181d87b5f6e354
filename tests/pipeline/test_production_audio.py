"""The production job with the footage's own sound ducked under the voice, over a project mixing every kind of
sound: none, mono 22.05 kHz, stereo 44.1 kHz, 5.1 48 kHz. Loudness and true peak measured on the clip files."""

from __future__ import annotations

import subprocess

import imageio_ffmpeg
import pytest

from editfactory.footage import import_source, select_for_sources
from editfactory.jobs import SUCCEEDED
from editfactory.media.probe import probe
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.services import projects

from .conftest import SCRIPT, SMALL
from .test_production import finished_loudness

SOUNDS = {
    "none": [],
    "mono": ["-f", "lavfi", "-i", "sine=f=330:sample_rate=22050", "-ac", "1"],
    "stereo": ["-f", "lavfi", "-i", "aevalsrc=0.3*sin(2*PI*330*t)|0.1*sin(2*PI*550*t):s=44100"],
    "5.1": ["-f", "lavfi", "-i", "aevalsrc=0.3*sin(2*PI*330*t)|0|0.3*sin(2*PI*440*t)|0.3*sin(2*PI*50*t)|0|0.2*sin(2*PI*660*t)"
            ":c=5.1:s=48000"],
}


@pytest.fixture(scope="module")
def sound_sources(tmp_path_factory):
    """1.2 s sources, one per kind of sound: a voiceover of a few seconds needs several of them."""
    folder = tmp_path_factory.mktemp("sounds")
    paths = []
    for name, audio in SOUNDS.items():
        path = folder / f"{name}.mp4"
        subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15",
             *audio, "-t", "1.2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
             *(["-c:a", "aac"] if audio else []), str(path)],
            check=True, timeout=60,
        )
        paths.append(path)
    return paths


def test_ducked_clips_from_a_project_mixing_every_kind_of_sound(workspace, runner, sound_sources):
    profile = workspace.create("Sounds")
    project = projects.create_project(profile, "Every kind of sound")
    sources = [import_source(profile, path) for path in sound_sources]
    assert [s.has_audio for s in sources] == [False, True, True, True]
    projects.set_project_sources(profile, project["id"], [s.id for s in sources])
    request = ProductionRequest(project["id"], SCRIPT, variants=2, preset=SMALL, duck_source_audio=True, mode="random")
    job = runner.wait(profile, start_production(runner, profile, request), timeout=180)
    assert job.status == SUCCEEDED, job.error
    clips = projects.list_clips(profile, project["id"])
    assert len(clips) == 2
    # The same seeded choice the job made: the variants draw on sources with and without sound.
    picks = select_for_sources(profile, [s.id for s in sources], clips[0]["duration"], mode="random", variants=2, seed=0)
    used = {segment.source for variant in picks for segment in variant}
    assert len(used) >= 3 and sources[0].path in used, used
    for clip in clips:
        path = profile.paths.absolute(clip["path"])
        assert probe(path).has_audio
        integrated, true_peak = finished_loudness(path)
        assert integrated == pytest.approx(-14.0, abs=0.5) and true_peak <= -1.0, (clip["variant"], integrated, true_peak)
