"""The Dashboard page: videos made, rendered, published, cost by provider, quota bar, cost history, all profiles."""

from __future__ import annotations

import pandas as pd
import panel as pn
import panel_material_ui as pmui
from bokeh.models import ColumnDataSource, NumeralTickFormatter
from bokeh.plotting import figure

from editfactory.models.dashboard import quota_level
from editfactory.tts.naming import provider_words
from editfactory.ui.helpers import page_when_long
from editfactory.ui.page import PageView

_QUOTA_COLOURS = {"ok": "success", "amber": "warning", "red": "error", "none": "primary"}
_HISTORY_COLUMNS = ["date", "what", "for", "provider", "model", "units", "cost ($)", "status"]
HISTORY_PAGE = 10  # cost entries per page: the table is as tall as its rows, never a fixed empty band
_OVERVIEW_COLUMNS = ["profile", "projects", "clips", "rendered", "published", "cost this month", "quota", "state"]


def _stat(label: str, value: str) -> pmui.Paper:
    return pmui.Paper(
        pmui.Typography(value, variant="h4"), pmui.Typography(label, variant="body2"),
        margin=6, width=170, elevation=1,
    )


class DashboardPage(PageView):
    title = "Dashboard"

    def __init__(self, **params) -> None:
        super().__init__(**params)
        self._month = pmui.Select.from_param(self.model.param.month, label="Month", width=160)
        self.model.param.watch(lambda _: self.spawn(self.refresh), "month")
        self._stats = pn.Row()
        self._quota_text = pmui.Typography("", variant="body1")
        self._quota_bar = pmui.LinearProgress(value=0, variant="determinate", sizing_mode="stretch_width")
        self._source = ColumnDataSource(data={"provider": [], "cost": []})
        chart = figure(x_range=[], height=260, sizing_mode="stretch_width", toolbar_location=None,
                       title="Cost this month by provider")
        self._bars = chart.vbar(x="provider", top="cost", width=0.6, source=self._source, color="#1976d2")
        chart.yaxis.formatter = NumeralTickFormatter(format="$0.00")
        self._chart = chart
        self._chart_pane = pn.pane.Bokeh(chart, sizing_mode="stretch_width")
        self._history = pn.widgets.Tabulator(pd.DataFrame(columns=_HISTORY_COLUMNS), show_index=False, disabled=True,
                                             sizing_mode="stretch_width", layout="fit_data_stretch",
                                             pagination="local", page_size=HISTORY_PAGE)
        self._no_history = pmui.Typography("Nothing spent this month.", variant="body2", visible=False)
        self._overview = pn.widgets.Tabulator(pd.DataFrame(columns=_OVERVIEW_COLUMNS), show_index=False,
                                              disabled=True, sizing_mode="stretch_width", layout="fit_data_stretch")
        self.model.param.watch(lambda _: self._render_mine(), ["figures", "history"])
        self.model.param.watch(lambda _: self._render_overview(), "overview")

    def _render_mine(self) -> None:
        figures = self.model.figures
        if figures is None:
            return
        self._stats.objects = [
            _stat("projects", str(figures.projects)), _stat("videos made", str(figures.clips)),
            _stat("rendered", str(figures.rendered)), _stat("published", str(figures.published)),
            _stat("cost this month", f"${figures.cost_this_month:.2f}"),
        ]
        used = figures.quota_used
        level = quota_level(used)
        if used is None:
            self._quota_text.object = "No monthly quota set (Settings → Monthly quota)."
            self._quota_bar.param.update(value=0, color="primary")
        else:
            self._quota_text.object = (
                f"Quota: ${figures.cost_this_month:.2f} of ${figures.quota_usd:.2f} used ({used:.0%}); "
                f"${figures.quota_left:.2f} left this month."
            )
            self._quota_bar.param.update(value=min(100, int(round(used * 100))), color=_QUOTA_COLOURS[level])
        providers = sorted(figures.cost_by_provider)
        labels = [provider_words(p) for p in providers]
        self._chart.x_range.factors = labels
        self._source.data = {"provider": labels, "cost": [figures.cost_by_provider[p] for p in providers]}
        # A lone provider's bar would fill most of the chart's width: bars keep about the same size however many.
        self._bars.glyph.width = min(0.6, 0.15 * max(1, len(providers)))
        self._history.value = pd.DataFrame(
            [
                {
                    "date": self.session.local_time(entry["created_at"]), "what": entry["description"] or "",
                    "for": entry.get("job_words") or "", "provider": provider_words(entry["provider"]),
                    "model": entry["model"] or "", "units": f"{entry['units']:g} {entry['unit'] or ''}".strip(),
                    "cost ($)": round(entry["cost_usd"], 4), "status": entry["status"],
                }
                for entry in reversed(self.model.history)
            ],
            columns=_HISTORY_COLUMNS,
        )
        page_when_long(self._history, len(self.model.history))
        self._history.visible = bool(self.model.history)
        self._no_history.visible = not self.model.history

    def _render_overview(self) -> None:
        rows = []
        for f in self.model.overview:
            quota = "—" if f.quota_used is None else f"{f.quota_used:.0%} of ${f.quota_usd:.2f}"
            rows.append({
                "profile": f.profile_name + (" (this tab)" if f.profile_id == self.session.profile_id else ""),
                "projects": f.projects, "clips": f.clips, "rendered": f.rendered, "published": f.published,
                "cost this month": f"${f.cost_this_month:.2f}", "quota": quota, "state": f.error or "ok",
            })
        self._overview.value = pd.DataFrame(rows, columns=_OVERVIEW_COLUMNS)

    async def refresh(self) -> None:
        await self.model.refresh()

    def __panel__(self):
        return pn.Column(
            pn.Row(pmui.Typography("Dashboard", variant="h5"), pn.HSpacer(), self._month),
            self._stats, self._quota_text, self._quota_bar, self._chart_pane,
            pmui.Typography("Cost history", variant="h6"), self._history, self._no_history,
            pmui.Typography("All profiles", variant="h6"),
            pmui.Typography("Each profile is read from its own file; one that another program holds shows as busy.",
                            variant="body2"),
            self._overview, sizing_mode="stretch_width",
        )
