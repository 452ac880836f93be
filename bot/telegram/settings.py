"""/settings, /pause and /resume on Telegram: decode, call bot.services.settings, deliver
(the rules live there)."""

from __future__ import annotations

from telegram import Update

from bot.services import settings as service
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.onboarding import AFTER_ONBOARDING
from bot.telegram.usecase import deliver, run


async def show_menu(update: Update, context: BotContext) -> None:
    """/settings: what is set now, and a button per choice."""
    context.user_data.pop(AFTER_ONBOARDING, None)  # no longer onboarding's "Aanpassen"
    result = await run(context, update.effective_user.id, service.show_menu, context.services.texts)
    await deliver(update, context, result)


async def choice(update: Update, context: BotContext) -> None:
    """A settings button: open a choice's options, or save the option pressed."""
    query = update.callback_query
    await query.answer()
    s = context.services
    user_id = update.effective_user.id
    payload = callbacks.decode(query.data)
    what = payload.arg(0)
    message_id = query.message.message_id if query.message is not None else None
    if what == "done":
        after_onboarding = bool(context.user_data.pop(AFTER_ONBOARDING, False))
        result = await run(context, user_id, service.close, after_onboarding, s.texts, message_id)
    else:
        result = await run(
            context,
            user_id,
            service.choose,
            what,
            payload.arg(1),
            payload.arg(2),
            update.effective_chat.id,
            s.clock(),
            s.texts,
            message_id,
        )
    await deliver(update, context, result)


async def save_typed_moment(
    update: Update, context: BotContext, reference: str, typed: str
) -> None:
    """A time typed for a moment, while its buttons or its "other time" question are open."""
    s = context.services
    result = await run(
        context, update.effective_user.id, service.type_moment, reference, typed, s.clock(), s.texts
    )
    await deliver(update, context, result)


async def pause(update: Update, context: BotContext) -> None:
    """/pause [days]: no reminders for a while (default a week)."""
    days = context.args[0] if context.args else None
    now = context.services.clock()
    await deliver(
        update, context, await run(context, update.effective_user.id, service.pause, days, now)
    )


async def resume(update: Update, context: BotContext) -> None:
    """/resume: reminders again from now on."""
    now = context.services.clock()
    await deliver(
        update, context, await run(context, update.effective_user.id, service.resume, now)
    )
