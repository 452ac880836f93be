"""Small helpers every handler uses to send: texts by id, keyboards, the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.telegram.context import language_of, services
from bot.telegram.outbox import Priority

Button = tuple[str, str]


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def text(context: ContextTypes.DEFAULT_TYPE, text_id: str, lang: str, **values: Any) -> str:
    return services(context).texts.text(text_id, lang, **values)


async def send(context: ContextTypes.DEFAULT_TYPE, chat_id: int, body: str,
               buttons: Sequence[Sequence[Button]] | None = None,
               priority: Priority = Priority.INTERACTIVE) -> Message:
    markup = keyboard(buttons) if buttons else None
    return await services(context).outbox.send(
        priority, chat_id, context.bot.send_message, text=body, reply_markup=markup
    )


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text_id: str,
                buttons: Sequence[Sequence[Button]] | None = None,
                priority: Priority = Priority.INTERACTIVE, **values: Any) -> Message:
    """Answer the chat of this update with the text `text_id` in the coachee's language."""
    lang = language_of(update, context)
    return await send(context, update.effective_chat.id, text(context, text_id, lang, **values),
                      buttons, priority)


async def edit(update: Update, context: ContextTypes.DEFAULT_TYPE, body: str,
               buttons: Sequence[Sequence[Button]] | None = None) -> None:
    """Replace the pressed message's text and buttons (the step it showed is done)."""
    query = update.callback_query
    markup = keyboard(buttons) if buttons else None
    try:
        await services(context).outbox.send(
            Priority.INTERACTIVE, update.effective_chat.id, context.bot.edit_message_text,
            message_id=query.message.message_id, text=body, reply_markup=markup,
        )
    except BadRequest as exc:
        # A double tap asks for the same edit twice; the first one already did the work.
        if "not modified" not in str(exc).lower():
            raise
