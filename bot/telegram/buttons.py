"""Button presses this version cannot honour (old, forged or malformed): one kind answer.

Telegram lets a client send any data with a press, so a payload is input like any typed text.
A payload that does not decode never reaches a handler; a handler that finds a well-formed
payload it cannot honour (an unknown id, a value off the scale) raises StaleCallback, and the
error handler answers it here. Either way nothing is stored and no apology is shown.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.core.checkins import InvalidAnswer
from bot.core.profiles import InvalidChoice
from bot.telegram import callbacks
from bot.telegram.callbacks import StaleCallback
from bot.telegram.context import BotContext, language_of
from bot.telegram.replies import edit, text

log = logging.getLogger(__name__)

# What a handler raises when a press carries something it cannot honour.
NOT_HONOURED = (StaleCallback, InvalidAnswer, InvalidChoice)


async def refuse_malformed(update: Update, context: BotContext) -> None:
    """Every press passes here first: a payload that does not decode goes no further."""
    try:
        callbacks.decode(update.callback_query.data)
    except StaleCallback:
        log.info("button.stale reason=malformed")
        await answer_stale(update, context)
        raise ApplicationHandlerStop from None


async def answer_stale(update: Update, context: BotContext) -> None:
    """Say the button is no longer valid: on the button itself, or (when the handler already
    answered the press) in the message that carried it."""
    stale = text(context, "input.stale_button", language_of(update, context))
    query = update.callback_query
    try:
        # Strict: a press answered already must show the word in its message instead.
        await context.bot.answer_callback_query(
            query.id, text=stale, rate_limit_args={"strict": True}
        )
        return
    except TelegramError:  # answered already: Telegram takes one answer per press
        pass
    if query.message is not None:
        await edit(update, context, stale)
