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
from collections.abc import Sequence
from datetime import timedelta

from telegram import Message, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from bot.content.escalation_texts import escalation_text, filled, opener_key
from bot.core.escalation import (
    ask_escalation,
    followup_escalation,
    plan_escalation,
    sos_escalation,
)
from bot.core.models import Escalation, Profile
from bot.telegram import awaited, callbacks, exercise, jobs
from bot.telegram.context import KEY, Services, language_for, language_of, services
from bot.telegram.outbox import Priority
from bot.telegram.replies import Button, edit, keyboard, send, text

log = logging.getLogger(__name__)

# A crisis answer is retried until it is delivered or this much time has passed.
CRISIS_DEADLINE = 60.0
# Longer than any delivery Telegram confirms late: a slow send that did arrive must not be
# sent again (the default read timeout of 5 s would resend it).
CRISIS_READ_TIMEOUT = 10.0
FIRST_BACKOFF, MAX_BACKOFF = 0.5, 4.0
# chat_data key: the message id of the questionnaire item on screen in this chat.
OPEN_QUESTIONNAIRE = "questionnaire_message"


def crisis_buttons(context: ContextTypes.DEFAULT_TYPE, lang: str) -> list[list[Button]]:
    return [
        [
            (
                text(context, "crisis.ground_button", lang),
                callbacks.encode(callbacks.CRISIS, "ground"),
            )
        ],
        [(text(context, "crisis.ok_button", lang), callbacks.encode(callbacks.CRISIS, "ok"))],
    ]


# --- deciding -------------------------------------------------------------------------------


def needs_crisis_answer(application: Application, update: object) -> bool:
    """/sos, or a text assessed as crisis: the update processor lets it skip every queue."""
    if not isinstance(update, Update) or update.effective_user is None:
        return False
    message = update.effective_message
    words = (message.text or message.caption or "") if message else ""
    if not words.strip():
        return False
    if words.split()[0].split("@")[0].lower() == "/sos":
        return True
    s = application.bot_data[KEY]
    user = update.effective_user
    lang = language_for(s, user, application.user_data.get(user.id))
    return bool(s.safety.assess(words, lang).level == "crisis")


async def safety_net(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Assess every text first; a crisis stops all other handling of this message."""
    message = update.effective_message
    words = (message.text or message.caption or "") if message else ""
    if not words.strip() or update.effective_user is None:
        return
    s = services(context)
    assessment = s.safety.assess(words, _language(update, context))
    if assessment.level == "crisis":
        # Decided before any I/O: a failed send or write must not let the text fall through
        # to the next handler group (a note, the generic reply) or to the error apology.
        escalation = plan_escalation(assessment, "text", [], s.clock())
        await _crisis_then_stop(update, context, escalation, ask=assessment.ask)
    if assessment.escalates:
        # Health talk, answered here or shortly before: never small talk after it.
        context.chat_data[ANSWERED_KEY] = update.update_id
        try:
            user_id = update.effective_user.id
            history = s.repo.records(user_id, Escalation) if s.repo.load_profile(user_id) else []
            escalation = plan_escalation(assessment, "text", history, s.clock())
            if escalation is not None:
                await answer_escalation(update, context, escalation)
        except Exception:  # GP advice that fails must not cost the coachee their note
            log.exception("safety.gp_advice_failed")


# chat_data key: the update whose text the safety net answered with GP advice (or would
# have, had it not just given it); the generic reply to free text skips that update.
ANSWERED_KEY = "safety.answered_update"


def answered_here(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    return context.chat_data is not None and context.chat_data.get(ANSWERED_KEY) == update.update_id


async def sos(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sos: the crisis answer at once, no questions asked, in every state."""
    await _crisis_then_stop(update, context, sos_escalation(services(context).clock()))


async def _crisis_then_stop(
    update: Update, context: ContextTypes.DEFAULT_TYPE, escalation: Escalation, ask: bool = False
) -> None:
    try:
        await answer_crisis(update, context, escalation, ask=ask)
    except Exception:  # logged, never the generic apology: the crisis answer was tried hard
        log.exception("safety.crisis_answer_failed")
    raise ApplicationHandlerStop


# --- answering ------------------------------------------------------------------------------


async def answer_escalation(
    update: Update, context: ContextTypes.DEFAULT_TYPE, escalation: Escalation
) -> None:
    """Send the escalation, store it (with consent), alert a coach (with consent)."""
    if escalation.level == "crisis":
        await answer_crisis(update, context, escalation)
        return
    s = services(context)
    lang, profile, country = _whom(update, context)
    body = escalation_body(s, escalation, lang, country)
    try:
        await send(context, update.effective_chat.id, body)
    except TelegramError as exc:  # the flow goes on; the advice comes again another day
        log.warning("safety.gp_send_failed error=%s", type(exc).__name__)
    _log_escalation(escalation)
    _store(context, profile, escalation)
    await _alert_coach(context, profile, escalation)


async def answer_crisis(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    escalation: Escalation,
    ask: bool = False,
) -> None:
    """Stop the chat's flows, store (with consent), deliver the crisis answer, then ask."""
    s = services(context)
    chat_id = update.effective_chat.id
    questionnaire_message = stop_flows(context, chat_id)
    lang, profile, country = _whom(update, context)
    _store(context, profile, escalation)
    body = escalation_body(s, escalation, lang, country)
    delivered = await deliver_crisis(context, chat_id, body, crisis_buttons(context, lang))
    _log_escalation(escalation)
    if delivered is not None and ask:
        question = s.texts.escalations.crisis_ask.question.get(lang)
        await deliver_crisis(context, chat_id, question, _ask_buttons(context, lang))
    if questionnaire_message is not None:
        await _close_questionnaire(context, chat_id, questionnaire_message, lang)
    await _alert_coach(context, profile, escalation)


def stop_flows(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> int | None:
    """End what runs in this chat (no network I/O); the questionnaire message whose buttons
    must go."""
    exercise.cancel(context.application, chat_id)
    # The next text typed is read as itself, never as the note or answer asked before. The
    # bot asks only in private chats, whose id is the person's; storage trouble is logged,
    # never raised, so it cannot hold up the crisis answer.
    awaited.stop_waiting_quietly(context, chat_id)
    return context.application.chat_data[chat_id].pop(OPEN_QUESTIONNAIRE, None)


async def deliver_crisis(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    body: str,
    buttons: Sequence[Sequence[Button]] | None = None,
) -> Message | None:
    """Send at crisis priority, retrying network errors, timeouts, 5xx and flood control
    (AIORateLimiter retries only the last) until delivered or CRISIS_DEADLINE has passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CRISIS_DEADLINE
    backoff = FIRST_BACKOFF
    markup = keyboard(buttons) if buttons else None
    attempt = 0
    while True:
        attempt += 1
        try:
            return await services(context).outbox.send(
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


def _language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    try:
        return language_of(update, context)
    except Exception:  # storage trouble must not keep the crisis line from anyone
        log.exception("safety.language_unknown")
        code = update.effective_user.language_code or "" if update.effective_user else ""
        return "en" if code.lower().startswith("en") else "nl"


def escalation_body(s: Services, escalation: Escalation, lang: str, country: str) -> str:
    """What the coachee reads for this escalation: its opener, then its body, with the help
    lines of their country."""
    return escalation_text(
        s.texts,
        escalation.level,
        escalation.category,
        lang,
        country,
        opener=opener_key(escalation.source, escalation.category),
    )


def _whom(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[str, Profile | None, str]:
    """Language, profile (None without consent, or when storage fails) and country."""
    s = services(context)
    try:
        profile = s.repo.load_profile(update.effective_user.id)
    except Exception:
        log.exception("safety.profile_unreadable")
        profile = None
    country = profile.country if profile else s.settings.country
    return _language(update, context), profile, country


def _store(
    context: ContextTypes.DEFAULT_TYPE, profile: Profile | None, escalation: Escalation
) -> None:
    """Record the escalation and plan its follow-up; only with consent, never blocking."""
    if profile is None:
        return  # nothing is stored without consent
    try:
        services(context).repo.add(profile.user_id, escalation)
        if escalation.followup_due is not None:
            jobs.schedule_followup(context.application, profile.user_id, escalation.followup_due)
    except Exception:  # the answer matters more than the record of it
        log.exception("safety.escalation_not_stored level=%s", escalation.level)


async def _alert_coach(
    context: ContextTypes.DEFAULT_TYPE, profile: Profile | None, escalation: Escalation
) -> None:
    from bot.telegram import coaching  # the coach's link and consent (bot.core.coaching)

    await coaching.alert_coach(context, profile, escalation)


def _log_escalation(escalation: Escalation) -> None:
    log.info(
        "safety.escalation level=%s source=%s rule=%s",
        escalation.level,
        escalation.source,
        escalation.rule,
    )


async def _close_questionnaire(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int, lang: str
) -> None:
    """Take the answer buttons away: the questionnaire stops here."""
    try:
        await services(context).outbox.send(
            Priority.INTERACTIVE,
            chat_id,
            context.bot.edit_message_text,
            message_id=message_id,
            text=text(context, "questionnaire.paused", lang),
        )
    except TelegramError as exc:  # already edited, or deleted: nothing left to take away
        log.info("questionnaire.not_closed error=%s", type(exc).__name__)


# --- buttons ----------------------------------------------------------------------------------


def _ask_buttons(context: ContextTypes.DEFAULT_TYPE, lang: str) -> list[list[Button]]:
    return [
        [
            (
                text(context, f"crisis_ask.{choice}", lang),
                callbacks.encode(callbacks.CRISIS_ASK, choice),
            )
            for choice in ("yes", "unsure", "no")
        ]
    ]


async def crisis_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The two buttons under a crisis answer: stay with an exercise, or 'I'm OK for now'."""
    query = update.callback_query
    await query.answer()
    choice = callbacks.decode(query.data).arg(0)
    lang = language_of(update, context)
    if choice == "ground":
        await exercise.start_grounding(update, context)
    else:
        await send(context, update.effective_chat.id, text(context, "crisis.ok_reply", lang))


async def ask_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The answer to 'are you thinking of ending your life?': yes and not sure are a crisis."""
    await _acknowledge(update)
    choice = callbacks.decode(update.callback_query.data).arg(0)
    chat_id = update.effective_chat.id
    s = services(context)
    lang, profile, country = _whom(update, context)
    texts = s.texts.escalations.crisis_ask
    escalation = ask_escalation(choice, s.clock())
    if escalation is not None:
        stop_flows(context, chat_id)
        _store(context, profile, escalation)
        template = texts.answered_yes if choice == "yes" else texts.answered_unsure
        await deliver_crisis(context, chat_id, filled(s.texts, template.get(lang), country, lang))
        _log_escalation(escalation)
        await _alert_coach(context, profile, escalation)
    else:
        await send(context, chat_id, filled(s.texts, texts.answered_no.get(lang), country, lang))
    await _replace_question(update, context, None)


async def followup_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The answer to the next day's 'how are you now?' after a crisis answer."""
    await _acknowledge(update)
    choice = callbacks.decode(update.callback_query.data).arg(1)
    s = services(context)
    lang, _profile, country = _whom(update, context)
    texts = s.texts.escalations.crisis_followup
    if choice == "help_now":
        await answer_crisis(update, context, followup_escalation(s.clock()))
        await _replace_question(update, context, texts.help_now.get(lang))
        return
    answer = texts.better if choice == "better" else texts.hard
    await edit(update, context, filled(s.texts, answer.get(lang), country, lang))


async def _acknowledge(update: Update) -> None:
    try:
        await update.callback_query.answer()
    except TelegramError as exc:  # the spinner stops by itself; the answer matters more
        log.info("safety.tap_not_acknowledged error=%s", type(exc).__name__)


async def _replace_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, body: str | None
) -> None:
    """Take the question's buttons away (and show `body` instead); failures change nothing."""
    try:
        if body is None:
            await update.callback_query.edit_message_reply_markup(None)
        else:
            await edit(update, context, body)
    except TelegramError as exc:
        log.info("safety.buttons_not_removed error=%s", type(exc).__name__)
