"""The Library page: this profile's clips with poster frames, preview, search, filters, paging, rename, delete, publish."""

from __future__ import annotations

import html

import pandas as pd
import panel as pn
import panel_material_ui as pmui

from editfactory.models.library import ANY, FILTER_PARAMETERS, TRISTATE, URL_PARAMETERS
from editfactory.models.session import FAILED
from editfactory.services.projects import CLIP_SORTS, CLIP_STATUSES, PUBLISH_STATES
from editfactory.tts.base import price_label
from editfactory.ui.first_steps import FirstStepsView
from editfactory.ui.helpers import BUTTONS_UNSORTED, BusyBar, show_frame
from editfactory.ui.media_route import link_for
from editfactory.ui.page import PageView
from editfactory.ui.source_delete import SourceDeleter
from editfactory.ui.source_quality import WARNING_COLOR

# The actions come first: at the end they were scrolled off the right of the table on a laptop (issue 21, point 2).
# The table fits the page's width: fixed columns for the buttons and short values, the text columns share the rest and
# wrap (sized to their data, Cost, Created and Download were off a laptop's page; issue 21 screenshots at 1366 px).
_WIDTHS = {"poster": 70, "play": 70, "remove": 85, "name": 115, "project": 100, "status": 125, "duration": 80,
           "cost": 60, "created": 150, "download": 75}
_WRAPPED = ("name", "project", "voice", "music")
_COLUMNS = ["poster", "play", "remove", "name", "project", "status", "duration", "voice", "music", "cost", "created",
            "download", "id"]
_PLAY = '<span style="color:#1565c0;cursor:pointer" title="Preview">▶ Play</span>'
_DELETE = '<span style="color:#c62828;cursor:pointer" title="Delete">✖ Delete</span>'
_SORT_LABELS = {"newest": "Newest first", "oldest": "Oldest first", "name": "Name A–Z", "name_desc": "Name Z–A",
                "longest": "Longest first", "shortest": "Shortest first", "cost": "Most expensive first",
                "status": "By status"}
_STATUS_COLOURS = {"published": "#2e7d32", "posted": "#2e7d32", "scheduled": "#1565c0", "publishing": "#6a1b9a", "rendered": "#455a64",
                   "failed": "#c62828", "publish failed": "#c62828", "partly failed": "#ef6c00", "draft": "#757575",
                   "rendering": "#f9a825"}


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def cost_text(cost: float | None) -> str:
    return price_label(cost or 0.0)


class LibraryPage(PageView):
    title = "Library"

    def __init__(self, **params) -> None:
        super().__init__(**params)
        model = self.model  # built from the page registry (models/pages.py)
        self._search = pmui.TextInput.from_param(model.param.search, label="Search clips", placeholder="part of a clip name",
                                                 width=220)
        self._status = pmui.Select.from_param(model.param.status, label="Status", width=150,
                                              options={"Any status": ANY, **{s: s for s in CLIP_STATUSES}})
        self._project = pmui.Select(label="Project", options={"Every project": ""}, value="", width=220, searchable=True)
        self._project.param.watch(self._on_project, "value")
        self._publishing = pmui.Select.from_param(model.param.publishing, label="Publishing", width=160,
                                                  options={"Any": ANY, **{s: s for s in PUBLISH_STATES}})
        tristate = dict(zip(("Any", "With", "Without"), TRISTATE))
        self._voiceover = pmui.Select.from_param(model.param.voiceover, label="Voiceover", options=tristate, width=120)
        self._subtitles = pmui.Select.from_param(model.param.subtitles, label="Subtitles", options=tristate, width=120)
        self._sort = pmui.Select.from_param(model.param.sort, label="Sort", width=190,
                                            options={_SORT_LABELS.get(s, s): s for s in CLIP_SORTS})
        self._reset = pmui.Button(label="Clear filters", variant="text", icon="filter_alt_off",
                                  on_click=lambda _: model.reset_filters())
        self._summary = pmui.Typography("", variant="body2")

        self._selection_text = pmui.Typography("", variant="body2")
        self._publish_button = pmui.Button(label="Publish selected", icon="send", variant="contained", disabled=True,
                                           on_click=lambda _: self._publish_selected())
        self._delete_button = pmui.Button(label="Delete selected", icon="delete", variant="outlined", color="error",
                                          disabled=True, on_click=lambda _: self._ask_delete(list(self.model.selected)))
        self._clear_selection = pmui.Button(label="Clear selection", variant="text", disabled=True,
                                            on_click=lambda _: setattr(self.model, "selected", []))

        self._table = pn.widgets.Tabulator(
            pd.DataFrame(columns=_COLUMNS), show_index=False, selectable="checkbox", sortable=False,
            sizing_mode="stretch_width", min_height=300, layout="fit_columns", hidden_columns=["id"],
            formatters={c: {"type": "html"} for c in ("poster", "play", "remove", "status", "download")}
            | {c: {"type": "textarea"} for c in _WRAPPED},
            editors={c: None for c in _COLUMNS if c != "name"} | {"name": "input"},
            titles={"poster": "", "name": "Name", "project": "Project", "status": "Status",
                    "duration": "Length", "voice": "Voice", "music": "Music", "cost": "Cost", "created": "Created", "download": "",
                    "play": "", "remove": ""},
            widths=_WIDTHS,
            configuration={"rowHeight": 76, **BUTTONS_UNSORTED},
        )
        self._table.on_edit(self._on_edit)
        self._table.on_click(self._on_click)
        self._table.param.watch(self._on_table_selection, "selection")
        self._setting_selection = False

        # The pagination counts pages from 0; the model (and the URL) from 1.
        self._pagination = pmui.Pagination(count=1, value=0, show_first_button=True, show_last_button=True,
                                           visible=False)  # shown once there is a second page
        self._pagination.param.watch(self._on_pagination, "value")
        self._empty = pmui.Alert(object="", severity="info", visible=False)
        self._first_steps = FirstStepsView(session=self.session, visible=False)

        self._player = pn.pane.HTML("", sizing_mode="stretch_width")
        self._preview_title = pmui.Typography("", variant="subtitle1")
        self._preview_close = pmui.Button(label="Close preview", variant="text", size="small",
                                          on_click=lambda _: setattr(self.model, "preview_id", ""))
        self._preview = pmui.Paper(self._preview_title, self._player, self._preview_close, width=260, visible=False,
                                   margin=(0, 0, 0, 10))

        self._confirm_text = pn.pane.Markdown("")
        self._confirm_delete = pmui.Button(label="Delete", color="error", variant="contained", icon="delete",
                                           on_click=lambda _: self._delete_confirmed())
        self._confirm_dialog = pmui.Dialog(
            self._confirm_text, pn.Row(self._confirm_delete, pmui.Button(
                label="Cancel", variant="text", on_click=lambda _: setattr(self._confirm_dialog, "open", False))),
            title="Delete clips", open=False, show_close_button=True,
        )
        self._to_delete: list[str] = []
        self._footage_warnings = pn.pane.HTML("", visible=False, sizing_mode="stretch_width")
        self._source_deleter = SourceDeleter(session=self.session, on_deleted=lambda _id: self.spawn(self.refresh))
        self._copy_actions = pn.FlexBox(sizing_mode="stretch_width", visible=False)

        model.param.watch(self._on_query, [*FILTER_PARAMETERS, "page_number"])
        model.param.watch(lambda *_: self._render_rows(), ["rows", "posters"])
        model.param.watch(lambda *_: self._render_projects(), "projects")
        model.param.watch(lambda *_: self._render_selection(), "selected")
        model.param.watch(lambda *_: self._render_preview(), "preview_id")
        model.param.watch(lambda *_: self._render_footage_warnings(), ["footage_warnings", "footage_pairs"])
        self._busy = BusyBar()
        model.param.watch(lambda e: self._busy.show(e.new), "loading")
        model.param.watch(lambda *_: self._render_summary(), "loading")
        self._render_selection()
        if pn.state.location is not None:
            pn.state.location.sync(model, URL_PARAMETERS)

    # -- model -> widgets ------------------------------------------------------------------

    def _row_html(self, row: dict) -> dict:
        poster = self.model.posters.get(row["id"])
        poster_html = (f'<img src="{link_for(poster)}" alt="" style="height:64px;border-radius:4px">' if poster
                       else '<div style="width:36px;height:64px;background:#e0e0e0;border-radius:4px"></div>')
        status = row["display_status"]
        colour = _STATUS_COLOURS.get(status, "#455a64")
        download = ""
        if row["file"] is not None:
            name = html.escape(row["name"], quote=True) + ".mp4"
            download = f'<a href="{link_for(row["file"])}" download="{name}" title="Download the video">⬇ MP4</a>'
        return {
            "poster": poster_html, "name": row["name"], "project": row["project"],
            "status": f'<span style="color:{colour};font-weight:600">{html.escape(status)}</span>',
            "duration": duration_text(row["duration"]), "voice": row["voice"],
            "music": html.escape(row.get("music") or ""), "cost": cost_text(row["cost_usd"]),
            "created": self.session.local_time(row["created_at"]),
            "download": download, "play": _PLAY, "remove": _DELETE, "id": row["id"],
        }

    def _render_rows(self) -> None:
        model = self.model
        show_frame(self._table, pd.DataFrame([self._row_html(r) for r in model.rows], columns=_COLUMNS))
        self._sync_table_selection()
        # The pager only when there is a second page (one under the first-run checklist or a short list said nothing).
        self._pagination.param.update(count=model.pages, value=min(model.page_number, model.pages) - 1,
                                      visible=model.pages > 1)
        self._render_summary()
        self._render_preview()

    def _render_summary(self) -> None:
        model = self.model
        if model.loading and not model.rows and not model.all_clips:
            # Between a profile switch and its first read: no counts rather than the previous profile's.
            self._summary.object = "Loading the clips …"
            self._empty.visible = False
            return
        first = (model.page_number - 1) * model.page_size + 1 if model.total else 0
        last = first + len(model.rows) - 1 if model.rows else 0
        if not model.all_clips and not model.total:
            # Not "0–0 of 0 matching clip(s) · 0 clip(s) in 0 project(s)"; the checklist or the empty note says what to do.
            self._summary.object = "0 clips"
        elif not model.total:
            self._summary.object = f"No clip matches · {model.all_clips} clip(s) in {len(model.projects)} project(s)"
        else:
            self._summary.object = (f"{first}–{last} of {model.total} matching clip(s) · "
                                    f"{model.all_clips} clip(s) in {len(model.projects)} project(s)")
        # First run: the checklist says what to do (each step a link), not just "No clips yet".
        self._first_steps.param.update(steps=model.first_steps, visible=bool(model.first_steps))
        self._table.visible = bool(model.rows) or not model.first_steps  # no empty table under the checklist
        if not model.rows and not model.first_steps:
            message = ("No clips yet: make some on the Produce page." if not model.all_clips
                       else "No clip matches these filters; change them or clear them.")
            self._empty.param.update(object=message, visible=True)
        else:
            self._empty.visible = False

    def _render_projects(self) -> None:
        options = {"Every project": ""}
        for project in self.model.projects:
            options[f"{project['name']} ({project['clips']})"] = project["id"]
        self._project.param.update(options=options, value=self.model.project_id if self.model.project_id in
                                   options.values() else "")

    def _render_selection(self) -> None:
        count = len(self.model.selected)
        self._selection_text.object = f"{count} selected" if count else "Tick clips to publish or delete several at once; click a name to rename it."
        for button in (self._publish_button, self._delete_button, self._clear_selection):
            button.disabled = not count
        self._sync_table_selection()

    def _sync_table_selection(self) -> None:
        chosen = set(self.model.selected)
        indices = [i for i, r in enumerate(self.model.rows) if r["id"] in chosen]
        if indices != list(self._table.selection):
            self._setting_selection = True
            try:
                self._table.selection = indices
            finally:
                self._setting_selection = False

    def _render_preview(self) -> None:
        row = self.model.row(self.model.preview_id) if self.model.preview_id else None
        if row is None or row["file"] is None:
            self._preview.visible = False
            self._player.object = ""
            return
        poster = self.model.posters.get(row["id"])
        poster_attr = f' poster="{link_for(poster)}"' if poster else ""
        self._player.object = (f'<video src="{link_for(row["file"])}"{poster_attr} controls autoplay playsinline '
                               'style="width:100%;max-height:480px;background:#000;border-radius:6px"></video>')
        self._preview_title.object = row["name"]
        self._preview.visible = True

    # -- widgets -> model --------------------------------------------------------------------

    def _on_query(self, *events) -> None:
        if self.model.query_changed(events):
            self.spawn(self.refresh)

    def _on_project(self, event) -> None:
        if event.new != self.model.project_id:
            self.model.project_id = event.new or ""

    def _on_pagination(self, event) -> None:
        if event.new is not None and event.new + 1 != self.model.page_number:
            self.model.page_number = event.new + 1

    def _on_table_selection(self, event) -> None:
        if self._setting_selection:
            return
        rows = self.model.rows
        self.model.select_page([rows[i]["id"] for i in event.new if i < len(rows)])

    def _on_edit(self, event) -> None:
        if event.column != "name":
            return
        clip_id = self._table.value.iloc[event.row]["id"]
        row = self.model.row(clip_id)
        if self.session.attempt(self.model.rename, clip_id, event.value) is FAILED:
            self._render_rows()  # put the stored name back in the cell
        elif row is not None:
            self.session.notify(f"Renamed to {self.model.row(clip_id)['name']!r}.", "success")

    def _on_click(self, event) -> None:
        if event.column not in ("play", "remove"):
            return
        clip_id = self._table.value.iloc[event.row]["id"]
        if event.column == "play":
            row = self.model.row(clip_id)
            if row is not None and row["file"] is None:
                self.session.notify("This clip has no video file yet (it is not rendered, or its file was removed).",
                                    "warning")
                return
            self.model.preview_id = clip_id
        else:
            self._ask_delete([clip_id])

    def _ask_delete(self, clip_ids: list[str]) -> None:
        if not clip_ids:
            return
        self._to_delete = list(clip_ids)
        if len(clip_ids) == 1:
            row = self.model.row(clip_ids[0])
            what = f"the clip **{row['name']}**" if row else "this clip"
        else:
            what = f"**{len(clip_ids)} clips**"
        self._confirm_text.object = (f"Delete {what}? Its video file and poster are removed too; "
                                     "posts already on social media stay there.")
        self._confirm_dialog.open = True

    def _delete_confirmed(self) -> None:
        self._confirm_dialog.open = False
        report = self.session.attempt(self.model.delete, self._to_delete)
        self._to_delete = []
        if report is not FAILED:
            self.session.notify(f"Deleted {len(report.deleted)} clip(s) and {report.files_removed} file(s).", "success")
        self.spawn(self.refresh)

    def _publish_selected(self) -> None:
        self.session.attempt(self.model.publish_selected)

    # -- page ---------------------------------------------------------------------------------

    async def refresh(self) -> None:
        await self.model.refresh()

    async def poll(self) -> None:
        # Clips made or changed by a job that has ended since (in any tab of this server) appear by themselves.
        if not self.model.loading and self.model.jobs_ended_since_read():
            await self.model.refresh()

    def _render_footage_warnings(self) -> None:
        warned, pairs = self.model.footage_warnings, self.model.footage_pairs
        parts = []
        if warned:
            items = "".join(f"<li><b>{html.escape(w['filename'])}</b> — {html.escape(w['warning'])}</li>" for w in warned)
            parts.append(f"<b>⚠ Footage that will look soft or blurry in the clips ({len(warned)})</b>"
                         f"<ul style='margin:4px 0'>{items}</ul>")
        if pairs:
            items = "".join(f"<li><b>{html.escape(p['a'])}</b> and <b>{html.escape(p['b'])}</b> show the same footage "
                            f"({p['shared_s']:.1f} s)</li>" for p in pairs)
            parts.append(f"<b>Footage imported twice ({len(pairs)})</b> — a clip never shows both copies, it uses the "
                         f"better one; delete the worse copy to keep the library tidy.<ul style='margin:4px 0'>{items}</ul>")
        self._footage_warnings.param.update(
            object=(f"<div class='ef-footage-warnings' style='color:{WARNING_COLOR};font-size:13px'>{''.join(parts)}"
                    "</div>") if parts else "",
            visible=bool(parts))
        copies = {p[f"{side}_id"]: p[side] for p in pairs for side in ("a", "b")}
        self._copy_actions.param.update(  # one Delete per copy: the dialog says what uses it before anything goes
            objects=[self._source_deleter.button(source_id, f"Delete {name}", css_classes=["ef-delete-source"])
                     for source_id, name in copies.items()], visible=bool(copies))

    def __panel__(self):
        # A FlexBox wraps the filters onto a second line on a narrow window; a Row made the page as wide as all of
        # them together (Panel gives a stretching Row the sum of its children's widths as its min-width).
        filters = pn.FlexBox(self._search, self._status, self._project, self._publishing, self._voiceover,
                             self._subtitles, self._sort, self._reset, sizing_mode="stretch_width", align_items="center")
        actions = pn.Row(self._selection_text, self._publish_button, self._delete_button, self._clear_selection,
                         align="center")
        listing = pn.Column(self._busy, self._first_steps, self._empty, self._table, self._pagination,
                            sizing_mode="stretch_width")
        return pn.Column(
            pn.Row(pmui.Typography("Library", variant="h5"), pn.HSpacer(), self._summary, align="center",
                   sizing_mode="stretch_width"),
            filters, actions, pn.Row(listing, self._preview, sizing_mode="stretch_width"),
            self._footage_warnings, self._copy_actions, self._source_deleter, self._confirm_dialog,
            sizing_mode="stretch_width",
        )
