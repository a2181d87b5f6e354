"""The production job end to end: real Piper voice, real selection, real one-pass renders, clip rows."""

from __future__ import annotations

import re
import subprocess
import threading
import time

import psutil
import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.costs import get_quota, month_entries, month_spend, monthly_totals, set_quota
from editfactory.footage import get_caption_style
from editfactory.jobs import CANCELLED, FAILED, SUCCEEDED, JobStore
from editfactory.media.captions import write_ass
from editfactory.media.presets import RenderPreset
from editfactory.media.probe import probe
from editfactory.media.safe_zones import safe_area
from editfactory.pipeline import ProductionRequest, production, start_production
from editfactory.services import projects
from editfactory.storage.settings import set_setting
from editfactory.tts import synthesize_for_profile
from editfactory.tts.errors import ScriptTooLongError
from editfactory.tts.registry import PRICES_SETTING

from .conftest import SCRIPT, SMALL


def _run(runner, profile, request, timeout=120):
    job_id = start_production(runner, profile, request)
    return runner.wait(profile, job_id, timeout=timeout)


def finished_loudness(path) -> tuple[float, float]:
    """Integrated loudness and true peak of a finished clip, measured with ffmpeg's ebur128 filter."""
    from editfactory.media.runner import ffmpeg_path

    stderr = subprocess.run([ffmpeg_path(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:a", "-af",
                             "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    summary = stderr[stderr.rindex("Summary:"):]
    return (float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
            float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1)))


def test_two_variants_become_voiced_captioned_clips(store, runner):
    profile, project = store
    job = _run(runner, profile, ProductionRequest(project["id"], SCRIPT, variants=2, preset=SMALL))
    assert job.status == SUCCEEDED, job.error
    assert job.outputs["rendered"] == 2 and job.outputs["voiceovers_cached"] == 0
    clips = sorted(projects.list_clips(profile, project["id"]), key=lambda c: c["variant"])
    assert [c["id"] for c in clips] == sorted(job.outputs["clip_ids"], key=lambda i: [c["id"] for c in clips].index(i))
    assert [c["variant"] for c in clips] == [1, 2]
    for clip in clips:
        assert clip["status"] == "rendered" and clip["job_id"] == job.id
        assert (clip["width"], clip["height"]) == (SMALL["width"], SMALL["height"])
        video = profile.paths.absolute(clip["path"])
        info = probe(video)
        assert info.has_audio and (info.width, info.height) == (SMALL["width"], SMALL["height"])
        assert info.duration == pytest.approx(clip["duration"], abs=0.15)
        # A 2.5 s voiceover: the finished file itself meets -14 LUFS (±0.5 LU) and -1 dBTP.
        integrated, true_peak = finished_loudness(video)
        assert integrated == pytest.approx(-14.0, abs=0.5) and true_peak <= -1.0, (integrated, true_peak)
        assert profile.paths.absolute(clip["voiceover_path"]).is_file()
        captions = profile.paths.absolute(clip["captions_path"]).read_text(encoding="utf-8")
        assert "trail" in captions.lower() and "Dialogue:" in captions
        assert clip["tts"]["provider"] == "piper" and clip["tts"]["script"] == SCRIPT and clip["cost_usd"] == 0
    assert clips[0]["path"] != clips[1]["path"], "two variants use different footage"
    assert not any(profile.paths.tmp.iterdir())


def test_rerun_with_same_inputs_reuses_voiceover_and_renders(store, runner, tmp_path):
    profile, project = store
    request = ProductionRequest(project["id"], SCRIPT, variants=2, preset=SMALL)
    first = _run(runner, profile, request)
    files = {c["path"]: profile.paths.absolute(c["path"]).stat().st_mtime_ns for c in projects.list_clips(profile)}
    started = time.monotonic()
    second = _run(runner, profile, request)
    assert second.status == SUCCEEDED, second.error
    assert second.outputs["voiceovers_cached"] == 1 and second.outputs["rendered"] == 0
    assert second.outputs["reused_renders"] == 2 and second.outputs["reused_clips"] == 2
    assert sorted(second.outputs["clip_ids"]) == sorted(first.outputs["clip_ids"])
    assert len(projects.list_clips(profile)) == 2
    assert {c["path"]: profile.paths.absolute(c["path"]).stat().st_mtime_ns for c in projects.list_clips(profile)} == files
    assert time.monotonic() - started < 10
    # The clips burn the timings the cache keeps, so re-rendering from the cache gives the very same captions.
    cached = synthesize_for_profile(profile, SCRIPT)
    assert cached.cached
    for clip in projects.list_clips(profile):
        expected = write_ass(cached.timings, get_caption_style(profile), SMALL["width"], SMALL["height"],
                             tmp_path / "expected.ass", safe_area(RenderPreset(**SMALL)))  # as the render lays them out
        assert profile.paths.absolute(clip["captions_path"]).read_text("utf-8") == expected.read_text("utf-8")


def test_per_variant_scripts_get_their_own_voiceover(store, runner):
    profile, project = store
    scripts = ["Light and fast.", "Built for the mountains, every day."]
    job = _run(runner, profile, ProductionRequest(project["id"], variant_scripts=scripts, preset=SMALL))
    assert job.status == SUCCEEDED, job.error
    clips = sorted(projects.list_clips(profile), key=lambda c: c["variant"])
    assert [c["tts"]["script"] for c in clips] == scripts
    assert clips[0]["voiceover_path"] != clips[1]["voiceover_path"]
    assert clips[1]["duration"] > clips[0]["duration"]


@pytest.fixture
def paid_voice(store, monkeypatch, tmp_path_factory):
    """The store's default voice is ElevenLabs (a local fake server), at $10 per 1000 characters."""
    from editfactory.storage.secrets import set_secret
    from editfactory.tts import set_defaults
    from editfactory.tts.audio import ffmpeg_exe
    from tests.fakes.elevenlabs_server import FakeElevenLabs

    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")
    speech = tmp_path_factory.mktemp("eleven") / "speech.mp3"
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=200:duration=2.5",
                    "-ac", "1", "-ar", "24000", "-b:a", "48k", str(speech)], check=True)
    profile, _ = store
    with FakeElevenLabs(speech.read_bytes()) as server:
        set_secret(profile, "elevenlabs.api_key", server.api_key)
        set_setting(profile, "tts.endpoints", {"elevenlabs": server.base_url})
        set_setting(profile, PRICES_SETTING, {"elevenlabs": {"eleven_multilingual_v2": 10.0}})
        set_defaults(profile, "elevenlabs")
        yield server


def test_quota_is_checked_before_the_voiceover(store, runner, paid_voice):
    profile, project = store
    set_quota(profile, 0.10)  # the script costs $0.40
    job = _run(runner, profile, ProductionRequest(project["id"], SCRIPT, preset=SMALL))
    assert job.status == FAILED and "quota" in job.error and "Raise the quota" in job.error
    assert projects.list_clips(profile) == [] and month_spend(profile) == 0
    assert paid_voice.calls("/v1/text-to-speech") == [], "no paid call was made"


def test_a_script_over_the_voices_limit_is_refused_before_the_job_starts(store, runner, paid_voice):
    profile, project = store
    long_script = "Trail shoes for every season. " * 400  # 12 000 characters; the voice's model takes 10 000
    with pytest.raises(ScriptTooLongError, match="at most 10,000 characters"):
        start_production(runner, profile, ProductionRequest(project["id"], variant_scripts=[SCRIPT, long_script]))
    assert JobStore(profile).list() == [], "no job was queued"
    assert paid_voice.calls("/v1/text-to-speech") == [] and month_spend(profile) == 0


def test_paid_voiceover_cost_is_recorded_on_the_clips(store, runner, paid_voice):
    profile, project = store
    job = _run(runner, profile, ProductionRequest(project["id"], SCRIPT, variants=2, preset=SMALL))
    assert job.status == SUCCEEDED, job.error
    clips = projects.list_clips(profile)
    assert job.outputs["voiceover_cost_usd"] == pytest.approx(month_spend(profile)) and month_spend(profile) > 0.3
    assert sum(c["cost_usd"] for c in clips) == pytest.approx(month_spend(profile))
    assert {c["tts"]["provider"] for c in clips} == {"elevenlabs"}
    assert get_quota(profile) is None, "no quota set: unlimited"
    [entry] = month_entries(profile)
    assert (entry["provider"], entry["model"], entry["unit"], entry["status"], entry["job_id"]) == (
        "elevenlabs", "eleven_multilingual_v2", "characters", "settled", job.id,
    )
    assert entry["units"] == len(SCRIPT) and entry["cost_usd"] == pytest.approx(month_spend(profile))
    assert entry["created_at"] is not None and entry["settled_at"] is not None
    assert monthly_totals(profile) == {"elevenlabs": pytest.approx(month_spend(profile))}
    set_quota(profile, month_spend(profile))  # the quota is used up now; a cached voiceover costs nothing
    again = _run(runner, profile, ProductionRequest(project["id"], SCRIPT, variants=2, preset=SMALL))
    assert again.status == SUCCEEDED, again.error
    assert again.outputs["voiceover_cost_usd"] == 0 and again.outputs["voiceovers_cached"] == 1
    assert len(paid_voice.calls("/v1/text-to-speech")) == 1 and len(month_entries(profile)) == 1


def test_concurrent_jobs_cannot_overshoot_the_quota(store, runner, paid_voice, monkeypatch):
    profile, project = store
    texts = ["Quick dry mesh upper.", "Grippy rubber outsole."]  # about $0.21 each
    set_quota(profile, 0.30)  # room for one, not both
    # Both jobs pass the early estimate check before either reserves, so only the ledger's atomic
    # reservation stands between them and a second paid call.
    both_checked = threading.Barrier(2, timeout=30)
    early_check = production._check_quota

    def check_then_wait(*args):
        early_check(*args)
        both_checked.wait()

    monkeypatch.setattr(production, "_check_quota", check_then_wait)
    ids = [start_production(runner, profile, ProductionRequest(project["id"], t, preset=SMALL)) for t in texts]
    jobs = [runner.wait(profile, i, timeout=120) for i in ids]
    assert sorted(j.status for j in jobs) == [FAILED, SUCCEEDED], [j.error for j in jobs]
    assert "quota" in next(j for j in jobs if j.status == FAILED).error
    assert 0.2 < month_spend(profile) <= 0.30
    charged = [c["cost_usd"] for c in projects.list_clips(profile)]
    assert len(charged) == 1 and charged[0] == pytest.approx(month_spend(profile))
    assert len(paid_voice.calls("/v1/text-to-speech")) == 1, "the refused job made no paid call"


def test_cancel_while_rendering_leaves_no_clip(store, runner):
    profile, project = store
    big = dict(SMALL, width=720, height=1280, x264_preset="veryslow", crf=18, name="slow")
    job_id = start_production(runner, profile, ProductionRequest(project["id"], SCRIPT, variants=2, preset=big))
    deadline = time.monotonic() + 60
    while not list(profile.paths.tmp.rglob("partial.mp4")):  # ffmpeg is writing a variant now
        assert time.monotonic() < deadline, JobStore(profile).get(job_id)
        time.sleep(0.05)
    runner.cancel(profile, job_id)
    job = runner.wait(profile, job_id, timeout=30)
    assert job.status == CANCELLED and "cancelled" in job.error
    assert not [p for p in psutil.Process().children(recursive=True) if "ffmpeg" in p.name()], "ffmpeg was stopped"
    assert projects.list_clips(profile) == []
    assert not list(profile.paths.renders.glob("*.mp4")) and not any(profile.paths.tmp.iterdir())


def test_foreign_or_bad_requests_are_refused(store, other_store, runner):
    profile, project = store
    other, _ = other_store
    with pytest.raises(NotFoundError, match="Store B"):
        start_production(runner, other, ProductionRequest(project["id"], SCRIPT))
    with pytest.raises(ValidationError, match="needs a script"):
        start_production(runner, profile, ProductionRequest(project["id"], "   "))
    with pytest.raises(ValidationError, match="Unknown output format"):
        start_production(runner, profile, ProductionRequest(project["id"], SCRIPT, preset="vhs"))
    # 20 000 words pasted by mistake: refused at once, not after hours of synthesis.
    with pytest.raises(ValidationError, match="at most 12,000"):
        start_production(runner, profile, ProductionRequest(project["id"], "Trail shoe. " * 20_000))
    assert JobStore(profile).list() == []
    empty = projects.create_project(profile, "No footage")
    job = _run(runner, profile, ProductionRequest(empty["id"], SCRIPT))
    assert job.status == FAILED and "has no source videos" in job.error


def test_two_stores_in_parallel_keep_their_clips_apart(store, other_store, runner):
    (a, project_a), (b, project_b) = store, other_store
    job_a = start_production(runner, a, ProductionRequest(project_a["id"], SCRIPT, preset=SMALL))
    job_b = start_production(runner, b, ProductionRequest(project_b["id"], "Store B sells boots.", preset=SMALL))
    assert runner.wait(a, job_a, timeout=120).status == SUCCEEDED
    assert runner.wait(b, job_b, timeout=120).status == SUCCEEDED
    clips_a, clips_b = projects.list_clips(a), projects.list_clips(b)
    assert [c["tts"]["script"] for c in clips_a] == [SCRIPT]
    assert [c["tts"]["script"] for c in clips_b] == ["Store B sells boots."]
    for profile, clips in ((a, clips_a), (b, clips_b)):
        for clip in clips:
            for key in ("path", "voiceover_path", "captions_path"):
                assert profile.paths.absolute(clip[key]).resolve().is_relative_to(profile.folder.resolve())


def test_the_quota_precheck_only_reads_the_database(store, paid_voice, monkeypatch):
    profile, _ = store
    synthesize_for_profile(profile, SCRIPT)  # paid once, now in the profile's cache
    set_quota(profile, month_spend(profile))  # used up: only the cached voiceover lets a re-run through
    hits = profile.db.fetchone("SELECT hits FROM tts_cache")[0]

    def no_writes(*args, **kwargs):
        raise AssertionError("the quota pre-check wrote to the database")

    monkeypatch.setattr(profile.db, "transaction", no_writes)
    production._check_quota(profile, [SCRIPT], {})  # not refused: the voiceover is cached
    monkeypatch.undo()
    assert profile.db.fetchone("SELECT hits FROM tts_cache")[0] == hits
