"""The music library: tracks in every format measured at import (tempo and beats of a known kick), bad files
refused with their reason and nothing stored, de-duplication, renaming, moods, and tracks in use."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from music_tracks import CODECS, kick_times, make_track

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.services import projects
from editfactory.footage.music import (
    MusicChoice,
    default_music,
    delete_track,
    get_track,
    import_track,
    list_tracks,
    music_folder,
    pick_track,
    project_music,
    projects_using,
    rename_track,
    set_default_music,
    set_moods,
    set_project_music,
)
from editfactory.media.music import MusicOptions

BPM, FIRST_BEAT, SECONDS = 120.0, 0.25, 12.0
BEAT_TOLERANCE = 0.02
"""Seconds a detected beat may lie from the kick: well under a frame at 30 fps (0.033 s)."""


@pytest.fixture(scope="session")
def tracks(inputs):
    """The same 12 s of 120 BPM music in every upload format."""
    return {suffix: make_track(inputs / f"groove{suffix}", bpm=BPM, first_beat=FIRST_BEAT, seconds=SECONDS)
            for suffix in CODECS}


def stored(profile) -> tuple:
    """Everything the library keeps: its rows and its files."""
    rows = profile.db.fetchall("SELECT id, title, moods FROM music_tracks ORDER BY id")
    folder = music_folder(profile)
    files = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    return rows, files


@pytest.mark.parametrize("suffix", list(CODECS))
def test_every_format_is_measured_at_import(profile, tracks, suffix):
    track = import_track(profile, tracks[suffix])
    assert track.path.is_file() and track.path.is_relative_to(profile.folder)
    assert track.title == "groove" and track.filename == f"groove{suffix}"
    assert track.duration == pytest.approx(SECONDS, abs=0.1)
    assert -40 < track.loudness_lufs < -5
    assert track.tempo_bpm == pytest.approx(BPM, abs=1.0)
    assert track.steady_beat
    kicks = np.array(kick_times(BPM, FIRST_BEAT, SECONDS))
    beats = np.array(track.beats)
    assert len(beats) >= len(kicks) - 3, beats
    # Every beat found is on a kick; the encoder delay of MP3/AAC/Opus is trimmed by ffmpeg on decode.
    offsets = [float(np.min(np.abs(kicks - beat))) for beat in beats]
    assert max(offsets) <= BEAT_TOLERANCE, list(zip(beats, offsets))


def test_title_comes_from_the_tags_and_moods_are_kept(profile, inputs):
    path = make_track(inputs / "tagged.mp3", title="Sunny Morning", seconds=6)
    track = import_track(profile, path, moods=["Upbeat", " happy  ", "upbeat"])
    assert track.title == "Sunny Morning" and track.moods == ("upbeat", "happy")


def test_the_same_content_is_one_track(profile, tracks, tmp_path):
    first = import_track(profile, tracks[".wav"])
    copy = tmp_path / "renamed copy.wav"
    shutil.copyfile(tracks[".wav"], copy)
    again = import_track(profile, copy, filename="other name.wav")
    assert again.id == first.id and len(list_tracks(profile)) == 1
    assert len(list(music_folder(profile).iterdir())) == 1


@pytest.fixture
def bad_tracks(inputs):
    text = inputs / "notes.mp3"
    text.write_text("This is a shopping list, not music.\n" * 20)
    short = make_track(inputs / "blip.wav", seconds=0.5)
    silent = make_track(inputs / "silence.m4a", expression="0", seconds=8)
    broken = inputs / "broken.flac"
    broken.write_bytes(make_track(inputs / "whole.flac", seconds=8).read_bytes()[:300])
    return {"text": (text, "not an audio file"), "short": (short, "lasts only 0.5 s"),
            "silent": (silent, "silent"), "broken": (broken, "damaged")}


@pytest.mark.parametrize("kind", ["text", "short", "silent", "broken"])
def test_bad_files_are_refused_with_their_reason_and_nothing_changes(profile, tracks, bad_tracks, kind):
    kept = import_track(profile, tracks[".mp3"], moods=["calm"])
    before = stored(profile)
    path, reason = bad_tracks[kind]
    with pytest.raises(ValidationError, match=reason) as refused:
        import_track(profile, path)
    assert path.name in str(refused.value)
    assert stored(profile) == before
    assert get_track(profile, kept.id).moods == ("calm",)


def test_rename_moods_delete_and_in_use(profile, other_profile, tracks):
    track = import_track(profile, tracks[".flac"])
    assert rename_track(profile, track.id, "  Summer   Groove ").title == "Summer Groove"
    assert set_moods(profile, track.id, "Upbeat, summer").moods == ("upbeat", "summer")
    with pytest.raises(ValidationError):
        rename_track(profile, track.id, "  ")
    project = projects.create_project(profile, "Sandals")
    set_project_music(profile, project["id"], MusicChoice(track.id, options=MusicOptions(level_db=-15)))
    assert projects_using(profile, track.id) == [{"id": project["id"], "name": "Sandals"}]
    assert project_music(profile, project["id"]).options.level_db == -15
    before = stored(profile)
    with pytest.raises(ValidationError, match="Sandals"):
        delete_track(profile, track.id)
    assert stored(profile) == before and track.path.is_file()
    with pytest.raises(NotFoundError):
        get_track(other_profile, track.id)  # another profile's track is not found there
    set_project_music(profile, project["id"], None)
    delete_track(profile, track.id)
    assert list_tracks(profile) == [] and not track.path.exists()


def test_a_mood_picks_the_same_track_for_the_same_seed(profile, inputs):
    made = [import_track(profile, make_track(inputs / f"mood{i}.wav", bpm=100 + 10 * i, seconds=6), moods=["calm"])
            for i in range(4)]
    choice = MusicChoice(mood="Calm")
    picks = {seed: pick_track(profile, choice, seed).id for seed in range(12)}
    assert picks == {seed: pick_track(profile, choice, seed).id for seed in range(12)}  # a retry picks the same
    assert len(set(picks.values())) > 1  # different seeds spread over the tracks
    assert set(picks.values()) <= {t.id for t in made}
    with pytest.raises(ValidationError, match="mood"):
        set_project_music(profile, projects.create_project(profile, "P")["id"], {"mood": "sad"})


def test_the_profile_default_is_the_music_of_projects_that_never_chose(profile, tracks):
    track = import_track(profile, tracks[".ogg"], moods=["calm"])
    fresh = projects.create_project(profile, "Fresh")
    silent = projects.create_project(profile, "Silent")
    set_project_music(profile, silent["id"], None)  # chose no music
    assert not project_music(profile, fresh["id"]).wanted
    with pytest.raises(ValidationError, match="mood"):
        set_default_music(profile, {"mood": "sad"})
    assert not default_music(profile).wanted  # the refused default stored nothing
    set_default_music(profile, {"track_id": track.id, "options": {"level_db": -18}})
    chosen = project_music(profile, fresh["id"])
    assert chosen.track_id == track.id and chosen.options.level_db == -18
    assert not project_music(profile, silent["id"]).wanted
    with pytest.raises(ValidationError, match="default music"):
        delete_track(profile, track.id)
