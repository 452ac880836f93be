"""What the bot waits for the coachee to type (bot.core.awaiting), inside a unit of work.

Flows ask (`wait_for`) only with a profile, never before consent, and end their own question
(`stop_waiting`) when it is answered or declined; a newer question is never ended by an
older one's buttons.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.awaiting import (
    AwaitedKind,
    Awaiting,
    awaiting,
    ended,
    is_question,
    still_awaited,
    takes_text,
)
from bot.core.ports import CoacheeFile


def current(coachee: CoacheeFile) -> Awaiting | None:
    """The stored state (open, ended or expired), or None."""
    found = coachee.records(Awaiting)
    return found[-1] if found else None


def wait_for(
    coachee: CoacheeFile, kind: AwaitedKind, reference: str, chat_id: int, now: datetime
) -> None:
    """The next text in `chat_id` answers this question, until it expires."""
    coachee.replace(awaiting(kind, reference, chat_id, now))


def stop_waiting(
    coachee: CoacheeFile,
    now: datetime,
    kind: str | None = None,
    reference: str | None = None,
) -> None:
    """End the open question (only the one of `kind` and `reference`, when given); nothing
    is written when nothing is open."""
    state = current(coachee)
    if state is None or not still_awaited(state, now):
        return
    if kind is not None and not is_question(state, kind, reference, now=now):
        return
    coachee.replace(ended(state, now))


def stop_waiting_for_text(coachee: CoacheeFile, now: datetime) -> None:
    """A crisis: end the open question if a text answers it, so the next text is read as
    itself; a question on buttons that still work (an open check-in) stays pointed at."""
    state = current(coachee)
    if state is not None and still_awaited(state, now) and takes_text(state):
        coachee.replace(ended(state, now))
