"""The notebooks in notebooks/ as committed: without outputs, free of keys, each picking its profile at the top."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
STRIP_HINT = "strip it with: .venv/bin/jupyter nbconvert --clear-output --inplace notebooks/*.ipynb"


def _code(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_four_notebooks_are_there():
    assert {p.stem for p in NOTEBOOKS} >= {"voice_lab", "batch", "studio", "profiles_and_costs", "script_lab"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_holds_no_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(_code(notebook)):
        assert not cell.outputs and cell.execution_count is None, f"{path.name} code cell {index} has outputs; {STRIP_HINT}"
    assert "widgets" not in notebook.metadata, f"{path.name} holds widget state; {STRIP_HINT}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_picks_its_profile_by_name_at_the_top_and_holds_no_keys(path):
    notebook = nbformat.read(path, as_version=4)
    top = "\n".join(cell.source for cell in _code(notebook)[:2])
    assert re.search(r'^PROFILE = "[^"]+"', top, flags=re.M) and "profile_named(PROFILE" in top
    source = "\n".join(cell.source for cell in notebook.cells)
    assert not re.search(r"""(api_?key|secret|token)\w*\s*[=:]\s*["'][^"']{6,}["']""", source, flags=re.I), path.name
    assert "set_secret(" not in source
