"""The safety net: every text is assessed before anything else, in every state; and /sos.

A crisis answer goes out first (outbox priority) and stops the flow; GP advice is sent and
the flow goes on, so a note that mentions drinking is still saved as a note.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.content.escalation_texts import escalation_text, opener_key
from bot.core.escalation import coach_alert, plan_escalation, sos_escalation
from bot.core.models import Escalation
from bot.telegram import callbacks, jobs
from bot.telegram.context import language_of, services
from bot.telegram.outbox import Priority
from bot.telegram.replies import send, text

log = logging.getLogger(__name__)


def crisis_buttons(context: ContextTypes.DEFAULT_TYPE, lang: str) -> list[list[tuple[str, str]]]:
    return [
        [
            (
                text(context, "crisis.ground_button", lang),
                callbacks.encode(callbacks.CRISIS, "ground"),
            )
        ],
        [(text(context, "crisis.ok_button", lang), callbacks.encode(callbacks.CRISIS, "ok"))],
    ]


async def answer_escalation(
    update: Update, context: ContextTypes.DEFAULT_TYPE, escalation: Escalation
) -> None:
    """Send the escalation, store it (with consent), alert a coach (with consent)."""
    s = services(context)
    user = update.effective_user
    lang = language_of(update, context)
    profile = s.repo.load_profile(user.id)
    country = profile.country if profile else s.settings.country
    body = escalation_text(
        s.texts, escalation.level, opener_key(escalation.source, escalation.category), lang, country
    )
    if escalation.level == "crisis":
        await send(
            context,
            update.effective_chat.id,
            body,
            crisis_buttons(context, lang),
            priority=Priority.CRISIS,
        )
    else:
        await send(context, update.effective_chat.id, body)
    log.info(
        "safety.escalation level=%s source=%s rule=%s",
        escalation.level,
        escalation.source,
        escalation.rule,
    )
    if profile is None:
        return  # nothing is stored without consent
    s.repo.add(user.id, escalation)
    if escalation.followup_due is not None:
        jobs.schedule_gp_followup(context.application, user.id, escalation.followup_due)
    alert = coach_alert(profile, escalation)
    if alert is not None:
        await jobs.send_coach_alert(context, alert)


async def safety_net(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Assess every text first; a crisis stops all other handling of this message."""
    message = update.effective_message
    words = (message.text or message.caption or "") if message else ""
    if not words.strip() or update.effective_user is None:
        return
    s = services(context)
    user_id = update.effective_user.id
    assessment = s.safety.assess(words, language_of(update, context))
    if not assessment.escalates:
        return
    history = s.repo.records(user_id, Escalation) if s.repo.load_profile(user_id) else []
    escalation = plan_escalation(assessment, "text", history, s.clock())
    if escalation is not None:
        await answer_escalation(update, context, escalation)
    if assessment.level == "crisis":
        raise ApplicationHandlerStop


async def sos(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sos: the crisis answer at once, no questions asked, in every state."""
    await answer_escalation(update, context, sos_escalation(services(context).clock()))
    raise ApplicationHandlerStop


async def crisis_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The two buttons under a crisis answer: stay with an exercise, or 'I'm OK for now'."""
    from bot.telegram import exercise

    query = update.callback_query
    await query.answer()
    choice = callbacks.decode(query.data).arg(0)
    lang = language_of(update, context)
    if choice == "ground":
        await exercise.start_grounding(update, context)
    else:
        await send(context, update.effective_chat.id, text(context, "crisis.ok_reply", lang))
