"""Typed text outside commands and buttons (already through the safety net): which question
of the bot it answers, if any, and the kind reply when it answers none.

What the bot waits for is stored state (bot.core.awaiting: a kind, a reference, the chat it
was asked in, an expiry), so a restart keeps it and a "hoi" the next morning is never taken
as yesterday's note. A flow asks only in the person's private chat (the gate refuses every
other chat), whose id is the user id, and only a text from that same chat answers it. While
a crisis answer is on its way, the question it is about to end answers nothing: the text is
read as itself.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.awaiting import Awaiting, awaited_in
from bot.core.ports import CoacheeFile
from bot.services import actions
from bot.services.outcome import Choice, Outcome, message, outcome, say
from bot.services.waiting import current

# The kinds of typed answer this version takes; a kind from a later version is read as text.
ANSWERED_KINDS = frozenset({"checkin", "note", "reflection", "timezone", "moment"})


def awaited_answer(
    coachee: CoacheeFile, chat_id: int, own_chat: bool, crisis_under_way: bool, now: datetime
) -> Awaiting | None:
    """The open question a text typed in `chat_id` answers, or None: read it as itself."""
    if not own_chat or crisis_under_way:
        return None
    state = awaited_in(current(coachee), chat_id, now)
    if state is None or state.kind not in ANSWERED_KINDS:
        return None
    return state


def unexpected() -> Outcome:
    """A text that answers nothing: a kind line, with the two things to do now."""
    choices = (
        (
            Choice(say("input.do_checkin"), actions.REMINDER, ("checkin", "today", "start")),
            Choice(say("input.do_exercise"), actions.REMINDER, ("exercise", "today", "start")),
        ),
    )
    return outcome(message(say("input.unexpected"), choices=choices))
