"""/help, unknown commands and the apology when something fails."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.replies import reply


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands."""
    context.user_data.pop("awaiting", None)
    await reply(update, context, "help.commands")


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, context, "input.unknown_command")


async def something_went_wrong(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, context, "input.error")
