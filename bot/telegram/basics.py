"""/start and /help: who the bot is, and what it can do."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.context import language_of, services


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet, and say in two lines what the bot is and is not."""
    lang = language_of(update, context)
    texts = services(context).texts
    name = update.effective_user.first_name if update.effective_user else ""
    await update.effective_message.reply_text(
        texts.text("start.greeting", lang, name=name)
        + "\n\n"
        + texts.text("start.what_we_are", lang)
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands."""
    lang = language_of(update, context)
    await update.effective_message.reply_text(services(context).texts.text("help.commands", lang))
