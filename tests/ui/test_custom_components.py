"""Custom browser components (JSComponent subclasses) load with the app, so no page can use one a tab does not know.

Bokeh sends the definitions of custom models with a session's first document; Panel adds a class's definition to a
later model only for the first session that draws it. A class first imported while two tabs were open was unknown to
the second one ("could not resolve type 'SampleRecorder1'") and its page stayed on "Opening …".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_LIST_COMPONENTS = """
import importlib, json, pkgutil, sys
from panel.custom import ReactiveESM
from panel.reactive import ReactiveHTML
import editfactory.ui, editfactory.ui.app

def ours():
    found, stack = set(), [ReactiveESM, ReactiveHTML]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("editfactory."):
            found.add(f"{cls.__module__}.{cls.__qualname__}")
    return found

with_app = ours()
for module in pkgutil.walk_packages(editfactory.ui.__path__, "editfactory.ui."):
    importlib.import_module(module.name)
print(json.dumps({"with_app": sorted(with_app), "all": sorted(ours())}))
"""


def test_every_custom_component_is_defined_when_the_app_is_imported():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-c", _LIST_COMPONENTS], capture_output=True, text=True, env=env,
                            timeout=300, check=True)
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert "editfactory.ui.recorder.SampleRecorder" in found["all"]
    assert found["with_app"] == found["all"], "a component imported only with its page is unknown to open tabs"


@pytest.mark.ui
def test_voices_opens_in_two_tabs_that_were_opened_on_another_page(browser, workspace, served_studio):
    shop = workspace.create("Mug Store")
    studio = served_studio()
    errors: list[str] = []
    tabs = []
    for _ in range(2):  # both tabs open before any of them has shown the Voices page
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{studio.url}?page=library&profile={shop.id}")
        page.get_by_text("Library", exact=True).first.wait_for(timeout=60_000)
        tabs.append(page)
    for page in tabs:
        page.get_by_text("Voices", exact=True).first.click()
        page.wait_for_url("**page=voices**", timeout=30_000)
        record = page.get_by_text("Record a sample")
        record.wait_for(timeout=60_000)
        # The recorder works: a click reaches its script (headless Chromium has no microphone, and it says so).
        record.click()
        page.get_by_text("The microphone cannot be used here").wait_for(timeout=30_000)
    assert not [e for e in errors if "could not resolve type" in e], errors
