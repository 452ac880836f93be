"""/help, unknown commands and the apology when something fails."""

from __future__ import annotations

from telegram import Update

from bot.telegram import safety_net
from bot.telegram.context import BotContext
from bot.telegram.replies import reply


async def help_command(update: Update, context: BotContext) -> None:
    """List the commands."""
    await reply(update, context, "help.commands")


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command this bot does not know; one addressed to another bot (/x@other_bot) is not
    ours to answer. (/x@this_bot reaches its handler like /x.)"""
    message = update.effective_message
    command = message.text.split()[0] if message and message.text else ""
    name, at, addressee = command.partition("@")
    if name.lower() == "/sos":  # /sos@any_bot: help is never refused on a technicality
        await safety_net.sos(update, context)
    if at and addressee.lower() != (context.bot.username or "").lower():
        return
    await reply(update, context, "input.unknown_command")


async def something_went_wrong(update: Update, context: BotContext) -> None:
    await reply(update, context, "input.error")
