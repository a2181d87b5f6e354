"""The README's two commands are what CI runs and what users type; keep them true."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text(), flags=re.S)[:2]


def test_ci_runs_the_readme_test_command_verbatim():
    start, test = _readme_commands()
    assert "invoke dev.studio" in start and "invoke test" in test
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test.strip() in ci_lines


def test_readme_commands_name_tasks_that_exist():
    from invoke import Collection, Program  # noqa: F401 - imported to load tasks below
    import importlib.util

    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    names = set(tasks.ns.task_names)
    assert {"test", "dev.studio"} <= names | {n.split(".")[0] for n in names if n.endswith(".all")}
