"""What /history shows and how a check-in is acknowledged: day means, averages and trends.

Pure functions of the coachee's check-ins and exercise logs and their local `today`; the
picture itself is drawn in bot.reports.chart. Every rule here works on day means, so a
coachee who checks in three times on a bad day does not outweigh the other days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean
from typing import Literal

from bot.core.models import CheckIn, ExerciseLog

Trend = Literal["up", "down", "steady", "unknown"]
Comparison = Literal["better", "worse", "similar", "unknown"]

DEFAULT_DAYS = 14
# Fewer check-in days than this and a slope is mostly noise: say nothing about a trend.
MIN_TREND_DAYS = 4
# A line that would move less than one point (of 10) over the whole window is steady.
STEADY_CHANGE = 1.0
LOW_ENERGY_THRESHOLD = 3
# "A better day is noticed": two points of energy is a difference the coachee can feel.
NOTICEABLE_DIFFERENCE = 2.0
COMPARE_DAYS = 7
# Day means are floats; keep 2.0 - 1e-15 from falling on the wrong side of a rule.
_EPSILON = 1e-9


@dataclass(frozen=True)
class DayPoint:
    """The mean of one calendar day's check-ins; None on a day without a check-in."""

    day: date
    energy: float | None
    stress: float | None
    sleep: float | None


@dataclass(frozen=True)
class HistorySummary:
    first_day: date
    last_day: date
    days: int
    points: tuple[DayPoint, ...]  # one per calendar day in the window, oldest first
    checkin_days: int
    average_energy: float | None  # mean of the day means, None without check-ins
    average_stress: float | None
    average_sleep: float | None
    energy_trend: Trend
    stress_trend: Trend
    exercises_done: int


def summarise(
    checkins: Iterable[CheckIn],
    exercise_logs: Iterable[ExerciseLog],
    today: date,
    days: int = DEFAULT_DAYS,
) -> HistorySummary:
    """The last `days` local days ending with `today` (inclusive), one point per day."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    first_day = today - timedelta(days=days - 1)
    by_day = _by_day(c for c in checkins if first_day <= c.local_date <= today)
    points = tuple(_day_point(first_day + timedelta(days=i), by_day) for i in range(days))
    with_data = [p for p in points if p.energy is not None]
    return HistorySummary(
        first_day=first_day,
        last_day=today,
        days=days,
        points=points,
        checkin_days=len(with_data),
        average_energy=_mean_or_none(p.energy for p in with_data),
        average_stress=_mean_or_none(p.stress for p in with_data),
        average_sleep=_mean_or_none(p.sleep for p in with_data),
        energy_trend=_trend([(p.day, p.energy) for p in with_data], first_day, days),
        stress_trend=_trend([(p.day, p.stress) for p in with_data], first_day, days),
        exercises_done=sum(
            1
            for log in exercise_logs
            if log.outcome == "done" and first_day <= log.local_date <= today
        ),
    )


def low_energy_days(summary: HistorySummary, threshold: int = LOW_ENERGY_THRESHOLD) -> int:
    """Days in the window whose mean energy was low: a line of the summary for the GP."""
    return sum(1 for p in summary.points if p.energy is not None and p.energy <= threshold)


def low_energy_streak(
    checkins: Iterable[CheckIn], today: date, threshold: int = LOW_ENERGY_THRESHOLD
) -> int:
    """How many days in a row, ending today or yesterday, had a day mean energy <= threshold.

    The streak ends today when there is a check-in today (a good check-in today ends it: 0),
    otherwise yesterday. A day without a check-in breaks the streak: we do not guess.
    """
    by_day = _by_day(c for c in checkins if c.local_date <= today)
    day = today if today in by_day else today - timedelta(days=1)
    streak = 0
    while day in by_day and fmean(c.energy for c in by_day[day]) <= threshold + _EPSILON:
        streak += 1
        day -= timedelta(days=1)
    return streak


def compare_to_recent(checkins: Iterable[CheckIn], today: date) -> Comparison:
    """Today's energy against the mean of the previous 7 days' day means.

    "better"/"worse" when they differ by 2 points or more; "unknown" without a check-in
    today or without any check-in in the 7 days before.
    """
    first_day = today - timedelta(days=COMPARE_DAYS)
    by_day = _by_day(c for c in checkins if first_day <= c.local_date <= today)
    todays = by_day.pop(today, None)
    if not todays or not by_day:
        return "unknown"
    recent = fmean(fmean(c.energy for c in day) for day in by_day.values())
    difference = fmean(c.energy for c in todays) - recent
    if difference >= NOTICEABLE_DIFFERENCE - _EPSILON:
        return "better"
    if difference <= -NOTICEABLE_DIFFERENCE + _EPSILON:
        return "worse"
    return "similar"


def _by_day(checkins: Iterable[CheckIn]) -> dict[date, list[CheckIn]]:
    by_day: dict[date, list[CheckIn]] = defaultdict(list)
    for checkin in checkins:
        by_day[checkin.local_date].append(checkin)
    return dict(by_day)


def _day_point(day: date, by_day: dict[date, list[CheckIn]]) -> DayPoint:
    todays = by_day.get(day)
    if not todays:
        return DayPoint(day=day, energy=None, stress=None, sleep=None)
    return DayPoint(
        day=day,
        energy=fmean(c.energy for c in todays),
        stress=fmean(c.stress for c in todays),
        sleep=fmean(c.sleep for c in todays),
    )


def _mean_or_none(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def _trend(series: list[tuple[date, float | None]], first_day: date, days: int) -> Trend:
    """Least-squares slope per day over the days with data, scaled to the whole window."""
    xy = [((day - first_day).days, value) for day, value in series if value is not None]
    if len(xy) < MIN_TREND_DAYS:
        return "unknown"
    mean_x = fmean(x for x, _ in xy)
    mean_y = fmean(y for _, y in xy)
    spread = sum((x - mean_x) ** 2 for x, _ in xy)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in xy) / spread
    change = slope * days
    if abs(change) < STEADY_CHANGE - _EPSILON:
        return "steady"
    return "up" if change > 0 else "down"
