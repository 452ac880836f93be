"""The numbers behind /history and the check-in acknowledgement."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.core import checkins as checkins_module
from bot.core.history import (
    LOW_ENERGY,
    DayNote,
    DayPoint,
    chart_points,
    compare_to_recent,
    has_notes,
    is_low_energy,
    low_energy_streak,
    summarise,
    summary_for_gp,
)
from bot.core.models import CheckIn, ExerciseLog

TODAY = date(2026, 3, 30)


def checkin(
    day: date,
    energy: int = 5,
    stress: int = 5,
    sleep: int = 3,
    hour: int = 9,
    note: str | None = None,
) -> CheckIn:
    return CheckIn(
        at=datetime.combine(day, time(hour), tzinfo=UTC),
        local_date=day,
        energy=energy,
        stress=stress,
        sleep=sleep,
        note=note,
    )


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def exercise(day: date, outcome: str = "done") -> ExerciseLog:
    return ExerciseLog(
        exercise_id="breathing",
        at=datetime.combine(day, time(13), tzinfo=UTC),
        local_date=day,
        outcome=outcome,  # type: ignore[arg-type]
    )


# --- the window ------------------------------------------------------------------------


def test_window_is_the_last_n_days_including_today_oldest_first():
    summary = summarise([], [], TODAY, days=14)

    assert summary.first_day == date(2026, 3, 17)
    assert summary.last_day == TODAY
    assert summary.days == 14
    assert [p.day for p in summary.points] == [
        date(2026, 3, 17) + timedelta(days=i) for i in range(14)
    ]


def test_window_edges_are_inclusive_and_outside_days_are_ignored():
    checkins = [
        checkin(days_ago(14), energy=1),  # the day before the window
        checkin(days_ago(13), energy=2),  # first day
        checkin(TODAY, energy=8),  # last day
        checkin(TODAY + timedelta(days=1), energy=10),  # a clock skew from the future
    ]

    summary = summarise(checkins, [], TODAY, days=14)

    assert summary.points[0].energy == 2
    assert summary.points[-1].energy == 8
    assert summary.checkin_days == 2
    assert summary.average_energy == 5


def test_window_crosses_a_month_boundary():
    summary = summarise([checkin(date(2026, 2, 28))], [], date(2026, 3, 2), days=3)

    assert [p.day for p in summary.points] == [
        date(2026, 2, 28),
        date(2026, 3, 1),
        date(2026, 3, 2),
    ]
    assert summary.checkin_days == 1


def test_days_without_a_checkin_are_points_without_values():
    summary = summarise([checkin(days_ago(2), 4, 6, 2)], [], TODAY, days=3)

    assert summary.points == (
        DayPoint(day=days_ago(2), energy=4, stress=6, sleep=2, checkins=1, low_energy=False),
        DayPoint(day=days_ago(1), energy=None, stress=None, sleep=None),
        DayPoint(day=TODAY, energy=None, stress=None, sleep=None),
    )
    assert summary.checkin_days == 1


def test_no_checkins_gives_no_averages_and_unknown_trends():
    summary = summarise([], [], TODAY)

    assert summary.checkin_days == 0
    assert summary.average_energy is None
    assert summary.average_stress is None
    assert summary.average_sleep is None
    assert summary.energy_trend == "unknown"
    assert summary.stress_trend == "unknown"
    assert summary.exercises_done == 0


def test_several_checkins_on_one_day_are_averaged():
    checkins = [
        checkin(TODAY, energy=2, stress=8, sleep=1, hour=7),
        checkin(TODAY, energy=5, stress=5, sleep=2, hour=12),
        checkin(TODAY, energy=8, stress=3, sleep=4, hour=18),
    ]

    point = summarise(checkins, [], TODAY).points[-1]

    assert point.energy == 5
    assert point.stress == pytest.approx(16 / 3)
    assert point.sleep == pytest.approx(7 / 3)


def test_averages_weigh_every_checkin_day_equally():
    # Three low check-ins on one day and one high one on another: 5.5, not 3.25.
    checkins = [checkin(days_ago(1), energy=1) for _ in range(3)] + [checkin(TODAY, energy=10)]

    summary = summarise(checkins, [], TODAY)

    assert summary.checkin_days == 2
    assert summary.average_energy == 5.5


def test_only_done_exercises_in_the_window_are_counted():
    logs = [
        exercise(TODAY),
        exercise(days_ago(13)),
        exercise(days_ago(14)),  # before the window
        exercise(days_ago(1), "skipped"),
        exercise(days_ago(2), "later"),
        exercise(days_ago(3)),
    ]

    assert summarise([], logs, TODAY, days=14).exercises_done == 3


def test_a_window_of_no_days_is_refused():
    with pytest.raises(ValueError):
        summarise([], [], TODAY, days=0)


# --- trends ------------------------------------------------------------------------------


def series(values: dict[int, int], field: str = "energy") -> list[CheckIn]:
    """Check-ins `days_ago -> value` for one field, the other fields at 5."""
    return [checkin(days_ago(ago), **{field: value}) for ago, value in values.items()]


def test_rising_energy_is_up_and_falling_stress_is_down():
    checkins = [
        checkin(days_ago(ago), energy=10 - ago // 2, stress=3 + ago // 2) for ago in range(14)
    ]

    summary = summarise(checkins, [], TODAY)

    assert summary.energy_trend == "up"
    assert summary.stress_trend == "down"


def test_falling_energy_is_down():
    assert summarise(series({9: 7, 6: 6, 3: 4, 0: 3}), [], TODAY).energy_trend == "down"


def test_flat_lines_are_steady():
    summary = summarise(series({9: 5, 6: 5, 3: 5, 0: 5}), [], TODAY)

    assert summary.energy_trend == "steady"
    assert summary.stress_trend == "steady"


def test_a_change_under_one_point_over_the_window_is_steady():
    # Points (0,5) (1,6) (12,5) (13,6): slope 1/145 a day, 0.1 of a point over 14 days.
    assert summarise(series({13: 5, 12: 6, 1: 5, 0: 6}), [], TODAY).energy_trend == "steady"
    # The same values in the other order: slope 12/145 a day, 1.16 points over 14 days.
    assert summarise(series({13: 5, 12: 5, 1: 6, 0: 6}), [], TODAY).energy_trend == "up"


def test_a_change_of_exactly_one_point_over_the_window_is_not_steady():
    # Day means 5, 5.25, 5.5, 5.75 over a 4-day window: slope 0.25, times 4 days is 1.
    checkins = [
        checkin(days_ago(3), energy=5),
        *(checkin(days_ago(2), energy=e) for e in (5, 5, 5, 6)),
        *(checkin(days_ago(1), energy=e) for e in (5, 6)),
        *(checkin(TODAY, energy=e) for e in (5, 6, 6, 6)),
    ]
    assert summarise(checkins, [], TODAY, days=4).energy_trend == "up"


def test_trend_needs_four_checkin_days():
    three_days = series({2: 1, 1: 5, 0: 9})
    assert summarise(three_days, [], TODAY).energy_trend == "unknown"
    assert summarise([*three_days, checkin(days_ago(3), energy=0)], [], TODAY).energy_trend == "up"


def test_several_checkins_on_one_day_count_as_one_trend_day():
    same_day = [checkin(TODAY, energy=e) for e in (1, 5, 9, 2)]
    assert summarise(same_day, [], TODAY).energy_trend == "unknown"


def test_trend_uses_only_the_days_with_data():
    # Low at the start, high at the end, nothing in between: still clearly up.
    assert summarise(series({13: 2, 12: 2, 1: 8, 0: 8}), [], TODAY).energy_trend == "up"


# --- low energy streak -------------------------------------------------------------------


def test_streak_counts_consecutive_low_days_ending_today():
    checkins = series({3: 7, 2: 3, 1: 2, 0: 1})
    assert low_energy_streak(checkins, TODAY) == 3


def test_streak_ends_yesterday_when_there_is_no_checkin_today_yet():
    checkins = series({2: 3, 1: 2})
    assert low_energy_streak(checkins, TODAY) == 2


def test_a_good_checkin_today_ends_the_streak():
    checkins = series({2: 3, 1: 2, 0: 6})
    assert low_energy_streak(checkins, TODAY) == 0


def test_a_day_without_a_checkin_breaks_the_streak():
    checkins = series({4: 1, 3: 1, 1: 2, 0: 2})
    assert low_energy_streak(checkins, TODAY) == 2


def test_no_checkin_today_or_yesterday_means_no_streak():
    assert low_energy_streak(series({3: 1, 2: 1}), TODAY) == 0
    assert low_energy_streak([], TODAY) == 0


def test_streak_threshold_is_inclusive():
    assert low_energy_streak(series({1: 3, 0: 3}), TODAY) == 2
    assert low_energy_streak(series({1: 3, 0: 4}), TODAY) == 0


def test_a_day_with_any_low_checkin_is_a_low_day_in_the_streak():
    # A 1 and a 7 on the same day: 4 on average, but the 1 was a low moment.
    checkins = [*series({1: 2}), checkin(TODAY, energy=1), checkin(TODAY, energy=7)]
    assert low_energy_streak(checkins, TODAY) == 2


def test_streak_ignores_future_checkins():
    checkins = [*series({1: 2, 0: 2}), checkin(TODAY + timedelta(days=1), energy=2)]
    assert low_energy_streak(checkins, TODAY) == 2


# --- comparison with the recent week ----------------------------------------------------


def test_two_points_above_the_week_is_better():
    assert compare_to_recent(series({3: 4, 2: 5, 1: 6, 0: 7}), TODAY) == "better"


def test_two_points_below_the_week_is_worse():
    assert compare_to_recent(series({3: 4, 2: 5, 1: 6, 0: 3}), TODAY) == "worse"


def test_less_than_two_points_is_similar():
    assert compare_to_recent(series({2: 5, 1: 6, 0: 7}), TODAY) == "similar"  # +1.5
    assert compare_to_recent(series({2: 5, 1: 6, 0: 4}), TODAY) == "similar"  # -1.5


def test_only_the_previous_seven_days_count():
    # Eight days ago was very low; it must not make today look better.
    checkins = series({8: 0, 7: 5, 1: 5, 0: 6})
    assert compare_to_recent(checkins, TODAY) == "similar"
    assert compare_to_recent(series({8: 0, 0: 6}), TODAY) == "unknown"


def test_comparison_needs_a_checkin_today_and_one_in_the_week_before():
    assert compare_to_recent(series({2: 5, 1: 5}), TODAY) == "unknown"
    assert compare_to_recent(series({0: 9}), TODAY) == "unknown"
    assert compare_to_recent([], TODAY) == "unknown"


def test_comparison_uses_day_means():
    checkins = [
        checkin(days_ago(1), energy=2),
        checkin(days_ago(1), energy=2),
        checkin(days_ago(1), energy=2),
        checkin(days_ago(2), energy=8),  # week mean of day means: 5
        checkin(TODAY, energy=6),
        checkin(TODAY, energy=8),  # today: 7
    ]
    assert compare_to_recent(checkins, TODAY) == "better"


# --- what "low" is, in one place ------------------------------------------------------------


def test_a_checkin_with_energy_three_or_less_is_low():
    assert LOW_ENERGY == 3
    assert is_low_energy(checkin(TODAY, energy=3))
    assert is_low_energy(checkin(TODAY, energy=0))
    assert not is_low_energy(checkin(TODAY, energy=4))


def test_the_checkin_acknowledgement_uses_the_same_low():
    assert checkins_module.LOW_ENERGY is LOW_ENERGY


# --- low days and counts for the GP ----------------------------------------------------------


def test_a_day_with_any_low_checkin_is_a_low_day():
    # Energy 2 and 9 on one day: 5.5 on average, but a low moment the GP should hear of.
    checkins = [
        checkin(days_ago(2), energy=2),
        checkin(days_ago(1), energy=2, hour=8),
        checkin(days_ago(1), energy=9, hour=18),
        checkin(TODAY, energy=4),
    ]

    summary = summarise(checkins, [], TODAY)

    assert summary.low_energy_days == 2
    assert [p.low_energy for p in summary.points[-3:]] == [True, True, False]


def test_several_low_checkins_on_one_day_are_one_low_day():
    checkins = [checkin(TODAY, energy=1, hour=h) for h in (8, 12, 18)]
    assert summarise(checkins, [], TODAY).low_energy_days == 1


def test_low_days_outside_the_window_are_not_counted():
    checkins = [checkin(days_ago(14), energy=1), checkin(TODAY + timedelta(days=1), energy=1)]
    assert summarise(checkins, [], TODAY).low_energy_days == 0


def test_checkins_are_counted_one_by_one_and_per_day():
    checkins = [
        checkin(days_ago(1), hour=8),
        checkin(days_ago(1), hour=18),
        checkin(TODAY),
        checkin(days_ago(20)),  # outside the window
    ]

    summary = summarise(checkins, [], TODAY)

    assert summary.checkins == 3
    assert summary.checkin_days == 2
    assert [p.checkins for p in summary.points[-2:]] == [2, 1]


# --- notes for the GP: only when the coachee chooses -----------------------------------------


def test_the_summary_for_the_gp_has_no_notes_unless_asked():
    checkins = [checkin(days_ago(1), note="slecht geslapen"), checkin(TODAY)]

    without = summary_for_gp(checkins, [], TODAY, with_notes=False)
    with_notes = summary_for_gp(checkins, [], TODAY, with_notes=True)

    assert without.notes == ()
    assert with_notes.notes == (DayNote(days_ago(1), "slecht geslapen"),)
    assert without.history == with_notes.history == summarise(checkins, [], TODAY, 14)


def test_notes_are_those_of_the_window_oldest_first():
    checkins = [
        checkin(TODAY, hour=18, note="avond"),
        checkin(TODAY, hour=8, note="ochtend"),
        checkin(days_ago(3), note="eerder"),
        checkin(days_ago(14), note="te oud"),
        checkin(days_ago(2)),  # no note
    ]

    notes = summary_for_gp(checkins, [], TODAY, with_notes=True).notes

    assert [n.text for n in notes] == ["eerder", "ochtend", "avond"]
    assert summary_for_gp(checkins, [], TODAY, with_notes=True).history.first_day == days_ago(13)


def test_the_choice_is_offered_only_when_the_window_has_notes():
    assert has_notes([checkin(TODAY, note="moe")], TODAY)
    assert not has_notes([checkin(TODAY)], TODAY)
    assert not has_notes([checkin(days_ago(14), note="te oud")], TODAY)
    assert not has_notes([], TODAY)


# --- which days the chart shows ----------------------------------------------------------------


def test_the_chart_starts_at_the_first_day_with_data():
    checkins = [checkin(days_ago(2)), checkin(TODAY)]

    points = chart_points(summarise(checkins, [], TODAY, 14))

    assert [p.day for p in points] == [days_ago(2), days_ago(1), TODAY]


def test_a_done_exercise_before_the_first_checkin_is_shown_too():
    summary = summarise(
        [checkin(TODAY)], [exercise(days_ago(4)), exercise(days_ago(6), "skipped")], TODAY
    )

    points = chart_points(summary)

    assert points[0].day == days_ago(4)
    assert points[0].exercises_done == 1
    assert sum(p.exercises_done for p in points) == 1


def test_the_chart_runs_to_the_last_day_even_without_data_there():
    # The days since the last check-in are shown as they are: empty.
    points = chart_points(summarise([checkin(days_ago(3))], [], TODAY, 14))
    assert [p.day for p in points] == [days_ago(3), days_ago(2), days_ago(1), TODAY]


def test_the_chart_of_an_empty_window_shows_the_whole_window():
    summary = summarise([], [], TODAY, 14)
    assert chart_points(summary) == summary.points
