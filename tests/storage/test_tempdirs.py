from __future__ import annotations

import subprocess
import sys

from editfactory.profiles import Workspace


def test_temp_dir_is_removed_when_work_ends(workspace):
    profile = workspace.create("Shop")
    with profile.temp_dir("render") as folder:
        (folder / "part.mp4").write_bytes(b"x")
        assert folder.parent == profile.paths.tmp
    assert not folder.exists()


def test_temp_dir_is_removed_even_when_work_fails(workspace):
    profile = workspace.create("Shop")
    try:
        with profile.temp_dir() as folder:
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert not folder.exists()


def test_temp_of_a_dead_process_is_cleaned_on_next_start_but_a_live_ones_is_kept(workspace):
    profile = workspace.create("Shop")
    code = (
        "import sys; from editfactory.profiles import Workspace; "
        f"p = Workspace({str(workspace.root)!r}).get({profile.id!r}); d = p.make_temp_dir('job'); "
        "(d / 'half.mp4').write_bytes(b'x'); print(d, flush=True)"
    )
    dead = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    mine = profile.make_temp_dir("live")
    (profile.paths.tmp / "stray.partial").write_bytes(b"x")
    Workspace(workspace.root).get(profile.id)  # a new process (here: a new workspace object) starts
    assert not any(p.name == dead.rsplit("/", 1)[-1] for p in profile.paths.tmp.iterdir())
    assert not (profile.paths.tmp / "stray.partial").exists()
    assert mine.exists()  # the live process (us) keeps its folder


def test_temp_dirs_are_per_profile(workspace):
    a, b = workspace.create("A"), workspace.create("B")
    with a.temp_dir() as ta, b.temp_dir() as tb:
        assert ta.is_relative_to(a.folder) and tb.is_relative_to(b.folder)
