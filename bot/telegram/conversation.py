"""Messages outside commands and buttons: typed answers a flow waits for, media, the rest.

By the time a text gets here it has passed the safety net.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram import callbacks, checkin, onboarding, reflect, settings
from bot.telegram.context import language_of
from bot.telegram.replies import reply, send, text


async def typed_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a typed text to the flow that asked for it, or answer kindly."""
    awaiting = context.user_data.get("awaiting")
    if awaiting is None:
        await unexpected_text(update, context)
        return
    kind, *args = awaiting
    typed = update.effective_message.text
    if kind == "note":
        await checkin.save_note(update, context, *args)
    elif kind == "reflection":
        await reflect.save_answer(update, context, *args)
    elif kind == "timezone":
        await onboarding.save_timezone(update, context, typed)
    elif kind == "moment":
        await settings.save_typed_moment(update, context, args[0], typed)
    else:
        context.user_data.pop("awaiting", None)
        await unexpected_text(update, context)


async def unexpected_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = language_of(update, context)
    await send(
        context,
        update.effective_chat.id,
        text(context, "input.unexpected", lang),
        [
            [
                (
                    text(context, "input.do_checkin", lang),
                    callbacks.encode(callbacks.REMINDER, "checkin", "today", "start"),
                ),
                (
                    text(context, "input.do_exercise", lang),
                    callbacks.encode(callbacks.REMINDER, "exercise", "today", "start"),
                ),
            ]
        ],
    )


async def media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo, sticker, voice note or file: a kind word, and any flow simply waits."""
    await reply(update, context, "input.media")


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button this version cannot honour (old, or from a removed flow)."""
    query = update.callback_query
    await query.answer(text(context, "input.stale_button", language_of(update, context)))
