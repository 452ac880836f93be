"""/settings, /pause and /resume on Telegram: decode, call bot.services.settings, deliver
(the rules live there)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services import settings as service
from bot.telegram import callbacks
from bot.telegram.context import services
from bot.telegram.onboarding import AFTER_ONBOARDING
from bot.telegram.usecase import deliver, run


async def show_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/settings: what is set now, and a button per choice."""
    context.user_data.pop(AFTER_ONBOARDING, None)  # no longer onboarding's "Aanpassen"
    result = await run(
        context, update.effective_user.id, service.show_menu, services(context).texts
    )
    await deliver(update, context, result)


async def choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A settings button: open a choice's options, or save the option pressed."""
    query = update.callback_query
    await query.answer()
    s = services(context)
    user_id = update.effective_user.id
    payload = callbacks.decode(query.data)
    what = payload.arg(0)
    if what == "done":
        after_onboarding = bool(context.user_data.pop(AFTER_ONBOARDING, False))
        result = await run(context, user_id, service.close, after_onboarding, s.texts)
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
        )
    await deliver(update, context, result)


async def save_typed_moment(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reference: str, typed: str
) -> None:
    """A time typed for a moment, while its buttons or its "other time" question are open."""
    s = services(context)
    result = await run(
        context, update.effective_user.id, service.type_moment, reference, typed, s.clock(), s.texts
    )
    await deliver(update, context, result)


async def pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pause [days]: no reminders for a while (default a week)."""
    days = context.args[0] if context.args else None
    now = services(context).clock()
    await deliver(
        update, context, await run(context, update.effective_user.id, service.pause, days, now)
    )


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/resume: reminders again from now on."""
    now = services(context).clock()
    await deliver(
        update, context, await run(context, update.effective_user.id, service.resume, now)
    )
