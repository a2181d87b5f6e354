"""Which framing a profile's clips use: a segment's own > the project's > the profile's default > ``auto``.

The profile default lives in the settings table under ``render.framing``, a project's choice in its
``settings`` JSON under ``framing``, a segment's override in ``segments.framing``
(:func:`editfactory.footage.segments.update_segment`). Every value is checked against
:data:`editfactory.media.framing.FRAMINGS` before anything is stored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from editfactory.media.framing import DEFAULT_FRAMING, FRAMINGS, check_framing, resolve_framing
from editfactory.media.render import RenderSegment
from editfactory.media.selection import Pick
from editfactory.profiles import Profile
from editfactory.services import projects
from editfactory.storage.settings import get_setting, set_setting

SETTING_KEY = "render.framing"
PROJECT_KEY = "framing"

__all__ = ["FRAMINGS", "SETTING_KEY", "default_framing", "framed_variants", "project_framing", "resolved_framing",
           "set_default_framing", "set_project_framing"]


def default_framing(profile: Profile) -> str:
    """The profile's default framing (``auto`` until one is saved)."""
    stored = get_setting(profile, SETTING_KEY)
    return stored if stored in FRAMINGS else DEFAULT_FRAMING


def set_default_framing(profile: Profile, framing: str) -> str:
    """Save the profile's default framing; a bad value is refused (ValidationError) and nothing is stored."""
    framing = check_framing(framing)
    set_setting(profile, SETTING_KEY, framing)
    return framing


def project_framing(profile: Profile, project_id: str) -> str | None:
    """The project's own framing, or ``None`` when it uses the profile's default."""
    settings = projects.get_project(profile, project_id).get("settings") or {}
    value = settings.get(PROJECT_KEY) if isinstance(settings, dict) else None
    return value if value in FRAMINGS else None


def set_project_framing(profile: Profile, project_id: str, framing: str | None) -> dict:
    """Set (or, with ``None``/'', clear) the project's framing; its other settings are kept."""
    framing = check_framing(framing, allow_unset=True)
    project = projects.get_project(profile, project_id)
    settings = dict(project.get("settings") or {})
    if framing is None:
        settings.pop(PROJECT_KEY, None)
    else:
        settings[PROJECT_KEY] = framing
    return projects.update_project(profile, project_id, settings=settings)


def resolved_framing(profile: Profile, project_id: str) -> str:
    """What the project's segments without an override use: the project's framing, else the profile's default."""
    return resolve_framing(project_framing(profile, project_id), default_framing(profile))


def _segment_rows(profile: Profile, segment_ids: Sequence[str]) -> dict[str, tuple[str | None, dict]]:
    if not segment_ids:
        return {}
    marks = ", ".join("?" for _ in segment_ids)
    rows = profile.db.fetchall(f"SELECT id, framing, scores FROM segments WHERE id IN ({marks})", list(segment_ids))
    return {row[0]: (row[1], (json.loads(row[2]) if isinstance(row[2], str) else row[2]) or {}) for row in rows}


def framed_variants(profile: Profile, variants: list[list[Pick]], framing: str) -> list[list[RenderSegment]]:
    """Picks as RenderSegments with their framing (the segment's override, else ``framing``) and, from analysis,
    the subject track the ``fill`` crop follows and the subject's spread ``auto`` weighs. Picks of sources
    without segments (plain windows) and manual segments have neither: a centred crop, shape and size decide."""
    framing = check_framing(framing)
    # A reused window's ident is '<segment id>~<round>' (see media.selection._shifted_reuse).
    ids = {pick.ident.split("~")[0] for variant in variants for pick in variant}
    rows = _segment_rows(profile, sorted(ids))
    result = []
    for variant in variants:
        segments = []
        for pick in variant:
            own, scores = rows.get(pick.ident.split("~")[0], (None, {}))
            track = tuple((float(t), float(x)) for t, x in scores.get("subject_track") or ())
            spread = scores.get("subject_spread") if track else None
            segments.append(RenderSegment(pick.source, pick.start, pick.end, resolve_framing(own, framing), track,
                                          None if spread is None else float(spread)))
        result.append(segments)
    return result
