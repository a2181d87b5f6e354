"""Which transition a project's clips use between their segments (cut until one is chosen).

The choice lives in the project's ``settings`` JSON under ``transition`` (no table of its own, like the project's
framing); every value is checked against :data:`editfactory.media.transitions.TRANSITIONS` before it is stored.
"""

from __future__ import annotations

from editfactory.media.transitions import DEFAULT_TRANSITION, TRANSITIONS, check_transition
from editfactory.profiles import Profile
from editfactory.services import projects

PROJECT_KEY = "transition"


def project_transition(profile: Profile, project_id: str) -> str:
    """The project's transition (``cut`` when none was chosen)."""
    settings = projects.get_project(profile, project_id).get("settings") or {}
    value = settings.get(PROJECT_KEY) if isinstance(settings, dict) else None
    return value if value in TRANSITIONS else DEFAULT_TRANSITION


def set_project_transition(profile: Profile, project_id: str, name: str) -> dict:
    """Save the project's transition; its other settings are kept. A bad name is refused and nothing stored."""
    name = check_transition(name)
    project = projects.get_project(profile, project_id)
    settings = dict(project.get("settings") or {})
    settings[PROJECT_KEY] = name
    return projects.update_project(profile, project_id, settings=settings)
