"""The export job: a profile's folder as a zip, written next to the workspace (never inside the profile)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from editfactory.core.errors import ValidationError
from editfactory.jobs.context import JobContext
from editfactory.jobs.registry import EXPORT
from editfactory.jobs.runner import JobRunner
from editfactory.profiles.export import export_profile
from editfactory.profiles.profile import Profile

EXPORTS_FOLDER = "exports"
"""Inside the workspace root; profiles are only folders with a profile.json, so this one is never taken for one."""


def default_destination(profile: Profile) -> Path:
    """``<workspace>/exports/<profile folder>-<UTC time>.zip``."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    return profile.folder.parent / EXPORTS_FOLDER / f"{profile.folder.name}-{stamp}.zip"


def export_job(profile: Profile, ctx: JobContext) -> dict[str, Any]:
    destination = Path(ctx.inputs.get("destination") or default_destination(profile))
    path = export_profile(profile, destination, include_secrets=bool(ctx.inputs.get("include_secrets")),
                          progress=ctx.progress)
    return {"path": str(path), "size_bytes": path.stat().st_size,
            "include_secrets": bool(ctx.inputs.get("include_secrets"))}


def start_export(runner: JobRunner, profile: Profile, destination: Path | str | None = None, *,
                 include_secrets: bool = False) -> str:
    """Queue the export of ``profile`` to ``destination`` (default: the workspace's exports folder)."""
    destination = Path(destination) if destination else default_destination(profile)
    if destination.suffix.lower() != ".zip":
        raise ValidationError("Export to a file ending in .zip, e.g. 'summer-shoes.zip'.")
    return runner.submit(profile, EXPORT, {"destination": str(destination), "include_secrets": include_secrets})
