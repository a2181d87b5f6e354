"""Property: random interleaved operations on three profiles never let one profile see or change another's data."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from editfactory import projects
from editfactory.errors import NotFoundError
from editfactory.profiles import Workspace
from editfactory.settings import get_setting, set_setting

PROFILES = 3
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(str.strip)


class ThreeStores(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="isolation-"))
        workspace = Workspace(self.root)
        self.profiles = [workspace.create(f"Store {i}") for i in range(PROFILES)]
        # Keep the files open for the run: connection churn is tested elsewhere, isolation here.
        self.sessions = contextlib.ExitStack()
        for profile in self.profiles:
            self.sessions.enter_context(profile.db.session())
        # What each profile should contain: project id -> name, clip id -> (project id, name, status), settings.
        self.projects: list[dict[str, str]] = [{} for _ in range(PROFILES)]
        self.clips: list[dict[str, tuple]] = [{} for _ in range(PROFILES)]
        self.settings: list[dict[str, int]] = [{} for _ in range(PROFILES)]

    def teardown(self) -> None:
        self.sessions.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def _all_ids(self, kind: str) -> list[tuple[int, str]]:
        store = self.projects if kind == "project" else self.clips
        return [(i, item) for i in range(PROFILES) for item in store[i]]

    def _pick(self, data, *kinds: str) -> tuple[int, str, int] | None:
        """An existing item (its owner and id) and the profile the operation goes through."""
        candidates = [c for kind in kinds for c in self._all_ids(kind)]
        if not candidates:
            return None
        owner, item_id = data.draw(st.sampled_from(candidates))
        return owner, item_id, data.draw(st.integers(0, PROFILES - 1))

    @rule(owner=st.integers(0, PROFILES - 1), name=names)
    def create_project(self, owner, name):
        project = projects.create_project(self.profiles[owner], name)
        self.projects[owner][project["id"]] = project["name"]

    @rule(data=st.data(), name=names, status=st.sampled_from(projects.CLIP_STATUSES))
    def create_clip(self, data, name, status):
        picked = self._pick(data, "project")
        if picked is None:
            return
        owner, project_id, via = picked
        if via == owner:
            clip = projects.create_clip(self.profiles[via], project_id, name, status=status)
            self.clips[owner][clip["id"]] = (project_id, clip["name"], status)
        else:  # adding a clip to another store's project is refused
            with pytest.raises(NotFoundError, match="not found in profile"):
                projects.create_clip(self.profiles[via], project_id, name, status=status)

    @rule(data=st.data(), status=st.sampled_from(projects.CLIP_STATUSES))
    def update_clip(self, data, status):
        picked = self._pick(data, "clip")
        if picked is None:
            return
        owner, clip_id, via = picked
        if via == owner:
            projects.update_clip(self.profiles[via], clip_id, status=status)
            project_id, name, _ = self.clips[owner][clip_id]
            self.clips[owner][clip_id] = (project_id, name, status)
        else:
            with pytest.raises(NotFoundError):
                projects.update_clip(self.profiles[via], clip_id, status=status)

    @rule(data=st.data())
    def delete_clip(self, data):
        picked = self._pick(data, "clip")
        if picked is None:
            return
        owner, clip_id, via = picked
        if via == owner:
            projects.delete_clip(self.profiles[via], clip_id)
            del self.clips[owner][clip_id]
        else:
            with pytest.raises(NotFoundError):
                projects.delete_clip(self.profiles[via], clip_id)

    @rule(data=st.data())
    def delete_project(self, data):
        picked = self._pick(data, "project")
        if picked is None:
            return
        owner, project_id, via = picked
        if via == owner:
            projects.delete_project(self.profiles[via], project_id)
            del self.projects[owner][project_id]
            self.clips[owner] = {c: v for c, v in self.clips[owner].items() if v[0] != project_id}
        else:
            with pytest.raises(NotFoundError):
                projects.delete_project(self.profiles[via], project_id)

    @rule(data=st.data())
    def read_by_id(self, data):
        picked = self._pick(data, "clip", "project")
        if picked is None:
            return
        owner, item_id, _ = picked
        getter = projects.get_clip if item_id.startswith("clip_") else projects.get_project
        for via in range(PROFILES):
            if via == owner:
                assert getter(self.profiles[via], item_id)["id"] == item_id
            else:
                with pytest.raises(NotFoundError):
                    getter(self.profiles[via], item_id)

    @rule(owner=st.integers(0, PROFILES - 1), key=st.sampled_from(["tts.defaults", "captions.style"]), value=st.integers())
    def change_setting(self, owner, key, value):
        set_setting(self.profiles[owner], key, value)
        self.settings[owner][key] = value

    @invariant()
    def each_profile_holds_exactly_its_own_data(self):
        for i, profile in enumerate(self.profiles):
            assert {p["id"]: p["name"] for p in projects.list_projects(profile)} == self.projects[i]
            listed = {c["id"]: (c["project_id"], c["name"], c["status"]) for c in projects.list_clips(profile, limit=10_000)}
            assert listed == self.clips[i]
            for key in ("tts.defaults", "captions.style"):
                assert get_setting(profile, key) == self.settings[i].get(key)


ThreeStores.TestCase.settings = settings(
    max_examples=30, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_three_profiles_stay_isolated = ThreeStores.TestCase
