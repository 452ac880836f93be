"""Builds the Application: every handler registered in one readable block."""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, CommandHandler

from bot.content.ui_texts import MENU_COMMANDS
from bot.telegram import basics
from bot.telegram.context import KEY, Services

log = logging.getLogger(__name__)


async def set_command_menu(application: Application) -> None:
    """The command menu in Dutch (default) and English, set at every start."""
    content = application.bot_data[KEY].texts
    for lang, code in (("nl", None), ("en", "en")):
        commands = [BotCommand(c, content.text(f"menu.{c}", lang)) for c in MENU_COMMANDS]
        await application.bot.set_my_commands(commands, language_code=code)


async def post_init(application: Application) -> None:
    await set_command_menu(application)
    log.info("bot.started")


def build_application(services: Services) -> Application:
    settings = services.settings
    builder = (
        Application.builder()
        .token(settings.token)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(post_init)
    )
    if settings.api_url:
        builder = builder.base_url(settings.api_url.rstrip("/"))
        builder = builder.base_file_url(settings.api_url.rstrip("/").replace("/bot", "/file/bot"))
    application = builder.build()
    application.bot_data[KEY] = services

    application.add_handlers([
        CommandHandler("start", basics.start),
        CommandHandler("help", basics.help_command),
    ])
    return application
