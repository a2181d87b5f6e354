"""Profiles: one isolated store each — the workspace that holds them, their handles, export."""

from editfactory.profiles.profile import Profile
from editfactory.profiles.workspace import Workspace, default_workspace_root

__all__ = ["Profile", "Workspace", "default_workspace_root"]
