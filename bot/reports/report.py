"""/report's one-page PDF for a coach's file: a title, the coachee's shared numbers of the
last seven days as text, and (when check-ins are shared) energy and tension per day over four
weeks.

Its inputs come from bot.core.digest.coachee_report, made from what visible_to_coach let
through: the page can hold nothing else. One A4 page, always: text that would not fit is cut
with an ellipsis rather than run onto a second page. Drawn like bot.reports.chart (a `Figure`
on its own canvas, never pyplot; matplotlib's own PDF backend, no other dependency), and
matplotlib is imported by the first report, not with this module. A character the font
lacks (an emoji in a name) is left out (bot.reports.glyphs), never drawn as a box.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from bot.core.digest import ReportDay
from bot.reports.glyphs import drawable

A4 = (8.27, 11.69)  # inches, portrait
TEXT_COLOUR = "#1a1a1a"
GRID_COLOUR = "#d0d0d0"
ENERGY: dict[str, Any] = {"color": "#0072B2", "marker": "o", "linestyle": "-"}
STRESS: dict[str, Any] = {
    "color": "#D55E00",
    "marker": "s",
    "linestyle": "--",
    "markerfacecolor": "white",
}
TITLE_SIZE = 16
BODY_SIZE = 10
WRAP = 95  # characters per line at BODY_SIZE on A4
LINE_STEP = 0.0165  # of the page height, per text line
MAX_LINES_WITH_CHART = 30
MAX_LINES = 52


@dataclass(frozen=True)
class ReportLabels:
    """The words on the chart, filled in by the caller from translated content."""

    chart: str
    energy: str
    stress: str
    date_format: str = "%d-%m"


def _wrapped(lines: Sequence[str], room: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        out += textwrap.wrap(line, WRAP, subsequent_indent="  ") or [""]
    if len(out) > room:
        out = [*out[: room - 1], "…"]
    return out


def render_report_pdf(
    title: str,
    lines: Sequence[str],
    days: Sequence[ReportDay] | None,
    labels: ReportLabels,
) -> bytes:
    """One A4 page as PDF bytes."""
    from matplotlib.backends.backend_pdf import FigureCanvasPdf
    from matplotlib.figure import Figure

    figure = Figure(figsize=A4)
    FigureCanvasPdf(figure)
    figure.set_facecolor("white")
    title = drawable(title)
    figure.text(0.07, 0.955, title, fontsize=TITLE_SIZE, fontweight="bold", color=TEXT_COLOUR)
    room = MAX_LINES_WITH_CHART if days is not None else MAX_LINES
    body = _wrapped([drawable(line) for line in lines], room)
    for n, line in enumerate(body):
        figure.text(0.07, 0.92 - n * LINE_STEP, line, fontsize=BODY_SIZE, color=TEXT_COLOUR)
    if days is not None:
        axes = figure.add_axes((0.1, 0.07, 0.83, 0.3))
        xs = list(range(len(days)))
        for values, label, style in (
            ([d.energy for d in days], labels.energy, ENERGY),
            ([d.stress for d in days], labels.stress, STRESS),
        ):
            ys = [math.nan if v is None else v for v in values]
            axes.plot(xs, ys, label=label, linewidth=2, markersize=5, **style)
        axes.set_ylim(0, 10)
        axes.set_xlim(-0.5, len(days) - 0.5)
        step = 7
        ticks = list(range(len(days) - 1, -1, -step))[::-1]
        axes.set_xticks(ticks, [days[i].day.strftime(labels.date_format) for i in ticks])
        axes.set_title(labels.chart, fontsize=BODY_SIZE + 2, color=TEXT_COLOUR)
        axes.legend(frameon=False, fontsize=BODY_SIZE, loc="upper left", ncols=2)
        axes.grid(axis="y", color=GRID_COLOUR)
        axes.tick_params(labelsize=BODY_SIZE, colors=TEXT_COLOUR)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    buffer = BytesIO()
    figure.savefig(buffer, format="pdf", metadata={"Creator": None, "Producer": None})
    return buffer.getvalue()
