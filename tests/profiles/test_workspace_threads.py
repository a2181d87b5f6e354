"""Threads of one process sharing one Workspace (the studio's sessions do) change its profiles one at a time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from editfactory.core.errors import ProfileBusyError, ValidationError
from editfactory.profiles import Workspace


def _race(workspace: Workspace, calls: list) -> list:
    """Run ``calls`` at the same moment on threads; returns each one's result or exception."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - returned for the assertions
            return error

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def widened_check(monkeypatch):
    """Hold every thread between the name check and the write for a moment, so a missing lock always shows."""
    gate = threading.Barrier(2)
    original = Workspace._refuse_taken_name

    def checked_then_pause(self, name, **kwargs):
        original(self, name, **kwargs)
        try:
            gate.wait(timeout=1.0)  # both threads meet here only when nothing serializes them
        except threading.BrokenBarrierError:
            gate.reset()  # alone (serialized, or a set-up call): ready for the next pair

    monkeypatch.setattr(Workspace, "_refuse_taken_name", checked_then_pause)


def test_two_threads_cannot_both_create_the_same_profile(workspace, widened_check):
    results = _race(workspace, [lambda: workspace.create("Shoes"), lambda: workspace.create("shoes")])
    created = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(created) == 1 and len(refused) == 1
    assert isinstance(refused[0], ValidationError) and "already exists" in str(refused[0])
    assert [p.name.lower() for p in workspace.list()] == ["shoes"]


def test_two_threads_cannot_rename_two_profiles_to_one_name(workspace, widened_check):
    bags, hats = workspace.create("Bags"), workspace.create("Hats")
    results = _race(workspace, [lambda: workspace.update(bags.id, name="Shoes"),
                                lambda: workspace.update(hats.id, name="Shoes")])
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert sorted(p.name for p in workspace.list()) in (["Bags", "Shoes"], ["Hats", "Shoes"])


def test_many_threads_creating_one_name_make_exactly_one_profile(workspace):
    results = _race(workspace, [lambda: workspace.create("Summer sale")] * 8)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, ValidationError) for r in results if isinstance(r, Exception))
    assert [p.name for p in workspace.list()] == ["Summer sale"]


def test_a_thread_waiting_too_long_for_another_gets_a_busy_error(tmp_path):
    workspace = Workspace(tmp_path / "ws", busy_timeout=0.3)
    entered, release = threading.Event(), threading.Event()

    def hold():
        with workspace._locked():
            entered.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert entered.wait(5)
        with pytest.raises(ProfileBusyError, match="another task of this program"):
            workspace.create("Impatient")
    finally:
        release.set()
        holder.join()
    assert workspace.create("Patient").name == "Patient"
