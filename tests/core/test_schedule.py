"""The daily reminder rules, driven by a controlled clock: no sleeping, no wall clock.

`run_bot` plays the job loop of bot/telegram/jobs.py in memory: wake up at next_wakeup,
send what due_reminders returns (writing the mark first), plan the next wake-up.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.models import (
    CheckIn,
    Consent,
    ExerciseLog,
    Moments,
    Profile,
    Reflection,
    ReminderMark,
    Snooze,
)
from bot.core.schedule import (
    FOLLOW_UP_AFTER,
    GRACE,
    SNOOZE_FOR,
    Reminder,
    ScheduleState,
    due_reminders,
    in_quiet_hours,
    local_instant,
    local_today,
    next_wakeup,
    planned_reminders,
    snooze,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
MAY_4 = date(2026, 5, 4)  # an ordinary Monday; Brussels is at UTC+2 (CEST)
NO_QUIET_HOURS = {"quiet_start": time(0, 0), "quiet_end": time(0, 0)}


def utc_at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def make_profile(timezone: str = "Europe/Brussels", **changes: object) -> Profile:
    joined = utc_at(2026, 1, 5, 12)
    profile = Profile(
        user_id=7,
        chat_id=7,
        lang="en",
        country="BE",
        timezone=timezone,
        consent=Consent(given_at=joined),
        created_at=joined,
    )
    return replace(profile, **changes)


def checkin_on(day: date, at: datetime) -> CheckIn:
    return CheckIn(at=at, local_date=day, energy=3, stress=3, sleep=3)


def with_sent(state: ScheduleState, reminder: Reminder) -> ScheduleState:
    return replace(
        state, sent=state.sent | {(reminder.kind, reminder.local_date, reminder.attempt)}
    )


def with_done(state: ScheduleState, kind: str, day: date) -> ScheduleState:
    return replace(state, done=state.done | {(kind, day)})


def with_snooze(state: ScheduleState, record: Snooze) -> ScheduleState:
    return replace(state, snoozes=(*state.snoozes, record))


def run_bot(
    profile: Profile, state: ScheduleState, start: datetime, end: datetime
) -> tuple[list[tuple[datetime, Reminder]], ScheduleState]:
    """Every (send time, reminder) between start and end, and the state afterwards."""
    sent: list[tuple[datetime, Reminder]] = []
    now = start
    for _ in range(100):  # a loop that never settles is a bug, not a long day
        for reminder in due_reminders(profile, state, now):
            state = with_sent(state, reminder)
            sent.append((now, reminder))
        wakeup = next_wakeup(profile, state, now)
        if wakeup is None or wakeup > end:
            return sent, state
        assert wakeup > now
        now = wakeup
    raise AssertionError("the reminder loop did not settle")


def summary(sent: list[tuple[datetime, Reminder]]) -> list[tuple[str, int, datetime]]:
    return [(reminder.kind, reminder.attempt, at) for at, reminder in sent]


# --- a normal day ----------------------------------------------------------------------------


def test_normal_day_sends_each_moment_at_its_local_time_with_one_follow_up():
    sent, _ = run_bot(
        make_profile(), ScheduleState(), utc_at(2026, 5, 3, 22), utc_at(2026, 5, 4, 21, 59)
    )

    assert summary(sent) == [
        ("checkin", 0, utc_at(2026, 5, 4, 7)),  # 09:00 local
        ("checkin", 1, utc_at(2026, 5, 4, 9)),
        ("exercise", 0, utc_at(2026, 5, 4, 11)),  # 13:00 local
        ("exercise", 1, utc_at(2026, 5, 4, 13)),
        ("reflection", 0, utc_at(2026, 5, 4, 18)),  # 20:00 local; 22:00 is quiet
    ]
    assert all(reminder.local_date == MAY_4 for _, reminder in sent)


@pytest.mark.parametrize("step", ["country", "timezone"])
def test_nothing_is_sent_before_the_coachee_saw_their_moments(step):
    # Onboarding left open before the moments question: the bot has not said when it writes.
    profile = make_profile(onboarding=step)
    nine = utc_at(2026, 5, 4, 7)

    assert due_reminders(profile, ScheduleState(), nine) == []
    assert next_wakeup(profile, ScheduleState(), utc_at(2026, 5, 4, 6)) is None
    shown = replace(profile, onboarding="moments")
    assert [r.kind for r in due_reminders(shown, ScheduleState(), nine)] == ["checkin"]


def test_first_reminder_is_due_at_the_moment_and_not_a_minute_before():
    profile = make_profile()
    assert due_reminders(profile, ScheduleState(), utc_at(2026, 5, 4, 6, 59)) == []
    assert due_reminders(profile, ScheduleState(), utc_at(2026, 5, 4, 7)) == [
        Reminder("checkin", MAY_4, 0, utc_at(2026, 5, 4, 7))
    ]


def test_plan_covers_local_yesterday_to_the_day_after_tomorrow():
    plan = planned_reminders(make_profile(), ScheduleState(), utc_at(2026, 5, 4, 12))

    assert {r.local_date for r in plan} == {MAY_4 + timedelta(days=n) for n in (-1, 0, 1, 2)}
    assert [r.due_at for r in plan] == sorted(r.due_at for r in plan)
    assert {r.attempt for r in plan} == {0}  # nothing was sent, so no follow-ups yet


def test_local_today_is_the_coachees_calendar_day():
    late_evening_in_utc = utc_at(2026, 5, 4, 23)
    assert local_today(make_profile(), late_evening_in_utc) == date(2026, 5, 5)
    assert local_today(make_profile("America/New_York"), late_evening_in_utc) == MAY_4


def test_state_from_records():
    at = utc_at(2026, 5, 4, 8)
    state = ScheduleState.from_records(
        checkins=[checkin_on(MAY_4, at)],
        exercise_logs=[
            ExerciseLog("breathing", at, MAY_4, "skipped"),
            ExerciseLog("breathing", at, date(2026, 5, 5), "later"),
        ],
        reflections=[Reflection("prompt-1", at, date(2026, 5, 3), "fine")],
        marks=[ReminderMark("checkin", MAY_4, 0, at)],
        snoozes=[
            Snooze("exercise", MAY_4, at + timedelta(hours=1), at + timedelta(hours=2)),
            Snooze("exercise", MAY_4, at, at + timedelta(hours=1)),
        ],
    )

    assert state.done == {
        ("checkin", MAY_4),
        ("exercise", MAY_4),
        ("reflection", date(2026, 5, 3)),
    }
    assert state.sent == {("checkin", MAY_4, 0)}
    assert [s.at for s in state.snoozes] == [at, at + timedelta(hours=1)]  # oldest first


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        due_reminders(make_profile(), ScheduleState(), datetime(2026, 5, 4, 7))


# --- done ------------------------------------------------------------------------------------


def test_item_done_before_its_moment_gets_no_reminder_and_no_follow_up():
    state = ScheduleState.from_records([checkin_on(MAY_4, utc_at(2026, 5, 4, 5))], [], [], [], [])
    sent, _ = run_bot(make_profile(), state, utc_at(2026, 5, 3, 22), utc_at(2026, 5, 4, 21, 59))

    assert [r.kind for _, r in sent] == ["exercise", "exercise", "reflection"]


def test_item_done_after_its_first_reminder_gets_no_follow_up():
    profile = make_profile()
    first = Reminder("checkin", MAY_4, 0, utc_at(2026, 5, 4, 7))
    state = with_done(with_sent(ScheduleState(), first), "checkin", MAY_4)

    assert due_reminders(profile, state, utc_at(2026, 5, 4, 9)) == []
    assert next_wakeup(profile, state, utc_at(2026, 5, 4, 7, 10)) == utc_at(2026, 5, 4, 11)


def test_exercise_put_off_with_later_is_not_done_but_skipped_is():
    profile = make_profile()
    at = utc_at(2026, 5, 4, 8)

    def due_at_exercise_time(outcome: str) -> list[Reminder]:
        log = ExerciseLog("walk", at, MAY_4, outcome)
        state = ScheduleState.from_records([], [log], [], [], [])
        return due_reminders(profile, state, utc_at(2026, 5, 4, 11))

    assert [r.kind for r in due_at_exercise_time("later")] == ["exercise"]
    assert due_at_exercise_time("skipped") == []
    assert due_at_exercise_time("done") == []


# --- follow-up -------------------------------------------------------------------------------


def test_follow_up_only_after_a_first_reminder_that_was_sent():
    profile = make_profile()
    first = Reminder("checkin", MAY_4, 0, utc_at(2026, 5, 4, 7))
    follow_up_time = first.due_at + FOLLOW_UP_AFTER

    assert due_reminders(profile, ScheduleState(), follow_up_time) == []
    assert due_reminders(profile, with_sent(ScheduleState(), first), follow_up_time) == [
        Reminder("checkin", MAY_4, 1, follow_up_time)
    ]


def test_follow_up_never_spills_into_the_next_local_day():
    profile = make_profile(moments=Moments(reflection=time(23, 0)), **NO_QUIET_HOURS)
    first = Reminder("reflection", MAY_4, 0, utc_at(2026, 5, 4, 21))
    plan = planned_reminders(profile, with_sent(ScheduleState(), first), utc_at(2026, 5, 4, 21))

    assert first in plan
    assert not [r for r in plan if r.kind == "reflection" and r.attempt == 1]


# --- snooze ----------------------------------------------------------------------------------


def test_snooze_record_reminds_again_after_snooze_for():
    pressed = utc_at(2026, 5, 4, 7, 5)
    record = snooze(make_profile(), "checkin", MAY_4, pressed)

    assert (record.kind, record.local_date, record.at) == ("checkin", MAY_4, pressed)
    assert record.until == pressed + SNOOZE_FOR


def test_snoozed_item_is_due_at_until_as_attempt_two_and_gets_no_follow_up():
    profile = make_profile()
    first = Reminder("checkin", MAY_4, 0, utc_at(2026, 5, 4, 7))
    state = with_sent(ScheduleState(), first)
    state = with_snooze(state, snooze(profile, "checkin", MAY_4, utc_at(2026, 5, 4, 7, 5)))

    sent, _ = run_bot(profile, state, utc_at(2026, 5, 4, 7, 6), utc_at(2026, 5, 4, 10, 59))

    assert summary(sent) == [("checkin", 2, utc_at(2026, 5, 4, 7, 35))]


def test_each_further_snooze_is_the_next_attempt():
    profile = make_profile()
    state = ScheduleState()
    state = with_snooze(state, snooze(profile, "exercise", MAY_4, utc_at(2026, 5, 4, 11, 1)))
    state = with_sent(state, Reminder("exercise", MAY_4, 2, utc_at(2026, 5, 4, 11, 31)))
    state = with_snooze(state, snooze(profile, "exercise", MAY_4, utc_at(2026, 5, 4, 11, 32)))

    assert due_reminders(profile, state, utc_at(2026, 5, 4, 12, 2)) == [
        Reminder("exercise", MAY_4, 3, utc_at(2026, 5, 4, 12, 2))
    ]


def test_snoozed_item_done_in_the_meantime_is_not_reminded():
    profile = make_profile()
    state = with_snooze(ScheduleState(), snooze(profile, "checkin", MAY_4, utc_at(2026, 5, 4, 7)))
    state = with_done(state, "checkin", MAY_4)

    assert due_reminders(profile, state, utc_at(2026, 5, 4, 7, 30)) == []


def test_snooze_into_quiet_hours_is_dropped():
    profile = make_profile()
    # 21:45 local: half an hour later is 22:15, inside the default quiet hours 22:00-07:30.
    state = with_snooze(
        ScheduleState(), snooze(profile, "reflection", MAY_4, utc_at(2026, 5, 4, 19, 45))
    )

    assert due_reminders(profile, state, utc_at(2026, 5, 4, 20, 15)) == []
    assert next_wakeup(profile, state, utc_at(2026, 5, 4, 19, 45)) == utc_at(2026, 5, 5, 7)


# --- pause -----------------------------------------------------------------------------------


def test_nothing_is_due_while_paused_and_moments_after_the_pause_are():
    profile = make_profile(paused_until=utc_at(2026, 5, 4, 12))
    sent, _ = run_bot(profile, ScheduleState(), utc_at(2026, 5, 3, 22), utc_at(2026, 5, 4, 21, 59))

    assert summary(sent) == [("reflection", 0, utc_at(2026, 5, 4, 18))]


def test_reminder_due_before_the_pause_ended_stays_unsent_afterwards():
    profile = make_profile(paused_until=utc_at(2026, 5, 4, 7, 10))
    assert due_reminders(profile, ScheduleState(), utc_at(2026, 5, 4, 7, 15)) == []


def test_next_wakeup_after_a_long_pause_is_the_first_moment_after_it():
    profile = make_profile(paused_until=utc_at(2026, 5, 20, 12))
    assert next_wakeup(profile, ScheduleState(), utc_at(2026, 5, 4, 6)) == utc_at(2026, 5, 20, 18)


# --- quiet hours -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "wall", "quiet"),
    [
        (time(22, 0), time(7, 30), time(21, 59), False),
        (time(22, 0), time(7, 30), time(22, 0), True),
        (time(22, 0), time(7, 30), time(0, 0), True),
        (time(22, 0), time(7, 30), time(7, 29), True),
        (time(22, 0), time(7, 30), time(7, 30), False),
        (time(12, 0), time(14, 0), time(13, 0), True),
        (time(12, 0), time(14, 0), time(14, 0), False),
        (time(0, 0), time(0, 0), time(3, 0), False),  # equal ends: no quiet hours
    ],
)
def test_quiet_hours_are_half_open_and_may_wrap_midnight(start, end, wall, quiet):
    profile = make_profile(quiet_start=start, quiet_end=end)
    assert in_quiet_hours(profile, wall) is quiet


def test_moment_in_quiet_hours_moves_to_their_end_the_same_morning():
    profile = make_profile(moments=Moments(checkin=time(6, 0)))  # quiet until 07:30
    plan = planned_reminders(profile, ScheduleState(), utc_at(2026, 5, 4, 3))

    assert Reminder("checkin", MAY_4, 0, utc_at(2026, 5, 4, 5, 30)) in plan


def test_moment_just_after_midnight_in_wrapping_quiet_hours_moves_to_the_morning():
    profile = make_profile(moments=Moments(checkin=time(0, 15)))
    sent, _ = run_bot(profile, ScheduleState(), utc_at(2026, 5, 3, 21), utc_at(2026, 5, 4, 6))

    assert summary(sent) == [("checkin", 0, utc_at(2026, 5, 4, 5, 30))]  # 07:30 local
    assert sent[0][1].local_date == MAY_4


def test_moment_in_late_evening_quiet_hours_is_dropped():
    profile = make_profile(moments=Moments(reflection=time(23, 0)))
    plan = planned_reminders(profile, ScheduleState(), utc_at(2026, 5, 4, 12))

    assert not [r for r in plan if r.kind == "reflection"]


def test_moment_in_daytime_quiet_hours_moves_to_their_end():
    profile = make_profile(quiet_start=time(12, 0), quiet_end=time(14, 0))
    plan = planned_reminders(profile, ScheduleState(), utc_at(2026, 5, 4, 6))

    assert Reminder("exercise", MAY_4, 0, utc_at(2026, 5, 4, 12)) in plan  # 14:00 local


def test_follow_up_into_quiet_hours_is_dropped():
    profile = make_profile()
    first = Reminder("reflection", MAY_4, 0, utc_at(2026, 5, 4, 18))
    state = with_sent(ScheduleState(), first)

    assert due_reminders(profile, state, utc_at(2026, 5, 4, 20)) == []  # 22:00 local
    assert next_wakeup(profile, state, utc_at(2026, 5, 4, 18, 1)) == utc_at(2026, 5, 5, 7)


# --- daylight saving time in Brussels ---------------------------------------------------------

SPRING_FORWARD = date(2026, 3, 29)  # 02:00 CET jumps to 03:00 CEST
FALL_BACK = date(2026, 10, 25)  # 03:00 CEST falls back to 02:00 CET


def test_nine_oclock_stays_nine_oclock_local_across_spring_forward():
    profile = make_profile()
    plan = planned_reminders(profile, ScheduleState(), utc_at(2026, 3, 28, 12))
    checkins = {r.local_date: r.due_at for r in plan if r.kind == "checkin"}

    assert checkins[date(2026, 3, 28)] == utc_at(2026, 3, 28, 8)  # UTC+1
    assert checkins[SPRING_FORWARD] == utc_at(2026, 3, 29, 7)  # UTC+2


def test_skipped_local_time_fires_at_the_jump():
    assert local_instant(SPRING_FORWARD, time(2, 30), BRUSSELS) == utc_at(2026, 3, 29, 1)
    assert local_instant(SPRING_FORWARD, time(2, 0), BRUSSELS) == utc_at(2026, 3, 29, 1)
    assert local_instant(SPRING_FORWARD, time(3, 0), BRUSSELS) == utc_at(2026, 3, 29, 1)
    assert local_instant(SPRING_FORWARD, time(1, 59), BRUSSELS) == utc_at(2026, 3, 29, 0, 59)


def test_moment_in_the_spring_gap_is_sent_once_at_three_local():
    profile = make_profile(moments=Moments(checkin=time(2, 30)), **NO_QUIET_HOURS)
    sent, _ = run_bot(profile, ScheduleState(), utc_at(2026, 3, 28, 23), utc_at(2026, 3, 29, 2))

    assert summary(sent) == [("checkin", 0, utc_at(2026, 3, 29, 1))]
    assert sent[0][0].astimezone(BRUSSELS).time() == time(3, 0)


def test_ambiguous_autumn_time_fires_once_at_its_first_occurrence():
    assert local_instant(FALL_BACK, time(2, 30), BRUSSELS) == utc_at(2026, 10, 25, 0, 30)

    profile = make_profile(moments=Moments(checkin=time(2, 30)), **NO_QUIET_HOURS)
    sent, state = run_bot(
        profile, ScheduleState(), utc_at(2026, 10, 24, 22), utc_at(2026, 10, 25, 2, 29)
    )

    assert summary(sent) == [("checkin", 0, utc_at(2026, 10, 25, 0, 30))]  # 02:30 CEST
    # The second 02:30 (CET) is no new reminder: the next one is the follow-up at 03:30 CET.
    assert next_wakeup(profile, state, utc_at(2026, 10, 25, 0, 31)) == utc_at(2026, 10, 25, 2, 30)


def test_next_wakeup_across_the_spring_jump():
    profile = make_profile()
    reflection = Reminder("reflection", date(2026, 3, 28), 0, utc_at(2026, 3, 28, 19))
    state = with_sent(ScheduleState(), reflection)

    assert next_wakeup(profile, state, utc_at(2026, 3, 28, 19, 1)) == utc_at(2026, 3, 29, 7)


def test_next_wakeup_across_the_autumn_fall_back():
    profile = make_profile()
    reflection = Reminder("reflection", date(2026, 10, 24), 0, utc_at(2026, 10, 24, 18))
    state = with_sent(ScheduleState(), reflection)

    assert next_wakeup(profile, state, utc_at(2026, 10, 24, 18, 1)) == utc_at(2026, 10, 25, 8)


# --- timezone change -------------------------------------------------------------------------


def test_move_to_new_york_mid_day_does_not_resend_todays_checkin():
    brussels = make_profile()
    sent_in_brussels, state = run_bot(
        brussels, ScheduleState(), utc_at(2026, 5, 4, 6), utc_at(2026, 5, 4, 7, 30)
    )
    assert summary(sent_in_brussels) == [("checkin", 0, utc_at(2026, 5, 4, 7))]

    new_york = replace(brussels, timezone="America/New_York")  # 03:30 local, still May 4
    sent_in_new_york, _ = run_bot(
        new_york, state, utc_at(2026, 5, 4, 7, 30), utc_at(2026, 5, 5, 13, 30)
    )

    checkins = [(r.local_date, r.attempt, at) for at, r in sent_in_new_york if r.kind == "checkin"]
    assert checkins == [
        # May 4's first reminder went out in Brussels; only its one follow-up is left, and
        # like every moment it now follows New York time (09:00 EDT + 2 h).
        (MAY_4, 1, utc_at(2026, 5, 4, 15)),
        (date(2026, 5, 5), 0, utc_at(2026, 5, 5, 13)),
    ]
    assert ("exercise", 0, utc_at(2026, 5, 4, 17)) in summary(sent_in_new_york)  # 13:00 EDT


def test_move_to_new_york_after_local_midnight_does_not_resend_yesterdays_reflection():
    brussels = make_profile()
    state = with_sent(ScheduleState(), Reminder("reflection", MAY_4, 0, utc_at(2026, 5, 4, 18)))
    # 00:30 on May 5 in Brussels is 18:30 on May 4 in New York, before its 20:00.
    new_york = replace(brussels, timezone="America/New_York")
    now = utc_at(2026, 5, 4, 22, 30)

    assert local_today(new_york, now) == MAY_4
    sent, _ = run_bot(new_york, state, now, utc_at(2026, 5, 5, 12))
    assert not [r for _, r in sent if r.kind == "reflection"]


def test_move_to_tokyo_mid_day_does_not_resend_and_follows_tokyo_from_then_on():
    brussels = make_profile()
    state = with_sent(ScheduleState(), Reminder("checkin", MAY_4, 0, utc_at(2026, 5, 4, 7)))
    tokyo = replace(brussels, timezone="Asia/Tokyo")  # 16:30 local, still May 4

    sent, _ = run_bot(tokyo, state, utc_at(2026, 5, 4, 7, 30), utc_at(2026, 5, 5, 1))

    # Tokyo's 13:00 exercise had passed before the move; its 20:00 reflection had not.
    assert summary(sent) == [
        ("reflection", 0, utc_at(2026, 5, 4, 11)),
        ("checkin", 0, utc_at(2026, 5, 5, 0)),
    ]
    assert sent[-1][1].local_date == date(2026, 5, 5)


# --- restarts --------------------------------------------------------------------------------


def test_restart_inside_the_grace_window_sends_the_missed_reminder_once():
    profile = make_profile()
    restarted = utc_at(2026, 5, 4, 7, 20)  # 20 minutes after the 09:00 check-in

    due = due_reminders(profile, ScheduleState(), restarted)
    assert due == [Reminder("checkin", MAY_4, 0, utc_at(2026, 5, 4, 7))]

    state = with_sent(ScheduleState(), due[0])  # the mark is written before sending
    assert due_reminders(profile, state, restarted) == []
    assert due_reminders(profile, state, restarted + timedelta(minutes=5)) == []


def test_restart_outside_the_grace_window_drops_the_missed_reminder():
    profile = make_profile()
    missed = utc_at(2026, 5, 4, 7)

    assert due_reminders(profile, ScheduleState(), missed + GRACE) == []
    assert next_wakeup(profile, ScheduleState(), missed + GRACE) == utc_at(2026, 5, 4, 11)


def test_a_dropped_first_reminder_gets_no_follow_up():
    profile = make_profile()
    sent, _ = run_bot(profile, ScheduleState(), utc_at(2026, 5, 4, 8), utc_at(2026, 5, 4, 10, 59))
    assert sent == []


# --- next wake-up ----------------------------------------------------------------------------


def test_next_wakeup_after_the_last_moment_of_the_day_is_tomorrow_morning():
    profile = make_profile()
    state = with_sent(ScheduleState(), Reminder("reflection", MAY_4, 0, utc_at(2026, 5, 4, 18)))

    assert next_wakeup(profile, state, utc_at(2026, 5, 4, 19)) == utc_at(2026, 5, 5, 7)
    # Just past local midnight the plan has moved on a day; the answer must not change.
    assert next_wakeup(profile, state, utc_at(2026, 5, 4, 22, 1)) == utc_at(2026, 5, 5, 7)


def test_next_wakeup_is_the_follow_up_when_the_first_reminder_went_out():
    profile = make_profile()
    state = with_sent(ScheduleState(), Reminder("checkin", MAY_4, 0, utc_at(2026, 5, 4, 7)))

    assert next_wakeup(profile, state, utc_at(2026, 5, 4, 7, 1)) == utc_at(2026, 5, 4, 9)


def test_next_wakeup_is_strictly_later_than_now():
    profile = make_profile()
    assert next_wakeup(profile, ScheduleState(), utc_at(2026, 5, 4, 7)) == utc_at(2026, 5, 4, 11)


# --- switched-off moments ----------------------------------------------------------------------


def test_switched_off_moment_is_never_reminded_even_after_a_snooze():
    profile = make_profile(moments=Moments(exercise=None))
    state = with_snooze(ScheduleState(), snooze(profile, "exercise", MAY_4, utc_at(2026, 5, 4, 8)))

    sent, _ = run_bot(profile, state, utc_at(2026, 5, 3, 22), utc_at(2026, 5, 4, 21, 59))

    assert "exercise" not in {r.kind for _, r in sent}
    assert [r.kind for _, r in sent] == ["checkin", "checkin", "reflection"]


def test_all_moments_switched_off_means_no_wakeup():
    profile = make_profile(moments=Moments(checkin=None, exercise=None, reflection=None))

    assert planned_reminders(profile, ScheduleState(), utc_at(2026, 5, 4, 6)) == []
    assert next_wakeup(profile, ScheduleState(), utc_at(2026, 5, 4, 6)) is None
