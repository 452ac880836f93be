"""The buttons under a reminder on Telegram: decode, then start the item's own use case, or
call bot.services.reminders.later and deliver (the rules live there)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.services import reminders as service
from bot.telegram import callbacks, checkin, exercise, reflect
from bot.telegram.context import BotContext
from bot.telegram.replies import reply
from bot.telegram.usecase import deliver, run

START: dict[str, Callable[[Update, BotContext], Awaitable[None]]] = {
    "checkin": checkin.start_checkin,
    "exercise": exercise.choose,
    "reflection": reflect.ask,
}


async def reminder_choice(update: Update, context: BotContext) -> None:
    """'Start' opens the item now; 'later' snoozes it, promising only what will come."""
    query = update.callback_query
    await query.answer()
    kind, day, choice = callbacks.decode(query.data).args[:3]
    if not service.is_known(kind):
        await reply(update, context, "input.stale_button")
        return
    await query.edit_message_reply_markup(None)
    if choice == "start":
        await START[kind](update, context)
        return
    now = context.services.clock()
    await deliver(
        update, context, await run(context, update.effective_user.id, service.later, kind, day, now)
    )
