"""The README's two commands are what CI runs and what users type; keep them true."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text(), flags=re.S)[:2]


def test_ci_runs_the_readme_test_command_verbatim():
    start, test = _readme_commands()
    assert start.strip().endswith(".venv/bin/invoke dev") and test.strip().endswith(".venv/bin/invoke test")
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test.strip() in ci_lines


def test_readme_commands_name_tasks_that_exist():
    import importlib.util

    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    names = set(tasks.ns.task_names)
    assert {"dev", "serve", "lab", "doctor", "demo", "test.all", "test.unit", "test.ui", "test.notebooks"} <= names
    assert tasks.ns.collections["test"].default == "all"  # so `invoke test` runs everything
    aliases = {alias for alias_list in tasks.ns.task_names.values() for alias in alias_list}
    mentioned = set(re.findall(r"(?:`|/bin/|^)invoke ([a-z][\w.]*)", (ROOT / "README.md").read_text(), flags=re.M))
    assert mentioned and mentioned <= names | aliases, mentioned - names - aliases


def test_readme_python_example_runs(tmp_path, monkeypatch):
    """The services example in the README, run as written on footage that ffmpeg generates."""
    import subprocess

    from editfactory.media.runner import ffmpeg_path

    example = re.findall(r"```python\n(.+?)\n```", (ROOT / "README.md").read_text(), flags=re.S)
    services = next(block for block in example if "start_production" in block)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "footage").mkdir()
    subprocess.run(
        [ffmpeg_path(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=6",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(tmp_path / "footage" / "sandals.mp4")],
        check=True, timeout=120,
    )
    services = services.replace("variants=3", "variants=1, preset={'name': 'small', 'width': 270, 'height': 480}")
    namespace: dict = {}
    exec(compile(services, "README.md", "exec"), namespace)
    job = namespace["job"]
    assert job.status == "succeeded", job.error
    clips = namespace["projects"].list_clips(namespace["shop"], namespace["project"]["id"])
    assert len(clips) == 1 and namespace["shop"].paths.absolute(clips[0]["path"]).is_file()
    namespace["runner"].shutdown()
