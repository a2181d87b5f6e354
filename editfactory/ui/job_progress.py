"""A progress card per job: what it is, a bar, the current step, elapsed time, Cancel — and the reason when it failed."""

from __future__ import annotations

import panel as pn
import panel_material_ui as pmui
import param
from panel.viewable import Viewer

from editfactory.jobs import Job
from editfactory.models.jobs import ACTIVE_STATUSES, RETRYABLE_STATUSES, JobWatch, elapsed_text
from editfactory.models.session import FAILED

_SEVERITY = {"succeeded": "success", "failed": "error", "interrupted": "warning", "cancelled": "info"}


def describe(job: Job, name: str | None = None) -> str:
    label = name or job.inputs.get("label") or job.kind.replace("_", " ").capitalize()
    return f"{label} — {job.status}"


class JobProgressList(Viewer):
    """Shows every job a ``JobWatch`` follows; rebuilt on the event loop when the watch's jobs change."""

    watch = param.ClassSelector(class_=JobWatch)
    empty_text = param.String(default="")
    name_of = param.Callable(default=None, doc="What to call a job on its card (default: its 'label' input or its kind).")

    def __init__(self, **params) -> None:
        super().__init__(**params)
        self._column = pn.Column(sizing_mode="stretch_width")
        self.watch.param.watch(lambda _: self._render(), "jobs")
        self._render()

    def _card(self, job: Job):
        running = job.status in ACTIVE_STATUSES
        bar = pmui.LinearProgress(value=int(job.progress), variant="determinate" if job.progress else "indeterminate",
                                  sizing_mode="stretch_width", visible=running or job.status == "succeeded")
        step = job.step or ("Waiting for a free worker" if job.status == "queued" else "")
        text = f"**{describe(job, self.name_of(job) if self.name_of else None)}** · {int(job.progress)} % · {elapsed_text(job)}" + (f" · {step}" if step else "")
        parts = [pn.pane.Markdown(text, margin=(0, 5)), bar]
        if job.error:
            parts.append(pmui.Alert(object=job.error, severity=_SEVERITY.get(job.status, "error")))
        buttons = []
        if running:
            buttons.append(pmui.Button(label="Cancel", variant="outlined", color="error", size="small",
                                       on_click=lambda _, j=job.id: self._act(self.watch.cancel, j, "Cancel requested.")))
        if job.status in RETRYABLE_STATUSES:
            buttons.append(pmui.Button(label="Retry", variant="outlined", size="small",
                                       on_click=lambda _, j=job.id: self._act(self.watch.retry, j, "Started again.")))
        if buttons:
            parts.append(pn.Row(*buttons))
        return pmui.Paper(*parts, margin=(4, 0), sizing_mode="stretch_width", elevation=1)

    def _act(self, action, job_id: str, message: str) -> None:
        if self.watch.session.attempt(action, job_id) is not FAILED:
            self.watch.session.notify(message, "info")
        self.watch.refresh_now(pick_up=False)

    def _render(self) -> None:
        jobs = self.watch.jobs
        if not jobs:
            self._column.objects = [pn.pane.Markdown(self.empty_text)] if self.empty_text else []
            return
        self._column.objects = [self._card(job) for job in jobs]

    def __panel__(self):
        return self._column
