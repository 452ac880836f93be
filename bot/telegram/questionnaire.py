"""/questionnaire on Telegram: decode, call bot.services.questionnaire, deliver (the rules,
PHQ-9 item 9 included, live there)."""

from __future__ import annotations

from telegram import Update

from bot.services import questionnaire as service
from bot.services.outcome import KeepResult
from bot.telegram import callbacks
from bot.telegram.context import BotContext, language_of
from bot.telegram.usecase import deliver, run


async def choose(update: Update, context: BotContext) -> None:
    """/questionnaire (or the offer after a check-in): the questionnaires in content."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    lang = language_of(update, context)
    await deliver(update, context, service.menu(context.services.texts, lang))


async def answer(update: Update, context: BotContext) -> None:
    """A tap on "start" or on an answer: the next item, the result, or the crisis answer."""
    query = update.callback_query
    await query.answer()
    s = context.services
    pressed = callbacks.decode(query.data)
    user_id = update.effective_user.id
    result = await run(
        context,
        user_id,
        service.answer,
        pressed.arg(0),
        pressed.arg(1),
        s.clock(),
        s.texts,
        language_of(update, context),
        pressed.arg(2),
    )
    await deliver(update, context, result)
    for effect in result.effects:
        if isinstance(effect, KeepResult):  # after the crisis answer went out
            await run(context, user_id, service.keep, effect.result)
