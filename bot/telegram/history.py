"""/history on Telegram: decode, call bot.services.history, deliver (the chart is drawn
off the event loop by bot.telegram.usecase.deliver)."""

from __future__ import annotations

from telegram import Update

from bot.services import history as service
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.usecase import deliver, run


async def show(update: Update, context: BotContext) -> None:
    """/history [14|30]: the last 14 days unless 30 is asked for; anything else typed gets
    the periods there are."""
    s = context.services
    typed = " ".join(context.args) if context.args else None
    result = await run(
        context, update.effective_user.id, service.history_asked, typed, s.clock(), s.texts
    )
    await deliver(update, context, result)


async def period_choice(update: Update, context: BotContext) -> None:
    """The button for the other period."""
    query = update.callback_query
    await query.answer()
    await _send_history(update, context, int(callbacks.decode(query.data).arg(0, "14")))


async def _send_history(update: Update, context: BotContext, days: int) -> None:
    s = context.services
    result = await run(context, update.effective_user.id, service.history, days, s.clock(), s.texts)
    await deliver(update, context, result)
