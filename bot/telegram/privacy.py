"""/export and /delete on Telegram: decode, call bot.services.privacy, deliver (the rules
live there; the file and the erasure are effects, bot.telegram.usecase)."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.services import privacy as service
from bot.telegram import callbacks, coaching, job_names, safety_net
from bot.telegram.context import BotContext
from bot.telegram.job_names import remove_job
from bot.telegram.usecase import deliver, run


async def export(update: Update, context: BotContext) -> None:
    """/export: everything stored about this coachee, as one JSON file."""
    user_id = update.effective_user.id
    refused_at = await asyncio.to_thread(context.services.repo.refused_at, user_id)
    coaches = coaching.coach_store(context.application)
    await deliver(update, context, await run(context, user_id, service.export, refused_at, coaches))


async def delete(update: Update, context: BotContext) -> None:
    """/delete: ask once, then erase everything."""
    await deliver(update, context, await run(context, update.effective_user.id, service.ask_delete))


async def delete_choice(update: Update, context: BotContext) -> None:
    query = update.callback_query
    await query.answer()
    choice = callbacks.decode(query.data)
    result = await run(
        context,
        update.effective_user.id,
        service.answer_delete,
        choice.arg(0),
        choice.arg(1),
        context.services.clock(),
    )
    await deliver(update, context, result)


def stop_everything_of(context: BotContext, user_id: int, chat_id: int) -> None:
    """End every job and flow of this person (no network I/O): reminders, follow-ups,
    exercise steps, an open questionnaire and any text the bot was waiting for."""
    profile = context.services.repo.load_profile(user_id)
    for chat in {chat_id, user_id} | ({profile.chat_id} if profile is not None else set()):
        safety_net.stop_flows(context, chat)  # exercise steps, questionnaire, awaited text
    for name in (job_names.reminders(user_id), job_names.followup(user_id)):
        remove_job(context.application, name)
    context.application.user_data.get(user_id, {}).clear()
