"""The /history picture: energy and stress per day as a PNG, made to be read on a phone.

Drawn with matplotlib's object API (a `Figure` on its own Agg canvas), never pyplot: no
global figure registry to leak into, no backend switch, and no shared rcParams, so two
handlers can render at the same time. Every font size is passed explicitly for that reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from io import BytesIO

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.core.history import HistorySummary

WIDTH_PX = 1000
HEIGHT_PX = 600
DPI = 100
# More day labels than this do not fit side by side at a readable size; the rest of the
# days keep a small tick so the coachee can still count them.
MAX_DAY_LABELS = 8

# Okabe-Ito colours stay apart for the common kinds of colour blindness; the markers and
# line styles differ too, so a grey-scale print or a monochrome screen still tells them apart.
# Stress gets large hollow squares under small filled energy dots: on a day where both have
# the same value the coachee sees a dot inside a square instead of one hiding the other.
ENERGY_STYLE = {
    "color": "#0072B2",
    "marker": "o",
    "linestyle": "-",
    "markersize": 13,
    "markeredgecolor": "white",
    "markeredgewidth": 1.5,
    "zorder": 4,
}
STRESS_STYLE = {
    "color": "#D55E00",
    "marker": "s",
    "linestyle": (0, (4, 1.5)),
    "markersize": 15,
    "markerfacecolor": "white",
    "markeredgecolor": "#D55E00",
    "markeredgewidth": 3,
    "zorder": 3,
}
TEXT_COLOUR = "#1a1a1a"
GRID_COLOUR = "#d0d0d0"

# Telegram shows the picture about 400 px wide on a phone, so these shrink to ~40 %.
TITLE_SIZE = 27
LEGEND_SIZE = 23
TICK_SIZE = 21
NO_DATA_SIZE = 25


@dataclass(frozen=True)
class ChartLabels:
    """The words on the picture, filled in by the caller from translated content."""

    title: str
    energy: str
    stress: str
    no_data: str  # shown across the empty chart when the window has no check-in
    date_format: str = "%d-%m"  # strftime; numeric, so it does not depend on the locale


def render_history_chart(summary: HistorySummary, labels: ChartLabels) -> bytes:
    """A 1000x600 PNG of the summary's energy and stress lines, with gaps on missing days."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.set_facecolor("white")
    axes = figure.add_subplot()

    xs = list(range(len(summary.points)))
    if summary.checkin_days:
        # NaN, not a skipped x: matplotlib breaks the line at a NaN, so a line never bridges
        # a day without a check-in, and a lone day still shows as its marker.
        for values, label, style in (
            ([p.energy for p in summary.points], labels.energy, ENERGY_STYLE),
            ([p.stress for p in summary.points], labels.stress, STRESS_STYLE),
        ):
            ys = [math.nan if v is None else v for v in values]
            axes.plot(xs, ys, label=label, linewidth=3.5, clip_on=False, **style)
        # Above the plot rather than inside it, where it would hide a week of data.
        axes.legend(
            loc="lower center",
            bbox_to_anchor=(0.5, 1.02),
            ncols=2,
            frameon=False,
            fontsize=LEGEND_SIZE,
            handlelength=3,
            columnspacing=2.5,
            labelcolor=TEXT_COLOUR,
            borderaxespad=0,
        )
    else:
        axes.text(
            0.5,
            0.5,
            labels.no_data,
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=NO_DATA_SIZE,
            color=TEXT_COLOUR,
            wrap=True,
        )

    figure.suptitle(labels.title, fontsize=TITLE_SIZE, color=TEXT_COLOUR, fontweight="bold")
    _style_axes(axes, summary, labels.date_format)

    buffer = BytesIO()
    # No "Software" text chunk: it only adds bytes to every message.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _style_axes(axes: Axes, summary: HistorySummary, date_format: str) -> None:
    last = len(summary.points) - 1
    axes.set_xlim(-0.5, last + 0.5)
    axes.set_ylim(0, 10)
    axes.set_yticks(range(0, 11, 2))

    # Label every n-th day counting back from the last, so "today" always has its date.
    step = max(1, math.ceil(len(summary.points) / MAX_DAY_LABELS))
    labelled = list(range(last, -1, -step))[::-1]
    axes.set_xticks(labelled, [summary.points[i].day.strftime(date_format) for i in labelled])
    axes.set_xticks(range(len(summary.points)), minor=True)

    axes.tick_params(
        axis="both", which="major", labelsize=TICK_SIZE, colors=TEXT_COLOUR, length=7, width=1.5
    )
    axes.tick_params(axis="x", which="minor", length=4, width=1, colors=TEXT_COLOUR)
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=1)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(TEXT_COLOUR)
        axes.spines[side].set_linewidth(1.5)
