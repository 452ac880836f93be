"""What the bot waits for the coachee to type: a kind, a reference, a chat and an expiry.

One state per coachee, stored through the repository as a record (id "awaiting") so a
restart keeps it; it is written only after consent (every flow that asks for typed text
needs a profile first). A new question replaces the state; answering, "no note" or "later"
for that same question, or a crisis, ends it. Everything else leaves it alone: a command
that needs no typed text (/summary, /history, /exercise, /help ...) never throws away what
is awaited, so "/reflect, /summary, then the answer" still stores the answer.

An open check-in is a state too (kind "checkin"): it waits for buttons, not text, and a text
typed meanwhile is pointed at those buttons instead of getting the generic reply.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

AwaitedKind = Literal["checkin", "note", "reflection", "timezone", "moment"]
AWAITING_ID = "awaiting"

# How long each question stays open. A note belongs to the check-in just done: after an
# hour a "hoi" is a new message, never yesterday's note. An open check-in lives as long.
# A reflection prompt (sent at 20:00 by default) may be answered the next morning, so a
# day. A typed time zone or time of day is asked in the middle of settings: an hour.
EXPIRY: dict[str, timedelta] = {
    "checkin": timedelta(hours=1),
    "note": timedelta(hours=1),
    "reflection": timedelta(days=1),
    "timezone": timedelta(hours=1),
    "moment": timedelta(hours=1),
}


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


def utc(moment: datetime) -> datetime:
    # bot.core.models imports this module (Awaiting is a record), so not its utc().
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not allowed; pass an aware UTC datetime")
    return moment.astimezone(UTC)


def awaiting(kind: AwaitedKind, reference: str, chat: int, now: datetime) -> Awaiting:
    """A new question, open for its kind's time."""
    now = utc(now)
    return Awaiting(kind, reference, chat, now, now + EXPIRY[kind])


def still_awaited(state: Awaiting | None, now: datetime) -> bool:
    """True while the question is open: asked, not answered or ended, not expired."""
    return state is not None and utc(now) < state.until


def awaited_in(state: Awaiting | None, chat: int, now: datetime) -> Awaiting | None:
    """The open question a text typed in `chat` answers: only where it was asked."""
    if state is None or not still_awaited(state, now) or state.chat != chat:
        return None
    return state


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
