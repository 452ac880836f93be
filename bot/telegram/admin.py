"""Maintainers' commands: /reload (or SIGHUP) puts new content live without a restart."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.content.loader import Content, ContentError, Problem
from bot.telegram.context import BotContext, Services
from bot.telegram.outbox import Priority
from bot.telegram.replies import reply, send

log = logging.getLogger(__name__)
MAX_MESSAGE = 3500


async def _reload(application: Application) -> Content:
    """Reload off the event loop (it takes a while), then refresh the command menu."""
    from bot.telegram.app import set_command_menu

    s: Services = application.bot_data["services"]
    content = await asyncio.to_thread(s.content.reload)
    log.info("content.reloaded")
    await set_command_menu(application)
    return content


async def _try_reload(application: Application) -> tuple[Content | None, ContentError | None]:
    """The new content, or why it was refused; every problem is logged as file:line too (an
    operator without admin ids set sees them there). Never raises: a reload that fails in an
    unforeseen way is reported like a refusal, and the old content stays live."""
    s: Services = application.bot_data["services"]
    try:
        return await _reload(application), None
    except ContentError as exc:
        error = exc
    except Exception as exc:
        log.error("content.reload_failed error=%s", type(exc).__name__, exc_info=exc)
        where = Problem(str(s.content.directory), 1, f"the reload failed ({type(exc).__name__})")
        error = ContentError([where])
    log.warning("content.reload_refused problems=%s", len(error.problems))
    for problem in error.problems:
        log.warning("content.problem %s", problem)
    return None, error


def _listing(error: ContentError) -> str:
    listing = "\n".join(str(p) for p in error.problems)
    return listing if len(listing) <= MAX_MESSAGE else listing[:MAX_MESSAGE] + "\n…"


def _report(
    s: Services, lang: str, content: Content | None, error: ContentError | None
) -> list[str]:
    if error is not None:
        return [
            s.texts.text("admin.reload_refused", lang, count=len(error.problems)),
            _listing(error),
        ]
    assert content is not None
    return [
        s.texts.text(
            "admin.reloaded",
            lang,
            exercises=len(content.exercises),
            prompts=len(content.prompts),
            rules=len(content.safety.rules),
        )
    ]


async def reload(update: Update, context: BotContext) -> None:
    """/reload (admins only): load content again; invalid content is refused, old stays live."""
    s = context.services
    if update.effective_user.id not in s.settings.admin_ids:
        await reply(update, context, "input.unknown_command")
        return
    content, error = await _try_reload(context.application)
    profile = s.repo.load_profile(update.effective_user.id)
    lang = profile.lang if profile else "nl"
    for message in _report(s, lang, content, error):
        await send(context, update.effective_chat.id, message)


async def reload_on_signal(application: Application) -> None:
    """SIGHUP: the same reload; every admin hears how it went, the old content stays live."""
    s: Services = application.bot_data["services"]
    content, error = await _try_reload(application)
    for admin_id in s.settings.admin_ids:
        profile = s.repo.load_profile(admin_id)
        for message in _report(s, profile.lang if profile else "nl", content, error):
            try:
                await s.outbox.send(
                    Priority.INTERACTIVE, admin_id, application.bot.send_message, text=message
                )
            except TelegramError as exc:  # an admin who never opened a chat with the bot
                log.warning("content.reload_report_failed error=%s", type(exc).__name__)
                break
