"""Shared fixtures: every test gets its own workspace in tmp_path, never the real data/ folder."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _isolated_workspace_env(tmp_path, monkeypatch):
    monkeypatch.setenv("EDITFACTORY_DATA", str(tmp_path / "workspace-default"))


@pytest.fixture
def workspace(tmp_path):
    from editfactory.profiles import Workspace

    return Workspace(tmp_path / "ws")
