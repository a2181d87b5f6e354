"""Recovery off the page-load path: opening a profile never waits on Postiz, one profile never holds up another."""

from __future__ import annotations

import socket
import threading

import pytest

from editfactory.core.errors import StorageError
from editfactory.jobs import INTERRUPTED, JobStore
from editfactory.ops.startup import open_profile, open_profile_in_background, recovery_of, wait_for_recovery
from editfactory.publish import RetryPolicy, marker, outbox, save_config
from editfactory.services import projects

from test_startup import _dead_owner

QUICK = {"policy": RetryPolicy(max_attempts=1, base_delay=0.001, max_delay=0.01, landing_grace=0.0), "timeout": 5.0}


class SilentPostiz:
    """A server on 127.0.0.1 that accepts connections and answers nothing until ``release()``: a hung Postiz."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.connected = threading.Event()
        self._released = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self.listener.settimeout(0.05)
        while not self._released.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self._held.append(connection)
            self.connected.set()

    def release(self) -> None:
        self._released.set()
        self._thread.join()
        for connection in self._held:
            connection.close()
        self.listener.close()


@pytest.fixture(autouse=True)
def _file_secrets(monkeypatch):
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")


@pytest.fixture
def silent_postiz():
    server = SilentPostiz()
    yield server
    server.release()


def _with_an_open_post(workspace, name: str, url: str):
    profile = workspace.create(name)
    save_config(profile, url=url, enabled=True, api_key="key-0123456789abcdef")
    project = projects.create_project(profile, "P")
    clip = projects.create_clip(profile, project["id"], "v1", status="rendered", path="renders/v1.mp4")
    (profile.paths.renders / "v1.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")  # sent as is; never played
    outbox.record(profile, [outbox.NewPublication(clip["id"], "int-1", "x", "now", "Hello", {}, None, None,
                                                  marker.new_key())])
    return profile


def test_opening_in_the_background_returns_while_postiz_hangs(workspace, silent_postiz):
    shop = _with_an_open_post(workspace, "Shop", silent_postiz.url)
    recovery = open_profile_in_background(workspace, shop.id, resume_options=QUICK)
    assert workspace.last_used().id == shop.id
    assert silent_postiz.connected.wait(60), "the recovery did reach Postiz, on its own thread"
    assert recovery.running and recovery.summary() == "" and wait_for_recovery(recovery, timeout=0) is None
    again = open_profile_in_background(workspace, shop.id)
    assert again is recovery and recovery_of(workspace, shop.id) is recovery  # not started twice
    silent_postiz.release()
    report = wait_for_recovery(recovery, timeout=60)
    assert report is not None and "still wait in the outbox" in recovery.summary()
    assert len(outbox.open_publications(shop)) == 1  # nothing was lost


def test_one_profiles_hung_postiz_never_holds_up_opening_another(workspace, silent_postiz):
    slow = _with_an_open_post(workspace, "Slow shop", silent_postiz.url)
    other = workspace.create("Other shop")
    job = JobStore(other).create("production", {}, owner=_dead_owner())
    JobStore(other).mark_running(job.id, temp_dir=None, owner=_dead_owner())
    slow_recovery = open_profile_in_background(workspace, slow.id, resume_options=QUICK)
    assert silent_postiz.connected.wait(60)

    finished = []
    opener = threading.Thread(target=lambda: finished.append(open_profile(workspace, other.id)), daemon=True)
    opener.start()
    opener.join(60)  # a deadlock guard only: the other profile needs nothing from the hung one
    assert finished, "opening another profile waited for the hung Postiz of the first"
    assert [j.id for j in finished[0].interrupted_jobs] == [job.id]
    assert JobStore(other).get(job.id).status == INTERRUPTED
    assert slow_recovery.running
    silent_postiz.release()
    assert wait_for_recovery(slow_recovery, timeout=60) is not None


def test_a_failed_recovery_is_reported_and_tried_again_on_the_next_open(workspace):
    shop = workspace.create("Shop")
    shop.paths.database.write_bytes(b"not a database" * 100)
    recovery = open_profile_in_background(workspace, shop.id)
    with pytest.raises(StorageError):
        wait_for_recovery(recovery, timeout=60)
    assert "failed" in recovery.summary() and "tried again" in recovery.summary()
    assert recovery_of(workspace, shop.id) is None
    assert open_profile_in_background(workspace, shop.id) is not recovery
    with pytest.raises(StorageError):
        open_profile(workspace, shop.id)


def test_the_synchronous_open_waits_for_a_recovery_already_running(workspace, silent_postiz):
    shop = _with_an_open_post(workspace, "Shop", silent_postiz.url)
    recovery = open_profile_in_background(workspace, shop.id, resume_options=QUICK)
    assert silent_postiz.connected.wait(60)
    reports = []
    waiter = threading.Thread(target=lambda: reports.append(open_profile(workspace, shop.id)), daemon=True)
    waiter.start()
    silent_postiz.release()
    waiter.join(60)
    assert reports and reports[0] is recovery.report
