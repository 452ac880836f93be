"""How long one /history picture takes: the mean of 20 renders of a full 30-day chart.

Run with `python bench/bench_chart.py`; prints the mean (and fastest) render time and the
size of the PNG that would be sent.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from bot.core.history import summarise
from bot.core.models import CheckIn, ExerciseLog
from bot.reports.chart import ChartLabels, render_history_chart

RUNS = 20
DAYS = 30
TODAY = date(2026, 3, 30)
LABELS = ChartLabels(
    title="Your energy and stress",
    energy="Energy",
    stress="Stress",
    sleep="Sleep",
    exercise="Exercise done",
    no_data="No check-ins in this period yet",
)


def thirty_days() -> list[CheckIn]:
    """A check-in on most days, with a few gaps, like a real month."""
    checkins = []
    for ago in range(DAYS):
        if ago % 7 == 4:
            continue
        day = TODAY - timedelta(days=ago)
        checkins.append(
            CheckIn(
                at=datetime.combine(day, clock(9), tzinfo=UTC),
                local_date=day,
                energy=(ago * 3) % 11,
                stress=(ago * 7) % 11,
                sleep=1 + ago % 5,
            )
        )
    return checkins


def some_exercises() -> list[ExerciseLog]:
    """A done exercise every third day: each one a band on the chart."""
    return [
        ExerciseLog(
            "box-breathing",
            datetime.combine(TODAY - timedelta(days=ago), clock(13), tzinfo=UTC),
            TODAY - timedelta(days=ago),
            "done",
        )
        for ago in range(0, DAYS, 3)
    ]


def main() -> None:
    summary = summarise(thirty_days(), some_exercises(), TODAY, days=DAYS)
    png = render_history_chart(summary, LABELS)  # warm up: font cache, imports
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        png = render_history_chart(summary, LABELS)
        timings.append(time.perf_counter() - start)
    print(
        f"30-day chart, {RUNS} runs: mean {statistics.fmean(timings) * 1000:.1f} ms, "
        f"fastest {min(timings) * 1000:.1f} ms"
    )
    print(f"PNG size: {len(png):,} bytes ({len(png) / 1024:.1f} KiB)")


if __name__ == "__main__":
    main()
