"""Coaches and their coachees: who is a coach, invitations, links, consent per item, the
read log, what a coach may see, needs-attention reasons, phases and homework.

Privacy is the point of this module. `visible_to_coach` is the one function that decides
what a coach may see of a coachee; everything a coach reads (the digest, /coachees, a
report, an alert) goes through it. Its rules:
- only an approved coach, only their own linked coachee, only the items that coachee shares
  right now (a withdrawal holds at once, also for what was shared before it);
- of a shared item only what was recorded since both the link and that item's consent;
- never the coachee's words except reflections they marked shared: check-in notes, the
  questionnaire answers and what triggered a safety alert (rule, category) never leave.

Plain functions over frozen dataclasses; the clock (`now`) and the store (`CoachStore`, a
port implemented in bot/storage/coaches.py) are passed in. Reasons for refusals are short
codes (`CoachingRefused.reason`) a service turns into a text id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from statistics import fmean
from typing import Literal, Protocol, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.escalation import alerts_coach
from bot.core.history import NOTICEABLE_DIFFERENCE
from bot.core.models import (
    CheckIn,
    Escalation,
    ExerciseLog,
    QuestionnaireResult,
    Reflection,
    utc,
)
from bot.core.ports import Repository

# The eight phases of the coaching plan (content/phases.yaml; a test keeps them in step).
PHASES: tuple[str, ...] = (
    "orientation",
    "analysis",
    "recovery",
    "coping",
    "competencies",
    "drives",
    "environment",
    "return",
)

CoachStatus = Literal["requested", "approved", "refused", "revoked", "stepped_down"]
ShareItem = Literal["checkins", "exercises", "questionnaires", "alerts", "reflections"]
SHARE_ITEMS: tuple[ShareItem, ...] = get_args(ShareItem)
Rhythm = Literal["daily", "weekly"]
RHYTHMS: tuple[Rhythm, ...] = get_args(Rhythm)
ReadPurpose = Literal["digest", "coachees", "report", "alert"]
AttentionReason = Literal["no_checkin", "energy_down", "homework_overdue", "safety_alert"]

# An invitation is valid this long (issue 11), and used once.
INVITE_DAYS = 7
# 16 random bytes: 22 characters, well inside Telegram's 64-character deep-link parameter.
INVITE_BYTES = 16
DEFAULT_QUIET_DAYS = 3
# Energy down: the mean of the last 7 days against the 14 days before, by at least this much
# (the difference a coachee can feel, bot.core.history), with enough days on both sides.
ENERGY_RECENT_DAYS = 7
ENERGY_BEFORE_DAYS = 14
ENERGY_MIN_DAYS_RECENT = 3
ENERGY_MIN_DAYS_BEFORE = 5
# Homework is overdue when this many of its last finished periods were all missed: one
# missed day of a daily exercise is life, two in a row is worth a word.
OVERDUE_PERIODS: dict[Rhythm, int] = {"daily": 2, "weekly": 1}
ALERT_DAYS = 7


class CoachingRefused(Exception):
    """Something a coaching rule does not allow; `reason` is a short stable code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- coaches --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coach:
    """A person who asked to coach; only `approved` coaches see or do anything."""

    user_id: int
    name: str
    status: CoachStatus
    requested_at: datetime
    decided_at: datetime | None = None
    decided_by: int | None = None
    lang: str = "nl"
    timezone: str = "Europe/Brussels"
    digest_weekday: int = 0  # Python's weekday(): 0 = Monday
    digest_time: time = time(8, 0)
    quiet_days: int = DEFAULT_QUIET_DAYS  # "no check-in for N days" needs attention


def is_coach(coach: Coach | None) -> bool:
    return coach is not None and coach.status == "approved"


MAX_QUIET_DAYS = 30


def set_quiet_days(coach: Coach, days: int) -> Coach:
    """After how many days without a check-in a coachee needs attention (the coach's N)."""
    if not 1 <= days <= MAX_QUIET_DAYS:
        raise ValueError(f"quiet days must be 1 to {MAX_QUIET_DAYS}, got {days}")
    return replace(coach, quiet_days=days)


def set_digest_moment(coach: Coach, weekday: int, at: time, timezone: str) -> Coach:
    """The coach's digest day (Python's weekday(): 0 = Monday), local time and zone."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday}")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {timezone!r}") from exc
    return replace(coach, digest_weekday=weekday, digest_time=at, timezone=timezone)


def request_coach(
    current: Coach | None,
    user_id: int,
    name: str,
    now: datetime,
    lang: str = "nl",
    timezone: str = "Europe/Brussels",
) -> Coach:
    """/coach: a request the admins decide on; asking again after a no or a stop is allowed."""
    if current is not None and current.status in ("requested", "approved"):
        raise CoachingRefused("already_" + current.status)
    if current is not None:
        return replace(
            current, status="requested", requested_at=utc(now), decided_at=None, decided_by=None
        )
    return Coach(user_id, name, "requested", utc(now), lang=lang, timezone=timezone)


def _decide(
    coach: Coach,
    admin_id: int,
    admin_ids: Collection[int],
    now: datetime,
    expect: CoachStatus,
    to: CoachStatus,
) -> Coach:
    if admin_id not in admin_ids:
        raise CoachingRefused("not_admin")
    if coach.status != expect:
        raise CoachingRefused(f"not_{expect}")
    return replace(coach, status=to, decided_at=utc(now), decided_by=admin_id)


def approve(coach: Coach, admin_id: int, admin_ids: Collection[int], now: datetime) -> Coach:
    return _decide(coach, admin_id, admin_ids, now, "requested", "approved")


def refuse(coach: Coach, admin_id: int, admin_ids: Collection[int], now: datetime) -> Coach:
    return _decide(coach, admin_id, admin_ids, now, "requested", "refused")


def revoke(coach: Coach, admin_id: int, admin_ids: Collection[int], now: datetime) -> Coach:
    return _decide(coach, admin_id, admin_ids, now, "approved", "revoked")


def step_down(coach: Coach, now: datetime) -> Coach:
    if coach.status != "approved":
        raise CoachingRefused("not_approved")
    return replace(coach, status="stepped_down", decided_at=utc(now), decided_by=coach.user_id)


# --- invitations and links ------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    """A single-use invitation; only the keyed hash of its code is ever stored."""

    code_hash: str
    coach_id: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = None


@dataclass(frozen=True)
class Link:
    """A coach and one coachee; `name` is how the coachee is called in the coach's digest."""

    coach_id: int
    coachee_id: int
    name: str
    linked_at: datetime


def hash_code(code: str, pepper: bytes) -> str:
    """HMAC-SHA256 with the deployment's secret: a leaked data file does not let anyone
    test codes, and a code from another deployment never matches."""
    return hmac.new(pepper, code.encode("utf-8"), hashlib.sha256).hexdigest()


def new_invitation(
    coach: Coach | None,
    now: datetime,
    pepper: bytes,
    make_code: Callable[[int], str] = secrets.token_urlsafe,
) -> tuple[str, Invitation]:
    """The code for the deep link (shown once, to the coach) and what is stored."""
    if not is_coach(coach):
        raise CoachingRefused("not_coach")
    assert coach is not None
    code = make_code(INVITE_BYTES)
    moment = utc(now)
    invitation = Invitation(
        hash_code(code, pepper), coach.user_id, moment, moment + timedelta(days=INVITE_DAYS)
    )
    return code, invitation


def redeem(
    invitation: Invitation | None,
    code: str,
    pepper: bytes,
    coach: Coach | None,
    coachee_id: int,
    coachee_name: str,
    current_link: Link | None,
    now: datetime,
) -> tuple[Invitation, Link]:
    """Check a code and link; the used invitation and the new link (nothing shared yet).

    A refusal leaves the invitation as it was, so a mistap does not burn a code."""
    moment = utc(now)
    if invitation is None or not hmac.compare_digest(invitation.code_hash, hash_code(code, pepper)):
        raise CoachingRefused("unknown")
    if invitation.used_at is not None:
        raise CoachingRefused("used")
    if moment > invitation.expires_at:
        raise CoachingRefused("expired")
    if not is_coach(coach) or coach is None or coach.user_id != invitation.coach_id:
        raise CoachingRefused("not_coach")
    if coachee_id == coach.user_id:
        raise CoachingRefused("own")
    if (reason := linked_already(current_link, coach.user_id)) is not None:
        raise CoachingRefused(reason)
    used = replace(invitation, used_at=moment, used_by=coachee_id)
    return used, Link(coach.user_id, coachee_id, coachee_name, moment)


def linked_already(current_link: Link | None, coach_id: int) -> str | None:
    """Why an invitation of this coach links no one: "already_yours" when the coachee is
    linked with this very coach (nothing to do), "already_linked" with another one (to switch,
    they unlink first); None when they have no coach."""
    if current_link is None:
        return None
    return "already_yours" if current_link.coach_id == coach_id else "already_linked"


def may_unlink(link: Link, user_id: int) -> bool:
    return user_id in (link.coach_id, link.coachee_id)


# --- consent per item -----------------------------------------------------------------------


@dataclass(frozen=True)
class Sharing:
    """What one coachee shares with their coach, item by item, each since when."""

    coach_id: int
    coachee_id: int
    granted: tuple[tuple[ShareItem, datetime], ...] = ()

    def since(self, item: ShareItem) -> datetime | None:
        return dict(self.granted).get(item)

    def allows(self, item: ShareItem) -> bool:
        return self.since(item) is not None

    @property
    def items(self) -> frozenset[ShareItem]:
        return frozenset(item for item, _ in self.granted)


def share(sharing: Sharing, item: ShareItem, on: bool, now: datetime) -> Sharing:
    """Switch one item on (keeping when it was first switched on) or off (at once)."""
    if item not in SHARE_ITEMS:
        raise ValueError(f"unknown share item {item!r}")
    rest = tuple((i, since) for i, since in sharing.granted if i != item)
    if not on:
        return replace(sharing, granted=rest)
    since = sharing.since(item) or utc(now)
    granted = tuple(sorted((*rest, (item, since)), key=lambda pair: SHARE_ITEMS.index(pair[0])))
    return replace(sharing, granted=granted)


# --- the read log ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CoachRead:
    """One read by a coach: who, which coachee, which items, when, through what."""

    coach_id: int
    coachee_id: int
    items: tuple[ShareItem, ...]
    at: datetime
    purpose: ReadPurpose


# --- phases and homework --------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseSetting:
    coachee_id: int
    phase: str
    since: datetime
    set_by: int


@dataclass(frozen=True)
class Homework:
    """An exercise the coach assigned: every day or once a week, for `days` days from `start`
    (the coachee's own calendar)."""

    id: str
    coach_id: int
    coachee_id: int
    exercise_id: str
    rhythm: Rhythm
    start: date
    days: int
    set_at: datetime

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)


def _own_coachee(link: Link | None, coach_id: int) -> Link:
    if link is None or link.coach_id != coach_id:
        raise CoachingRefused("not_your_coachee")
    return link


def set_phase(link: Link | None, coach_id: int, phase: str, now: datetime) -> PhaseSetting:
    own = _own_coachee(link, coach_id)
    if phase not in PHASES:
        raise CoachingRefused("unknown_phase")
    return PhaseSetting(own.coachee_id, phase, utc(now), coach_id)


def assign_homework(
    link: Link | None,
    coach_id: int,
    exercise_id: str,
    rhythm: str,
    start: date,
    days: int,
    now: datetime,
) -> Homework:
    own = _own_coachee(link, coach_id)
    if rhythm not in RHYTHMS:
        raise ValueError(f"rhythm must be one of {RHYTHMS}, got {rhythm!r}")
    if not 1 <= days <= 366:
        raise ValueError(f"a homework lasts 1 to 366 days, got {days}")
    return Homework(
        uuid.uuid4().hex[:12],
        coach_id,
        own.coachee_id,
        exercise_id,
        rhythm,
        start,
        days,
        utc(now),
    )


def homework_periods(homework: Homework, through: date) -> list[tuple[date, date]]:
    """The (first, last) days of each period that has started by `through`."""
    step = 1 if homework.rhythm == "daily" else 7
    periods = []
    first = homework.start
    while first <= min(through, homework.end):
        periods.append((first, min(first + timedelta(days=step - 1), homework.end)))
        first += timedelta(days=step)
    return periods


def homework_days(
    homework: Homework, done_days: Collection[date], through: date
) -> tuple[tuple[date, bool], ...]:
    """Each period started by `through` (its first day) with whether the exercise was done
    in it: per day for a daily one, per week for a weekly one."""
    return tuple(
        (first, any(first <= day <= last for day in done_days))
        for first, last in homework_periods(homework, through)
    )


def active_homework(homework: Iterable[Homework], today: date) -> tuple[Homework, ...]:
    """The homework that runs on the coachee's `today` (what /exercise and reminders offer)."""
    return tuple(h for h in homework if h.start <= today <= h.end)


# --- what a coach may see -------------------------------------------------------------------


@dataclass(frozen=True)
class CoacheeData:
    """Everything of one coachee a coach's view may be made from: unfiltered, never shown."""

    user_id: int
    timezone: str
    checkins: tuple[CheckIn, ...] = ()
    exercises: tuple[ExerciseLog, ...] = ()
    questionnaires: tuple[QuestionnaireResult, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    reflections: tuple[Reflection, ...] = ()


@dataclass(frozen=True)
class SharedCheckIn:
    day: date
    energy: int
    stress: int
    sleep: int


@dataclass(frozen=True)
class SharedExercise:
    exercise_id: str
    day: date


@dataclass(frozen=True)
class SharedScore:
    questionnaire_id: str
    day: date
    score: float


@dataclass(frozen=True)
class SharedAlert:
    level: Literal["gp", "crisis"]
    day: date


@dataclass(frozen=True)
class SharedReflection:
    day: date
    prompt_id: str
    answer: str


@dataclass(frozen=True)
class Shared:
    """What one coach may see of one coachee. None: the item is not shared (which differs
    from shared and empty). Phase and homework are the coach's own settings; homework is
    shown only with its coach, its days done only with exercises shared."""

    coach_id: int
    coachee_id: int
    name: str
    linked_on: date  # the coachee's calendar day
    items: frozenset[ShareItem]
    checkins: tuple[SharedCheckIn, ...] | None = None
    exercises: tuple[SharedExercise, ...] | None = None
    scores: tuple[SharedScore, ...] | None = None
    alerts: tuple[SharedAlert, ...] | None = None
    reflections: tuple[SharedReflection, ...] | None = None
    phase: PhaseSetting | None = None
    homework: tuple[Homework, ...] | None = None


def visible_to_coach(
    coach: Coach | None,
    link: Link | None,
    sharing: Sharing | None,
    data: CoacheeData,
    now: datetime,
    phase: PhaseSetting | None = None,
    homework: Iterable[Homework] = (),
) -> Shared | None:
    """THE filter: what this coach may see of this coachee now; None when nothing at all
    (not an approved coach, not their coachee, or parts that do not belong together)."""
    if not is_coach(coach) or coach is None or link is None or sharing is None:
        return None
    pair = (coach.user_id, data.user_id)
    if (link.coach_id, link.coachee_id) != pair or (
        sharing.coach_id,
        sharing.coachee_id,
    ) != pair:
        return None
    zone = ZoneInfo(data.timezone)
    moment = utc(now)

    def window(item: ShareItem) -> tuple[datetime, datetime] | None:
        since = sharing.since(item)
        return None if since is None else (max(since, link.linked_at), moment)

    def inside(at: datetime, span: tuple[datetime, datetime]) -> bool:
        return span[0] <= at <= span[1]

    def day(at: datetime) -> date:
        return at.astimezone(zone).date()

    checkins = exercises = scores = alerts = reflections = None
    if span := window("checkins"):
        checkins = tuple(
            SharedCheckIn(c.local_date, c.energy, c.stress, c.sleep)
            for c in sorted(data.checkins, key=lambda c: c.at)
            if inside(c.at, span)
        )
    if span := window("exercises"):
        exercises = tuple(
            SharedExercise(e.exercise_id, e.local_date)
            for e in sorted(data.exercises, key=lambda e: e.at)
            if e.outcome == "done" and inside(e.at, span)
        )
    if span := window("questionnaires"):
        scores = tuple(
            SharedScore(q.questionnaire_id, day(q.at), q.score)
            for q in sorted(data.questionnaires, key=lambda q: q.at)
            if inside(q.at, span)
        )
    if span := window("alerts"):
        # Only the escalations that alerted the coach: one crisis episode is one alert.
        ordered = sorted(data.escalations, key=lambda e: e.at)
        alerts = tuple(
            SharedAlert(e.level, day(e.at))
            for i, e in enumerate(ordered)
            if inside(e.at, span) and alerts_coach(ordered[:i], e)
        )
    if span := window("reflections"):
        reflections = tuple(
            SharedReflection(r.local_date, r.prompt_id, r.answer)
            for r in sorted(data.reflections, key=lambda r: r.at)
            if r.shared and inside(r.at, span)
        )
    own_phase = phase if phase is not None and phase.coachee_id == data.user_id else None
    own_homework = tuple(
        h for h in homework if h.coach_id == coach.user_id and h.coachee_id == data.user_id
    )
    return Shared(
        coach_id=coach.user_id,
        coachee_id=data.user_id,
        name=link.name,
        linked_on=day(link.linked_at),
        items=sharing.items,
        checkins=checkins,
        exercises=exercises,
        scores=scores,
        alerts=alerts,
        reflections=reflections,
        phase=own_phase,
        homework=own_homework,
    )


# --- needs attention ------------------------------------------------------------------------


@dataclass(frozen=True)
class Attention:
    """Why a coachee needs attention, with the number that says how much."""

    reason: AttentionReason
    days: int | None = None  # no_checkin: days since the last one
    value: float | None = None  # energy_down: the change; safety_alert: how many
    exercise_id: str | None = None  # homework_overdue


def day_means(checkins: Iterable[SharedCheckIn], field: str) -> dict[date, float]:
    """One value per day (the mean of that day's check-ins), as bot.core.history does."""
    per_day: dict[date, list[int]] = defaultdict(list)
    for checkin in checkins:
        per_day[checkin.day].append(getattr(checkin, field))
    return {day: fmean(values) for day, values in per_day.items()}


def needs_attention(shared: Shared, today: date, quiet_days: int) -> tuple[Attention, ...]:
    """The needs-attention reasons, each from a shared item only; `today` is the day the
    coach looks (a digest: the day after the week)."""
    found: list[Attention] = []
    if shared.checkins is not None:
        days = [c.day for c in shared.checkins if c.day <= today]
        last = max(days) if days else shared.linked_on - timedelta(days=1)
        # Whole days without a check-in: today is not over yet, so it does not count (a
        # coachee linked a week ago who never checked in has 7 such days, as "0 of 7"),
        # and a check-in made today ends the quiet spell.
        quiet = (today - last).days - 1
        if last < today and quiet >= quiet_days:
            found.append(Attention("no_checkin", days=quiet))
        change = _energy_change(shared.checkins, today)
        if change is not None and change <= -NOTICEABLE_DIFFERENCE:
            found.append(Attention("energy_down", value=change))
    if shared.exercises is not None and shared.homework:
        for homework in shared.homework:
            done = {e.day for e in shared.exercises if e.exercise_id == homework.exercise_id}
            if _overdue(homework, done, today):
                found.append(Attention("homework_overdue", exercise_id=homework.exercise_id))
    if shared.alerts is not None:
        recent = [a for a in shared.alerts if today - timedelta(days=ALERT_DAYS) <= a.day < today]
        if recent:
            found.append(Attention("safety_alert", value=len(recent)))
    return tuple(found)


def last_activity(shared: Shared) -> date | None:
    """The coachee's last day with anything shared: a check-in, an exercise done, a
    questionnaire score, a reflection marked shared (alerts are no activity of theirs);
    only what is shared counts."""
    days = [
        *(c.day for c in shared.checkins or ()),
        *(e.day for e in shared.exercises or ()),
        *(s.day for s in shared.scores or ()),
        *(r.day for r in shared.reflections or ()),
    ]
    return max(days) if days else None


def _energy_change(checkins: Iterable[SharedCheckIn], today: date) -> float | None:
    means = day_means(checkins, "energy")
    recent_from = today - timedelta(days=ENERGY_RECENT_DAYS)
    before_from = recent_from - timedelta(days=ENERGY_BEFORE_DAYS)
    recent = [v for d, v in means.items() if recent_from <= d < today]
    before = [v for d, v in means.items() if before_from <= d < recent_from]
    if len(recent) < ENERGY_MIN_DAYS_RECENT or len(before) < ENERGY_MIN_DAYS_BEFORE:
        return None
    return fmean(recent) - fmean(before)


def _overdue(homework: Homework, done_days: set[date], today: date) -> bool:
    finished = [(first, last) for first, last in homework_periods(homework, today) if last < today]
    needed = OVERDUE_PERIODS[homework.rhythm]
    if len(finished) < needed:
        return False
    return not any(any(first <= d <= last for d in done_days) for first, last in finished[-needed:])


# --- telling coachees apart, and a long list -----------------------------------------------


@dataclass(frozen=True)
class CoacheeLabel:
    """How a coach tells a coachee apart from the others: their name, with the day of the
    link (the coach's calendar) when another coachee has the same name, and a number too
    when that day is the same as well (in the order they linked)."""

    name: str
    linked_on: date | None = None
    number: int | None = None


def tell_apart(links: Iterable[Link], zone: str) -> dict[int, CoacheeLabel]:
    """A label per coachee id; names compare without case and surrounding spaces."""
    by_name: dict[str, list[Link]] = defaultdict(list)
    for link in sorted(links, key=lambda link: (link.linked_at, link.coachee_id)):
        by_name[link.name.strip().casefold()].append(link)
    labels: dict[int, CoacheeLabel] = {}
    for same in by_name.values():
        if len(same) == 1:
            labels[same[0].coachee_id] = CoacheeLabel(same[0].name)
            continue
        days = [utc(link.linked_at).astimezone(ZoneInfo(zone)).date() for link in same]
        for link, day in zip(same, days, strict=True):
            twins = [other for other, d in zip(same, days, strict=True) if d == day]
            number = twins.index(link) + 1 if len(twins) > 1 else None
            labels[link.coachee_id] = CoacheeLabel(link.name, day, number)
    return labels


def split_between(
    sizes: Iterable[int], room: int, most: int | None = None, joiner: int = 1
) -> list[range]:
    """The blocks of a long list per message: whole blocks (a coachee's lines) only, each
    message at most `room` characters (blocks joined by `joiner` characters: a newline) and
    at most `most` blocks (their buttons go under it). A block longer than `room` goes alone."""
    parts: list[range] = []
    start, used, total = 0, 0, 0
    for index, size in enumerate(sizes):
        total = index + 1
        full = most is not None and index - start >= most
        if index > start and (full or used + joiner + size > room):
            parts.append(range(start, index))
            start, used = index, 0
        used += size + (joiner if index > start else 0)
    if total > start:
        parts.append(range(start, total))
    return parts


# --- the store port and what is done through it --------------------------------------------


class CoachStore(Protocol):
    """Where coaching lives: coaches, invitation hashes, links, sharing, reads, phases,
    homework, digest marks (bot/storage/coaches.py: a TinyDB file and an in-memory twin)."""

    def coach(self, user_id: int) -> Coach | None: ...

    def save_coach(self, coach: Coach) -> None: ...

    def coaches(self) -> list[Coach]: ...

    def invitation(self, code_hash: str) -> Invitation | None: ...

    def save_invitation(self, invitation: Invitation) -> None: ...

    def link_of(self, coachee_id: int) -> Link | None: ...

    def links_of_coach(self, coach_id: int) -> list[Link]: ...

    def save_link(self, link: Link) -> None: ...

    def remove_link(self, coachee_id: int) -> None:
        """Unlink; the coachee's sharing, homework and the coach's phase setting go with it."""

    def end_coach(self, coach: Coach) -> list[Link]:
        """Save a coach who is no coach any more and end every link of theirs as an unlink
        does, all in one write; the links that ended."""

    def sharing(self, coachee_id: int) -> Sharing | None: ...

    def save_sharing(self, sharing: Sharing) -> None: ...

    def log_read(self, *reads: CoachRead) -> None:
        """Append reads to the log, all in one write."""

    def reads(self, coachee_id: int) -> list[CoachRead]: ...

    def phase(self, coachee_id: int) -> PhaseSetting | None: ...

    def save_phase(self, setting: PhaseSetting) -> None: ...

    def homework(self, coachee_id: int) -> list[Homework]: ...

    def save_homework(self, homework: Homework) -> None: ...

    def digest_sent_week(self, coach_id: int) -> date | None: ...

    def mark_digest_sent(self, coach_id: int, week: date, at: datetime) -> None: ...

    def erase_person(self, user_id: int) -> None:
        """Remove this person as coach and as coachee. What stays: invitations they used
        (still used, by no one named) and, when a coach is erased, their coachees' own
        record of what that coach read."""


def invite(
    store: CoachStore, coach_id: int, now: datetime, pepper: bytes
) -> tuple[str, Invitation]:
    code, invitation = new_invitation(store.coach(coach_id), now, pepper)
    store.save_invitation(invitation)
    return code, invitation


def accept_invite(
    store: CoachStore,
    code: str,
    coachee_id: int,
    name: str,
    now: datetime,
    pepper: bytes,
    phase: str | None = None,
) -> Link:
    """Redeem a code: the invitation is used and the link made, with nothing shared yet. The
    coach's phase setting starts from `phase`, the one the coachee has (set by the coachee):
    coach and coachee see the same phase, and from then on the coach sets it."""
    invitation = store.invitation(hash_code(code, pepper))
    coach = store.coach(invitation.coach_id) if invitation is not None else None
    used, link = redeem(
        invitation, code, pepper, coach, coachee_id, name, store.link_of(coachee_id), now
    )
    store.save_invitation(used)  # first: a crash after it burns a code, never reuses one
    store.save_link(link)
    store.save_sharing(Sharing(link.coach_id, coachee_id))
    if phase is not None and phase in PHASES:
        store.save_phase(PhaseSetting(coachee_id, phase, utc(now), coachee_id))
    return link


def set_share(
    store: CoachStore, coachee_id: int, item: ShareItem, on: bool, now: datetime
) -> Sharing:
    link = store.link_of(coachee_id)
    if link is None:
        raise CoachingRefused("no_coach")
    current = store.sharing(coachee_id) or Sharing(link.coach_id, coachee_id)
    changed = share(current, item, on, now)
    store.save_sharing(changed)
    return changed


def allows(store: CoachStore, coach_id: int, coachee_id: int, item: ShareItem) -> bool:
    """Whether this coach may receive this item of this coachee now: checked again right
    before anything queued (an alert, a digest) is sent, so a withdrawal holds at once."""
    link = store.link_of(coachee_id)
    sharing = store.sharing(coachee_id)
    return (
        is_coach(store.coach(coach_id))
        and link is not None
        and link.coach_id == coach_id
        and sharing is not None
        and sharing.coach_id == coach_id
        and sharing.allows(item)
    )


def unlink(store: CoachStore, by_user_id: int, coachee_id: int, now: datetime) -> Link:
    """Either side ends the link; sharing ends with it."""
    link = store.link_of(coachee_id)
    if link is None or not may_unlink(link, by_user_id):
        raise CoachingRefused("not_linked")
    store.remove_link(coachee_id)
    return link


def stop_coaching(store: CoachStore, coach: Coach) -> list[Link]:
    """A coach stepped down or was revoked: every link of theirs ends as an unlink does
    (sharing, homework and their phase setting of each coachee go), in the same write as
    the new status, so a coach approved again starts with no coachees. The coachees' read
    log stays: it is their record. The links that ended (each coachee is to be told)."""
    if is_coach(coach):
        raise ValueError("stop_coaching needs a coach who is no coach any more")
    return store.end_coach(coach)


def coachees_of(store: CoachStore, coach_id: int) -> list[Link]:
    if not is_coach(store.coach(coach_id)):
        return []
    return sorted(
        store.links_of_coach(coach_id), key=lambda link: (link.name.casefold(), link.coachee_id)
    )


def view_coachee(
    store: CoachStore, coach_id: int, data: CoacheeData, now: datetime, purpose: ReadPurpose
) -> Shared:
    """What the coach may see of this coachee, logged as a read; refused (and not logged)
    when they are not this coach's coachee."""
    seen = _view(store, coach_id, data, now)
    if seen is None:
        raise CoachingRefused("not_your_coachee")
    store.log_read(_read_of(seen, now, purpose))
    return seen


def _view(
    store: CoachStore,
    coach_id: int,
    data: CoacheeData,
    now: datetime,
) -> Shared | None:
    return visible_to_coach(
        store.coach(coach_id),
        store.link_of(data.user_id),
        store.sharing(data.user_id),
        data,
        now,
        phase=store.phase(data.user_id),
        homework=store.homework(data.user_id),
    )


def _read_of(seen: Shared, now: datetime, purpose: ReadPurpose) -> CoachRead:
    items = tuple(item for item in SHARE_ITEMS if item in seen.items)
    return CoachRead(seen.coach_id, seen.coachee_id, items, utc(now), purpose)


def reads_for(store: CoachStore, coachee_id: int) -> list[CoachRead]:
    """The coachee's own view of who read what of theirs, and when (oldest first)."""
    return sorted(store.reads(coachee_id), key=lambda read: read.at)


def coachee_data(
    repo: Repository, user_id: int, since: datetime | None = None
) -> CoacheeData | None:
    """A coachee's records from the main repository, for `visible_to_coach`; from `since`
    on (a link's start: nothing from before it is ever shown to that coach)."""
    profile = repo.load_profile(user_id)
    if profile is None:
        return None
    return CoacheeData(
        user_id=user_id,
        timezone=profile.timezone,
        checkins=tuple(repo.records(user_id, CheckIn, since)),
        exercises=tuple(repo.records(user_id, ExerciseLog, since)),
        questionnaires=tuple(repo.records(user_id, QuestionnaireResult, since)),
        escalations=tuple(repo.records(user_id, Escalation, since)),
        reflections=tuple(repo.records(user_id, Reflection, since)),
    )


def views_for_coach(
    store: CoachStore,
    repo: Repository,
    coach_id: int,
    now: datetime,
    purpose: ReadPurpose | None,
) -> list[Shared]:
    """What this coach may see of each of their coachees (for a digest or /coachees), each
    logged as a read under `purpose`; None: not logged (a maintainer's dry run, which no
    coach reads). A coachee whose data is gone (erased) is left out."""
    views = []
    for link in coachees_of(store, coach_id):
        data = coachee_data(repo, link.coachee_id, link.linked_at)
        seen = None if data is None else _view(store, coach_id, data, now)
        if seen is not None:
            views.append(seen)
    if purpose is not None and views:
        # One write for the whole digest: a write per coachee (each fsynced) was 2.3 s of
        # 2.9 s for 60 coachees with a year of reads logged.
        store.log_read(*(_read_of(seen, now, purpose) for seen in views))
    return views


def now_in(zone: str, now: datetime) -> datetime:
    return utc(now).astimezone(ZoneInfo(zone))
