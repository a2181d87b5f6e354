"""`invoke reliability` runs files that exist and turns the tests' FIGURE: lines into its summary table."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tasks():
    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    return tasks


def test_every_suite_path_exists_and_the_task_is_listed():
    tasks = _tasks()
    assert [p for p in tasks.RELIABILITY_SUITE if not (ROOT / p).exists()] == []
    assert "reliability" in tasks.ns.task_names


def test_the_table_has_one_row_per_printed_figure():
    output = ("tests/reliability/test_bad_inputs.py \nFIGURE: bad-input kinds covered: 55\n.\n"
              "noise: not a figure\n..FIGURE: secrets: 5 forms searched: found 0 times\n")
    rows = _tasks().figure_table(output).splitlines()
    assert len(rows) == 2
    assert rows[0].split() == ["bad-input", "kinds", "covered", "55"]
    assert rows[1].startswith("secrets ") and rows[1].endswith("5 forms searched: found 0 times")
    assert "No figures" in _tasks().figure_table("1 passed")
