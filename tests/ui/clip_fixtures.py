"""Rendered clips for library and publish tests: small generated mp4 files inside the profile, real clip rows."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from editfactory.services import projects


@pytest.fixture(scope="session")
def small_mp4(tmp_path_factory) -> Path:
    """A 2-second 180x320 (vertical) H.264 mp4 with sound, made with the bundled ffmpeg."""
    out = tmp_path_factory.mktemp("clips") / "small.mp4"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=180x320:rate=15",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=22050", "-t", "2", "-c:v", "libx264",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-y", str(out)],
        check=True,
    )
    return out


def add_rendered_clip(profile, project_id: str, name: str, sample: Path, *, voiceover: bool = True,
                      subtitles: bool = True, cost: float = 0.0, voice: str = "joe") -> dict:
    """A rendered clip of ``project_id`` whose video is a copy of ``sample`` in the profile's renders folder."""
    clip = projects.create_clip(profile, project_id, name, status="rendered", duration=2.0, width=180, height=320,
                                cost_usd=cost, tts={"provider": "piper", "voice": voice, "model": "medium"})
    video = profile.paths.renders / f"{clip['id']}.mp4"
    video.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample, video)
    fields = {"path": profile.paths.relative(video)}
    if subtitles:
        captions = video.with_suffix(".ass")
        captions.write_text("[Script Info]\n", encoding="utf-8")
        fields["captions_path"] = profile.paths.relative(captions)
    if voiceover:
        audio = profile.paths.tts_cache / f"{clip['id']}.wav"
        audio.parent.mkdir(parents=True, exist_ok=True)
        audio.write_bytes(b"RIFF")
        fields["voiceover_path"] = profile.paths.relative(audio)
    return projects.update_clip(profile, clip["id"], **fields)
