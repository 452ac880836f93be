"""The weekly digest's overview picture: a PNG of what the coachees share, nobody else."""

from __future__ import annotations

import sys
from io import BytesIO

from PIL import Image

from bot.core.digest import OverviewPoint
from bot.reports.overview import (
    WIDTH_PX,
    OverviewLabels,
    draw_overview_chart,
    height_px,
    render_overview_chart,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LABELS = OverviewLabels("Energie per coachee", "Deze week", "Vorige week", "Energie (0-10)")


def test_a_png_of_the_right_size_comes_out():
    points = (OverviewPoint("Ann", 4.3, 6.0, 3), OverviewPoint("Bob", 7.0, None, 1))
    png = render_overview_chart(points, LABELS)
    assert png.startswith(PNG_SIGNATURE)
    assert Image.open(BytesIO(png)).size == (WIDTH_PX, height_px(2))


def test_each_coachee_in_the_points_has_a_row_and_no_one_else():
    points = (OverviewPoint("Ann", 4.3, 6.0, 3), OverviewPoint("Bob", 7.0, None, 1))
    (axes,) = draw_overview_chart(points, LABELS).axes
    top_down = sorted(axes.get_yticklabels(), key=lambda t: -t.get_position()[1])
    assert [t.get_text() for t in top_down] == ["Ann", "Bob"]
    widths = sorted(round(p.get_width(), 1) for p in axes.patches)
    assert widths == [0.0, 4.3, 6.0, 7.0]


def test_sixty_coachees_still_make_a_picture():
    points = tuple(OverviewPoint(f"Coachee {n}", n % 10, (n + 3) % 10, 4) for n in range(60))
    png = render_overview_chart(points, LABELS)
    assert Image.open(BytesIO(png)).size == (WIDTH_PX, height_px(60))


def test_the_module_does_not_load_matplotlib_by_itself():
    import subprocess

    script = "import sys, bot.reports.overview; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_name_with_an_emoji_is_drawn_without_it_and_without_a_box():
    import warnings

    points = (OverviewPoint("Anna 🌻", 4.3, 6.0, 3), OverviewPoint("Bob", 7.0, None, 1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = draw_overview_chart(points, LABELS)
        figure.savefig(BytesIO(), format="png")

    (axes,) = figure.axes
    top_down = sorted(axes.get_yticklabels(), key=lambda t: -t.get_position()[1])
    assert [t.get_text() for t in top_down] == ["Anna", "Bob"]
    assert not [w for w in caught if "missing from font" in str(w.message)]
