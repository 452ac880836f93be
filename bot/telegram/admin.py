"""Maintainers' commands: /reload puts new content live without a restart."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.content.loader import ContentError
from bot.telegram.context import services
from bot.telegram.replies import reply, send

log = logging.getLogger(__name__)
MAX_MESSAGE = 3500


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload (admins only): load content again; invalid content is refused, old stays live."""
    s = services(context)
    if update.effective_user.id not in s.settings.admin_ids:
        await reply(update, context, "input.unknown_command")
        return
    try:
        content = s.content.reload()
    except ContentError as exc:
        log.warning("content.reload_refused problems=%s", len(exc.problems))
        listing = "\n".join(str(p) for p in exc.problems)
        if len(listing) > MAX_MESSAGE:
            listing = listing[:MAX_MESSAGE] + "\n…"
        await reply(update, context, "admin.reload_refused", count=len(exc.problems))
        await send(context, update.effective_chat.id, listing)
        return
    log.info("content.reloaded")
    await reply(update, context, "admin.reloaded", exercises=len(content.exercises),
                prompts=len(content.prompts), rules=len(content.safety.rules))


async def reload_on_signal(application) -> None:
    """SIGHUP: the same reload; problems go to every admin, the old content stays live."""
    s = application.bot_data["services"]
    try:
        s.content.reload()
    except ContentError as exc:
        log.warning("content.reload_refused problems=%s", len(exc.problems))
        listing = "\n".join(str(p) for p in exc.problems)[:MAX_MESSAGE]
        for admin_id in s.settings.admin_ids:
            await application.bot.send_message(admin_id, listing)
        return
    log.info("content.reloaded")
