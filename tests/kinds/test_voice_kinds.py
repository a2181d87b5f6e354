"""Voiceover, voice preview and cloning jobs through the JobRunner: real Piper, a fake ElevenLabs server."""

from __future__ import annotations

import time

import pytest

from editfactory.core.errors import ValidationError
from editfactory.costs import month_spend, set_quota
from editfactory.jobs import CANCELLED, FAILED, SUCCEEDED, JobStore
from editfactory.jobs.kinds import start_clone, start_voice_preview, start_voiceover
from editfactory.media.probe import probe
from editfactory.services import projects
from editfactory.services.uploads import AUDIO_SUFFIXES, stage_upload
from editfactory.tts.audio import ffmpeg_exe
from editfactory.tts.cloning import list_cloned_voices

from .conftest import SCRIPT


def test_voiceover_of_the_projects_script_gives_audio_timings_cues_and_cost(profile, project, runner):
    job = runner.wait(profile, start_voiceover(runner, profile, project_id=project["id"]), timeout=120)
    assert job.status == SUCCEEDED, job.error
    out = job.outputs
    audio = profile.paths.absolute(out["audio_path"])
    assert audio.is_file() and audio.resolve().is_relative_to(profile.paths.tts_cache.resolve())
    assert out["duration"] == pytest.approx(probe(audio).duration, abs=0.1) and out["duration"] > 1
    assert " ".join(w[0] for w in out["words"]).lower().startswith("meet the new trail shoe")
    assert all(start <= end for _, start, end in out["words"])
    assert " ".join(c["text"] for c in out["cues"]) == " ".join(w[0] for w in out["words"])
    assert all(len(c["text"].split()) <= 3 for c in out["cues"])  # the default style's words per cue
    assert (out["provider"], out["cost_usd"], out["cached"]) == ("piper", 0.0, False)
    assert out["characters"] == len(SCRIPT) and out["project_id"] == project["id"]

    again = runner.wait(profile, start_voiceover(runner, profile, project_id=project["id"]), timeout=60)
    assert again.outputs["cached"] is True and again.outputs["audio_path"] == out["audio_path"]


def test_voiceover_with_a_paid_voice_is_charged_once_and_then_cached(eleven_profile, runner):
    profile = eleven_profile
    voice = {"provider": "elevenlabs", "voice": "21m00Tcm4TlvDq8ikWAM"}
    first = runner.wait(profile, start_voiceover(runner, profile, script="Fresh bread every morning.", voice=voice),
                        timeout=60)
    assert first.status == SUCCEEDED, first.error
    assert first.outputs["cost_usd"] > 0 and first.outputs["provider"] == "elevenlabs"
    spent = month_spend(profile)
    assert spent == pytest.approx(first.outputs["cost_usd"])
    second = runner.wait(profile, start_voiceover(runner, profile, script="Fresh bread every morning.", voice=voice),
                         timeout=60)
    assert (second.outputs["cached"], second.outputs["cost_usd"]) == (True, 0.0)
    assert month_spend(profile) == pytest.approx(spent)


def test_voiceover_above_the_quota_fails_with_the_reason_and_spends_nothing(eleven_profile, runner):
    set_quota(eleven_profile, 0.0001)
    job_id = start_voiceover(runner, eleven_profile, script="A long enough script to cost something. " * 5,
                             voice={"provider": "elevenlabs"})
    job = runner.wait(eleven_profile, job_id, timeout=60)
    assert job.status == FAILED and "quota" in job.error.lower()
    assert month_spend(eleven_profile) == 0


def test_empty_scripts_and_unknown_voice_options_are_refused_before_queuing(profile, runner):
    empty = projects.create_project(profile, "No script yet")
    with pytest.raises(ValidationError, match="script is empty"):
        start_voiceover(runner, profile, project_id=empty["id"])
    with pytest.raises(ValidationError, match="script is empty"):
        start_voiceover(runner, profile, script="   \n ")
    with pytest.raises(ValidationError, match="Give a script or a project"):
        start_voiceover(runner, profile)
    with pytest.raises(ValidationError, match="Unknown voice option"):
        start_voiceover(runner, profile, script="Hi.", voice={"speed": 2})
    assert JobStore(profile).list() == []


def test_voice_preview_speaks_a_short_sample(profile, runner):
    job = runner.wait(profile, start_voice_preview(runner, profile, {"provider": "piper"}), timeout=120)
    assert job.status == SUCCEEDED, job.error
    assert profile.paths.absolute(job.outputs["audio_path"]).is_file()
    assert 1 < job.outputs["duration"] < 15 and job.outputs["cost_usd"] == 0 and "cues" not in job.outputs
    with pytest.raises(ValidationError, match="at most 300 characters"):
        start_voice_preview(runner, profile, text="word " * 100)


def test_cloning_job_creates_a_voice_that_a_preview_job_then_speaks(eleven_profile, eleven, runner, speech):
    profile = eleven_profile
    sample = stage_upload(profile, "me.wav", speech.audio_path.read_bytes(), accept=AUDIO_SUFFIXES)
    job = runner.wait(profile, start_clone(runner, profile, "elevenlabs", "Shop voice", [sample]), timeout=120)
    assert job.status == SUCCEEDED, job.error
    [record] = list_cloned_voices(profile)
    assert job.outputs == {"voice_id": record["id"], "name": "Shop voice", "provider": "elevenlabs"}
    assert not sample.exists(), "the staged sample goes once the voice exists"
    preview = runner.wait(profile, start_voice_preview(runner, profile, {"provider": "elevenlabs",
                                                                        "voice": record["id"]}), timeout=60)
    assert preview.status == SUCCEEDED, preview.error
    assert preview.outputs["voice"] == record["id"]
    assert eleven.calls(f"/v1/text-to-speech/{record['provider_voice_id']}")


def test_cloning_refuses_bad_samples_with_their_reasons(eleven_profile, runner, media):
    import subprocess

    tone = media / "tone.wav"
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440", "-t", "8",
                    str(tone)], check=True)
    sample = stage_upload(eleven_profile, "tone.wav", tone.read_bytes(), accept=AUDIO_SUFFIXES)
    job = runner.wait(eleven_profile, start_clone(runner, eleven_profile, "elevenlabs", "Beep", [sample]), timeout=60)
    assert job.status == FAILED and "tone.wav" in job.error and "no speech was detected" in job.error
    assert list_cloned_voices(eleven_profile) == []
    with pytest.raises(ValidationError, match="name"):
        start_clone(runner, eleven_profile, "elevenlabs", "  ", [sample])
    with pytest.raises(ValidationError, match="at least one voice sample"):
        start_clone(runner, eleven_profile, "elevenlabs", "Anna", [])
    piper = runner.wait(eleven_profile, start_clone(runner, eleven_profile, "piper", "Anna", [sample]), timeout=60)
    assert piper.status == FAILED and "cannot clone" in piper.error


def test_a_voiceover_over_the_length_limit_is_refused_before_queuing(profile, runner):
    from editfactory.tts.errors import ScriptTooLongError

    with pytest.raises(ScriptTooLongError, match="at most 12,000 characters"):
        start_voiceover(runner, profile, script="Fresh bread every morning. " * 500)
    assert JobStore(profile).list() == []


def _long_script(characters: int = 5000) -> str:
    """A product script of about ``characters`` characters, in ordinary sentences."""
    things = ["trail shoe", "travel mug", "rain jacket", "day pack", "wool sock", "sun hat", "water bottle"]
    sentences, index = [], 0
    while sum(len(s) + 1 for s in sentences) < characters:
        thing = things[index % len(things)]
        sentences.append(f"Our {thing} number {index + 1} is light, warm and ready for a long day outside.")
        index += 1
    return " ".join(sentences)


def _seen_progress(store: JobStore, job_id: str, until, timeout: float = 90) -> list[float]:
    """Poll the job's progress (as the studio does) until ``until(values)``; returns the distinct values seen."""
    seen: list[float] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = store.get(job_id)
        assert not job.finished, f"the job ended before the cancel: {job.status} {job.error}"
        if not seen or seen[-1] != job.progress:
            seen.append(job.progress)
        if until(seen):
            return seen
        time.sleep(0.1)
    raise AssertionError(f"the progress did not move as expected; saw {seen}")


def _cancel_and_time(runner, profile, job_id: str):
    started = time.monotonic()
    runner.cancel(profile, job_id)
    job = JobStore(profile).watch(job_id, timeout=30, interval=0.05)
    return job, time.monotonic() - started


def test_cancelling_a_long_piper_voiceover_stops_it_within_2_s_and_its_progress_moves_per_piece(profile, runner):
    """Produce → Generate voiceover of a 5,000-character script → Cancel: it stops at once, not after the whole
    script; until then the progress moves as pieces are spoken (it used to stay at 10 % all along)."""
    script = _long_script()
    store = JobStore(profile)
    job_id = start_voiceover(runner, profile, script=script)
    seen = _seen_progress(store, job_id, lambda values: len([v for v in values if 10 < v < 90]) >= 2)
    assert seen == sorted(seen)
    job, took = _cancel_and_time(runner, profile, job_id)
    assert job.status == CANCELLED and "cancelled" in job.error, job.error
    assert took < 2, f"the voiceover went on for {took:.1f} s after the cancel"
    assert profile.db.fetchall("SELECT key FROM tts_cache") == []  # nothing half-made is kept as the voiceover
    assert not any(profile.paths.tmp.iterdir())


def test_cancelling_a_paid_voiceover_charges_only_the_characters_sent_and_releases_the_rest(eleven_profile, eleven,
                                                                                           runner):
    """ElevenLabs (a slow server: 1 s per request): cancel after two requests. The ledger shows only the characters
    that were sent, the rest of the reservation is back in the quota, and nothing more is sent."""
    import json

    from editfactory.costs import month_entries, remaining_quota

    profile = eleven_profile
    set_quota(profile, 5.0)
    eleven.latency = 1.0
    script = _long_script()
    job_id = start_voiceover(runner, profile, script=script, voice={"provider": "elevenlabs"})
    speech = "/v1/text-to-speech"
    deadline = time.monotonic() + 60
    while len(eleven.calls(speech)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    job, took = _cancel_and_time(runner, profile, job_id)
    assert job.status == CANCELLED, job.error
    assert took < 2, f"the voiceover went on for {took:.1f} s after the cancel"
    assert job.progress > 10  # the first request's piece was reported
    time.sleep(1.5)  # a request still on its way would show up by now
    sent = [json.loads(call["body"])["text"] for call in eleven.calls(speech)]
    characters = sum(len(text) for text in sent)
    assert 2 <= len(sent) < 5 and characters < len(script) / 2, "the rest of the script was never sent"
    [entry] = month_entries(profile)
    assert entry["status"] == "settled" and entry["job_id"] == job_id
    assert entry["units"] == characters
    assert entry["cost_usd"] == pytest.approx(characters / 1000 * 0.10)  # Multilingual v2's list price
    assert month_spend(profile) == pytest.approx(characters / 1000 * 0.10)
    assert remaining_quota(profile) == pytest.approx(5.0 - characters / 1000 * 0.10)
    assert profile.db.fetchall("SELECT key FROM tts_cache") == []
