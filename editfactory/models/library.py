"""The Library page's state: one page of this profile's clips, the filters and sort (kept in the URL), the selection.

Only the page shown is read (SQL paging with a count), so a profile with
100 000 clips opens as fast as one with ten. Poster frames are made after the
rows are shown, in a worker thread, and only for the clips on the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import param

from editfactory.core.errors import ValidationError
from editfactory.footage.duplicates import duplicate_pairs
from editfactory.footage.sources import warned_sources
from editfactory.models.first_steps import FirstStep, first_steps, has_finished_clip
from editfactory.models.session import FAILED, StudioSession
from editfactory.services import clip_catalog, projects
from editfactory.services.clip_catalog import ClipFilter, ClipPage
from editfactory.services.projects import CLIP_SORTS, CLIP_STATUSES, PUBLISH_STATES

ANY = "all"
TRISTATE = ("any", "with", "without")
# Model parameter -> query parameter; "page" and "profile" belong to the session.
URL_PARAMETERS = {
    "search": "q", "status": "status", "project_id": "project", "publishing": "publishing",
    "voiceover": "voiceover", "subtitles": "subtitles", "sort": "sort", "page_number": "p",
}
FILTER_PARAMETERS = ("search", "status", "project_id", "publishing", "voiceover", "subtitles", "sort")


def _tristate(value: str) -> bool | None:
    return None if value == "any" else value == "with"


class LibraryModel(param.Parameterized):
    """This profile's clips, one page at a time."""

    session = param.ClassSelector(class_=StudioSession)
    search = param.String(default="", doc="Show clips whose name contains this text.")
    status = param.Selector(default=ANY, objects=[ANY, *CLIP_STATUSES], doc="Show clips with this render status.")
    project_id = param.String(default="", doc="Show only this project's clips ('' for every project).")
    publishing = param.Selector(default=ANY, objects=[ANY, *PUBLISH_STATES], doc="Show clips in this publishing state.")
    voiceover = param.Selector(default="any", objects=list(TRISTATE), doc="Clips with or without a voiceover.")
    subtitles = param.Selector(default="any", objects=list(TRISTATE), doc="Clips with or without subtitles.")
    sort = param.Selector(default="newest", objects=list(CLIP_SORTS), doc="Order of the clips.")
    page_number = param.Integer(default=1, bounds=(1, None), doc="Which page of clips is shown (1 is the first).")
    page_size = param.Integer(default=24, bounds=(1, clip_catalog.MAX_PAGE), doc="Clips per page.")

    rows = param.List(default=[], doc="The clips on the page shown (dicts from clip_catalog.browse_clips).")
    total = param.Integer(default=0, doc="How many clips match the filters.")
    all_clips = param.Integer(default=0, doc="How many clips the profile has.")
    projects = param.List(default=[], doc="The profile's projects: {'id', 'name', 'clips'}.")
    posters = param.Dict(default={}, doc="Clip id -> poster frame file, for the clips on the page.")
    selected = param.List(default=[], item_type=str, doc="Ids of the selected clips (kept across pages).")
    preview_id = param.String(default="", doc="The clip shown in the preview player ('' for none).")
    loading = param.Boolean(default=False, doc="A read is under way.")
    footage_pairs = param.List(default=[], doc="The profile's footage imported twice (near-duplicate sources): "
                               "{'a', 'b', 'shared_s'}.")
    first_steps = param.List(default=[], doc="The first-run checklist (FirstStep) while the profile has no "
                             "finished clip; empty once it has one.")
    footage_warnings = param.List(default=[], doc="The profile's source videos too small for an output format: "
                                                  "{'filename', 'warning'}, newest first.")

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._profile_id: str | None = None
        self._finished_seen = -1  # the runner's finished_count for the profile when the page was last read

    # -- reading (safe in a worker thread: no params are set) -----------------------------

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def filters(self) -> ClipFilter:
        return ClipFilter(
            search=self.search, status=None if self.status == ANY else self.status, project_id=self.project_id or None,
            publishing=None if self.publishing == ANY else self.publishing,
            voiceover=_tristate(self.voiceover), subtitles=_tristate(self.subtitles),
        )

    def read(self) -> dict[str, Any]:
        profile = self.session.require_profile()
        self._finished_seen = self.session.runner.finished_count(profile.id)
        with profile.db.session():
            page = clip_catalog.browse_clips(profile, self.filters(), sort=self.sort, limit=self.page_size,
                                             offset=(self.page_number - 1) * self.page_size)
            return {"profile_id": profile.id, "page": page, "projects": clip_catalog.project_choices(profile, keep=self.project_id or None),
                    "all_clips": clip_catalog.clip_count(profile),
                    "footage_warnings": [{"filename": s.filename, "warning": s.upscale_warning}
                                         for s in warned_sources(profile)],
                    "footage_pairs": duplicate_pairs(profile),
                    "first_steps": _checklist(profile)}

    def read_posters(self, rows: list[dict]) -> dict[str, Path]:
        """Poster frames of these clips, made where missing (ffmpeg; seconds for a fresh page)."""
        profile = self.session.require_profile()
        found = {}
        for row in rows:
            try:
                poster = clip_catalog.poster_for(profile, row["id"], row["file"], row["duration"])
            except Exception:  # noqa: BLE001 - a damaged video shows no poster; the row is still listed
                poster = None
            if poster is not None:
                found[row["id"]] = poster
        return found

    def apply(self, data: dict[str, Any]) -> None:
        """Show what ``read`` returned (on the event loop)."""
        page: ClipPage = data["page"]
        known = {p["id"] for p in data["projects"]}
        updates: dict[str, Any] = {"rows": page.rows, "total": page.total, "projects": data["projects"],
                                   "all_clips": data["all_clips"], "footage_warnings": data.get("footage_warnings", []),
                                   "footage_pairs": data.get("footage_pairs", []),
                                   "first_steps": data.get("first_steps", []),
                                   "posters": {k: v for k, v in self.posters.items() if any(r["id"] == k for r in page.rows)}}
        if self.project_id and self.project_id not in known:
            updates["project_id"] = ""
        number = page.offset // self.page_size + 1
        if number != self.page_number:
            updates["page_number"] = number
        self.param.update(**updates)

    # -- loading -----------------------------------------------------------------------------

    def _follow_profile(self) -> None:
        """After a profile switch nothing of the other profile stays: filters, selection, preview, rows."""
        profile = self.session.profile
        current = profile.id if profile is not None else None
        if self._profile_id is not None and current != self._profile_id:
            defaults = {name: self.param[name].default for name in (*FILTER_PARAMETERS, "page_number")}
            self.param.update(**defaults, rows=[], total=0, all_clips=0, projects=[], posters={}, selected=[],
                              preview_id="", footage_warnings=[], footage_pairs=[], first_steps=[])
        self._profile_id = current

    def load(self, posters: bool = True) -> None:
        """Synchronous form for tests and notebooks."""
        self._follow_profile()
        self.apply(self.read())
        if posters:
            self.posters = self.read_posters(self.rows)

    async def refresh(self) -> None:
        self._follow_profile()
        self.loading = True
        try:
            data = await self.session.call(self.read)
            if data is FAILED or data["profile_id"] != self.session.profile_id:
                return
            self.apply(data)
        finally:
            self.loading = False
        missing = [r for r in self.rows if r["file"] is not None and r["id"] not in self.posters]
        if missing:
            posters = await self.session.call(self.read_posters, missing)
            if posters is not FAILED:
                # Only for clips still on the page (the user may have paged on meanwhile).
                self.posters = {**self.posters, **{k: v for k, v in posters.items() if self.row(k) is not None}}

    def jobs_ended_since_read(self) -> bool:
        """A job of this profile ended since the page was read (a render made in another tab, say)."""
        profile = self.session.profile
        return profile is not None and self.session.runner.finished_count(profile.id) != self._finished_seen

    def query_changed(self, events) -> bool:
        """Watcher of the filters and the page number: True when the page must be read again.

        A new filter or sort starts at the first page, unless the same change set the page
        too (a URL that names both).
        """
        names = {e.name for e in events}
        if names & set(FILTER_PARAMETERS) and "page_number" not in names and self.page_number != 1:
            self.page_number = 1  # this watcher runs again for the page number and asks for the read then
            return False
        return True

    # -- actions ------------------------------------------------------------------------------

    def row(self, clip_id: str) -> dict | None:
        return next((r for r in self.rows if r["id"] == clip_id), None)

    def rename(self, clip_id: str, name: str) -> dict:
        """Rename a clip of this profile; the row on the page follows."""
        clip = projects.update_clip(self.session.require_profile(), clip_id, name=name)
        self.rows = [{**r, "name": clip["name"]} if r["id"] == clip_id else r for r in self.rows]
        return clip

    def delete(self, clip_ids: list[str]) -> clip_catalog.DeleteReport:
        """Delete clips of this profile with their files (the page is reloaded by the caller)."""
        report = clip_catalog.delete_clips(self.session.require_profile(), clip_ids)
        gone = set(report.deleted)
        self.selected = [c for c in self.selected if c not in gone]
        if self.preview_id in gone:
            self.preview_id = ""
        self.session.publish_clips = [c for c in self.session.publish_clips if c not in gone]
        return report

    def select_page(self, ids_on_page: list[str]) -> None:
        """The selection on the shown page became ``ids_on_page``; selections on other pages stay."""
        page_ids = {r["id"] for r in self.rows}
        kept = [c for c in self.selected if c not in page_ids]
        self.selected = kept + [c for c in ids_on_page if c in page_ids]

    def publish_selected(self) -> list[str]:
        """Hand the selected clips to the Publish page and go there."""
        if not self.selected:
            raise ValidationError("Select the clips to publish first (tick them in the list).")
        self.session.publish_clips = list(self.selected)
        self.session.page = "publish"
        return self.session.publish_clips

    def reset_filters(self) -> None:
        self.param.update(**{name: self.param[name].default for name in FILTER_PARAMETERS}, page_number=1)


def _checklist(profile) -> list[FirstStep]:
    """The first-run steps until the profile has a finished clip; then nothing (and no more than one query)."""
    if has_finished_clip(profile):
        return []
    return first_steps(profile)
