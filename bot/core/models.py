"""Domain values: what a coachee's profile and history are made of.

Small frozen dataclasses; all instants are aware UTC datetimes, local dates are the
coachee's own calendar day.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Literal

from bot.core.awaiting import Awaiting

MomentKind = Literal["checkin", "exercise", "reflection"]
OnboardingStep = Literal["country", "timezone", "moments"]
EscalationSource = Literal["text", "questionnaire", "checkins", "sos", "ask", "followup"]
MOMENT_KINDS: tuple[MomentKind, ...] = ("checkin", "exercise", "reflection")
CONSENT_VERSION = 1


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not allowed; pass an aware UTC datetime")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Consent:
    """What the coachee agreed to. Sharing with a coach is off until they turn it on."""

    given_at: datetime
    version: int = CONSENT_VERSION
    share_checkins: bool = False
    share_alerts: bool = False
    share_reflections_default: bool = False


@dataclass(frozen=True)
class Moments:
    """Local times of the daily items; None means the coachee switched that item off."""

    checkin: time | None = time(9, 0)
    exercise: time | None = time(13, 0)
    reflection: time | None = time(20, 0)

    def at(self, kind: MomentKind) -> time | None:
        return getattr(self, kind)


@dataclass(frozen=True)
class Profile:
    user_id: int
    chat_id: int
    lang: str
    country: str
    timezone: str
    consent: Consent
    created_at: datetime
    phase: str = "analysis"
    moments: Moments = field(default_factory=Moments)
    quiet_start: time = time(22, 0)
    quiet_end: time = time(7, 30)
    paused_until: datetime | None = None
    coach_id: int | None = None
    # Offer a questionnaire after a check-in every this many weeks; None: never (the default,
    # set by the coachee with their coach in /settings).
    questionnaire_weeks: int | None = None
    # Since when Telegram refuses to deliver to this coachee (they blocked the bot); None
    # while reachable. Set once at the first refusal, cleared when they write again.
    inactive_since: datetime | None = None
    # The onboarding question still open ("country", "timezone", "moments"); None once
    # onboarding ended (and for profiles stored before this field). A coachee in step
    # "country" never chose one: /start and /settings ask it before anything else.
    onboarding: OnboardingStep | None = None
    # The id of the newest settings message closed with "Klaar": buttons under an older
    # settings message no longer change anything.
    settings_closed_on: int | None = None


@dataclass(frozen=True)
class CheckIn:
    at: datetime
    local_date: date
    energy: int
    stress: int
    sleep: int
    note: str | None = None
    id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class ExerciseLog:
    exercise_id: str
    at: datetime
    local_date: date
    outcome: Literal["done", "skipped", "later"]
    id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class Reflection:
    prompt_id: str
    at: datetime
    local_date: date
    answer: str
    shared: bool = False
    id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class Escalation:
    level: Literal["gp", "crisis"]
    source: EscalationSource
    rule: str
    category: str
    at: datetime
    followup_due: datetime | None = None
    followup_sent: bool = False
    id: str = field(default_factory=new_id)
    # The typed message it answers (its id in the coachee's private chat), so an edit of
    # that message is known as the same message; None for /sos, buttons, questionnaires.
    message: int | None = None


@dataclass(frozen=True)
class QuestionnaireResult:
    questionnaire_id: str
    at: datetime
    answers: tuple[tuple[str, int], ...]
    score: float
    level: str
    id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class ReminderMark:
    """A reminder that was (about to be) sent: written before sending, so never twice.

    `failed` marks a send that certainly did not arrive (no connection, 5xx, flood control,
    after every retry): the reminder may be tried again, and the retry reuses this record.
    """

    kind: str
    local_date: date
    attempt: int
    at: datetime
    id: str = field(default_factory=new_id)
    failed: bool = False


@dataclass(frozen=True)
class Snooze:
    kind: str
    local_date: date
    at: datetime
    until: datetime
    id: str = field(default_factory=new_id)


RetentionKind = Literal["history", "inactive"]


@dataclass(frozen=True)
class RetentionNotice:
    """A message the coachee received about an erasure to come (bot.core.retention).

    Written only once Telegram accepted the message: without it nothing is erased. `at` is
    when the job decided to send it, so anything the coachee does after it counts.
    """

    kind: RetentionKind
    at: datetime
    erase_on: date  # the coachee's own calendar day
    before: datetime | None = None  # history: what is older than this goes
    id: str = field(default_factory=new_id)


LAST_SEEN_ID = "last-seen"


@dataclass(frozen=True)
class LastSeen:
    """When the coachee last wrote or tapped anything: one row, replaced at most daily."""

    at: datetime
    id: str = LAST_SEEN_ID


RUNNING_EXERCISE_ID = "running-exercise"


@dataclass(frozen=True)
class RunningExercise:
    """The exercise running in the coachee's chat (bot.core.practice), kept so a restart
    resumes it: step `index` of `run` comes by itself at `due`; `message` is the step on
    screen, whose buttons go when the next one comes. `due` None: nothing runs. One row,
    replaced in place; written only with consent."""

    exercise_id: str
    run: str
    index: int
    chat: int
    lang: str
    at: datetime
    due: datetime | None
    message: int | None = None
    id: str = RUNNING_EXERCISE_ID


CRISIS_QUESTION_ID = "crisis-question"


@dataclass(frozen=True)
class CrisisQuestion:
    """The last question of a crisis answer still on screen in the coachee's chat: "ask"
    (are you thinking of ending your life?), "choice" (shall I stay with you with a short
    exercise?) or "followup" (the next day's how are you now?). Kept so that a reply typed
    instead of pressed is still read as the button it stands for after a restart (a typed
    "ja" to "ask" is a crisis, never small talk). `message` is the question's message id;
    a typed reply counts until `until`. One row, replaced in place; written only with
    consent."""

    kind: str
    chat: int
    message: int
    at: datetime
    until: datetime
    id: str = CRISIS_QUESTION_ID


Record = (
    CheckIn
    | ExerciseLog
    | Reflection
    | Escalation
    | QuestionnaireResult
    | ReminderMark
    | Snooze
    | RetentionNotice
    | LastSeen
    | Awaiting
    | RunningExercise
    | CrisisQuestion
)
RECORD_TYPES: tuple[type, ...] = (
    CheckIn,
    ExerciseLog,
    Reflection,
    Escalation,
    QuestionnaireResult,
    ReminderMark,
    Snooze,
    RetentionNotice,
    LastSeen,
    Awaiting,
    RunningExercise,
    CrisisQuestion,
)


def now_utc() -> datetime:
    return datetime.now(UTC)
