from __future__ import annotations

import json
import os

import pytest

from editfactory.core.errors import NotFoundError, ProfileBusyError, ValidationError
from editfactory.profiles import Workspace
from editfactory.profiles.names import MAX_NAME_LENGTH


def test_empty_workspace_gets_a_default_profile(workspace):
    profiles = workspace.list()
    assert [p.name for p in profiles] == ["Default"]
    assert workspace.default().id == profiles[0].id
    assert workspace.last_used().id == profiles[0].id  # never a blank screen


def test_profile_folder_is_self_contained(workspace):
    shop = workspace.create("Summer Shoes", "sandals")
    for sub in ("media", "cache/segments", "voices", "renders", "tmp"):
        assert (shop.folder / sub).is_dir()
    assert (shop.folder / "profile.duckdb").is_file()
    meta = json.loads((shop.folder / "profile.json").read_text())
    assert meta["name"] == "Summer Shoes" and meta["description"] == "sandals"
    assert shop.folder.parent == workspace.root


def test_crud(workspace):
    shop = workspace.create("Shop", "first")
    assert workspace.get(shop.id).name == "Shop"
    renamed = workspace.update(shop.id, name="Shop 2", description="second")
    assert (renamed.name, renamed.description) == ("Shop 2", "second")
    assert renamed.folder == shop.folder  # renaming never moves data
    other = workspace.create("Other")
    workspace.set_default(other.id)
    assert workspace.default().id == other.id
    workspace.remember_last_used(shop.id)
    assert Workspace(workspace.root).last_used().id == shop.id  # survives a restart
    workspace.delete(shop.id)
    assert not shop.folder.exists()
    with pytest.raises(NotFoundError, match="not found"):
        workspace.get(shop.id)
    assert workspace.last_used().id == other.id


def test_deleting_the_default_moves_default_to_another(workspace):
    first = workspace.create("First")
    second = workspace.create("Second")
    workspace.set_default(first.id)
    workspace.delete(first.id)
    assert workspace.default().id == second.id


def test_last_profile_cannot_be_deleted(workspace):
    only = workspace.list()[0]
    with pytest.raises(ValidationError, match="only profile"):
        workspace.delete(only.id)
    assert workspace.get(only.id)


def test_profile_in_use_by_another_process_is_not_deleted(workspace, tmp_path):
    import subprocess
    import sys
    import time

    shop = workspace.create("Busy")
    workspace.create("Keep")
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(shop.paths.database)!r}); print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ProfileBusyError, match="open in another program"):
            workspace.delete(shop.id)
        assert shop.paths.database.exists()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    time.sleep(0.1)
    workspace.delete(shop.id)


@pytest.mark.parametrize(
    "bad, message",
    [
        ("", "cannot be empty"),
        ("   ", "cannot be empty"),
        ("x" * 10_000, "at most"),
        ("bad\x00name", "control"),
        ("tab\u200bhidden", "invisible"),
        (None, "must be text"),
    ],
)
def test_bad_names_are_refused_with_a_clear_message(workspace, bad, message):
    before = sorted(p.name for p in workspace.list())
    with pytest.raises(ValidationError, match=message):
        workspace.create(bad)
    assert sorted(p.name for p in workspace.list()) == before
    assert not [p for p in workspace.root.iterdir() if p.name.startswith(".deleting")]


@pytest.mark.parametrize(
    "name",
    ["../x", "..", "/etc/passwd", "CON", "NUL", "a/b\\c", "Magazinul Ștefan țară ăîâ", "🛍️ Shop 🚀", "店铺", "x" * MAX_NAME_LENGTH],
)
def test_hostile_or_unicode_names_never_reach_the_file_system_raw(workspace, name):
    profile = workspace.create(name)
    assert profile.name == name
    assert profile.folder.parent == workspace.root
    assert profile.folder.name.isascii() and "/" not in profile.folder.name and not profile.folder.name.startswith(".")
    assert profile.folder.name.upper() not in {"CON", "NUL", "PRN", "AUX"}
    assert workspace.get(profile.id).name == name
    assert not (workspace.root.parent / "x").exists()


def test_names_are_unique_ignoring_case_but_folders_never_collide(workspace):
    a = workspace.create("Store A")
    b = workspace.create("store-a")  # a different name that slugs the same
    assert a.folder != b.folder
    for clash in ("STORE A", "store  a", " Store A "):
        with pytest.raises(ValidationError, match="already exists"):
            workspace.create(clash)
    with pytest.raises(ValidationError, match="already exists"):
        workspace.update(b.id, name="store a")
    assert workspace.update(a.id, name="STORE A").name == "STORE A"  # own name, other case, is fine


def test_listing_does_not_open_databases(workspace):
    created = [workspace.create(f"Shop {i}") for i in range(3)]
    for profile in created:
        os.chmod(profile.paths.database, 0)  # an opened database would fail now
    try:
        names = {p.name for p in Workspace(workspace.root).list()}
    finally:
        for profile in created:
            os.chmod(profile.paths.database, 0o644)
    assert {"Shop 0", "Shop 1", "Shop 2"} <= names


def test_unknown_profile_id(workspace):
    with pytest.raises(NotFoundError, match="not found"):
        workspace.get("prof_doesnotexist")
    with pytest.raises(NotFoundError):
        workspace.set_default("prof_doesnotexist")


def test_default_workspace_root_follows_env(tmp_path, monkeypatch):
    monkeypatch.setenv("EDITFACTORY_DATA", str(tmp_path / "elsewhere"))
    assert Workspace().root == (tmp_path / "elsewhere").resolve()


def test_copied_database_is_detected(workspace):
    from editfactory.core.errors import EditFactoryError

    a = workspace.create("A")
    b = workspace.create("B")
    a.db.fetchall("SELECT 1")
    import shutil

    shutil.copyfile(a.paths.database, b.paths.database)
    fresh = Workspace(workspace.root).get(b.id)
    with pytest.raises(EditFactoryError, match="belongs to another profile"):
        fresh.db.fetchall("SELECT 1")


def test_a_handle_to_a_deleted_profile_says_so(workspace):
    from editfactory.core.errors import StorageError

    gone = workspace.create("Gone")
    workspace.create("Stays")
    workspace.delete(gone.id)
    with pytest.raises(StorageError, match="no longer exists"):
        gone.db.fetchall("SELECT 1")
    assert not gone.folder.exists()  # nothing was recreated at the old place


def test_a_workspace_locked_by_another_program_gives_a_clear_busy_error(workspace):
    import subprocess
    import sys

    lock_path = workspace.root / ".workspace.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import filelock, time; l = filelock.FileLock({str(lock_path)!r}); l.acquire(); "
         "print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        impatient = Workspace(workspace.root, busy_timeout=0.3)
        with pytest.raises(ProfileBusyError, match="workspace .* is busy"):
            impatient.create("Waiting")
        assert impatient.find_by_name("Waiting") is None
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert Workspace(workspace.root).create("Waiting").name == "Waiting"


def test_a_workspace_root_that_is_a_file_is_refused_clearly(tmp_path):
    from editfactory.core.errors import StorageError

    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("oops")
    with pytest.raises(StorageError, match="Cannot use .* as the workspace.*EDITFACTORY_DATA"):
        Workspace(not_a_folder / "inner")
    assert not_a_folder.read_text() == "oops"
