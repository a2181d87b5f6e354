"""Render work on a Dask cluster: the same clip as locally, cancel reaches the worker's ffmpeg, config."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cloudpickle
import psutil
import pytest

from editfactory.core.errors import CancelledError
from editfactory.jobs import run_subprocess
from editfactory.jobs.dask_backend import (
    SCHEDULER_ENV,
    SCHEDULER_SETTING,
    ClusterError,
    DaskBackend,
    LocalBackend,
    configured_scheduler,
    render_backend,
)
from editfactory.media.render import RenderSegment, RenderSpec
from editfactory.pipeline.render_task import VariantTask, render_variant
from editfactory.storage.settings import set_setting

from . import job_functions
from .media_fixtures import SMALL_PRESET, frame_hashes, make_source, make_tone

# The test's own helper functions travel to the workers by value (workers cannot import tests/).
cloudpickle.register_pickle_by_value(job_functions)


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask-media")
    return make_source(folder / "source.mp4", 3.0), make_tone(folder / "voice.wav", 1.5)


def _task(source: Path, voice: Path, output: Path) -> VariantTask:
    spec = RenderSpec(
        segments=[RenderSegment(source, 0.2, 1.0), RenderSegment(source, 1.5, 2.4)],
        voiceover=voice,
        words=[("Hello", 0.1, 0.5), ("world", 0.6, 1.2)],
        preset=SMALL_PRESET,
    )
    return VariantTask(spec=spec, output=str(output), work_root=str(output.parent / "work"))


def test_dask_path_makes_the_same_clip_as_the_local_path(dask_scheduler, media, tmp_path):
    source, voice = media
    local = LocalBackend(1).run_all(render_variant, [_task(source, voice, tmp_path / "local" / "a.mp4")], threading.Event())
    remote = DaskBackend(dask_scheduler).run_all(
        render_variant,
        [_task(source, voice, tmp_path / "dask" / f"{n}.mp4") for n in ("a", "b")],
        threading.Event(),
    )
    assert local[0].width == remote[0].width == SMALL_PRESET.width
    assert local[0].duration == pytest.approx(remote[0].duration)
    expected = frame_hashes(Path(local[0].output))
    assert len(expected) > 10
    assert frame_hashes(Path(remote[0].output)) == expected
    assert frame_hashes(Path(remote[1].output)) == expected


def _slow_encode(task: str, cancel: threading.Event, progress=None) -> str:
    run_subprocess(job_functions.slow_encode_command(Path(task), ENCODE_SECONDS), cancel, timeout=120)
    return task


ENCODE_SECONDS = 60  # far longer than the test may take, so only the cancel can end these encodes


def _encoders_writing_to(folder: Path) -> list:
    """ffmpeg processes (children of the cluster's worker processes, which are ours) writing into ``folder``."""
    found = []
    for process in psutil.Process().children(recursive=True):
        try:
            if "ffmpeg" in process.name() and any(str(folder) in arg for arg in process.cmdline()):
                found.append(process)
        except psutil.Error:  # it ended while we looked
            continue
    return found


def test_cancel_stops_ffmpeg_on_the_workers(dask_scheduler, tmp_path):
    cancel = threading.Event()
    progress: list[float] = []

    def cancel_once_encoding() -> None:
        deadline = time.monotonic() + 60
        while not _encoders_writing_to(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        cancel.set()

    threading.Thread(target=cancel_once_encoding, daemon=True).start()
    with pytest.raises(CancelledError):
        DaskBackend(dask_scheduler).run_all(
            _slow_encode, [str(tmp_path / f"{n}.mp4") for n in range(3)], cancel, lambda m, f: progress.append(f)
        )
    assert progress == [], "no encode ran to its end"
    # The workers' ffmpeg processes go away (they would otherwise run for a minute).
    deadline = time.monotonic() + 30
    while _encoders_writing_to(tmp_path):
        assert time.monotonic() < deadline, "ffmpeg kept running on a worker after the cancel"
        time.sleep(0.1)


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    with pytest.raises(ClusterError, match="unset EDITFACTORY_DASK_SCHEDULER"):
        DaskBackend("tcp://127.0.0.1:9", connect_timeout=1).run_all(_slow_encode, [str(tmp_path / "x.mp4")], threading.Event())


def test_backend_choice_follows_env_then_profile_setting(profile, monkeypatch):
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    assert configured_scheduler(profile) is None
    assert isinstance(render_backend(profile), LocalBackend)
    set_setting(profile, SCHEDULER_SETTING, "tcp://10.0.0.5:8786")
    assert configured_scheduler(profile) == "tcp://10.0.0.5:8786"
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://127.0.0.1:8786")
    backend = render_backend(profile)
    assert isinstance(backend, DaskBackend) and backend.address == "tcp://127.0.0.1:8786"


def test_local_backend_reports_progress_inside_each_render(media, tmp_path):
    source, voice = media
    seen: list[tuple[str, float]] = []
    tasks = [_task(source, voice, tmp_path / f"{n}.mp4") for n in ("a", "b")]
    results = LocalBackend(2).run_all(render_variant, tasks, threading.Event(), lambda m, f: seen.append((m, f)))
    assert [Path(r.output).name for r in results] == ["a.mp4", "b.mp4"]
    fractions = [f for _, f in seen]
    assert any(0 < f < 1 for f in fractions) and fractions[-1] == 1.0
    assert any(m.startswith("Variant 2 of 2") for m, _ in seen)
