"""Word timings drawn on a timeline, one row per voice: where each word starts and ends in its audio.

Used by the voice lab notebook to compare voices (and a cloned voice with its original) at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence

from bokeh.models import ColumnDataSource, LabelSet
from bokeh.plotting import figure

from editfactory.tts.base import WordTiming

ROW_HEIGHT = 46


def timeline_data(rows: Sequence[tuple[str, Sequence[WordTiming]]]) -> dict[str, list]:
    """Columns of one bar per word: its row, start, end, middle and text (rows keep their order)."""
    data: dict[str, list] = {"row": [], "start": [], "end": [], "middle": [], "word": []}
    for label, words in rows:
        for word in words:
            data["row"].append(label)
            data["start"].append(word.start)
            data["end"].append(word.end)
            data["middle"].append((word.start + word.end) / 2)
            data["word"].append(word.word)
    return data


def word_timeline(rows: Sequence[tuple[str, Sequence[WordTiming]]], title: str = "Word timings",
                  width: int = 900) -> figure:
    """A Bokeh figure: one horizontal lane per (label, words), a bar per word with the word written on it."""
    labels = [label for label, _ in rows]
    source = ColumnDataSource(timeline_data(rows))
    plot = figure(y_range=list(reversed(labels)), height=60 + ROW_HEIGHT * max(len(labels), 1), width=width,
                  title=title, x_axis_label="seconds", toolbar_location=None, tools="")
    plot.hbar(y="row", left="start", right="end", height=0.6, source=source, fill_alpha=0.35, line_color="#555555")
    plot.add_layout(LabelSet(x="middle", y="row", text="word", source=source, text_align="center",
                             text_baseline="middle", text_font_size="9pt"))
    plot.ygrid.grid_line_color = None
    return plot
