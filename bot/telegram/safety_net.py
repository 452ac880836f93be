"""The safety net: every text is assessed before anything else, in every state; and /sos.

A crisis (typed, /sos, a questionnaire answer) stops everything else in that chat: the
running exercise, an open questionnaire, any text the bot was waiting for. Its answer goes
out first (outbox priority, ahead of the update queue) and is retried until it is delivered
or a minute has passed; whatever the send or the storage does, no other handler sees the
message. GP advice is sent and the flow goes on, so a note that mentions drinking is still
saved as a note.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler

from bot.core.escalation import (
    crisis_question,
    open_crisis_question,
    typed_ask_answer,
    typed_followup_answer,
)
from bot.core.models import CrisisQuestion, Escalation
from bot.services import safety as service
from bot.services.outcome import Message as Said
from bot.services.outcome import Outcome
from bot.telegram import awaited, callbacks, exercise
from bot.telegram.context import (
    KEY,
    BotContext,
    Services,
    known_coachee,
    language_for,
    language_of,
)
from bot.telegram.outbox import Priority
from bot.telegram.render import render
from bot.telegram.replies import Button, edit, keyboard, send, text
from bot.telegram.usecase import deliver, run

log = logging.getLogger(__name__)

# A crisis answer is retried until it is delivered or this much time has passed.
CRISIS_DEADLINE = 60.0
# Longer than any delivery Telegram confirms late: a slow send that did arrive must not be
# sent again (the default read timeout of 5 s would resend it).
CRISIS_READ_TIMEOUT = 10.0
FIRST_BACKOFF, MAX_BACKOFF = 0.5, 4.0
# chat_data key: the message id of the questionnaire item on screen in this chat.
OPEN_QUESTIONNAIRE = "questionnaire_message"
# chat_data key: crisis answers in this chat whose storage work (the awaited question ended,
# the escalation stored) has not run yet. The next text skips the chat's queue behind them,
# and must not answer a question the crisis is about to end (bot.services.conversation).
CRISIS_UNDER_WAY = "safety.crisis_under_way"
# chat_data key: the last question of a crisis answer still open in this chat, a
# CrisisQuestion: "ask", the plain question after an unsure crisis answer, or "choice", the
# crisis answer's own "shall I stay with you with a short exercise?", or "followup", the
# next day's "how are you now?". A reply typed instead of pressed counts as the button it
# stands for (the gate lets only private chats this far, so the chat is the person the
# question was put to), for CRISIS_QUESTION_OPEN: to "ask", "ja" is a yes and "nee, maar
# soms wel" a not sure; to "choice", "ja" starts the grounding exercise and "nee" is "I'm OK
# for now"; to "followup", "slecht" is "still hard", "ik heb hulp nodig" the crisis answer.
# With consent the question is stored too, and read back the first time the chat types
# after a restart (OPEN_ASK_READ), so a typed "ja" to "ask" is still a crisis then; it
# skips the queues only once the chat's question is in memory again.
OPEN_ASK = "safety.open_ask"
OPEN_ASK_READ = "safety.open_ask_read"
# Typed replies that are a crisis: they skip every queue, like the text of a crisis.
CRISIS_REPLIES = frozenset({("ask", "yes"), ("ask", "unsure"), ("followup", "help_now")})


# A command as Telegram writes one: "/time", "/time@SomeBot", at the start of the text.
_COMMAND = re.compile(r"\s*/([A-Za-z0-9_]{1,32})(?:@\w+)?(?=\s|$)")
# An invitation code after /start, as a t.me/<bot>?start=... link carries it: what such a
# link allows, with a digit, "_" or "-", or small letters and a capital after the first
# letter, which a word typed by hand does not have ("Zelfmoord", "ZELFMOORD"); a code of 22
# random characters nearly always has.
_DEEP_LINK = re.compile(r"(?=.{1,64}$)(?=.*[0-9_-]|(?=.*[a-z])..*[A-Z])[A-Za-z0-9_-]+")
# bot_data key: the names of this bot's commands (read from its handlers once).
COMMAND_NAMES = "safety.command_names"


# --- deciding -------------------------------------------------------------------------------


def assessed_words(application: Application, words: str) -> str:
    """What the safety net reads of a text: one of this bot's own commands counts for what
    follows it only ("/time 20:15" got a crisis answer in the demo, the learned layer having
    read the command's name); any other text, an unknown "/..." too, is read as typed."""
    match = _COMMAND.match(words)
    if match is None or match.group(1).lower() not in _command_names(application):
        return words
    rest = words[match.end() :].strip()
    if match.group(1).lower() == "start" and _DEEP_LINK.fullmatch(rest):
        # A link's code, not the person's words: a random code can look like anything to the
        # learned layer. One word typed after /start ("/start zelfmoord") is still read.
        return ""
    return rest


def _command_names(application: Application) -> frozenset[str]:
    names = application.bot_data.get(COMMAND_NAMES)
    if names is None:
        names = frozenset(
            command.lower()
            for handlers in application.handlers.values()
            for handler in handlers
            if isinstance(handler, CommandHandler)
            for command in handler.commands
        )
        application.bot_data[COMMAND_NAMES] = names
    return names


def needs_crisis_answer(application: Application, update: object) -> bool:
    """/sos, a text assessed as crisis, or a typed reply that is a crisis (CRISIS_REPLIES):
    the update processor lets it skip every queue."""
    if not isinstance(update, Update) or update.effective_user is None:
        return False
    message = update.effective_message
    words = (message.text or message.caption or "") if message else ""
    if not words.strip():
        return False
    if words.split()[0].split("@")[0].lower() == "/sos":
        return True
    chat = update.effective_chat
    s = application.bot_data[KEY]
    if chat and _is_crisis_reply(application, chat.id, words, s.clock()):
        return True  # typed instead of pressed
    user = update.effective_user
    known = known_coachee(s, user.id)
    lang = known[0] if known else language_for(s, user, application.user_data.get(user.id))
    read = assessed_words(application, words)
    return bool(s.safety.assess(read, lang).level == "crisis")


async def safety_net(update: Update, context: BotContext) -> None:
    """Assess every text first; a crisis stops all other handling of this message."""
    message = update.effective_message
    words = (message.text or message.caption or "") if message else ""
    if not words.strip() or update.effective_user is None:
        return
    s = context.services
    read = assessed_words(context.application, words)  # a command alone reads as nothing
    assessment = s.safety.assess(read, _language(update, context))
    escalation = service.crisis_escalation_for(assessment, s.clock(), message.message_id)
    if escalation is not None:
        # Decided before any I/O: a failed send or write must not let the text fall through
        # to the next handler group (a note, the generic reply) or to the error apology.
        if _is_crisis_reply(context.application, update.effective_chat.id, words, s.clock()):
            # "Ja, die gedachten heb ik elke avond" to "are you thinking of ending your
            # life?" is that question's yes: its crisis answer, not the question again.
            await _typed_crisis_reply_then_stop(update, context, words, s.clock())
        await _crisis_then_stop(update, context, escalation, ask=assessment.ask)
    typed = await _typed_answer(update, context, words, s.clock())
    if typed is not None:
        kind, choice = typed
        try:
            if kind == "ask":
                await _answer_ask(update, context, choice)
            elif kind == "followup":
                await _answer_followup(update, context, choice)
            else:
                await _answer_choice(update, context, "ok" if choice == "no" else "ground")
        except Exception:  # logged; the text answered the question and is never a note
            log.exception("safety.typed_answer_failed")
    if assessment.escalates:
        # Health talk, answered here or shortly before: never small talk after it.
        context.chat_data[ANSWERED_KEY] = update.update_id
        try:
            advice = await run(
                context,
                update.effective_user.id,
                service.advise,
                assessment,
                s.clock(),
                message.message_id,
            )
            if advice.effects:
                await deliver(update, context, advice)
        except Exception:  # GP advice that fails must not cost the coachee their note
            log.exception("safety.gp_advice_failed")
    if typed is not None:  # an answer to the question, not a note or small talk
        raise ApplicationHandlerStop


# chat_data key: the update whose text the safety net answered with GP advice (or would
# have, had it not just given it); the generic reply to free text skips that update.
ANSWERED_KEY = "safety.answered_update"


def answered_here(update: Update, context: BotContext) -> bool:
    return context.chat_data is not None and context.chat_data.get(ANSWERED_KEY) == update.update_id


async def sos(update: Update, context: BotContext) -> None:
    """/sos: the crisis answer at once, no questions asked, in every state."""
    await _crisis_then_stop(update, context, service.sos(context.services.clock()))


def _is_crisis_reply(application: Application, chat_id: int, words: str, now: datetime) -> bool:
    """A typed reply that is a crisis (CRISIS_REPLIES) to the question open in this chat's
    memory; no storage read, so a crisis never waits for one."""
    chat = application.chat_data.get(chat_id, {})
    question = open_crisis_question(chat.get(OPEN_ASK), chat_id, now)
    if question is None:
        return False
    return (question.kind, _typed_choice(question.kind, words)) in CRISIS_REPLIES


async def _typed_crisis_reply_then_stop(
    update: Update, context: BotContext, words: str, now: datetime
) -> None:
    """Answer the open question the typed reply stands for, then stop; returns (and the
    text's own crisis answer goes out) only if there was no such question after all."""
    try:
        typed = await _typed_answer(update, context, words, now)
        if typed is None:
            return
        kind, choice = typed
        if kind == "ask":
            await _answer_ask(update, context, choice)
        else:
            await _answer_followup(update, context, choice)
    except Exception:  # logged, never the generic apology: the crisis answer was tried hard
        log.exception("safety.crisis_answer_failed")
    raise ApplicationHandlerStop


async def _crisis_then_stop(
    update: Update, context: BotContext, escalation: Escalation, ask: bool = False
) -> None:
    try:
        await answer_crisis(update, context, escalation, ask=ask)
    except Exception:  # logged, never the generic apology: the crisis answer was tried hard
        log.exception("safety.crisis_answer_failed")
    raise ApplicationHandlerStop


# --- answering ------------------------------------------------------------------------------


async def answer_escalation(update: Update, context: BotContext, escalation: Escalation) -> None:
    """Send the escalation, then store it (with consent) and alert a coach (with consent)."""
    if escalation.level == "crisis":
        await answer_crisis(update, context, escalation)
        return
    s = context.services
    lang, country = _whom(update, context)
    body, _ = render(s.texts, service.gp_advice(s.texts, escalation, lang, country), lang)
    try:
        await send(context, update.effective_chat.id, body)
    except TelegramError as exc:  # the flow goes on; the advice comes again another day
        log.warning("safety.gp_send_failed error=%s", type(exc).__name__)
    _log_escalation(escalation)
    await _store(update, context, service.record_escalation, escalation)


async def answer_crisis(
    update: Update,
    context: BotContext,
    escalation: Escalation,
    ask: bool = False,
) -> None:
    """Stop the chat's running flows (in memory), deliver the crisis answer, ask when unsure;
    only then the storage work (one unit of work), which can fail without taking anything
    back."""
    s = context.services
    chat_id = update.effective_chat.id
    questionnaire_message = _stop_running(context, chat_id)
    with _crisis_under_way(context, chat_id):
        lang, country = _whom(update, context)
        answer = service.crisis_answer(s.texts, escalation, lang, country)
        delivered = await _deliver_crisis_message(context, chat_id, answer, lang)
        _log_escalation(escalation)
        last = delivered
        if delivered is not None and ask:
            question = service.crisis_question(s.texts, lang)
            last = await _deliver_crisis_message(context, chat_id, question, lang)
        on_screen = None
        if last is not None and (last is not delivered or answer.choices):
            kind = "choice" if last is delivered else "ask"
            on_screen = remember_question(
                context.application, chat_id, kind, last.message_id, s.clock()
            )
        await _store(update, context, service.after_crisis, escalation, s.clock(), on_screen)
    if questionnaire_message is not None:
        await _close_questionnaire(context, chat_id, questionnaire_message, lang)


def _stop_running(context: BotContext, chat_id: int) -> int | None:
    """End what runs in this chat's memory (no storage, no network): the exercise's next
    step, and the questionnaire whose message must lose its buttons (returned)."""
    exercise.cancel(context.application, chat_id)
    return context.application.chat_data[chat_id].pop(OPEN_QUESTIONNAIRE, None)


@contextmanager
def _crisis_under_way(context: BotContext, chat_id: int) -> Iterator[None]:
    """From before the crisis answer until its storage work is done: see CRISIS_UNDER_WAY."""
    chat = context.application.chat_data[chat_id]
    chat[CRISIS_UNDER_WAY] = chat.get(CRISIS_UNDER_WAY, 0) + 1
    try:
        yield
    finally:
        chat[CRISIS_UNDER_WAY] -= 1
        if not chat[CRISIS_UNDER_WAY]:
            del chat[CRISIS_UNDER_WAY]


def crisis_under_way(context: BotContext, chat_id: int) -> bool:
    return bool(context.application.chat_data[chat_id].get(CRISIS_UNDER_WAY))


def stop_flows(context: BotContext, chat_id: int) -> int | None:
    """End what runs in this chat, the text the bot waits for included (erasure uses it);
    the questionnaire message whose buttons must go."""
    questionnaire_message = _stop_running(context, chat_id)
    # The bot asks only in private chats, whose id is the person's; storage trouble is
    # logged, never raised.
    awaited.stop_waiting_quietly(context, chat_id)
    return questionnaire_message


async def _store(
    update: Update,
    context: BotContext,
    use_case: Callable[..., Outcome],
    *args: object,
) -> None:
    """A safety use case's storage work, after what it answers has been sent: failures are
    logged and the answer stands (it matters more than the record of it)."""
    try:
        outcome = await run(context, update.effective_user.id, use_case, *args)
        if outcome.effects:
            await deliver(update, context, outcome)
    except Exception:
        log.exception("safety.escalation_not_stored")


async def _deliver_crisis_message(
    context: BotContext, chat_id: int, said: Said, lang: str
) -> Message | None:
    body, markup = render(context.services.texts, said, lang)
    return await deliver_crisis(context, chat_id, body, markup=markup)


async def deliver_crisis(
    context: BotContext,
    chat_id: int,
    body: str,
    buttons: Sequence[Sequence[Button]] | None = None,
    markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Send at crisis priority, retrying network errors, timeouts, 5xx and flood control
    (AIORateLimiter retries only the last) until delivered or CRISIS_DEADLINE has passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CRISIS_DEADLINE
    backoff = FIRST_BACKOFF
    markup = keyboard(buttons) if buttons else markup
    attempt = 0
    while True:
        attempt += 1
        try:
            return await context.services.outbox.send(
                Priority.CRISIS,
                chat_id,
                context.bot.send_message,
                text=body,
                reply_markup=markup,
                read_timeout=CRISIS_READ_TIMEOUT,
            )
        except Forbidden:  # blocked by the user: nothing will get through
            log.warning("safety.crisis_send_blocked")
            return None
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            error = "RetryAfter"
        except BadRequest as exc:  # a request Telegram refuses will not succeed when repeated
            log.error("safety.crisis_send_refused error=%s", type(exc).__name__)
            return None
        except NetworkError as exc:  # includes TimedOut and 5xx (BadGateway)
            wait, backoff = backoff, min(backoff * 2, MAX_BACKOFF)
            error = type(exc).__name__
        if loop.time() + wait > deadline:
            log.error("safety.crisis_send_gave_up attempts=%s error=%s", attempt, error)
            return None
        log.warning("safety.crisis_send_retry attempt=%s error=%s", attempt, error)
        await asyncio.sleep(wait)


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


def _hint(update: Update) -> str:
    code = update.effective_user.language_code or "" if update.effective_user else ""
    return "en" if code.lower().startswith("en") else "nl"


def _language(update: Update, context: BotContext) -> str:
    """The coachee's language for assessing and answering: as last read in this process
    (no storage call), else read once; storage trouble falls back to Telegram's hint."""
    known = known_coachee(context.services, update.effective_user.id)
    if known is not None:
        return known[0]
    try:
        return language_of(update, context)
    except Exception:  # storage trouble must not keep the crisis line from anyone
        log.exception("safety.language_unknown")
        return _hint(update)


def _whom(update: Update, context: BotContext) -> tuple[str, str]:
    """Language and country of the help lines, without a storage call when the coachee was
    seen in this process; the bot's country when neither memory nor storage knows."""
    s = context.services
    lang = _language(update, context)
    known = known_coachee(s, update.effective_user.id)
    return (known[0], known[1]) if known is not None else (lang, s.settings.country)


def group_crisis_body(s: Services, escalation: Escalation, lang: str, country: str) -> str:
    """The crisis answer the gate sends in a group before it leaves (no buttons)."""
    said = service.group_crisis_answer(s.texts, escalation, lang, country)
    return render(s.texts, said, lang)[0]


def _log_escalation(escalation: Escalation) -> None:
    log.info(
        "safety.escalation level=%s source=%s rule=%s",
        escalation.level,
        escalation.source,
        escalation.rule,
    )


async def _close_questionnaire(
    context: BotContext, chat_id: int, message_id: int, lang: str
) -> None:
    """Take the answer buttons away: the questionnaire stops here."""
    try:
        await context.services.outbox.send(
            Priority.INTERACTIVE,
            chat_id,
            context.bot.edit_message_text,
            message_id=message_id,
            text=text(context, "questionnaire.paused", lang),
        )
    except TelegramError as exc:  # already edited, or deleted: nothing left to take away
        log.info("questionnaire.not_closed error=%s", type(exc).__name__)


# --- buttons ----------------------------------------------------------------------------------


async def crisis_choice(update: Update, context: BotContext) -> None:
    """The two buttons under a crisis answer: stay with an exercise, or 'I'm OK for now'."""
    query = update.callback_query
    await query.answer()
    context.application.chat_data[update.effective_chat.id].pop(OPEN_ASK, None)
    await _answer_choice(update, context, callbacks.decode(query.data).arg(0))
    await _question_answered(update, context, _pressed_on(update))


async def _answer_choice(update: Update, context: BotContext, choice: str) -> None:
    lang = language_of(update, context)
    if choice == "ground":
        await exercise.start_grounding(update, context)
    else:
        await send(context, update.effective_chat.id, text(context, "crisis.ok_reply", lang))


async def ask_choice(update: Update, context: BotContext) -> None:
    """The answer to 'are you thinking of ending your life?': yes and not sure are a crisis,
    answered before anything is stored."""
    await _acknowledge(update)
    context.application.chat_data[update.effective_chat.id].pop(OPEN_ASK, None)
    await _answer_ask(update, context, callbacks.decode(update.callback_query.data).arg(0))
    await _replace_question(update, context, None)
    await _question_answered(update, context, _pressed_on(update))


async def _typed_answer(
    update: Update, context: BotContext, words: str, now: datetime
) -> tuple[str, str] | None:
    """(the question's kind, the button a typed reply stands for), while a crisis answer's
    question is open in this chat; the question is then answered (its buttons taken away,
    failures changing nothing)."""
    chat_id = update.effective_chat.id
    chat = context.application.chat_data[chat_id]
    if OPEN_ASK not in chat and not chat.get(OPEN_ASK_READ):
        chat[OPEN_ASK_READ] = True  # the first text after a restart: what was stored
        try:
            stored = await run(
                context, update.effective_user.id, service.stored_crisis_question, chat_id, now
            )
        except Exception:  # unreadable: the text is read as itself, as without consent
            log.exception("safety.question_not_read")
            stored = None
        if stored is not None and OPEN_ASK not in chat:
            chat[OPEN_ASK] = stored
    question = open_crisis_question(chat.get(OPEN_ASK), chat_id, now)
    if question is None:
        chat.pop(OPEN_ASK, None)
        return None
    choice = _typed_choice(question.kind, words)
    if choice is None:
        return None
    del chat[OPEN_ASK]
    context.application.create_task(_take_buttons_away(context, chat_id, question.message))
    context.application.create_task(_question_answered(update, context, question.message))
    return question.kind, choice


def _typed_choice(kind: str, words: str) -> str | None:
    return typed_followup_answer(words) if kind == "followup" else typed_ask_answer(words)


def remember_question(
    application: Application, chat_id: int, kind: str, message_id: int, when: datetime
) -> CrisisQuestion:
    """A crisis answer's question now on screen in this chat (see OPEN_ASK); the caller
    stores what this returns (with consent)."""
    question = crisis_question(kind, chat_id, message_id, when)
    application.chat_data[chat_id][OPEN_ASK] = question
    return question


async def _question_answered(update: Update, context: BotContext, message: int | None) -> None:
    """The question in `message` was answered (its memory is gone already): in storage too,
    after the answer went out, so a restart reads a later "ja" as itself. Only that
    question: a crisis answer it led to may have put a new one on screen."""
    if message is None:
        return
    try:
        await run(
            context,
            update.effective_user.id,
            service.crisis_question_answered,
            message,
            context.services.clock(),
        )
    except Exception:  # a restart would read a later typed "ja" as an answer still
        log.exception("safety.question_not_closed")


def _pressed_on(update: Update) -> int | None:
    query = update.callback_query
    return query.message.message_id if query and query.message else None


async def _take_buttons_away(context: BotContext, chat_id: int, message_id: int) -> None:
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except TelegramError as exc:
        log.info("safety.buttons_not_removed error=%s", type(exc).__name__)


async def _answer_ask(update: Update, context: BotContext, choice: str) -> None:
    """Yes and not sure: a crisis, answered at crisis priority before anything is stored; no:
    heard kindly, the lines stay in reach."""
    chat_id = update.effective_chat.id
    s = context.services
    lang, country = _whom(update, context)
    escalation, reply = service.ask_answered(s.texts, choice, lang, country, s.clock())
    if escalation is not None:
        questionnaire_message = _stop_running(context, chat_id)
        with _crisis_under_way(context, chat_id):
            await _deliver_crisis_message(context, chat_id, reply, lang)
            _log_escalation(escalation)
            await _store(update, context, service.after_crisis, escalation, s.clock())
        if questionnaire_message is not None:
            await _close_questionnaire(context, chat_id, questionnaire_message, lang)
    else:
        body, _ = render(s.texts, reply, lang)
        await send(context, chat_id, body)


async def followup_choice(update: Update, context: BotContext) -> None:
    """The answer to the next day's 'how are you now?' after a crisis answer."""
    await _acknowledge(update)
    context.application.chat_data[update.effective_chat.id].pop(OPEN_ASK, None)
    choice = callbacks.decode(update.callback_query.data).arg(1)
    s = context.services
    lang, country = _whom(update, context)
    escalation, reply = service.followup_answered(s.texts, choice, lang, country, s.clock())
    body, _ = render(s.texts, reply, lang)
    if escalation is not None:
        await answer_crisis(update, context, escalation)
        await _replace_question(update, context, body)
    else:
        await edit(update, context, body)
    await _question_answered(update, context, _pressed_on(update))


async def _answer_followup(update: Update, context: BotContext, choice: str) -> None:
    """The next day's question answered by typing: the crisis answer for 'I need help now',
    else the line for better or still hard, as a message of its own."""
    s = context.services
    lang, country = _whom(update, context)
    escalation, reply = service.followup_answered(s.texts, choice, lang, country, s.clock())
    if escalation is not None:
        await answer_crisis(update, context, escalation)
        return
    body, _ = render(s.texts, reply, lang)
    await send(context, update.effective_chat.id, body)


async def _acknowledge(update: Update) -> None:
    try:
        await update.callback_query.answer()
    except TelegramError as exc:  # the spinner stops by itself; the answer matters more
        log.info("safety.tap_not_acknowledged error=%s", type(exc).__name__)


async def _replace_question(update: Update, context: BotContext, body: str | None) -> None:
    """Take the question's buttons away (and show `body` instead); failures change nothing."""
    try:
        if body is None:
            await update.callback_query.edit_message_reply_markup(None)
        else:
            await edit(update, context, body)
    except TelegramError as exc:
        log.info("safety.buttons_not_removed error=%s", type(exc).__name__)
