"""The one path every message takes out, with priorities under Telegram's limits.

Crisis answers go first, interactive replies next, scheduled items last. Telegram allows
about 30 messages per second per bot and about one per second per chat; the limiter keeps
the overall rate under that and spaces scheduled messages per chat, so python-telegram-bot's
AIORateLimiter (kept for its flood-control retries) never has to queue, and a crisis answer
never waits behind a burst of reminders.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable, Callable
from enum import IntEnum
from typing import Any, TypeVar

T = TypeVar("T")


class Priority(IntEnum):
    CRISIS = 0
    INTERACTIVE = 1
    SCHEDULED = 2


class PriorityLimiter:
    """Grants send slots in priority order: at most `rate` per second overall."""

    def __init__(self, rate: float = 25.0, per_chat_interval: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate
        self.per_chat_interval = per_chat_interval
        self.clock = clock
        self._next_slot = 0.0
        self._last_scheduled_in_chat: dict[int, float] = {}
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._wakeup: asyncio.TimerHandle | None = None

    async def acquire(self, priority: Priority, chat_id: int) -> None:
        if priority is Priority.SCHEDULED:
            await self._space_out(chat_id)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiting, (int(priority), next(self._order), future))
        self._grant()
        await future

    async def _space_out(self, chat_id: int) -> None:
        earliest = self._last_scheduled_in_chat.get(chat_id, -1e9) + self.per_chat_interval
        self._last_scheduled_in_chat[chat_id] = max(earliest, self.clock())
        delay = earliest - self.clock()
        if delay > 0:
            await asyncio.sleep(delay)

    def _grant(self) -> None:
        now = self.clock()
        while self._waiting and now >= self._next_slot:
            _, _, future = heapq.heappop(self._waiting)
            if future.cancelled():
                continue
            future.set_result(None)
            self._next_slot = max(now, self._next_slot) + self.interval
        if self._waiting and self._wakeup is None:
            loop = asyncio.get_running_loop()
            self._wakeup = loop.call_later(max(0.0, self._next_slot - now), self._wake)

    def _wake(self) -> None:
        self._wakeup = None
        self._grant()


class Outbox:
    """Sends through the limiter; callers say how urgent a message is."""

    def __init__(self, limiter: PriorityLimiter | None = None) -> None:
        self.limiter = limiter or PriorityLimiter()

    async def send(self, priority: Priority, chat_id: int,
                   call: Callable[..., Awaitable[T]], **kwargs: Any) -> T:
        await self.limiter.acquire(priority, chat_id)
        return await call(chat_id=chat_id, **kwargs)
