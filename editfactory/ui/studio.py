"""The studio app factory, shared by `panel serve` and notebooks.

Until the studio issue lands this shows the workspace's profiles, so the
README's start command already opens a working page.
"""

from __future__ import annotations

import panel as pn

from editfactory.profiles import Workspace


def create_app(workspace: Workspace | None = None) -> pn.viewable.Viewable:
    workspace = workspace or Workspace()
    profiles = workspace.list()
    current = workspace.last_used()
    rows = "\n".join(f"| {p.name} | {p.description} | `{p.folder.name}` |" for p in profiles)
    return pn.Column(
        pn.pane.Markdown(f"# Edit Factory\n\nWorkspace: `{workspace.root}` — active profile: **{current.name}**"),
        pn.pane.Markdown("| Profile | Description | Folder |\n|---|---|---|\n" + rows),
    )
