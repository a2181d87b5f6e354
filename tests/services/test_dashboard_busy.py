"""The cross-profile overview never waits on a profile another program holds: it shows that one as busy."""

from __future__ import annotations

import subprocess
import sys

import pytest

from editfactory.profiles import Workspace
from editfactory.services import projects as proj
from editfactory.services.dashboard import BUSY_ERROR, overview


class Holder:
    """Another process holding a profile's DuckDB file (as a notebook kernel would) for up to 30 s."""

    def __init__(self, database) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"import duckdb, select, sys; c = duckdb.connect({str(database)!r}); "
             "print('held', flush=True); select.select([sys.stdin], [], [], 30)"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self.process.stdout.readline().strip() == "held"

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # the holder ends when its stdin closes
        self.process.wait(timeout=60)
        self.process.stdout.close()


@pytest.fixture
def held_store(tmp_path):
    """Store A free with one clip; Store B held by another process.

    The profiles themselves would wait 10 minutes for a held file, and the holder lets go by itself after
    30 s: an overview that waited for B would read it in the end and never call it busy.
    """
    ws = Workspace(tmp_path / "ws", busy_timeout=600)
    a, b = ws.create("Store A"), ws.create("Store B")
    proj.create_clip(a, proj.create_project(a, "Spring")["id"], "v1", status="rendered")
    proj.create_project(b, "Only B")
    holder = Holder(b.paths.database)
    try:
        yield ws, a, b, holder
    finally:
        holder.release()


def test_a_held_profile_shows_as_busy_while_the_others_are_read(held_store):
    ws, a, b, _ = held_store
    by_id = {f.profile_id: f for f in overview(ws, busy_timeout=0.2)}
    assert by_id[a.id].error is None and not by_id[a.id].busy and by_id[a.id].clips == 1
    assert by_id[b.id].busy and by_id[b.id].error == BUSY_ERROR and by_id[b.id].profile_name == "Store B"
    assert (by_id[b.id].projects, by_id[b.id].clips) == (0, 0)


def test_the_overview_keeps_the_workspace_order(held_store):
    ws, a, b, _ = held_store
    assert [f.profile_name for f in overview(ws, busy_timeout=0.2)] == [p.name for p in ws.list()]


def test_a_freed_profile_is_read_again(held_store):
    ws, a, b, holder = held_store
    assert {f.profile_id: f.busy for f in overview(ws, busy_timeout=0.2)}[b.id]
    holder.release()
    freed = {f.profile_id: f for f in overview(ws, busy_timeout=0.2)}[b.id]
    assert not freed.busy and freed.error is None and freed.projects == 1


def test_the_overview_of_free_profiles_reads_them_all(tmp_path):
    ws = Workspace(tmp_path / "ws")
    shops = [ws.create(f"Shop {i}") for i in range(3)]
    for shop in shops:
        proj.create_project(shop, "P")
    figures = overview(ws)
    assert [f.projects for f in figures] == [1, 1, 1] and not any(f.busy or f.error for f in figures)
