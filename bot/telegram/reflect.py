"""/reflect on Telegram: decode, call bot.services.reflection, deliver (the rules live there)."""

from __future__ import annotations

from telegram import Update

from bot.services import reflection as service
from bot.telegram import callbacks, coaching
from bot.telegram.context import BotContext
from bot.telegram.usecase import deliver, run


async def ask(update: Update, context: BotContext) -> None:
    """/reflect (or "start" under a reminder): the phase's prompt answered longest ago."""
    s = context.services
    result = await run(
        context,
        update.effective_user.id,
        service.ask,
        update.effective_chat.id,
        s.clock(),
        s.texts,
    )
    await deliver(update, context, result)


async def prompt_choice(update: Update, context: BotContext) -> None:
    """ "Another question" or "Not now" under a prompt."""
    query = update.callback_query
    await query.answer()
    s = context.services
    choice, prompt_id = callbacks.decode(query.data).args[:2]
    if not service.is_prompt(s.texts, prompt_id):
        raise callbacks.StaleCallback("no such prompt")
    user_id = update.effective_user.id
    if choice == "other":
        chat_id = update.effective_chat.id
        result = await run(
            context, user_id, service.other_prompt, prompt_id, chat_id, s.clock(), s.texts
        )
    else:
        result = await run(context, user_id, service.later, prompt_id, s.clock())
    await deliver(update, context, result)


async def save_answer(update: Update, context: BotContext, prompt_id: str) -> None:
    """The typed answer (already through the safety net) is stored, private by default."""
    answer = update.effective_message.text
    now = context.services.clock()
    coaches = coaching.coach_store(context.application)
    result = await run(
        context, update.effective_user.id, service.save_answer, prompt_id, answer, now, coaches
    )
    await deliver(update, context, result)


async def share_choice(update: Update, context: BotContext) -> None:
    """Per answer, the coachee decides whether their coach may read it."""
    query = update.callback_query
    await query.answer()
    reflection_id, choice = callbacks.decode(query.data).args[:2]
    coaches = coaching.coach_store(context.application)
    result = await run(
        context, update.effective_user.id, service.share, reflection_id, choice == "yes", coaches
    )
    await deliver(update, context, result)
