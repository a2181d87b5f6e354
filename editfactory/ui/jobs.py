"""The Jobs page: every job of this profile with what it makes (in words), status, progress, step and error; cancel
and retry."""

from __future__ import annotations

import pandas as pd
import panel as pn
import panel_material_ui as pmui

from editfactory.jobs import STATUSES
from editfactory.models.jobs import ACTIVE_STATUSES, RETRYABLE_STATUSES, elapsed_text
from editfactory.models.session import FAILED
from editfactory.ui.helpers import BUTTONS_UNSORTED, page_when_long
from editfactory.ui.page import PageView

# The action comes first, and only where it applies: at the end it was off-screen on a laptop (issue 21, point 2).
# One column: a job can be cancelled (queued or running) or retried (ended badly), never both.
_COLUMNS = ["action", "what", "status", "progress", "step", "elapsed", "error", "created", "id"]
_CANCEL = '<span style="color:#c62828;cursor:pointer" title="Stop this job">✖ Cancel</span>'
_RETRY = '<span style="color:#1565c0;cursor:pointer" title="Run it again with the same inputs">↻ Retry</span>'
_TITLES = {"what": "What it makes", "status": "Status", "progress": "Progress", "step": "Step", "elapsed": "Time",
           "error": "Error", "created": "Created", "action": ""}

# The columns share the page's width and long text wraps: sized to their data, a long description or error pushed
# Status, Progress and the error off a laptop's page (issue 21 screenshots at 1366 px).
# What the job makes and the error share what the others leave (the step's words are short): at an even share of
# three, the description wrapped to four or five lines on a laptop.
_WIDTHS = {"action": 90, "status": 100, "progress": 100, "step": 150, "elapsed": 75, "created": 145}
JOBS_PAGE = 20
_WRAPPED = {column: {"type": "textarea"} for column in ("what", "step", "error")}


class JobsPage(PageView):
    title = "Jobs"

    def __init__(self, **params) -> None:
        super().__init__(**params)
        self._status = pmui.Select.from_param(self.model.param.status, label="Status", options=["all", *STATUSES], width=180)
        self._table = pn.widgets.Tabulator(
            pd.DataFrame(columns=_COLUMNS), show_index=False, disabled=True, sizing_mode="stretch_width",
            pagination="local", page_size=JOBS_PAGE,  # as tall as its rows: a fixed height left 6 of 20 jobs in a scroll box
            formatters={"action": {"type": "html"}, **_WRAPPED},
            hidden_columns=["id"], layout="fit_columns", widths=_WIDTHS,
            sortable={"action": False}, configuration=BUTTONS_UNSORTED, titles=_TITLES,
        )
        self._table.on_click(self._on_click)
        self.model.param.watch(lambda _: self._render(), "jobs")
        self.model.param.watch(lambda _: self.spawn(self.refresh), "status")
        self._count = pn.pane.Markdown("")
        self._render()

    def _render(self) -> None:
        rows = [
            {
                "action": _CANCEL if job.status in ACTIVE_STATUSES else _RETRY if job.status in RETRYABLE_STATUSES else "",
                "what": self.model.describe(job), "status": job.status, "progress": f"{int(job.progress)} %",
                "step": job.step, "elapsed": elapsed_text(job), "error": job.error or "",
                "created": self.session.local_time(job.created_at, "%Y-%m-%d %H:%M"), "id": job.id,
            }
            for job in self.model.jobs
        ]
        self._table.value = pd.DataFrame(rows, columns=_COLUMNS)
        page_when_long(self._table, len(rows))
        active = sum(1 for j in self.model.jobs if j.status in ACTIVE_STATUSES)
        retryable = sum(1 for j in self.model.jobs if j.status in RETRYABLE_STATUSES)
        self._count.object = f"{len(rows)} job(s) shown · {active} running or queued · {retryable} can be retried"

    def _on_click(self, event) -> None:
        action = self._table.value.iloc[event.row]["action"] if event.column == "action" else ""
        if not action:
            return
        job_id = self._table.value.iloc[event.row]["id"]
        if action == _CANCEL:
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
