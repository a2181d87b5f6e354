"""Faults of the machine under a render: the disk fills up, ffmpeg is missing, fails or hangs.

Each fault must end in a clear error of ours that says what to do, a job marked failed with that
reason, no half-written clip or scratch file, and a database that opens with its rows unchanged.
The full disk is real: a size-limited tmpfs mounted over the workspace (needs root; skipped otherwise).
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from editfactory.core.errors import DiskFullError, MediaError
from editfactory.footage import import_source
from editfactory.footage.renders import render_for_profile
from editfactory.jobs import FAILED, SUCCEEDED, JobRunner
from editfactory.jobs.kinds import start_voiceover
from editfactory.media.presets import RenderPreset
from editfactory.media.render import RenderSegment, RenderSpec
from editfactory.media.runner import FFMPEG_ENV, ffmpeg_path
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.profiles import Workspace
from editfactory.services import projects

from jobs.media_fixtures import SMALL_PRESET, make_source

SCRIPT = "Meet the new trail shoe. Light and fast."
# Big enough that the render cannot fit in the space left on the full disk, small enough to render in seconds.
LARGE_FRAMES = {"name": "disk-test", "width": 540, "height": 960, "fps": 15, "x264_preset": "ultrafast", "crf": 2}
SMALL = {f: getattr(SMALL_PRESET, f) for f in SMALL_PRESET.__dataclass_fields__}
LEFT_FREE = 640 * 1024
"""Bytes left on the disk before the render: room for the database's small writes, not for the clip."""


@pytest.fixture(scope="module")
def footage(tmp_path_factory) -> Path:
    return make_source(tmp_path_factory.mktemp("fault-media") / "footage.mp4", seconds=6.0)


@pytest.fixture
def small_disk(tmp_path):
    """A 48 MB tmpfs mounted at tmp_path/ws, unmounted after the test."""
    root = tmp_path / "ws"
    root.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(root)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a size-limited tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


def _store(root: Path, footage: Path):
    workspace = Workspace(root, busy_timeout=30)
    profile = workspace.create("Disk")
    project = projects.create_project(profile, "Trail shoe")
    source = import_source(profile, footage)
    projects.set_project_sources(profile, project["id"], [source.id])
    return workspace, profile, project


# What a failed job may change: its own row, and the hit count of the cached voiceover it used.
_MAY_CHANGE = {"jobs": None, "tts_cache": "key, audio_path, duration, timings"}


def rows_except_jobs(profile) -> dict[str, str]:
    """A digest of every table's rows, leaving out what a failed job may change (:data:`_MAY_CHANGE`)."""
    tables = [t for (t,) in profile.db.fetchall(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")]
    return {t: hashlib.sha256(repr(sorted(map(repr, profile.db.fetchall(
        f'SELECT {_MAY_CHANGE.get(t) or "*"} FROM "{t}"')))).encode()).hexdigest()
        for t in tables if t not in _MAY_CHANGE or _MAY_CHANGE[t]}


def leftovers(profile) -> list[str]:
    """Clip files in renders/previews and anything in the profile's scratch folder."""
    found = [p for folder in (profile.paths.renders, profile.paths.previews) if folder.is_dir()
             for p in folder.rglob("*") if p.is_file()]
    found += [p for p in profile.paths.tmp.rglob("*")] if profile.paths.tmp.is_dir() else []
    return sorted(str(p.relative_to(profile.folder)) for p in found)


def _database_opens_in_another_process(root: Path, name: str) -> list:
    code = ("import sys; from editfactory.profiles import Workspace; p = Workspace(sys.argv[1]).find_by_name(sys.argv[2]);"
            "print(p.db.fetchall('SELECT count(*) FROM source_videos')[0][0], p.db.fetchall('SELECT count(*) FROM clips')[0][0])")
    done = subprocess.run([sys.executable, "-c", code, str(root), name], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [int(n) for n in done.stdout.split()]


@pytest.mark.slow
def test_disk_full_during_a_render_fails_clearly_and_the_retry_succeeds(small_disk, footage):
    workspace, profile, project = _store(small_disk, footage)
    request = ProductionRequest(project["id"], SCRIPT, preset=LARGE_FRAMES)
    with JobRunner(workers=1) as runner:
        voiced = runner.wait(profile, start_voiceover(runner, profile, script=SCRIPT), timeout=180)
        assert voiced.status == SUCCEEDED, voiced.error  # the render below reuses this cached voiceover
        before = rows_except_jobs(profile)
        filler = small_disk / "filler.bin"
        with filler.open("wb") as out:
            out.write(b"\0" * (shutil.disk_usage(small_disk).free - LEFT_FREE))

        job = runner.wait(profile, start_production(runner, profile, request), timeout=180)

        assert job.status == FAILED
        # Ours, not ffmpeg's or DuckDB's: says the disk is full, where, and what to do.
        assert "the disk is full" in job.error and str(small_disk) in job.error, job.error
        assert "Free space on that disk" in job.error and "try again" in job.error, job.error
        assert leftovers(profile) == []
        assert rows_except_jobs(Workspace(small_disk).find_by_name("Disk")) == before
        assert _database_opens_in_another_process(small_disk, "Disk") == [1, 0]
        # The same render outside a job (no progress writes to the database): ffmpeg itself meets the full disk.
        source = profile.db.fetchall("SELECT path FROM source_videos")[0][0]
        spec = RenderSpec(segments=[RenderSegment(profile.paths.absolute(source), 0.0, 6.0)], voiceover=None,
                          caption_style=None, preset=RenderPreset(**LARGE_FRAMES))
        with pytest.raises(DiskFullError, match="Rendering the clip stopped because the disk is full") as raised:
            render_for_profile(profile, spec, "direct.mp4")
        assert f"space left to write in {profile.paths.tmp}" in str(raised.value)
        assert f"the disk mounted at {small_disk}" in str(raised.value)
        assert leftovers(profile) == []
        print(f"\nFIGURE: disk full during a render: job failed with {job.error.split(':')[0]!r}, a direct render "
              f"with {str(raised.value).split(':')[0]!r}; leftover files 0; database rows unchanged")

        filler.unlink()
        retried = runner.wait(profile, runner.retry(profile, job.id), timeout=180)
    assert retried.status == SUCCEEDED, retried.error
    clips = projects.list_clips(profile, project["id"])
    assert len(clips) == 1 and profile.paths.absolute(clips[0]["path"]).stat().st_size > LEFT_FREE
    assert _database_opens_in_another_process(small_disk, "Disk") == [1, 1]


def fake_ffmpeg(folder: Path, body: str) -> Path:
    """An executable standing in for ffmpeg that passes probes to the real one and does ``body`` for a render."""
    script = folder / "fake-ffmpeg"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in\n'
        f"  *partial.mp4*) {body} ;;\n"
        f'  *) exec "{ffmpeg_path()}" "$@" ;;\n'
        "esac\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.fixture
def store(tmp_path, footage):
    """A profile with a project whose voiceover is already cached, so the faults below hit the render."""
    _, profile, project = _store(tmp_path / "ws", footage)
    with JobRunner(workers=1) as runner:
        voiced = runner.wait(profile, start_voiceover(runner, profile, script=SCRIPT), timeout=180)
    assert voiced.status == SUCCEEDED, voiced.error
    return profile, project


def test_configured_ffmpeg_that_is_missing_fails_the_job_saying_how_to_fix_it(store, tmp_path, monkeypatch):
    profile, project = store
    before = rows_except_jobs(profile)
    monkeypatch.setenv(FFMPEG_ENV, str(tmp_path / "no-such" / "ffmpeg"))
    with JobRunner(workers=1) as runner:
        job = runner.wait(profile, start_production(runner, profile, ProductionRequest(project["id"], SCRIPT,
                                                                                       preset=SMALL)), timeout=180)
    assert job.status == FAILED
    assert FFMPEG_ENV in job.error and "does not exist" in job.error and "unset" in job.error, job.error
    assert leftovers(profile) == [] and rows_except_jobs(profile) == before


def test_ffmpeg_that_fails_leaves_no_partial_clip_and_the_job_says_why(store, tmp_path, monkeypatch):
    profile, project = store
    # Writes half a file where the render's output goes, complains like ffmpeg does, exits 1.
    body = ('for last; do :; done; printf "half a clip" > "$last"; '
            'echo "Error while filtering: Invalid data found when processing input" >&2; exit 1')
    before = rows_except_jobs(profile)
    monkeypatch.setenv(FFMPEG_ENV, str(fake_ffmpeg(tmp_path, body)))
    with JobRunner(workers=1) as runner:
        job = runner.wait(profile, start_production(runner, profile, ProductionRequest(project["id"], SCRIPT,
                                                                                       preset=SMALL)), timeout=180)
    assert job.status == FAILED
    assert "Rendering the clip failed (ffmpeg exit code 1)" in job.error, job.error
    assert "Invalid data found when processing input" in job.error, job.error
    assert leftovers(profile) == [] and rows_except_jobs(profile) == before


def test_ffmpeg_that_hangs_is_stopped_at_the_timeout_with_nothing_left(store, tmp_path, monkeypatch):
    profile, _ = store
    monkeypatch.setenv(FFMPEG_ENV, str(fake_ffmpeg(tmp_path, "exec sleep 600")))
    source = profile.db.fetchall("SELECT path FROM source_videos")[0][0]
    spec = RenderSpec(segments=[RenderSegment(profile.paths.absolute(source), 0.0, 2.0)], voiceover=None,
                      caption_style=None, preset=SMALL_PRESET)
    with pytest.raises(MediaError, match=r"took longer than 3 s and was stopped") as raised:
        render_for_profile(profile, spec, "hang.mp4", timeout=3.0)
    assert not isinstance(raised.value, DiskFullError)
    assert leftovers(profile) == []
    ours = [p for p in psutil.process_iter(["cmdline"]) if str(profile.folder) in " ".join(p.info["cmdline"] or [])]
    assert ours == [], "the hanging ffmpeg was killed"


def test_database_write_on_a_full_disk_is_refused_clearly_and_loses_nothing(small_disk, footage):
    _, profile, project = _store(small_disk, footage)
    before = rows_except_jobs(profile)
    filler = small_disk / "filler.bin"
    with filler.open("wb") as out:
        out.write(b"\0" * shutil.disk_usage(small_disk).free)
    with pytest.raises(DiskFullError, match=r"Saving to profile 'Disk' stopped because the disk is full") as raised:
        # 90,000 characters: long enough to need new space, under the 100,000 a project keeps.
        projects.update_project(profile, project["id"], script="A long script. " * 6_000)
    assert f"space left to write in {profile.folder}" in str(raised.value)
    filler.unlink()
    assert rows_except_jobs(Workspace(small_disk).find_by_name("Disk")) == before
    projects.update_project(profile, project["id"], script="Short again.")
    assert projects.get_project(profile, project["id"])["script"] == "Short again."


def test_render_whose_own_scratch_files_meet_a_full_disk_says_so(small_disk, footage):
    _, profile, _ = _store(small_disk, footage)
    source = profile.db.fetchall("SELECT path FROM source_videos")[0][0]
    spec = RenderSpec(segments=[RenderSegment(profile.paths.absolute(source), 0.0, 2.0)], voiceover=None,
                      words=[("Hello", 0.0, 1.0)], preset=SMALL_PRESET)
    filler = small_disk / "filler.bin"
    with filler.open("wb") as out:  # not a byte left: the render's work folder or captions file cannot be written
        out.write(b"\0" * shutil.disk_usage(small_disk).free)
    with pytest.raises(DiskFullError, match="Rendering the clip stopped because the disk is full"):
        render_for_profile(profile, spec, "scratch.mp4")
    filler.unlink()
    assert leftovers(profile) == []
