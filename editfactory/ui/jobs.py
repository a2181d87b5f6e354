"""The Jobs page: every job of this profile with what it makes (in words), status, progress, step and error; cancel
and retry."""

from __future__ import annotations

import pandas as pd
import panel as pn
import panel_material_ui as pmui

from editfactory.jobs import STATUSES
from editfactory.models.jobs import ACTIVE_STATUSES, RETRYABLE_STATUSES, elapsed_text
from editfactory.models.session import FAILED
from editfactory.ui.helpers import BUTTONS_UNSORTED
from editfactory.ui.page import PageView

# The actions come first, and only where they apply: at the end they were off-screen on a laptop (issue 21, point 2).
_COLUMNS = ["cancel", "retry", "what", "status", "progress", "step", "elapsed", "error", "created", "id"]
_CANCEL = '<span style="color:#c62828;cursor:pointer" title="Stop this job">✖ Cancel</span>'
_RETRY = '<span style="color:#1565c0;cursor:pointer" title="Run it again with the same inputs">↻ Retry</span>'
_TITLES = {"what": "What it makes", "status": "Status", "progress": "Progress", "step": "Step", "elapsed": "Time",
           "error": "Error", "created": "Created", "cancel": "", "retry": ""}

# The columns share the page's width and long text wraps: sized to their data, a long description or error pushed
# Status, Progress and the error off a laptop's page (issue 21 screenshots at 1366 px).
_WIDTHS = {"cancel": 90, "retry": 80, "status": 100, "progress": 100, "elapsed": 75, "created": 140}
_WRAPPED = {column: {"type": "textarea"} for column in ("what", "step", "error")}


class JobsPage(PageView):
    title = "Jobs"

    def __init__(self, **params) -> None:
        super().__init__(**params)
        self._status = pmui.Select.from_param(self.model.param.status, label="Status", options=["all", *STATUSES], width=180)
        self._table = pn.widgets.Tabulator(
            pd.DataFrame(columns=_COLUMNS), show_index=False, disabled=True, sizing_mode="stretch_width",
            pagination="local", page_size=20,  # as tall as its rows: a fixed height left 6 of 20 jobs in a scroll box
            formatters={"cancel": {"type": "html"}, "retry": {"type": "html"}, **_WRAPPED},
            hidden_columns=["id"], layout="fit_columns", widths=_WIDTHS,
            sortable={"cancel": False, "retry": False}, configuration=BUTTONS_UNSORTED, titles=_TITLES,
        )
        self._table.on_click(self._on_click)
        self.model.param.watch(lambda _: self._render(), "jobs")
        self.model.param.watch(lambda _: self.spawn(self.refresh), "status")
        self._count = pn.pane.Markdown("")
        self._render()

    def _render(self) -> None:
        rows = [
            {
                "cancel": _CANCEL if job.status in ACTIVE_STATUSES else "",
                "retry": _RETRY if job.status in RETRYABLE_STATUSES else "",
                "what": self.model.describe(job), "status": job.status, "progress": f"{int(job.progress)} %",
                "step": job.step, "elapsed": elapsed_text(job), "error": job.error or "",
                "created": self.session.local_time(job.created_at, "%Y-%m-%d %H:%M"), "id": job.id,
            }
            for job in self.model.jobs
        ]
        self._table.value = pd.DataFrame(rows, columns=_COLUMNS)
        active = sum(1 for j in self.model.jobs if j.status in ACTIVE_STATUSES)
        retryable = sum(1 for j in self.model.jobs if j.status in RETRYABLE_STATUSES)
        self._count.object = f"{len(rows)} job(s) shown · {active} running or queued · {retryable} can be retried"

    def _on_click(self, event) -> None:
        if event.column not in ("cancel", "retry") or not self._table.value.iloc[event.row][event.column]:
            return
        job_id = self._table.value.iloc[event.row]["id"]
        if event.column == "cancel":
            if self.session.attempt(self.model.cancel, job_id) is not FAILED:
                self.session.notify("Cancel requested; the job stops at its next step.", "info")
        else:
            if self.session.attempt(self.model.retry, job_id) is not FAILED:
                self.session.notify("The job was started again with the same inputs.", "info")
        self.spawn(self.refresh)

    async def refresh(self) -> None:
        await self.model.refresh()

    async def poll(self) -> None:
        await self.model.refresh()

    def __panel__(self):
        return pn.Column(
            pmui.Typography("Jobs", variant="h5"), pn.Row(self._status, self._count), self._table,
            sizing_mode="stretch_width",
        )
