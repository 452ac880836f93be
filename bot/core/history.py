"""What /history and /summary show and how a check-in is acknowledged: day means, averages,
trends, low days, the days the chart shows and the notes a coachee may add for their GP.

Pure functions of the coachee's check-ins and exercise logs and their local `today`; the
picture itself is drawn in bot.reports.chart. Averages and trends work on day means, so a
coachee who checks in three times on a bad day does not outweigh the other days. Low energy
is the exception: it is judged per check-in (`is_low_energy`), so a low moment is never
averaged away by a better one later that day.
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
# What "low" is, everywhere (the GP summary, the check-in's acknowledgement, the choice of
# exercises): an energy of 3 or less on the 0-10 scale at a check-in. A day with any low
# check-in is a low day.
LOW_ENERGY = 3
GP_SUMMARY_DAYS = 14
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
    checkins: int = 0
    low_energy: bool = False  # any check-in that day was low (is_low_energy)
    exercises_done: int = 0


@dataclass(frozen=True)
class DayNote:
    """A note the coachee typed after a check-in, on the local day of that check-in."""

    day: date
    text: str


@dataclass(frozen=True)
class GpSummary:
    history: HistorySummary
    notes: tuple[DayNote, ...]  # empty unless the coachee chose to add their notes


@dataclass(frozen=True)
class HistorySummary:
    first_day: date
    last_day: date
    days: int
    points: tuple[DayPoint, ...]  # one per calendar day in the window, oldest first
    checkins: int  # every check-in in the window
    checkin_days: int
    low_energy_days: int  # days with at least one low check-in
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
    exercises: dict[date, int] = defaultdict(int)
    for log in exercise_logs:
        if log.outcome == "done" and first_day <= log.local_date <= today:
            exercises[log.local_date] += 1
    points = tuple(
        _day_point(first_day + timedelta(days=i), by_day, exercises) for i in range(days)
    )
    with_data = [p for p in points if p.energy is not None]
    return HistorySummary(
        first_day=first_day,
        last_day=today,
        days=days,
        points=points,
        checkins=sum(p.checkins for p in points),
        checkin_days=len(with_data),
        low_energy_days=sum(1 for p in points if p.low_energy),
        average_energy=_mean_or_none(p.energy for p in with_data),
        average_stress=_mean_or_none(p.stress for p in with_data),
        average_sleep=_mean_or_none(p.sleep for p in with_data),
        energy_trend=_trend([(p.day, p.energy) for p in with_data], first_day, days),
        stress_trend=_trend([(p.day, p.stress) for p in with_data], first_day, days),
        exercises_done=sum(exercises.values()),
    )


def is_low_energy(checkin: CheckIn) -> bool:
    return checkin.energy <= LOW_ENERGY


def summary_for_gp(
    checkins: Iterable[CheckIn],
    exercise_logs: Iterable[ExerciseLog],
    today: date,
    with_notes: bool,
    days: int = GP_SUMMARY_DAYS,
) -> GpSummary:
    """The /summary to take to the GP; the notes only when the coachee chose to add them."""
    checkins = list(checkins)
    history = summarise(checkins, exercise_logs, today, days)
    notes = _notes(checkins, history.first_day, today) if with_notes else ()
    return GpSummary(history=history, notes=notes)


def has_notes(checkins: Iterable[CheckIn], today: date, days: int = GP_SUMMARY_DAYS) -> bool:
    """Whether the summary's window holds a note: only then is the coachee asked about them."""
    return bool(_notes(checkins, today - timedelta(days=days - 1), today))


def chart_points(summary: HistorySummary) -> tuple[DayPoint, ...]:
    """The days the chart shows: from the first day with a check-in or a done exercise to the
    window's last day, so two days of data are not lost in two weeks of empty space. The days
    since the last check-in stay (an honest gap); an empty window is shown whole."""
    for index, point in enumerate(summary.points):
        if point.checkins or point.exercises_done:
            return summary.points[index:]
    return summary.points


def low_energy_streak(checkins: Iterable[CheckIn], today: date) -> int:
    """How many days in a row, ending today or yesterday, had a low check-in.

    The streak ends today when there is a check-in today (a good check-in today ends it: 0),
    otherwise yesterday. A day without a check-in breaks the streak: we do not guess.
    """
    by_day = _by_day(c for c in checkins if c.local_date <= today)
    day = today if today in by_day else today - timedelta(days=1)
    streak = 0
    while day in by_day and any(is_low_energy(c) for c in by_day[day]):
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


def _notes(checkins: Iterable[CheckIn], first_day: date, last_day: date) -> tuple[DayNote, ...]:
    noted = sorted(
        (c for c in checkins if c.note and first_day <= c.local_date <= last_day),
        key=lambda c: c.at,
    )
    return tuple(DayNote(c.local_date, c.note) for c in noted if c.note)


def _day_point(
    day: date, by_day: dict[date, list[CheckIn]], exercises: dict[date, int]
) -> DayPoint:
    todays = by_day.get(day)
    if not todays:
        return DayPoint(
            day=day, energy=None, stress=None, sleep=None, exercises_done=exercises.get(day, 0)
        )
    return DayPoint(
        day=day,
        energy=fmean(c.energy for c in todays),
        stress=fmean(c.stress for c in todays),
        sleep=fmean(c.sleep for c in todays),
        checkins=len(todays),
        low_energy=any(is_low_energy(c) for c in todays),
        exercises_done=exercises.get(day, 0),
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
