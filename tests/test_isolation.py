"""Isolation: no profile's items are readable or changeable through another profile.

Every public service function that takes an item id is called with another
profile's ids, deterministically (each once in both directions) and in a seeded
random walk over three profiles interleaved with ordinary work (projects and
clips made, changed and deleted), which makes every catalogued call several
times with the ids of items that exist at that step; each call must be refused
(filtering reads may answer "nothing") and leave both profiles' rows and files
as they were. A test keeps the catalogue (tests/isolation_calls.py) complete.

The walk's size: ``EDITFACTORY_ISOLATION_WALK=long`` runs a longer walk (about
5x the calls), ``EDITFACTORY_ISOLATION_SEED`` picks another seed.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import dataclasses
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from editfactory.core.errors import EditFactoryError, NotFoundError, ValidationError
from editfactory.footage import segments
from editfactory.profiles import Workspace
from editfactory.services import projects
from editfactory.storage.settings import get_setting, set_setting
from tests.isolation_calls import CALLS, EXPECT_EMPTY, NOT_ID_SCOPED, is_nothing, populate, snapshot

PROFILES = 3
LONG_WALK = os.environ.get("EDITFACTORY_ISOLATION_WALK", "") == "long"
WALK_SEED = int(os.environ.get("EDITFACTORY_ISOLATION_SEED", "20261202"))
WALK_RUNS, WALK_STEPS = (40, 100) if LONG_WALK else (10, 60)
CROSS_PROFILE_CALLS = collections.Counter()
"""Calls made through a profile with another profile's id (each must be refused), per call kind, for the figure."""
LEAKS: list[str] = []
"""What a catalogued call let through, as found (the walk is not shrunk: its choice of call follows the counts)."""
AREAS = {
    "projects and clips": ("editfactory.services.projects.", "editfactory.services.clip_catalog.", "editfactory.footage.posters."),
    "sources, segments, framing": ("editfactory.footage.",),
    "voices and costs": ("editfactory.tts.", "editfactory.costs."),
    "publishing": ("editfactory.publish.",),
    "jobs": ("editfactory.jobs.",),
    "brand, offer and writing": ("editfactory.services.brand.", "editfactory.services.offer.", "editfactory.writing."),
}
"""The catalogue by area, for the printed counts."""


def area_of(name: str) -> str | None:
    return next((area for area, prefixes in AREAS.items() if name.startswith(prefixes)), None)


CALLS_BY_AREA = {area: sorted(n for n in CALLS if area_of(n) == area) for area in AREAS}
# Names a user can give: no control, format, private-use or unassigned characters (those are refused, see check_text).
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf", "Co", "Cn")), min_size=1,
                max_size=20).filter(str.strip)


_VIDEOS = Path(tempfile.mkdtemp(prefix="isolation-media-"))  # one small sample video for every example
atexit.register(shutil.rmtree, _VIDEOS, ignore_errors=True)


@contextlib.contextmanager
def _file_secrets():
    """Secrets in owner-only files for the duration (never the machine's keyring)."""
    previous = os.environ.get("EDITFACTORY_SECRETS_BACKEND")
    os.environ["EDITFACTORY_SECRETS_BACKEND"] = "file"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["EDITFACTORY_SECRETS_BACKEND"]
        else:
            os.environ["EDITFACTORY_SECRETS_BACKEND"] = previous


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
        # One item of every kind in each store, for the id-taking calls of the catalogue.
        video = _sample_video(_VIDEOS)
        self.items = [populate(profile, video) for profile in self.profiles]
        for i, items in enumerate(self.items):
            self.projects[i][items.project] = "Summer"
            self.clips[i][items.clip] = (items.project, "Summer v1", "rendered")

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
        via = data.draw(st.integers(0, PROFILES - 1))
        return owner, item_id, via

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
            CROSS_PROFILE_CALLS["walk: editfactory.services.projects.create_clip"] += 1
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
            CROSS_PROFILE_CALLS["walk: editfactory.services.projects.update_clip"] += 1
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
            CROSS_PROFILE_CALLS["walk: editfactory.services.projects.delete_clip"] += 1
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
            CROSS_PROFILE_CALLS["walk: editfactory.services.projects.delete_project"] += 1
            with pytest.raises(NotFoundError):
                projects.delete_project(self.profiles[via], project_id)

    @rule(data=st.data())
    def read_by_id(self, data):
        picked = self._pick(data, "clip", "project")
        if picked is None:
            return
        owner, item_id, _ = picked
        getter = projects.get_clip if item_id.startswith("clip_") else projects.get_project
        CROSS_PROFILE_CALLS[f"walk: editfactory.services.projects.{getter.__name__}"] += PROFILES - 1
        for via in range(PROFILES):
            if via == owner:
                assert getter(self.profiles[via], item_id)["id"] == item_id
            else:
                with pytest.raises(NotFoundError):
                    getter(self.profiles[via], item_id)

    @rule(owner=st.integers(0, PROFILES - 1), key=st.sampled_from(["isolation.test.a", "isolation.test.b"]), value=st.integers())
    def change_setting(self, owner, key, value):
        set_setting(self.profiles[owner], key, value)
        self.settings[owner][key] = value

    def _call_catalogued(self, data) -> None:
        """A catalogued call (one of those made least so far, so a walk makes each of them), through one profile
        with the ids of another's items as they are at this step: the walk's own projects and clips."""
        # Chosen from the counts, not drawn: what hypothesis draws must not depend on state kept across runs.
        name = min(sorted(CALLS), key=lambda n: CROSS_PROFILE_CALLS[n])
        owner = data.draw(st.integers(0, PROFILES - 1))
        via = data.draw(st.sampled_from([i for i in range(PROFILES) if i != owner]))
        items = self.items[owner]
        if self.projects[owner]:
            items = dataclasses.replace(items, project=data.draw(st.sampled_from(sorted(self.projects[owner]))))
        if self.clips[owner]:
            items = dataclasses.replace(items, clip=data.draw(st.sampled_from(sorted(self.clips[owner]))))
        touched = (self.profiles[via], self.profiles[owner])
        before = [snapshot(profile) for profile in touched]
        CROSS_PROFILE_CALLS[name] += 1
        try:
            with _file_secrets():
                _refused_through(self.profiles[via], items, name)
            assert [snapshot(profile) for profile in touched] == before, f"{name} changed a profile"
        except AssertionError as leak:
            LEAKS.append(f"{name} through {self.profiles[via].name} with {self.profiles[owner].name}'s ids: {leak}")
            raise

    # The same rule several times over: hypothesis picks rules evenly, so most steps make a catalogued call and
    # the rest do the ordinary work (projects and clips made, changed, deleted) that the calls run between.
    @rule(data=st.data())
    def call_catalogued_1(self, data):
        self._call_catalogued(data)

    @rule(data=st.data())
    def call_catalogued_2(self, data):
        self._call_catalogued(data)

    @rule(data=st.data())
    def call_catalogued_3(self, data):
        self._call_catalogued(data)

    @rule(data=st.data())
    def call_catalogued_4(self, data):
        self._call_catalogued(data)

    @rule(data=st.data())
    def call_catalogued_5(self, data):
        self._call_catalogued(data)

    @invariant()
    def each_profile_holds_exactly_its_own_data(self):
        for i, profile in enumerate(self.profiles):
            assert {p["id"]: p["name"] for p in projects.list_projects(profile)} == self.projects[i]
            listed = {c["id"]: (c["project_id"], c["name"], c["status"]) for c in projects.list_clips(profile, limit=10_000)}
            assert listed == self.clips[i]
            for key in ("tts.defaults", "captions.style"):
                assert get_setting(profile, key) == self.settings[i].get(key)


def test_every_catalogued_call_belongs_to_an_area_of_the_walk():
    assert [name for name in CALLS if area_of(name) is None] == []


def test_three_profiles_stay_isolated():
    CROSS_PROFILE_CALLS.clear()
    LEAKS.clear()
    try:
        run_state_machine_as_test(seed(WALK_SEED)(ThreeStores), settings=settings(
            max_examples=WALK_RUNS, stateful_step_count=WALK_STEPS, deadline=None, database=None,
            phases=[Phase.generate], suppress_health_check=[HealthCheck.too_slow],
        ))
    finally:
        assert not LEAKS, LEAKS[0]
    catalogued = {name: CROSS_PROFILE_CALLS[name] for name in CALLS}
    assert min(catalogued.values()) >= 1, f"the walk never made {[n for n, c in catalogued.items() if not c]}"
    print("\nCalls through another profile's ids, per call kind:")
    for area, names in CALLS_BY_AREA.items():
        print(f"  {area}: " + ", ".join(f"{name.rsplit('.', 1)[-1]} {CROSS_PROFILE_CALLS[name]}" for name in names))
    walk = {name: count for name, count in CROSS_PROFILE_CALLS.items() if name.startswith("walk: ")}
    print("  the walk's own projects and clips: " + ", ".join(
        f"{name.rsplit('.', 1)[-1]} {count}" for name, count in sorted(walk.items())))
    print(f"FIGURE: isolation: {sum(CROSS_PROFILE_CALLS.values())} calls with another profile's id over {PROFILES} "
          f"profiles (seed {WALK_SEED}, {WALK_RUNS} runs of up to {WALK_STEPS} steps): all {len(CALLS)} catalogued "
          f"id-taking calls made {min(catalogued.values())}-{max(catalogued.values())} times each with the ids of "
          f"items existing at that step, plus {sum(walk.values())} gets/updates/deletes/adds on the walk's own "
          "projects and clips; every one refused, both profiles' rows and files unchanged, every profile's "
          "projects, clips and settings checked after each step")


# -- every id-taking service function, deterministically --------------------------------------------


def _sample_video(folder: Path) -> Path:
    video = folder / "sample.mp4"
    if not video.exists():
        import subprocess

        from editfactory.media.runner import ffmpeg_path

        subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-nostdin", "-f", "lavfi", "-i",
                        "testsrc=size=320x240:rate=10", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                        str(video)], check=True, timeout=120)
    return video


def _id_taking_functions() -> set[str]:
    """Qualified names of the package's public functions and methods that take a profile and an item id."""
    import importlib
    import inspect
    import pkgutil

    import editfactory

    found = set()
    for info in pkgutil.walk_packages(editfactory.__path__, "editfactory."):
        if info.name.startswith(("editfactory.bench", "editfactory.ui")):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            members = [(name, obj)] if inspect.isfunction(obj) else (
                [(f"{name}.{m}", f) for m, f in vars(obj).items() if not m.startswith("_") and inspect.isfunction(f)]
                if inspect.isclass(obj) else [])
            for qualname, function in members:
                params = list(inspect.signature(function).parameters)
                if ("profile" in params or "self" in params) and any(p.endswith(("_id", "_ids")) for p in params):
                    found.add(f"{module.__name__}.{qualname}")
    return {n for n in found if not any(n.startswith(prefix) for prefix in NOT_ID_SCOPED)}


def test_every_id_taking_service_function_is_in_the_isolation_catalogue():
    missing = _id_taking_functions() - set(CALLS)
    assert not missing, f"add these to tests/isolation_calls.py so isolation covers them: {sorted(missing)}"


def _refused_through(via, owner_items, name):
    """Call ``name`` through ``via`` with the owner's ids: refused (or, for filtering reads, nothing found)."""
    try:
        result = CALLS[name](via, owner_items)
    except EditFactoryError as error:
        return error
    assert name in EXPECT_EMPTY and is_nothing(result), f"{name} answered {result!r} for another profile's ids"
    return None


def test_every_id_taking_call_refuses_another_profiles_ids_and_writes_nothing(workspace, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")
    video = _sample_video(tmp_path)
    a, b = workspace.create("Store A"), workspace.create("Store B")
    items_a, items_b = populate(a, video), populate(b, video)
    with a.db.session(), b.db.session():  # the files stay open between calls while nobody else waits
        _every_call_both_ways(a, b, items_a, items_b)
    # The owner still reaches its own items through the same functions.
    assert projects.get_clip(a, items_a.clip)["id"] == items_a.clip
    assert segments.get_segment(b, items_b.segment).id == items_b.segment


def _every_call_both_ways(a, b, items_a, items_b):
    for name in sorted(CALLS):
        for via, owner in ((b, items_a), (a, items_b)):
            before = (snapshot(a), snapshot(b))
            error = _refused_through(via, owner, name)
            assert error is None or not isinstance(error, ValidationError) or "not" in str(error), (name, error)
            assert (snapshot(a), snapshot(b)) == before, f"{name} through {via.name} changed a profile"
