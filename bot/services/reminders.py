"""The buttons under a reminder: start the item now, or "later" (a snooze).

"Later" promises only what will come (bot.core.schedule.later): a snooze is stored and
promised when the plan will really send it; with the moment off, in quiet hours, while
paused or with the item done, the coachee reads when the next reminder of that kind comes,
or that none will. Without consent nothing is stored, so nothing is promised either.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeGuard

from bot.core import dates, schedule
from bot.core.models import (
    MOMENT_KINDS,
    CheckIn,
    ExerciseLog,
    MomentKind,
    Reflection,
    ReminderMark,
    Snooze,
)
from bot.core.ports import CoacheeFile
from bot.services.outcome import Outcome, Reschedule, message, needs_consent, outcome, say


def is_known(kind: str) -> TypeGuard[MomentKind]:
    """A kind this version reminds of; any other button is an old one."""
    return kind in MOMENT_KINDS


def schedule_state(coachee: CoacheeFile) -> schedule.ScheduleState:
    return schedule.ScheduleState.from_records(
        coachee.records(CheckIn),
        coachee.records(ExerciseLog),
        coachee.records(Reflection),
        coachee.records(ReminderMark),
        coachee.records(Snooze),
    )


def later(coachee: CoacheeFile, kind: MomentKind, day: str, now: datetime) -> Outcome:
    """ "Later" on the reminder of `kind` for `day` ("today" or YYYYMMDD)."""
    profile = coachee.profile
    if profile is None:  # no consent (or erased): nothing is stored, so nothing will come
        return needs_consent()
    lang = profile.lang
    today = schedule.local_today(profile, now)
    # Snooze the day the reminder was for; a reminder from an earlier day is simply closed.
    if day not in ("today", today.strftime("%Y%m%d")):
        return outcome(message(say("input.stale_button")), lang=lang)
    planned = schedule.later(profile, schedule_state(coachee), kind, today, now)
    if planned.snooze is not None:
        coachee.add(planned.snooze)
        minutes = int(schedule.SNOOZE_FOR.total_seconds() // 60)
        return outcome(
            message(say("reminder.snoozed", minutes=minutes)), effects=(Reschedule(),), lang=lang
        )
    if planned.next_moment is not None:
        local = planned.next_moment.astimezone(schedule.zone_of(profile))
        when = dates.when_text(local.date(), lang, today)
        return outcome(
            message(say("reminder.later_next", day=when, time=f"{local:%H:%M}")), lang=lang
        )
    return outcome(message(say("reminder.later_none")), lang=lang)
