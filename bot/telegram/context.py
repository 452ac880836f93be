"""What every handler needs, kept in application.bot_data under one key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from telegram import Update
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.content.live import LiveContent
from bot.content.loader import Content
from bot.core.ports import Repository
from bot.core.safety import SafetyEngine
from bot.telegram.outbox import Outbox

KEY = "services"


@dataclass
class Services:
    settings: Settings
    content: LiveContent
    repo: Repository
    clock: Callable[[], datetime]
    outbox: Outbox
    exercise_pace: float = 1.0

    @property
    def texts(self) -> Content:
        return self.content.current

    @property
    def safety(self) -> SafetyEngine:
        return self.content.safety


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[KEY]


def language_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The coachee's chosen language, else Telegram's hint: English if it says so, else Dutch."""
    user = update.effective_user
    if user is None:
        return "nl"
    profile = services(context).repo.load_profile(user.id)
    if profile is not None:
        return profile.lang
    chosen = context.user_data.get("lang") if context.user_data is not None else None
    if chosen:
        return chosen
    return "en" if (user.language_code or "").lower().startswith("en") else "nl"
