"""What the bot waits for the coachee to type: a kind, a reference, a chat and an expiry.

One state per coachee, stored through the repository as a record (id "awaiting") so a
restart keeps it; it is written only after consent (every flow that asks for typed text
needs a profile first). A new question replaces the state; answering, "no note" or "later"
for that same question, or a crisis, ends it. Everything else leaves it alone: a command
that needs no typed text (/summary, /history, /exercise, /help ...) never throws away what
is awaited, so "/reflect, /summary, then the answer" still stores the answer.

Some questions wait for buttons, not text (BUTTON_KINDS): an open check-in, an onboarding
question, /delete's "really erase everything?", a questionnaire's item (that one is never
stored: a questionnaire needs no consent). A text typed meanwhile is pointed at those
buttons instead of getting the generic reply, and is never stored: a typed "ja" under /delete
erases nothing and is not kept as a note either (the delete question replaced the note's).
A crisis ends only the questions that take text; buttons that still work stay pointed at.
An open check-in is the one exception: a typed whole number that is one of the buttons of
the question on screen is that tap (its state keeps the taps so far, `progress`, as its
buttons carry them); any other text is pointed at its buttons.

A note may come in more than one message, as people type on a phone: after each part the
note stays open for NOTE_MORE, and a part within it joins the note.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

AwaitedKind = Literal["checkin", "note", "reflection", "timezone", "moment", "onboarding", "delete"]
AWAITING_ID = "awaiting"

# How long each question stays open. A note belongs to the check-in just done: after an
# hour a "hoi" is a new message, never yesterday's note. An open check-in lives as long.
# A reflection prompt (sent at 20:00 by default) may be answered the next morning, so a
# day. A typed time zone or time of day is asked in the middle of settings: an hour. An
# onboarding question is pointed at for a day (like a reflection, someone may come back to
# it the next morning); /delete's question and a questionnaire's item for an hour.
EXPIRY: dict[str, timedelta] = {
    "checkin": timedelta(hours=1),
    "note": timedelta(hours=1),
    "reflection": timedelta(days=1),
    "timezone": timedelta(hours=1),
    "moment": timedelta(hours=1),
    "onboarding": timedelta(days=1),
    "delete": timedelta(hours=1),
    "questionnaire": timedelta(hours=1),
}
# Questions answered with buttons: a typed text is pointed at them, never taken as an answer.
# "questionnaire" is never stored (a questionnaire needs no consent): the chat remembers
# its open item, and the conversation service makes it a question of this kind.
BUTTON_KINDS = frozenset({"checkin", "onboarding", "delete", "questionnaire"})
# A phone that sends a message twice, or an update delivered again, brings the same number
# within a second or two; someone who reads the next question and answers it takes longer.
DOUBLE_SEND = timedelta(seconds=2)
# After a part of a note, the next part may follow this long after it (a phone's second
# message comes within a minute or two); a text later than that is a message of its own.
NOTE_MORE = timedelta(minutes=5)


@dataclass(frozen=True)
class TypedTap:
    """A number typed as a tap on a question on buttons: the message, its value, when."""

    message_id: int
    value: int
    at: datetime


@dataclass(frozen=True)
class Awaiting:
    """The bot asked the coachee, in `chat`, for text of `kind` about `reference` (the
    check-in id for a note, the prompt id for a reflection, the moment for a time of day,
    the question's message id for an open check-in), until `until`."""

    kind: str
    reference: str
    chat: int
    at: datetime  # when it was asked
    until: datetime
    id: str = AWAITING_ID
    # An open check-in: what its buttons carry before the value (the day, the answers so
    # far), so a typed number can be the tap; empty for every other question.
    progress: tuple[str, ...] = ()
    # The typed number that gave the last answer, so sending it twice answers once.
    typed: TypedTap | None = None


def utc(moment: datetime) -> datetime:
    # bot.core.models imports this module (Awaiting is a record), so not its utc().
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not allowed; pass an aware UTC datetime")
    return moment.astimezone(UTC)


def awaiting(
    kind: AwaitedKind,
    reference: str,
    chat: int,
    now: datetime,
    progress: tuple[str, ...] = (),
) -> Awaiting:
    """A new question, open for its kind's time."""
    now = utc(now)
    return Awaiting(kind, reference, chat, now, now + EXPIRY[kind], progress=progress)


def still_awaited(state: Awaiting | None, now: datetime) -> bool:
    """True while the question is open: asked, not answered or ended, not expired."""
    return state is not None and utc(now) < state.until


def awaited_in(state: Awaiting | None, chat: int, now: datetime) -> Awaiting | None:
    """The open question a text typed in `chat` answers: only where it was asked."""
    if state is None or not still_awaited(state, now) or state.chat != chat:
        return None
    return state


def takes_text(state: Awaiting) -> bool:
    """Whether a typed text answers this question (else it is pointed at its buttons)."""
    return state.kind not in BUTTON_KINDS


def open_for_more(state: Awaiting, now: datetime) -> Awaiting:
    """The same note question, open NOTE_MORE after the part just typed."""
    return replace(state, until=utc(now) + NOTE_MORE)


def ended(state: Awaiting, now: datetime) -> Awaiting:
    """The same question, no longer awaited (kept as a record, so ending is one write)."""
    return replace(state, until=min(state.until, utc(now)))


def is_question(
    state: Awaiting | None, kind: str, reference: str | None = None, *, now: datetime
) -> bool:
    """Whether `state` is the open question of `kind` (and `reference`): "no note" or
    "later" ends only the question it belongs to, never a newer one."""
    return (
        still_awaited(state, now)
        and state is not None
        and state.kind == kind
        and (reference is None or state.reference == reference)
    )


def typed_again(state: Awaiting, message_id: int, value: int, now: datetime) -> bool:
    """Whether a typed number repeats the one that gave the last answer: the same message
    (delivered again), or the same number sent twice within DOUBLE_SEND."""
    tap = state.typed
    if tap is None:
        return False
    return message_id <= tap.message_id or (value == tap.value and utc(now) - tap.at <= DOUBLE_SEND)
