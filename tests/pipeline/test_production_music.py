"""The production job with the project's music: a mood picks a track (the same on a retry), the clip meets the
loudness target with the music in it, cuts land on the beat, and the music is part of the render key."""

from __future__ import annotations

import numpy as np
import pytest
from music_tracks import kick_times, make_track

from editfactory.footage import import_source
from editfactory.footage.music import import_track, set_project_music
from editfactory.jobs import SUCCEEDED
from editfactory.media.beatcuts import BEAT_WINDOW
from editfactory.media.selection import MIN_PIECE
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.services import projects

from jobs.media_fixtures import make_source

from .conftest import SCRIPT, SMALL
from .test_production import finished_loudness

BPM, FIRST_BEAT = 120.0, 0.25
SOURCE_SECONDS = 1.3
ROUNDING = 0.002
"""The job's outputs give piece times in ms; a cut adds up several of them."""


@pytest.fixture(scope="module")
def groove(tmp_path_factory):
    return make_track(tmp_path_factory.mktemp("music") / "groove.mp3", bpm=BPM, first_beat=FIRST_BEAT, seconds=12)


@pytest.fixture(scope="module")
def short_sources(tmp_path_factory):
    """1.3 s sources: the voiceover needs several pieces, so the clip has cuts."""
    folder = tmp_path_factory.mktemp("short")
    return [make_source(folder / f"s{i}.mp4", seconds=SOURCE_SECONDS, size=size)
            for i, size in enumerate(["320x240", "352x288", "400x300"])]


def run(runner, profile, request):
    job = runner.wait(profile, start_production(runner, profile, request), timeout=240)
    assert job.status == SUCCEEDED, job.error
    return job


def test_the_projects_music_is_in_the_clip_on_the_beat(store, runner, groove, short_sources):
    profile, project = store
    projects.set_project_sources(profile, project["id"], [import_source(profile, p).id for p in short_sources])
    track = import_track(profile, groove, moods=["upbeat"])
    set_project_music(profile, project["id"], {"mood": "upbeat", "options": {"start": 0.5}})
    request = ProductionRequest(project["id"], SCRIPT, variants=1, preset=SMALL, mode="random", seed=3)
    job = run(runner, profile, request)
    assert job.inputs["music"]["mood"] == "upbeat"  # the choice is stored with the job: a retry plays the same
    assert job.outputs["music"]["track_id"] == track.id and job.outputs["music"]["cut_on_beat"] is True
    clip = projects.list_clips(profile, project["id"])[0]
    assert clip["music"]["track_id"] == track.id  # the clip says what music it was made with…
    from editfactory.services.clip_catalog import browse_clips

    assert browse_clips(profile).rows[0]["music"] == "groove"  # …and the Library shows it
    integrated, true_peak = finished_loudness(profile.paths.absolute(clip["path"]))
    assert integrated == pytest.approx(-14.0, abs=0.5) and true_peak <= -1.0
    # Every cut between the variant's pieces is on a beat of the track (in clip time: the music starts 0.5 s in),
    # rounded to a frame, and so within a frame of a kick — unless no beat within the window can take it.
    # The voiceover's length varies from run to run (Piper's noise), and with it where the cuts fall.
    pieces = job.outputs["footage"][0]
    lengths = [p["end"] - p["start"] for p in pieces]
    cuts = np.cumsum(lengths)[:-1]
    assert len(cuts) >= 1, pieces
    fps, end = SMALL["fps"], sum(lengths)
    beats = [b - 0.5 for b in track.beats if b >= 0.5]
    kicks = [t - 0.5 for t in kick_times(BPM, FIRST_BEAT, 12) if t >= 0.5]
    for k, cut in enumerate(cuts):
        on_beat = [b for b in beats if abs(round(b * fps) / fps - cut) <= ROUNDING]
        if on_beat:
            assert min(abs(cut - kick) for kick in kicks) <= 1 / fps + 1e-6, (cut, cuts)
            continue
        # Each beat in the window was unusable: a piece would be under MIN_PIECE or longer than its source, or
        # the last piece under MIN_PIECE. (The piece after uses its final length: with these 1.3 s sources a
        # later cut cannot have lengthened a piece the product refused to lengthen. The cut may have moved half a
        # frame onto a frame boundary, so the window is narrowed by that.)
        for beat in (b for b in beats if abs(b - cut) <= BEAT_WINDOW - 0.5 / fps):
            shift = round(beat * fps) / fps - cut
            before, after = lengths[k] + shift, lengths[k + 1] - shift
            low, high = MIN_PIECE + ROUNDING, SOURCE_SECONDS - ROUNDING  # clearly usable, whatever the rounding
            usable = low <= before <= high and low <= after <= high and cut + shift <= end - low
            assert not usable, (cut, beat, pieces)

    # The same request again reuses the clip; other music (here: none) is another render.
    again = run(runner, profile, request)
    assert again.outputs["reused_renders"] == 1
    quiet = run(runner, profile, ProductionRequest(project["id"], SCRIPT, variants=1, preset=SMALL, mode="random",
                                                   seed=3, music={}))
    assert quiet.outputs["music"] is None and quiet.outputs["rendered"] == 1


def test_an_unknown_track_is_refused_before_the_job_starts(store, runner):
    profile, project = store
    from editfactory.core.errors import NotFoundError

    with pytest.raises(NotFoundError):
        start_production(runner, profile, ProductionRequest(project["id"], SCRIPT, preset=SMALL,
                                                            music={"track_id": "trk_missing"}))
