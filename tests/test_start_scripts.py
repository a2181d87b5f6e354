"""start-dev.sh: creates .venv only when missing, installs the project, then hands over to `invoke dev`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Stand-ins that record how they were called: a "python3.11" whose `-m venv` makes a .venv of stand-ins.
FAKE_TOOL = """#!/bin/sh
echo "$(basename "$0") $*" >> "$CALLS"
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && cp "$0" "$3/bin/invoke"
fi
"""


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script")
def test_start_dev_sh_creates_the_venv_once_installs_and_runs_invoke_dev(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(ROOT / "start-dev.sh", repo)
    shutil.copy(ROOT / "pyproject.toml", repo)
    python = tmp_path / "python3.11"
    python.write_text(FAKE_TOOL)
    python.chmod(0o755)
    calls = tmp_path / "calls.txt"
    env = {**os.environ, "PYTHON": str(python), "CALLS": str(calls)}

    def start(*args: str) -> list[str]:
        calls.write_text("")
        subprocess.run(["bash", str(repo / "start-dev.sh"), *args], cwd=tmp_path, env=env, check=True, timeout=60)
        return calls.read_text().splitlines()

    assert start("--no-browser") == [
        "python3.11 -m venv .venv", 'python -m pip install -e .[dev]', "invoke dev --no-browser",
    ]
    assert start("--studio-port", "5007") == ["invoke dev --studio-port 5007"]  # nothing changed: straight on
    os.utime(repo / "pyproject.toml", (4_000_000_000, 4_000_000_000))  # requirements changed since the install
    assert start() == ['python -m pip install -e .[dev]', "invoke dev"]


def test_start_dev_sh_without_python_says_what_to_do(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(ROOT / "start-dev.sh", repo)
    result = subprocess.run(["bash", str(repo / "start-dev.sh")], env={**os.environ, "PYTHON": "no-such-python3.11"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "PYTHON=/path/to/python3.11" in result.stderr
    assert not (repo / ".venv").exists()


def test_start_dev_bat_creates_installs_and_runs_invoke_dev():
    script = (ROOT / "start-dev.bat").read_bytes()
    assert b"\r\n" in script and b"\n" not in script.replace(b"\r\n", b"")  # cmd.exe wants CRLF
    text = script.decode()
    assert 'if not exist ".venv\\Scripts\\python.exe"' in text and "-m venv .venv" in text
    assert '-m pip install -q -e ".[dev]"' in text and '".venv\\Scripts\\invoke.exe" dev %*' in text
