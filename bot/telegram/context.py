"""What every handler needs, kept in application.bot_data under one key."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram import Update, User
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.config import Settings
from bot.content.live import LiveContent
from bot.content.loader import Content
from bot.core.assessment import SafetyAssessor
from bot.core.coaching import CoachStore
from bot.core.ports import Repository
from bot.telegram.outbox import Outbox
from bot.telegram.remembered import RememberingRepository

KEY = "services"


@dataclass
class Services:
    settings: Settings
    content: LiveContent
    repo: Repository
    clock: Callable[[], datetime]
    outbox: Outbox
    exercise_pace: float = 1.0
    # user id -> (language, country) of each coachee whose profile was read or written in
    # this process: the crisis answer speaks their language and gives their country's line
    # without touching storage first (bot.telegram.safety_net). Memory only, kept by the
    # repository wrapper below, so it is what was last stored.
    known: dict[int, tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.repo, RememberingRepository):
            self.repo = RememberingRepository(self.repo, self.known)  # type: ignore[assignment]

    # The coach side's store (bot.core.coaching.CoachStore); None: one in memory.
    coaches: CoachStore | None = None

    @property
    def texts(self) -> Content:
        return self.content.current

    @property
    def safety(self) -> SafetyAssessor:
        return self.content.safety


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context every handler and job gets (Application is built with it): what the bot
    needs, typed, as `context.services`, instead of string keys into bot_data."""

    @property
    def services(self) -> Services:
        return self.application.bot_data[KEY]


CONTEXT_TYPES = ContextTypes(context=BotContext)


def language_of(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> str:
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


def known_coachee(services: Services, user_id: int) -> tuple[str, str] | None:
    """(language, country) of this coachee as last read in this process, with no storage call."""
    return services.known.get(user_id)
