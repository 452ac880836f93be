"""/export and /delete: a coachee takes all their data with them, or erases all of it."""

from __future__ import annotations

import io
import json
import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.core import profiles
from bot.telegram import callbacks, safety_net
from bot.telegram.context import language_of, services
from bot.telegram.outbox import Priority
from bot.telegram.replies import edit, reply, send, text

log = logging.getLogger(__name__)


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export: everything stored about this coachee, as one JSON file."""
    s = services(context)
    user_id = update.effective_user.id
    data = s.repo.export(user_id)
    refused = s.repo.refused_at(user_id)
    if data["profile"] is None and refused is None:
        await reply(update, context, "export.nothing")
        return
    if refused is not None:
        data["refused_at"] = refused.isoformat()
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    document = io.BytesIO(payload)
    document.name = "my-coaching-data.json"
    await s.outbox.send(
        Priority.INTERACTIVE,
        update.effective_chat.id,
        context.bot.send_document,
        document=document,
        caption=text(context, "export.caption", language_of(update, context)),
    )
    log.info("privacy.export")


async def delete(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/delete: ask once, then erase everything."""
    lang = language_of(update, context)
    stamp = profiles.erasure_stamp(services(context).repo.load_profile(update.effective_user.id))
    await send(
        context,
        update.effective_chat.id,
        text(context, "delete.confirm", lang),
        [
            [
                (
                    text(context, "delete.yes", lang),
                    callbacks.encode(callbacks.DELETE, "confirm", stamp),
                ),
                (text(context, "delete.no", lang), callbacks.encode(callbacks.DELETE, "cancel")),
            ]
        ],
    )


async def delete_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    lang = language_of(update, context)
    choice = callbacks.decode(query.data)
    if choice.arg(0) != "confirm":
        await edit(update, context, text(context, "delete.cancelled", lang))
        return
    s = services(context)
    user_id = update.effective_user.id
    if choice.arg(1) != str(profiles.erasure_stamp(s.repo.load_profile(user_id))):
        log.info("privacy.delete_question_expired")
        await edit(update, context, text(context, "delete.expired", lang))
        return
    # Stop first, then erase: a job that is already running finds the tombstone and writes
    # nothing; one that had not started yet never starts.
    stop_everything_of(context, user_id, update.effective_chat.id)
    s.repo.erase(user_id)
    log.info("privacy.erased")
    await edit(update, context, text(context, "delete.done", lang))


def stop_everything_of(context: ContextTypes.DEFAULT_TYPE, user_id: int, chat_id: int) -> None:
    """End every job and flow of this person (no I/O): reminders, follow-ups, exercise steps,
    an open questionnaire and any text the bot was waiting for."""
    profile = services(context).repo.load_profile(user_id)
    for chat in {chat_id, user_id} | ({profile.chat_id} if profile is not None else set()):
        safety_net.stop_flows(context, chat)  # exercise steps, questionnaire, awaited text
    for name in (f"reminders:{user_id}", f"followup:{user_id}"):
        for job in context.job_queue.get_jobs_by_name(name):
            job.schedule_removal()
    context.application.user_data.get(user_id, {}).clear()
