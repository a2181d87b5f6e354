"""The studio app factory, shared by `panel serve` and notebooks.

Until the studio issue lands this is a read-only overview of the workspace:
every profile with its figures for this month, read profile by profile. It
already proves the README's start command opens a working page.
"""

from __future__ import annotations

import panel as pn

from editfactory.dashboard import ProfileFigures, overview
from editfactory.profiles import Workspace
from editfactory.startup import open_profile


def _row(figures: ProfileFigures, active_id: str) -> str:
    name = f"**{figures.profile_name}**" if figures.profile_id == active_id else figures.profile_name
    if figures.error:
        return f"| {name} | could not be read: {figures.error} | | | | |"
    quota = "no quota" if figures.quota_usd is None else f"{figures.quota_used:.0%} of ${figures.quota_usd:.2f}"
    return (
        f"| {name} | {figures.projects} | {figures.clips} | {figures.rendered} | {figures.published} | "
        f"${figures.cost_this_month:.2f} ({quota}) |"
    )


def create_app(workspace: Workspace | None = None) -> pn.viewable.Viewable:
    workspace = workspace or Workspace()
    startup = open_profile(workspace)
    active = startup.profile
    figures = overview(workspace)
    table = "\n".join(_row(f, active.id) for f in figures)
    notice = startup.summary()
    return pn.Column(
        pn.pane.Markdown(f"# Edit Factory\n\nWorkspace: `{workspace.root}` — active profile: **{active.name}**"),
        pn.pane.Alert(notice, alert_type="warning", visible=bool(notice)),
        pn.pane.Markdown(
            "| Profile | Projects | Clips | Rendered | Published | Cost this month |\n|---|---|---|---|---|---|\n" + table
        ),
    )
