"""Small helpers for the handlers that send outside a use case's outcome: texts by id,
keyboards, sending through the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.telegram.context import BotContext, language_of
from bot.telegram.outbox import Priority

Button = tuple[str, str]


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def text(context: BotContext, text_id: str, lang: str, **values: Any) -> str:
    return context.services.texts.text(text_id, lang, **values)


async def send(
    context: BotContext,
    chat_id: int,
    body: str,
    buttons: Sequence[Sequence[Button]] | None = None,
    priority: Priority = Priority.INTERACTIVE,
) -> Message:
    markup = keyboard(buttons) if buttons else None
    return await context.services.outbox.send(
        priority, chat_id, context.bot.send_message, text=body, reply_markup=markup
    )


async def reply(
    update: Update,
    context: BotContext,
    text_id: str,
    buttons: Sequence[Sequence[Button]] | None = None,
    priority: Priority = Priority.INTERACTIVE,
    **values: Any,
) -> Message:
    """Answer the chat of this update with the text `text_id` in the coachee's language."""
    lang = language_of(update, context)
    return await send(
        context, update.effective_chat.id, text(context, text_id, lang, **values), buttons, priority
    )


async def edit(
    update: Update,
    context: BotContext,
    body: str,
    buttons: Sequence[Sequence[Button]] | None = None,
) -> None:
    """Replace the pressed message's text and buttons (the step it showed is done)."""
    query = update.callback_query
    markup = keyboard(buttons) if buttons else None
    # A double tap asks for the same edit twice: the outgoing path (outbox.OutgoingLimiter)
    # takes Telegram's "message is not modified" as done.
    await context.services.outbox.send(
        Priority.INTERACTIVE,
        update.effective_chat.id,
        context.bot.edit_message_text,
        message_id=query.message.message_id,
        text=body,
        reply_markup=markup,
    )
