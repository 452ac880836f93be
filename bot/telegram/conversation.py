"""Messages outside commands and buttons: typed answers a flow waits for, media, the rest.

By the time a text gets here it has passed the safety net.

Waiting for typed text ("awaiting" in user_data) is bound to the chat as well as the user: a
flow asks only in the person's private chat (the gate refuses every other chat), whose id
is the user id, and only a text from that same chat completes it. A line the person writes
anywhere else is never taken as their note, reflection or setting.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram import callbacks, checkin, onboarding, reflect, settings
from bot.telegram.context import language_of
from bot.telegram.replies import reply, send, text


async def typed_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a typed text to the flow that asked for it, or answer kindly."""
    awaiting = context.user_data.get("awaiting") if _own_chat(update) else None
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


def _own_chat(update: Update) -> bool:
    chat, user = update.effective_chat, update.effective_user
    return (
        chat is not None and user is not None and chat.type == chat.PRIVATE and chat.id == user.id
    )


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


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: the safety net has assessed it (and /sos answers again); a command
    does not run twice, and an edit never completes a flow."""


async def media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo, sticker, voice note or file: a kind word, and any flow simply waits."""
    await reply(update, context, "input.media")


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button this version cannot honour (old, or from a removed flow)."""
    query = update.callback_query
    await query.answer(text(context, "input.stale_button", language_of(update, context)))
