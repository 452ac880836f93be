"""The weekly digest's overview picture: per coachee who shares their check-ins, the energy
mean of this week beside the week before, as a PNG a coach reads on a phone.

Its input is bot.core.digest.overview_points, made from the digest alone: a coachee who shares
nothing, or not their check-ins, is not in it (the digest's text names them). The scale stays
0-10 (a fitted axis would make one point look like a fall). Drawn like bot.reports.chart: a
`Figure` on its own Agg canvas, never pyplot, and matplotlib is imported by the first picture,
not with this module. A character of a name the font lacks (an emoji) is left out
(bot.reports.glyphs), never drawn as a box.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from bot.core.digest import OverviewPoint
from bot.reports.glyphs import drawable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_PX = 1000
DPI = 100
ROW_PX = 56  # per coachee: two bars and the gap
FRAME_PX = 260  # title, legend and the scale underneath
MIN_HEIGHT_PX = 420
# Okabe-Ito: this week in blue, the week before in a hatched light grey (apart in grey-scale).
THIS_WEEK = "#0072B2"
LAST_WEEK = "#BBBBBB"
TEXT_COLOUR = "#1a1a1a"
GRID_COLOUR = "#d0d0d0"
TITLE_SIZE = 24
LABEL_SIZE = 18


@dataclass(frozen=True)
class OverviewLabels:
    """The words on the picture, filled in by the caller from translated content."""

    title: str
    this_week: str
    last_week: str
    energy: str  # the scale's name


def height_px(count: int) -> int:
    return max(MIN_HEIGHT_PX, FRAME_PX + ROW_PX * count)


def render_overview_chart(points: Sequence[OverviewPoint], labels: OverviewLabels) -> bytes:
    """A PNG of draw_overview_chart."""
    figure = draw_overview_chart(points, labels)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def draw_overview_chart(points: Sequence[OverviewPoint], labels: OverviewLabels) -> Figure:
    """Horizontal bars, one pair per coachee in the digest's order (top to bottom)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height = height_px(len(points))
    figure = Figure(figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.set_facecolor("white")
    axes = figure.subplots()
    ys = list(range(len(points)))[::-1]
    bar = 0.38
    axes.barh(
        [y + bar / 2 for y in ys],
        [p.last_week if p.last_week is not None else 0 for p in points],
        height=bar,
        color=LAST_WEEK,
        hatch="//",
        edgecolor="white",
        label=labels.last_week,
    )
    axes.barh(
        [y - bar / 2 for y in ys],
        [p.this_week for p in points],
        height=bar,
        color=THIS_WEEK,
        label=labels.this_week,
    )
    for y, point in zip(ys, points, strict=True):
        axes.text(
            point.this_week + 0.1,
            y - bar / 2,
            f"{point.this_week:.1f}",
            va="center",
            fontsize=LABEL_SIZE - 4,
            color=TEXT_COLOUR,
        )
    axes.set_yticks(ys, [drawable(p.name) for p in points])
    axes.set_xlim(0, 10.8)
    axes.set_xticks(range(0, 11, 2))
    if points:
        axes.set_ylim(-0.7, len(points) - 0.3)
    axes.set_xlabel(labels.energy, fontsize=LABEL_SIZE, color=TEXT_COLOUR)
    axes.tick_params(axis="both", labelsize=LABEL_SIZE, colors=TEXT_COLOUR)
    axes.grid(axis="x", color=GRID_COLOUR, linewidth=1)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, 1.01),
        ncols=2,
        frameon=False,
        fontsize=LABEL_SIZE,
        reverse=True,
    )
    figure.suptitle(labels.title, fontsize=TITLE_SIZE, color=TEXT_COLOUR, fontweight="bold")
    return figure
