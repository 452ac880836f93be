"""Reminders when Telegram fails: a coachee who blocked the bot, a send that never arrived.

Pure rules on a controlled clock, as in test_schedule.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from bot.core.models import Consent, Moments, Profile, ReminderMark
from bot.core.profiles import blocked, is_inactive, returned
from bot.core.schedule import (
    GRACE,
    RESEND_AFTER,
    ScheduleState,
    due_reminders,
    next_wakeup,
    not_delivered,
    sending_mark,
)

# 09:00 in Brussels on an ordinary Monday (UTC+2): the check-in reminder is due.
NINE = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)


def make_profile(**changes: object) -> Profile:
    joined = datetime(2026, 1, 5, 12, tzinfo=UTC)
    profile = Profile(
        user_id=7,
        chat_id=7,
        lang="en",
        country="BE",
        timezone="Europe/Brussels",
        consent=Consent(given_at=joined),
        created_at=joined,
        moments=Moments(checkin=time(9, 0), exercise=None, reflection=None),
    )
    return replace(profile, **changes)


def state_of(*marks: ReminderMark) -> ScheduleState:
    return ScheduleState.from_records([], [], [], marks, [])


# --- a coachee who blocked the bot ----------------------------------------------------------


def test_blocking_is_stored_once_and_returning_clears_it():
    profile = make_profile()
    first = blocked(profile, NINE)
    assert is_inactive(first) and first.inactive_since == NINE
    # A second refusal changes nothing, so nothing needs writing.
    assert blocked(first, NINE + timedelta(hours=5)) is first
    assert not is_inactive(returned(first))


def test_an_inactive_coachee_gets_no_reminders_and_no_wakeup():
    profile = blocked(make_profile(), NINE - timedelta(days=1))
    assert due_reminders(profile, state_of(), NINE) == []
    assert next_wakeup(profile, state_of(), NINE) is None


def test_a_returning_coachee_gets_reminders_again():
    profile = returned(blocked(make_profile(), NINE - timedelta(days=1)))
    assert [r.kind for r in due_reminders(profile, state_of(), NINE)] == ["checkin"]


# --- a send that never arrived --------------------------------------------------------------


def test_a_failed_send_makes_the_reminder_due_again_and_reuses_its_mark():
    profile = make_profile()
    (reminder,) = due_reminders(profile, state_of(), NINE)
    mark = sending_mark(reminder, state_of(), NINE)
    assert due_reminders(profile, state_of(mark), NINE) == []

    failed = not_delivered(mark)
    later = NINE + RESEND_AFTER
    assert due_reminders(profile, state_of(failed), later) == [reminder]
    retry = sending_mark(reminder, state_of(failed), later)
    assert retry.id == mark.id and not retry.failed and retry.at == later


def test_a_failed_send_is_looked_at_again_after_a_while_within_its_grace():
    profile = make_profile()
    (reminder,) = due_reminders(profile, state_of(), NINE)
    failed = not_delivered(sending_mark(reminder, state_of(), NINE))
    assert next_wakeup(profile, state_of(failed), NINE) == NINE + RESEND_AFTER
    # Near the end of the grace window: no resend, the next wake-up is the follow-up's.
    late = NINE + GRACE - RESEND_AFTER
    wakeup = next_wakeup(profile, state_of(failed), late)
    assert wakeup is not None and wakeup > NINE + GRACE


def test_a_sent_reminder_is_not_looked_at_again():
    profile = make_profile()
    (reminder,) = due_reminders(profile, state_of(), NINE)
    sent = sending_mark(reminder, state_of(), NINE)
    wakeup = next_wakeup(profile, state_of(sent), NINE)
    assert wakeup is not None and wakeup > NINE + GRACE
