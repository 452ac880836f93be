"""The /history picture: a phone-sized PNG for any amount of data."""

from __future__ import annotations

import sys
import threading
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO

import numpy as np
import pytest
from PIL import Image

from bot.core.history import summarise
from bot.core.models import CheckIn
from bot.reports.chart import HEIGHT_PX, WIDTH_PX, ChartLabels, render_history_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TODAY = date(2026, 3, 30)
LABELS = ChartLabels(
    title="Jouw energie en spanning",
    energy="Energie",
    stress="Spanning",
    no_data="Nog geen check-ins in deze periode",
)


def checkins(count: int, window: int, gaps: bool = True) -> list[CheckIn]:
    """`count` check-ins on the last days of the window, with or without a gap every 5th day."""
    days = [TODAY - timedelta(days=ago) for ago in range(window) if not gaps or ago % 5 != 3]
    days = days[:count]
    return [
        CheckIn(
            at=datetime.combine(day, time(9), tzinfo=UTC),
            local_date=day,
            energy=(i * 3) % 11,
            stress=10 - (i * 2) % 11,
            sleep=3,
        )
        for i, day in enumerate(days)
    ]


def render(count: int, window: int, gaps: bool = True) -> bytes:
    summary = summarise(checkins(count, window, gaps), [], TODAY, window)
    return render_history_chart(summary, LABELS)


@pytest.mark.parametrize(
    ("count", "window", "gaps"),
    [
        (0, 14, True),
        (1, 14, True),
        (11, 14, True),
        (14, 14, False),
        (0, 30, True),
        (1, 30, True),
        (14, 30, True),
        (24, 30, True),
        (30, 30, False),
    ],
)
def test_renders_a_phone_sized_png(count: int, window: int, gaps: bool):
    assert len(checkins(count, window, gaps)) == count
    png = render(count, window, gaps)

    assert png.startswith(PNG_SIGNATURE)
    with Image.open(BytesIO(png)) as image:
        image.verify()
    with Image.open(BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (WIDTH_PX, HEIGHT_PX) == (1000, 600)
    assert len(png) < 200_000  # a picture, not a download


def test_the_empty_chart_differs_from_a_chart_with_data():
    assert render(0, 14) != render(1, 14)


def test_rendering_does_not_use_pyplot():
    # pyplot keeps every figure alive in a global registry until it is closed; a bot that
    # renders on every /history must not grow with it.
    render(14, 14)
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or pyplot.get_fignums() == []


def test_renders_from_several_threads_at_once():
    results: list[bytes] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(render(14, 30))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(results) == 4
    assert all(png.startswith(PNG_SIGNATURE) for png in results)


def widest_run_of_energy_blue(png: bytes) -> int:
    """The most energy-coloured pixels in any one row of the picture."""
    with Image.open(BytesIO(png)) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    close = (np.abs(rgb - np.array([0, 114, 178])) < 40).all(axis=2)
    return int(close.sum(axis=1).max())


def test_no_line_is_drawn_through_a_day_without_a_checkin():
    def three_days(with_middle: bool) -> bytes:
        days = [TODAY - timedelta(days=ago) for ago in (2, 1, 0) if with_middle or ago != 1]
        summary = summarise(
            [
                CheckIn(
                    at=datetime.combine(day, time(9), tzinfo=UTC),
                    local_date=day,
                    energy=5,
                    stress=9,
                    sleep=3,
                )
                for day in days
            ],
            [],
            TODAY,
            days=3,
        )
        return render_history_chart(summary, LABELS)

    # A flat energy line at 5 fills one row with blue; with the middle day missing only the
    # two dots (and the legend's short sample line) are blue in any row.
    assert widest_run_of_energy_blue(three_days(with_middle=True)) > 400
    assert widest_run_of_energy_blue(three_days(with_middle=False)) < 200
