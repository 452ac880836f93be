"""/summary and the GP follow-up on Telegram: decode, call bot.services.history, deliver."""

from __future__ import annotations

from telegram import Update

from bot.services import history as service
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.usecase import deliver, run


async def gp_summary(update: Update, context: BotContext) -> None:
    """/summary: the last two weeks of check-ins in a few lines, to show the GP."""
    s = context.services
    result = await run(context, update.effective_user.id, service.gp_summary, s.clock(), s.texts)
    await deliver(update, context, result)


async def notes_choice(update: Update, context: BotContext) -> None:
    """'With or without my notes?': the summary takes the question's place."""
    query = update.callback_query
    await query.answer()
    s = context.services
    with_notes = callbacks.decode(query.data).arg(0) == "with"
    result = await run(
        context, update.effective_user.id, service.summary_with, with_notes, s.clock(), s.texts
    )
    await deliver(update, context, result)


async def followup_choice(update: Update, context: BotContext) -> None:
    """The answer to 'could you reach your GP?'."""
    query = update.callback_query
    await query.answer()
    s = context.services
    choice = callbacks.decode(query.data).arg(1)
    result = await run(
        context, update.effective_user.id, service.gp_followup, choice, s.clock(), s.texts
    )
    await deliver(update, context, result)
