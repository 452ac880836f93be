"""Typed text outside commands and buttons (already through the safety net): which question
of the bot it answers, if any, and the kind reply when it answers none.

What the bot waits for is stored state (bot.core.awaiting: a kind, a reference, the chat it
was asked in, an expiry), so a restart keeps it and a "hoi" the next morning is never taken
as yesterday's note. A flow asks only in the person's private chat (the gate refuses every
other chat), whose id is the user id, and only a text from that same chat answers it. While
a crisis answer is on its way, the question it is about to end answers nothing: the text is
read as itself.

A question on buttons (an open check-in, an onboarding question, /delete's, a questionnaire's
item) takes no text: the text gets one line that points at those buttons, as a reply to the
question, and nothing is stored; a photo or other media there gets the same line. Only under
an open check-in a typed whole number that is one of its question's buttons is that tap
(bot.services.checkin.typed_tap), and a second copy of it is no answer at all. A
questionnaire needs no consent, so its open item is not stored: the chat remembers it
(message id and when it was shown) and passes it in here.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.awaiting import EXPIRY, Awaiting, awaited_in, typed_again, utc
from bot.core.ports import CoacheeFile
from bot.services import actions, onboarding
from bot.services.checkin import whole_number
from bot.services.outcome import Choice, Message, Outcome, message, outcome, say
from bot.services.waiting import current

# The kinds of typed answer this version takes; a kind from a later version is read as text.
ANSWERED_KINDS = frozenset(
    {"checkin", "note", "reflection", "timezone", "moment", "onboarding", "delete"}
)
# What a text typed under a question on buttons is told, by the question's kind.
USE_BUTTONS = {
    "checkin": "checkin.use_buttons",
    "onboarding": "onboarding.use_buttons",
    "delete": "delete.use_buttons",
    "questionnaire": "questionnaire.use_buttons",
}


def awaited_answer(
    coachee: CoacheeFile,
    chat_id: int,
    own_chat: bool,
    crisis_under_way: bool,
    now: datetime,
    questionnaire: tuple[int, datetime] | None = None,
) -> Awaiting | None:
    """The open question a text typed in `chat_id` answers, or None: read it as itself.
    `questionnaire` is the item of a questionnaire open in this chat (its message id and when
    it was shown). A question that takes text comes first (the text is kept); of two questions
    on buttons, the one asked last."""
    if not own_chat or crisis_under_way:
        return None
    state = awaited_in(current(coachee), chat_id, now)
    if state is not None and state.kind not in ANSWERED_KINDS:
        state = None
    if state is not None and state.kind not in USE_BUTTONS:
        return state
    item = _open_item(questionnaire, chat_id, now)
    if item is not None and (state is None or item.at >= state.at):
        return item
    return state


def _open_item(
    questionnaire: tuple[int, datetime] | None, chat_id: int, now: datetime
) -> Awaiting | None:
    if questionnaire is None:
        return None
    message_id, shown = questionnaire
    shown = utc(shown)
    item = Awaiting(
        "questionnaire", str(message_id), chat_id, shown, shown + EXPIRY["questionnaire"]
    )
    return awaited_in(item, chat_id, now)


def sent_twice(state: Awaiting, typed: str, message_id: int, now: datetime) -> bool:
    """A typed number that repeats the one that just gave an answer (a double send, an
    update delivered again): its first copy was the answer, so this one does nothing."""
    value = whole_number(typed)
    return value is not None and typed_again(state, message_id, value, now)


def point_at_buttons(state: Awaiting) -> Outcome:
    """A text typed under a question on buttons: one line, as a reply to that question."""
    return Outcome((Message((say(USE_BUTTONS[state.kind]),), reply_to=int(state.reference)),))


def media_reply(state: Awaiting | None) -> Outcome:
    """A photo, sticker, voice note or file: under a question on buttons, the line a typed
    text gets there (what the question expects: its buttons, not "type it"); else that it
    cannot be read, and any question that takes text simply waits."""
    if state is not None and state.kind in USE_BUTTONS:
        return point_at_buttons(state)
    return outcome(message(say("input.media")))


def answer_unexpected(
    coachee: CoacheeFile, name: str, lang: str, consent_asked: datetime | None, now: datetime
) -> Outcome:
    """A text that answers nothing. Before consent it points at the consent question when
    one is open in this chat session (shown at `consent_asked`); with none open (no /start
    yet, a restart, a no, an erasure) "tap the buttons above" would point at nothing, so the
    introduction with the consent question comes instead, as /start sends it."""
    if coachee.profile is not None:
        return unexpected()
    if onboarding.consent_open(consent_asked, now):
        return unexpected(consented=False)
    return onboarding.introduce(name, lang)


def unexpected(consented: bool = True) -> Outcome:
    """A text that answers nothing: a kind line, with the two things to do now; before
    consent, the consent question is the thing to do (a check-in could not be kept)."""
    if not consented:
        return outcome(message(say("input.before_consent")))
    choices = (
        (
            Choice(say("input.do_checkin"), actions.REMINDER, ("checkin", "today", "start")),
            Choice(say("input.do_exercise"), actions.REMINDER, ("exercise", "today", "start")),
        ),
    )
    return outcome(message(say("input.unexpected"), choices=choices))
