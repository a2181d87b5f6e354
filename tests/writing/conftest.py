"""Fixtures for the writing tests: a profile and the fake OpenAI-compatible server."""

from __future__ import annotations

import pytest

from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
def shop(workspace):
    return workspace.create("Shop")


@pytest.fixture
def fake_openai():
    with FakeOpenAI() as server:
        yield server
