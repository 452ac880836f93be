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
from bot.core.models import CheckIn, ExerciseLog
from bot.reports.chart import (
    EXERCISE_DAY,
    HEIGHT_PX,
    WIDTH_PX,
    ChartLabels,
    draw_history_chart,
    render_history_chart,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TODAY = date(2026, 3, 30)
LABELS = ChartLabels(
    title="Jouw energie en spanning",
    energy="Energie",
    stress="Spanning",
    sleep="Slaap",
    exercise="Oefening gedaan",
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
        assert image.size == (WIDTH_PX, HEIGHT_PX) == (1000, 700)
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


# --- what the chart shows (read from the figure, not from pixels) ------------------------------


def day_checkin(ago: int, energy: int = 5, stress: int = 5, sleep: int = 3) -> CheckIn:
    day = TODAY - timedelta(days=ago)
    return CheckIn(
        at=datetime.combine(day, time(9), tzinfo=UTC),
        local_date=day,
        energy=energy,
        stress=stress,
        sleep=sleep,
    )


def done(ago: int) -> ExerciseLog:
    day = TODAY - timedelta(days=ago)
    return ExerciseLog("box-breathing", datetime.combine(day, time(13), tzinfo=UTC), day, "done")


def figure_of(checkins: list[CheckIn], logs: list[ExerciseLog], window: int = 14):
    return draw_history_chart(summarise(checkins, logs, TODAY, window), LABELS)


def main_axes(figure):
    (axes,) = [a for a in figure.axes if a.get_label() == "scores"]
    return axes


def sleep_axes(figure):
    (axes,) = [a for a in figure.axes if a.get_label() == "sleep"]
    return axes


def test_the_axis_fits_two_days_of_data_not_the_whole_window():
    figure = figure_of([day_checkin(2), day_checkin(0)], [], window=14)

    axes = main_axes(figure)
    assert axes.get_xlim() == (-0.5, 2.5)  # three days: the first check-in's day to today
    shown = [t.get_text() for t in sleep_axes(figure).get_xticklabels()]
    assert shown == ["28-03", "29-03", "30-03"]


def test_with_data_all_over_the_window_the_axis_is_the_whole_window():
    figure = figure_of([day_checkin(13), day_checkin(0)], [], window=14)
    assert main_axes(figure).get_xlim() == (-0.5, 13.5)


def test_the_score_axis_keeps_its_whole_scale():
    # 0-10 stays: a fitted scale would make one point's change look like a fall.
    figure = figure_of([day_checkin(0, energy=5, stress=6)], [])
    assert main_axes(figure).get_ylim() == (0, 10)


def test_exercise_days_are_marked():
    figure = figure_of([day_checkin(3), day_checkin(0)], [done(2), done(2), done(0)])

    marks = [p for p in main_axes(figure).patches if p.get_gid() == EXERCISE_DAY]
    # Days 3, 2, 1, 0 are shown at x 0..3; exercises on x 1 (twice: one mark) and x 3.
    assert sorted(round(p.get_x() + p.get_width() / 2, 6) for p in marks) == [1.0, 3.0]
    legend = [t.get_text() for t in main_axes(figure).get_legend().get_texts()]
    assert legend == ["Energie", "Spanning", "Oefening gedaan"]


def test_without_exercises_the_legend_has_no_exercise_entry():
    figure = figure_of([day_checkin(0)], [])

    assert not [p for p in main_axes(figure).patches if p.get_gid() == EXERCISE_DAY]
    legend = [t.get_text() for t in main_axes(figure).get_legend().get_texts()]
    assert legend == ["Energie", "Spanning"]


def test_sleep_is_shown_under_the_scores_on_its_own_scale():
    figure = figure_of([day_checkin(2, sleep=2), day_checkin(0, sleep=5)], [])

    axes = sleep_axes(figure)
    heights = [bar.get_height() for bar in axes.patches]
    assert heights == [2, 0, 5]  # no bar on the day without a check-in
    assert axes.get_ylabel() == "Slaap"
    assert axes.get_ylim() == (0, 5)
    assert axes.get_xlim() == main_axes(figure).get_xlim()


def test_the_empty_chart_says_so():
    figure = figure_of([], [])

    said = [t.get_text() for t in main_axes(figure).texts]
    assert said == [LABELS.no_data]
    assert main_axes(figure).get_xlim() == (-0.5, 13.5)


def test_the_bot_starts_without_loading_matplotlib():
    """matplotlib (with numpy and PIL) took a quarter of a second of every start; it is
    loaded by the first /history picture instead."""
    import subprocess

    script = "import sys, bot.runner; print(sorted({'matplotlib', 'numpy'} & set(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
