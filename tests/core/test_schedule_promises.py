"""What the coachee is told about reminders is what the plan sends: a "later" promise, and a
moment inside the quiet hours."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.core.models import Consent, Moments, Profile
from bot.core.schedule import (
    QuietClash,
    ScheduleState,
    comes_at,
    later,
    next_moment,
    planned_reminders,
    quiet_clash,
    quiet_clashes,
)

MAY_4 = date(2026, 5, 4)  # Brussels at UTC+2
NOW = datetime(2026, 5, 4, 7, 5, tzinfo=UTC)  # 09:05 local, just after the check-in reminder


def make_profile(**changes: object) -> Profile:
    joined = datetime(2026, 1, 5, 12, tzinfo=UTC)
    profile = Profile(7, 7, "nl", "BE", "Europe/Brussels", Consent(given_at=joined), joined)
    return replace(profile, **changes)


# --- later ---


def test_later_promises_a_reminder_that_the_plan_sends():
    outcome = later(make_profile(), ScheduleState(), "checkin", MAY_4, NOW)

    assert outcome.snooze is not None
    assert outcome.remind_at == NOW + timedelta(minutes=30)
    state = ScheduleState(snoozes=(outcome.snooze,))
    assert any(
        r.due_at == outcome.remind_at and r.attempt >= 2
        for r in planned_reminders(make_profile(), state, NOW)
    )


def test_later_with_the_moment_switched_off_promises_nothing():
    profile = make_profile(moments=Moments(checkin=None))

    outcome = later(profile, ScheduleState(), "checkin", MAY_4, NOW)

    assert outcome.snooze is None and outcome.remind_at is None and outcome.next_moment is None


def test_later_into_the_quiet_hours_names_the_next_moment():
    profile = make_profile(moments=Moments(reflection=time(21, 45)))
    at_21_45 = datetime(2026, 5, 4, 19, 45, tzinfo=UTC)

    outcome = later(profile, ScheduleState(), "reflection", MAY_4, at_21_45)

    assert outcome.snooze is None and outcome.remind_at is None
    assert outcome.next_moment == datetime(2026, 5, 5, 19, 45, tzinfo=UTC)


def test_later_while_paused_names_the_first_moment_after_the_pause():
    profile = make_profile(paused_until=NOW + timedelta(days=2))

    outcome = later(profile, ScheduleState(), "checkin", MAY_4, NOW)

    assert outcome.snooze is None
    assert outcome.next_moment == datetime(2026, 5, 7, 7, 0, tzinfo=UTC)


def test_the_next_moment_skips_a_day_that_is_done():
    state = ScheduleState(done=frozenset({("checkin", date(2026, 5, 5))}))

    assert next_moment(make_profile(), state, "checkin", NOW) == datetime(
        2026, 5, 6, 7, 0, tzinfo=UTC
    )


# --- quiet hours ---


def test_a_moment_outside_the_quiet_hours_comes_when_chosen():
    profile = make_profile()
    assert comes_at(profile, time(9, 0)) == time(9, 0)
    assert quiet_clashes(profile) == []


def test_an_evening_moment_at_the_start_of_the_quiet_hours_never_comes():
    profile = make_profile(moments=Moments(reflection=time(22, 0)))

    clash = quiet_clash(profile, "reflection")

    assert clash == QuietClash(
        "reflection", time(22, 0), None, time(21, 30), (time(22, 30), time(7, 30))
    )
    # Both ways out really leave the reflection free.
    moved = replace(profile, moments=Moments(reflection=clash.moment_instead))
    assert quiet_clash(moved, "reflection") is None
    start, end = clash.quiet_instead
    assert quiet_clash(replace(profile, quiet_start=start, quiet_end=end), "reflection") is None


def test_a_morning_moment_inside_the_quiet_hours_comes_when_they_end():
    profile = make_profile(
        moments=Moments(checkin=time(7, 30)), quiet_start=time(23, 0), quiet_end=time(8, 0)
    )

    clash = quiet_clash(profile, "checkin")

    assert clash is not None
    assert clash.comes_at == time(8, 0) == clash.moment_instead
    assert clash.quiet_instead == (time(23, 0), time(7, 30))
    start, end = clash.quiet_instead
    assert quiet_clash(replace(profile, quiet_start=start, quiet_end=end), "checkin") is None
    # The plan agrees: the reminder is due at 08:00 local.
    (first,) = [
        r
        for r in planned_reminders(profile, ScheduleState(), NOW)
        if r.kind == "checkin" and r.local_date == MAY_4
    ]
    assert first.due_at == datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize("kind", ["checkin", "exercise", "reflection"])
def test_a_switched_off_moment_has_no_clash(kind):
    off = Moments(**{kind: None})
    assert (
        quiet_clash(make_profile(moments=off, quiet_start=time(0, 0), quiet_end=time(23, 59)), kind)
        is None
    )
