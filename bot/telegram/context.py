"""What every handler needs, kept in application.bot_data under one key."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from telegram import Update, User
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.content.live import LiveContent
from bot.content.loader import Content
from bot.core.assessment import SafetyAssessor
from bot.core.coaching import CoachStore
from bot.core.ports import Repository
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
    # The coach side's store (bot.core.coaching.CoachStore); None: one in memory.
    coaches: CoachStore | None = None

    @property
    def texts(self) -> Content:
        return self.content.current

    @property
    def safety(self) -> SafetyAssessor:
        return self.content.safety


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[KEY]


def language_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The coachee's chosen language, else Telegram's hint: English if it says so, else Dutch."""
    return language_for(context.application.bot_data[KEY], update.effective_user, context.user_data)


def language_for(services: Services, user: User | None, user_data: Mapping | None) -> str:
    """language_of without a handler context: the update processor assesses with it too."""
    if user is None:
        return "nl"
    profile = services.repo.load_profile(user.id)
    if profile is not None:
        return profile.lang
    chosen = user_data.get("lang") if user_data is not None else None
    if chosen:
        return chosen
    return "en" if (user.language_code or "").lower().startswith("en") else "nl"
