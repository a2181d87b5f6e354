"""Reading an executed notebook's outputs, and what the batch notebook must have made (shared by two tests)."""

from __future__ import annotations

from pathlib import Path


def text_outputs(notebook) -> str:
    """Every printed line and every text representation the notebook's code cells showed."""
    parts = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            for key, value in output.get("data", {}).items():
                if key.startswith("text/"):
                    parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def check_batch(outputs: str, workspace_root: Path) -> None:
    """batch_example.csv: two rows made (3 clips at 1080x1920, free voice, with the example track under them; the
    sneakers made from photos only), two refused with their reasons."""
    from editfactory.services import projects
    from editfactory.profiles import Workspace

    assert "2 of 4 rows made, 3 clip(s), total cost $0.0000" in outputs
    assert "script is empty" in outputs and "sun-hat does not exist" in outputs
    profile = Workspace(workspace_root).find_by_name("Notebooks")
    clips = projects.list_clips(profile)
    assert len(clips) == 3 and all(profile.paths.absolute(c["path"]).is_file() for c in clips)
    assert (clips[0]["width"], clips[0]["height"]) == (1080, 1920)
    assert all((clip.get("music") or {}).get("title") == "groove" for clip in clips), [c.get("music") for c in clips]
    from editfactory.footage import get_source

    [sneakers] = [p for p in projects.list_projects(profile) if p["name"] == "Trail sneakers"]
    kinds = {get_source(profile, s).kind for s in projects.project_sources(profile, sneakers["id"])}
    assert kinds == {"photo"}, kinds
