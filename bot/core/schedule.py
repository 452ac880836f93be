"""The daily reminders: which check-in, exercise and reflection reminder is due, and when.

"What is due for this coachee now?" is a pure function of (profile, history, now): no
Telegram, no storage, no wall clock. Jobs are rebuilt from storage after every restart, so
this module is the only place that knows the rules: the first reminder at the coachee's
local moment (moved or dropped by quiet hours), one follow-up if it stays unanswered, a
reminder after each "later", nothing while paused, and never the same reminder twice.

All instants are aware UTC datetimes; local times come from `profile.timezone` via zoneinfo.
A reminder belongs to the coachee's local calendar day, so what was sent for a day stays
sent when the coachee changes timezone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.models import (
    MOMENT_KINDS,
    CheckIn,
    ExerciseLog,
    MomentKind,
    Profile,
    Reflection,
    ReminderMark,
    Snooze,
    utc,
)
from bot.core.profiles import is_inactive, moments_shown

# A reminder missed by less than this (a restart, a stalled loop) is still sent once; an
# older one is dropped: a "good morning, how are you?" at noon does more harm than good.
GRACE = timedelta(minutes=30)
FOLLOW_UP_AFTER = timedelta(hours=2)
SNOOZE_FOR = timedelta(minutes=30)
# A reminder whose send certainly failed (Telegram unreachable past every retry) is tried
# again this much later, as long as its grace window lasts.
RESEND_AFTER = timedelta(minutes=2)

FIRST_ATTEMPT = 0
FOLLOW_UP_ATTEMPT = 1
FIRST_SNOOZE_ATTEMPT = 2

# Outcomes that close the day's exercise; "later" is a promise, not an answer.
EXERCISE_DONE_OUTCOMES = frozenset({"done", "skipped"})

# Local days planned around an instant: yesterday (a late reminder or a snooze can cross
# midnight, and a timezone change can move "today" back) up to the day after tomorrow (so
# next_wakeup always sees a next day, even late in the evening).
PLANNED_DAY_OFFSETS = (-1, 0, 1, 2)


@dataclass(frozen=True)
class Reminder:
    """One reminder to send: attempt 0 first, 1 the follow-up, 2+ the n-th snooze."""

    kind: MomentKind
    local_date: date
    attempt: int
    due_at: datetime


@dataclass(frozen=True)
class ScheduleState:
    """What the history says about reminders: what is done, what was sent, what was snoozed."""

    done: frozenset[tuple[str, date]] = frozenset()
    sent: frozenset[tuple[str, date, int]] = frozenset()
    snoozes: tuple[Snooze, ...] = ()
    # Marks of sends that certainly did not arrive: not sent, and reused by the next try.
    failed: tuple[ReminderMark, ...] = ()

    @classmethod
    def from_records(
        cls,
        checkins: Iterable[CheckIn],
        exercise_logs: Iterable[ExerciseLog],
        reflections: Iterable[Reflection],
        marks: Iterable[ReminderMark],
        snoozes: Iterable[Snooze],
    ) -> ScheduleState:
        done = (
            {("checkin", c.local_date) for c in checkins}
            | {
                ("exercise", log.local_date)
                for log in exercise_logs
                if log.outcome in EXERCISE_DONE_OUTCOMES
            }
            | {("reflection", r.local_date) for r in reflections}
        )
        marks = list(marks)
        return cls(
            done=frozenset(done),
            sent=frozenset((m.kind, m.local_date, m.attempt) for m in marks if not m.failed),
            snoozes=tuple(sorted(snoozes, key=lambda s: s.at)),
            failed=tuple(m for m in marks if m.failed),
        )

    def is_done(self, kind: str, day: date) -> bool:
        return (kind, day) in self.done

    def was_sent(self, reminder: Reminder) -> bool:
        return (reminder.kind, reminder.local_date, reminder.attempt) in self.sent

    def failed_before(self, reminder: Reminder) -> ReminderMark | None:
        """The mark of an earlier try of this reminder that certainly did not arrive."""
        key = (reminder.kind, reminder.local_date, reminder.attempt)
        return next((m for m in self.failed if (m.kind, m.local_date, m.attempt) == key), None)

    def snoozes_of(self, kind: str, day: date) -> list[Snooze]:
        """The coachee's "later" presses for one item of one day, oldest first."""
        return [s for s in self.snoozes if s.kind == kind and s.local_date == day]


# --- local time --------------------------------------------------------------------------


def zone_of(profile: Profile) -> ZoneInfo:
    return ZoneInfo(profile.timezone)


def local_today(profile: Profile, now: datetime) -> date:
    return utc(now).astimezone(zone_of(profile)).date()


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time on a local day.

    A wall time skipped by a DST jump (02:30 in spring) fires at the jump itself, the first
    valid moment after it. An ambiguous one (02:30 in autumn) fires at its first occurrence:
    fold=0 is the earlier of the two.
    """
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz)
    if _exists(wall):
        return wall.astimezone(UTC)
    # For a skipped time, fold=1 reads it with the offset from after the jump (an instant
    # before the jump) and fold=0 with the offset from before it (an instant after).
    before_jump = wall.replace(fold=1).astimezone(UTC)
    after_jump = wall.replace(fold=0).astimezone(UTC)
    return _offset_change(before_jump, after_jump, tz)


def _exists(wall: datetime) -> bool:
    round_trip = wall.astimezone(UTC).astimezone(wall.tzinfo)
    return round_trip.replace(tzinfo=None) == wall.replace(tzinfo=None)


def _offset_change(before: datetime, after: datetime, tz: ZoneInfo) -> datetime:
    """The first whole second in (before, after] that already has the offset of `after`.

    zoneinfo does not expose its transitions; they fall on whole seconds, so a bisection
    over at most a few thousand seconds finds the jump exactly.
    """
    target_offset = after.astimezone(tz).utcoffset()
    low = int(before.timestamp())  # still the old offset
    high = -int(-after.timestamp() // 1)  # ceiling: already the new offset
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == target_offset:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


# --- quiet hours and pause -----------------------------------------------------------------


def in_quiet_hours(profile: Profile, wall: time) -> bool:
    """Whether a local wall time falls in [quiet_start, quiet_end), which may wrap midnight.

    Equal start and end mean the coachee has no quiet hours.
    """
    start, end = profile.quiet_start, profile.quiet_end
    if start == end:
        return False
    if start < end:
        return start <= wall < end
    return wall >= start or wall < end


def comes_at(profile: Profile, moment: time) -> time | None:
    """When a daily reminder chosen for `moment` really comes: the moment itself, the end of
    the quiet hours (a morning moment inside them), or None (an evening moment inside quiet
    hours that run past midnight: it never comes). The same rule as `_first_reminder`."""
    if not in_quiet_hours(profile, moment):
        return moment
    if profile.quiet_end <= moment:
        return None
    return profile.quiet_end


@dataclass(frozen=True)
class QuietClash:
    """A daily moment inside the quiet hours, and the two ways out offered to the coachee."""

    kind: MomentKind
    chosen: time
    comes_at: time | None  # None: never
    moment_instead: time  # the nearest moment outside the quiet hours
    quiet_instead: tuple[time, time]  # quiet hours that leave the chosen moment free


def _shift(at: time, minutes: int) -> time:
    total = (at.hour * 60 + at.minute + minutes) % (24 * 60)
    return time(total // 60, total % 60)


def quiet_clash(profile: Profile, kind: MomentKind) -> QuietClash | None:
    """Whether the coachee's moment for `kind` falls in their quiet hours, and what to offer."""
    moment = profile.moments.at(kind)
    if moment is None or not in_quiet_hours(profile, moment):
        return None
    comes = comes_at(profile, moment)
    if comes is None:
        # Late evening: half an hour before the quiet hours, or quiet hours from just after.
        return QuietClash(
            kind,
            moment,
            None,
            _shift(profile.quiet_start, -30),
            (_shift(moment, 30), profile.quiet_end),
        )
    # Early morning: at the end of the quiet hours, or quiet hours that end at the moment.
    return QuietClash(kind, moment, comes, comes, (profile.quiet_start, moment))


def quiet_clashes(profile: Profile) -> list[QuietClash]:
    return [c for kind in MOMENT_KINDS if (c := quiet_clash(profile, kind)) is not None]


def _quiet_at(profile: Profile, instant: datetime, tz: ZoneInfo) -> bool:
    return in_quiet_hours(profile, instant.astimezone(tz).time())


def is_paused_at(profile: Profile, instant: datetime) -> bool:
    return profile.paused_until is not None and utc(profile.paused_until) > instant


# --- the plan ------------------------------------------------------------------------------


def planned_reminders(profile: Profile, state: ScheduleState, around: datetime) -> list[Reminder]:
    """Every candidate reminder for the local days around `around`, earliest first.

    Quiet hours, follow-up and snooze rules are applied here; whether a reminder was sent,
    is done, is paused or is due now is judged by `due_reminders` and `next_wakeup`.
    """
    tz = zone_of(profile)
    today = local_today(profile, around)
    plan = [
        reminder
        for offset in PLANNED_DAY_OFFSETS
        for kind in MOMENT_KINDS
        for reminder in _reminders_of_day(profile, state, kind, today + timedelta(days=offset), tz)
    ]
    return sorted(plan, key=lambda r: (r.due_at, r.attempt, r.kind))


def _reminders_of_day(
    profile: Profile, state: ScheduleState, kind: MomentKind, day: date, tz: ZoneInfo
) -> list[Reminder]:
    moment = profile.moments.at(kind)
    if moment is None:  # switched off: no reminders, not even for earlier snoozes
        return []
    reminders = _snoozed_reminders(profile, state, kind, day, tz)
    first = _first_reminder(profile, kind, day, moment, tz)
    if first is not None:
        reminders.append(first)
        follow_up = _follow_up(profile, state, first, tz)
        if follow_up is not None:
            reminders.append(follow_up)
    return reminders


def _first_reminder(
    profile: Profile, kind: MomentKind, day: date, moment: time, tz: ZoneInfo
) -> Reminder | None:
    if in_quiet_hours(profile, moment):
        # Quiet hours that run past midnight end "earlier" than a late-evening moment:
        # moving it to the next morning would make it another day's reminder, so drop it.
        if profile.quiet_end <= moment:
            return None
        moment = profile.quiet_end
    return Reminder(kind, day, FIRST_ATTEMPT, local_instant(day, moment, tz))


def _follow_up(
    profile: Profile, state: ScheduleState, first: Reminder, tz: ZoneInfo
) -> Reminder | None:
    """One gentle nudge, only after a first reminder that was really sent."""
    if not state.was_sent(first):
        return None
    # A "later" press is an answer: the coachee engaged, their snooze will remind them.
    if state.snoozes_of(first.kind, first.local_date):
        return None
    due_at = first.due_at + FOLLOW_UP_AFTER
    if due_at.astimezone(tz).date() != first.local_date or _quiet_at(profile, due_at, tz):
        return None
    return Reminder(first.kind, first.local_date, FOLLOW_UP_ATTEMPT, due_at)


def _snoozed_reminders(
    profile: Profile, state: ScheduleState, kind: MomentKind, day: date, tz: ZoneInfo
) -> list[Reminder]:
    # Numbered over all snoozes of the day, dropped ones included, so that a reminder's
    # attempt number never changes once it may have been sent.
    reminders = [
        Reminder(kind, day, FIRST_SNOOZE_ATTEMPT + number, utc(snoozed.until))
        for number, snoozed in enumerate(state.snoozes_of(kind, day))
    ]
    return [r for r in reminders if not _quiet_at(profile, r.due_at, tz)]


# --- what to do now --------------------------------------------------------------------------


def could_fire(profile: Profile, state: ScheduleState, reminder: Reminder) -> bool:
    """Whether a planned reminder may still be sent, leaving aside when."""
    return (
        not state.was_sent(reminder)
        and not state.is_done(reminder.kind, reminder.local_date)
        and not is_paused_at(profile, reminder.due_at)
    )


def due_reminders(
    profile: Profile, state: ScheduleState, now: datetime, grace: timedelta = GRACE
) -> list[Reminder]:
    """The reminders to send now: due within the grace window and still worth sending."""
    now = utc(now)
    if is_inactive(profile) or not moments_shown(profile):
        return []
    return [
        reminder
        for reminder in planned_reminders(profile, state, now)
        if reminder.due_at <= now < reminder.due_at + grace and could_fire(profile, state, reminder)
    ]


def _coming(profile: Profile, state: ScheduleState, now: datetime) -> list[Reminder]:
    """Reminders planned after `now` that could still fire, past the end of a pause too."""
    around = [now]
    # A pause longer than the planned days would otherwise leave no job to end it.
    if profile.paused_until is not None and utc(profile.paused_until) > now:
        around.append(utc(profile.paused_until))
    return [
        reminder
        for instant in around
        for reminder in planned_reminders(profile, state, instant)
        if reminder.due_at > now and could_fire(profile, state, reminder)
    ]


def next_wakeup(profile: Profile, state: ScheduleState, now: datetime) -> datetime | None:
    """When a job should next look for due reminders, or None if nothing could fire.

    A reminder whose send failed is looked at again RESEND_AFTER later, while its grace
    window lasts. (One that simply passed while nothing ran is not: changing a moment to
    a minute ago sends nothing.)
    """
    now = utc(now)
    if is_inactive(profile) or not moments_shown(profile):
        return None  # onboarding planning the moments plans the jobs again
    upcoming = [r.due_at for r in _coming(profile, state, now)]
    resend_at = now + RESEND_AFTER
    if any(
        state.failed_before(r) and resend_at < r.due_at + GRACE
        for r in due_reminders(profile, state, now)
    ):
        upcoming.append(resend_at)
    return min(upcoming, default=None)


def sending_mark(reminder: Reminder, state: ScheduleState, now: datetime) -> ReminderMark:
    """The mark to write before sending `reminder`: written first, so a crash in between
    loses a reminder and never doubles one. A failed earlier try's mark is reused, so
    retries add nothing to the history."""
    earlier = state.failed_before(reminder)
    if earlier is not None:
        return replace(earlier, at=utc(now), failed=False)
    return ReminderMark(reminder.kind, reminder.local_date, reminder.attempt, utc(now))


def not_delivered(mark: ReminderMark) -> ReminderMark:
    """The send certainly did not arrive: the reminder is due again (see next_wakeup)."""
    return replace(mark, failed=True)


@dataclass(frozen=True)
class Later:
    """What a "later" press on a reminder leads to: the snooze to store and when it comes,
    or (no reminder would come from it) when the next reminder of that kind comes, if any."""

    snooze: Snooze | None
    remind_at: datetime | None
    next_moment: datetime | None = None


def later(
    profile: Profile, state: ScheduleState, kind: MomentKind, local_date: date, now: datetime
) -> Later:
    """Only promise a reminder the plan will really send: with the moment switched off, in
    quiet hours, while paused or with the item done, the snooze would never fire."""
    now = utc(now)
    snoozed = snooze(profile, kind, local_date, now)
    with_snooze = replace(state, snoozes=(*state.snoozes, snoozed))
    attempt = FIRST_SNOOZE_ATTEMPT + len(state.snoozes_of(kind, local_date))
    promised = [
        r
        for r in planned_reminders(profile, with_snooze, now)
        if (r.kind, r.local_date, r.attempt) == (kind, local_date, attempt)
        and could_fire(profile, with_snooze, r)
    ]
    if promised and not is_inactive(profile):
        return Later(snoozed, promised[0].due_at)
    return Later(None, None, next_moment(profile, state, kind, now))


def next_moment(
    profile: Profile, state: ScheduleState, kind: MomentKind, now: datetime
) -> datetime | None:
    """When the next daily reminder of `kind` comes (pause and quiet hours included)."""
    now = utc(now)
    if is_inactive(profile) or not moments_shown(profile):
        return None  # onboarding planning the moments plans the jobs again
    upcoming = [
        r.due_at
        for r in _coming(profile, state, now)
        if r.kind == kind and r.attempt == FIRST_ATTEMPT
    ]
    return min(upcoming, default=None)


def snooze(profile: Profile, kind: MomentKind, local_date: date, now: datetime) -> Snooze:
    """The Snooze to store when the coachee presses "later" on a reminder."""
    now = utc(now)
    return Snooze(kind=kind, local_date=local_date, at=now, until=now + SNOOZE_FOR)
