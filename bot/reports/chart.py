"""The /history picture: energy and stress per day, the days with a done exercise, and
sleep in a strip underneath, as a PNG made to be read on a phone.

The days shown are core's choice (bot.core.history.chart_points): from the first day with
data to the last day of the window, so a few days fill the width instead of a corner of it.
The score axis keeps its whole 0-10 scale: a fitted one would make a change of one point
look like a fall. Which way is better is said in words in the caption (bot.telegram.history).

Drawn with matplotlib's object API (a `Figure` on its own Agg canvas), never pyplot: no
global figure registry to leak into, no backend switch, and no shared rcParams, so two
handlers can render at the same time. Every font size is passed explicitly for that reason.
matplotlib is imported by the first picture, not with this module: it took a quarter of a
second of every start of the bot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from bot.core.history import DayPoint, HistorySummary, chart_points

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_PX = 1000
HEIGHT_PX = 700
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
# Okabe-Ito bluish green, light, behind the lines: a band is a shape, not only a colour.
EXERCISE_COLOUR = "#009E73"
EXERCISE_ALPHA = 0.18
EXERCISE_DAY = "exercise-day"  # the gid of each day's band, so tests can find them
SLEEP_COLOUR = "#CC79A7"  # Okabe-Ito reddish purple
TEXT_COLOUR = "#1a1a1a"
GRID_COLOUR = "#d0d0d0"

# Telegram shows the picture about 400 px wide on a phone, so these shrink to ~40 %.
TITLE_SIZE = 27
LEGEND_SIZE = 23
TICK_SIZE = 21
NO_DATA_SIZE = 25
# The sleep strip's height against the scores' plot.
SLEEP_SHARE = 0.28


@dataclass(frozen=True)
class ChartLabels:
    """The words on the picture, filled in by the caller from translated content."""

    title: str
    energy: str
    stress: str
    sleep: str
    exercise: str  # the legend's name for a day with a done exercise
    no_data: str  # shown across the empty chart when the window has no check-in
    date_format: str = "%d-%m"  # strftime; numeric, so it does not depend on the locale


def render_history_chart(summary: HistorySummary, labels: ChartLabels) -> bytes:
    """A 1000x700 PNG of the summary's chart (draw_history_chart)."""
    figure = draw_history_chart(summary, labels)
    buffer = BytesIO()
    # No "Software" text chunk: it only adds bytes to every message.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def draw_history_chart(summary: HistorySummary, labels: ChartLabels) -> Figure:
    """Energy and stress lines with gaps on missing days, exercise days as bands behind them,
    and sleep as bars in a strip underneath, over the days chart_points chooses."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.set_facecolor("white")
    scores, sleep = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": (1 - SLEEP_SHARE, SLEEP_SHARE)}
    )
    scores.set_label("scores")
    sleep.set_label("sleep")
    points = chart_points(summary)

    xs = list(range(len(points)))
    for x, point in zip(xs, points, strict=True):
        if point.exercises_done:
            scores.axvspan(
                x - 0.4,
                x + 0.4,
                color=EXERCISE_COLOUR,
                alpha=EXERCISE_ALPHA,
                linewidth=0,
                zorder=1,
                gid=EXERCISE_DAY,
                label=labels.exercise if not scores.patches else "_",
            )
    if summary.checkin_days:
        # NaN, not a skipped x: matplotlib breaks the line at a NaN, so a line never bridges
        # a day without a check-in, and a lone day still shows as its marker.
        for values, label, style in (
            ([p.energy for p in points], labels.energy, ENERGY_STYLE),
            ([p.stress for p in points], labels.stress, STRESS_STYLE),
        ):
            ys = [math.nan if v is None else v for v in values]
            scores.plot(xs, ys, label=label, linewidth=3.5, clip_on=False, **style)
        sleep.bar(xs, [p.sleep or 0 for p in points], width=0.6, color=SLEEP_COLOUR)
    else:
        scores.text(
            0.5,
            0.5,
            labels.no_data,
            transform=scores.transAxes,
            ha="center",
            va="center",
            fontsize=NO_DATA_SIZE,
            color=TEXT_COLOUR,
            wrap=True,
        )
    if summary.checkin_days or scores.patches:
        _legend(scores)

    figure.suptitle(labels.title, fontsize=TITLE_SIZE, color=TEXT_COLOUR, fontweight="bold")
    _style_axes(scores, sleep, points, labels)
    return figure


def _legend(axes: Axes) -> None:
    from matplotlib.lines import Line2D

    # Above the plot rather than inside it, where it would hide a week of data. The exercise
    # band comes last, after the two lines.
    handles, names = axes.get_legend_handles_labels()
    order = sorted(range(len(handles)), key=lambda i: not isinstance(handles[i], Line2D))
    axes.legend(
        [handles[i] for i in order],
        [names[i] for i in order],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.02),
        ncols=len(handles),
        frameon=False,
        fontsize=LEGEND_SIZE,
        handlelength=2.2,
        columnspacing=1.6,
        labelcolor=TEXT_COLOUR,
        borderaxespad=0,
    )


def _style_axes(
    scores: Axes, sleep: Axes, points: tuple[DayPoint, ...], labels: ChartLabels
) -> None:
    last = len(points) - 1
    scores.set_xlim(-0.5, last + 0.5)
    scores.set_ylim(0, 10)
    scores.set_yticks(range(0, 11, 2))
    sleep.set_ylim(0, 5)
    sleep.set_yticks([1, 3, 5])
    sleep.set_ylabel(labels.sleep, fontsize=TICK_SIZE, color=TEXT_COLOUR)

    # Label every n-th day counting back from the last, so "today" always has its date.
    step = max(1, math.ceil(len(points) / MAX_DAY_LABELS))
    labelled = list(range(last, -1, -step))[::-1]
    sleep.set_xticks(labelled, [points[i].day.strftime(labels.date_format) for i in labelled])
    sleep.set_xticks(range(len(points)), minor=True)
    scores.tick_params(axis="x", which="both", labelbottom=False)

    for axes in (scores, sleep):
        axes.tick_params(
            axis="both",
            which="major",
            labelsize=TICK_SIZE,
            colors=TEXT_COLOUR,
            length=7,
            width=1.5,
        )
        axes.tick_params(axis="x", which="minor", length=4, width=1, colors=TEXT_COLOUR)
        axes.grid(axis="y", color=GRID_COLOUR, linewidth=1)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            axes.spines[side].set_color(TEXT_COLOUR)
            axes.spines[side].set_linewidth(1.5)
