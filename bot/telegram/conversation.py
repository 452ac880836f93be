"""Messages outside commands and buttons: typed answers a flow waits for, media, the rest.

By the time a text gets here it has passed the safety net.

What the bot waits for is stored state (bot.core.awaiting: a kind, a reference, the chat it
was asked in, an expiry), kept through the repository so a restart keeps it and a "hoi" the
next morning is never taken as yesterday's note. It is bound to the chat as well as the
user: a flow asks only in the person's private chat (the gate refuses every other chat),
whose id is the user id, and only a text from that same chat completes it. A line the
person writes anywhere else is never taken as their note, reflection or setting.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.awaiting import awaited_in
from bot.telegram import awaited, callbacks, checkin, onboarding, reflect, safety_net, settings
from bot.telegram.context import language_of, services
from bot.telegram.replies import reply, send, text


async def typed_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a typed text to the flow that asked for it, or answer kindly."""
    state = None
    if _own_chat(update):
        state = awaited_in(
            awaited.current(context, update.effective_user.id),
            update.effective_chat.id,
            services(context).clock(),
        )
    if state is None:
        await unexpected_text(update, context)
        return
    typed = update.effective_message.text
    if state.kind == "checkin":
        await checkin.point_at_buttons(update, context, state.reference)
    elif state.kind == "note":
        await checkin.save_note(update, context, state.reference)
    elif state.kind == "reflection":
        await reflect.save_answer(update, context, state.reference)
    elif state.kind == "timezone":
        await onboarding.save_timezone(update, context, typed)
    elif state.kind == "moment":
        await settings.save_typed_moment(update, context, state.reference, typed)
    else:  # a kind from a later version: read the text as itself
        await unexpected_text(update, context)


def _own_chat(update: Update) -> bool:
    chat, user = update.effective_chat, update.effective_user
    return (
        chat is not None and user is not None and chat.type == chat.PRIVATE and chat.id == user.id
    )


async def unexpected_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if safety_net.answered_here(update, context):
        return  # the GP advice was the answer; "I'm a simple helper" after it would jar
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
