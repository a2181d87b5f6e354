"""Shared fixtures: every test gets its own workspace in tmp_path, never the real data/ folder."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The publishing retry loop sends due posts on its own thread; tests that check it turn it on themselves,
# the others keep full control of when a post is sent.
os.environ.setdefault("EDITFACTORY_PUBLISH_AUTO_RETRY", "0")


@pytest.fixture(autouse=True)
def _isolated_workspace_env(tmp_path, monkeypatch):
    monkeypatch.setenv("EDITFACTORY_DATA", str(tmp_path / "workspace-default"))
    # Keys go to owner-only files, never to the machine's keyring; the keyring tests opt in themselves.
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")


@pytest.fixture
def workspace(tmp_path):
    from editfactory.profiles import Workspace

    return Workspace(tmp_path / "ws")


@pytest.fixture(scope="session")
def dask_scheduler():
    """Address of a 2-worker Dask LocalCluster on 127.0.0.1, shared by the scale-out tests."""
    from distributed import LocalCluster

    from editfactory.jobs.dask_backend import close_clients

    # ":0" = any free port (None falls back to 8787, which another run may hold).
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=":0", worker_dashboard_address=":0")
    try:
        yield cluster.scheduler_address
    finally:
        close_clients()
        cluster.close()
