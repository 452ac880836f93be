"""How incoming updates are processed: one chat in order, different chats side by side, and
a crisis ahead of every queue.

python-telegram-bot handles updates one at a time by default, so one coachee's chart
rendering or an admin's content reload would hold up everyone else, a crisis answer
included. Fully concurrent processing would let one coachee's quick taps overtake each other.

The chat lock is taken before the global semaphore (python-telegram-bot's own
`process_update` takes the semaphore first): otherwise one chat's backlog, each update
holding a slot while it waits for its chat, fills every slot and everyone waits. A crisis
(`urgent`) skips both: it must not wait behind anyone, not even its own chat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 64


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        urgent: Callable[[object], bool] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.urgent = urgent
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:  # type: ignore[misc]
        """Crisis at once; else the chat's turn first, then a processing slot."""
        if self._is_urgent(update):
            await coroutine
            return
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._semaphore:
                await coroutine
            return
        # The base class's own semaphore, so `current_concurrent_updates` stays true.
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock, self._semaphore:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:  # nobody waits on this chat: forget its lock
                del self._users[chat.id], self._locks[chat.id]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Unused: process_update above does the work (kept because the base requires it)."""
        await coroutine

    def _is_urgent(self, update: object) -> bool:
        if self.urgent is None:
            return False
        try:
            return self.urgent(update)
        except Exception:  # the safety net assesses again in its handler; the update goes on
            log.exception("updates.urgency_unknown")
            return False

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
