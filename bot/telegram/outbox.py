"""The one path every message takes out, with priorities under Telegram's limits.

Crisis answers go first, interactive replies next, scheduled items last. Telegram allows
about 30 messages per second per bot and about one per second per chat; the limiter keeps
the overall rate under that and spaces scheduled messages per chat, so python-telegram-bot's
AIORateLimiter (kept for its flood-control retries) never has to queue, and a crisis answer
never waits behind a burst of reminders.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, TypeVar

T = TypeVar("T")


class Priority(IntEnum):
    CRISIS = 0
    INTERACTIVE = 1
    SCHEDULED = 2


@dataclass(eq=False)
class _Waiter:
    priority: Priority
    order: int
    chat_id: int
    future: asyncio.Future[None]


class PriorityLimiter:
    """Grants send slots in priority order: at most `rate` per second overall.

    A scheduled message also waits until `per_chat_interval` has passed since the last message
    granted to its chat; crisis and interactive ones never do. Waiters are woken by one timer
    on the running loop; `clock` must tick with the loop's clock (the default does).
    """

    def __init__(
        self,
        rate: float = 25.0,
        per_chat_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.per_chat_interval = per_chat_interval
        self.clock = clock
        self._next_slot = -math.inf
        self._last_in_chat: dict[int, float] = {}
        # Kept sorted by (priority, arrival): the first one that may go, goes.
        self._waiting: list[_Waiter] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    async def acquire(self, priority: Priority, chat_id: int) -> None:
        loop = asyncio.get_running_loop()
        waiter = _Waiter(Priority(priority), next(self._order), chat_id, loop.create_future())
        bisect.insort(self._waiting, waiter, key=lambda w: (w.priority, w.order))
        self._grant()
        try:
            await waiter.future
        except asyncio.CancelledError:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
                self._grant()  # the timer may have been set for this waiter alone
            raise

    def _grant(self) -> None:
        now = self.clock()
        while now >= self._next_slot:
            index = self._first_ready(now)
            if index is None:
                break
            waiter = self._waiting.pop(index)
            waiter.future.set_result(None)
            self._next_slot = max(now, self._next_slot) + self.interval
            self._last_in_chat[waiter.chat_id] = now
        self._set_timer(now)

    def _first_ready(self, now: float) -> int | None:
        for index, waiter in enumerate(self._waiting):
            if waiter.future.done():  # cancelled before it was removed
                continue
            if waiter.priority is not Priority.SCHEDULED or now >= self._chat_free_at(waiter):
                return index
        self._waiting = [w for w in self._waiting if not w.future.done()]
        return None

    def _chat_free_at(self, waiter: _Waiter) -> float:
        return self._last_in_chat.get(waiter.chat_id, -math.inf) + self.per_chat_interval

    def _set_timer(self, now: float) -> None:
        """Wake up when the next waiter may go: at the next slot, or when its chat is free."""
        pending = [w for w in self._waiting if not w.future.done()]
        if not pending:
            self._cancel_timer()
            return
        earliest = min(
            now if w.priority is not Priority.SCHEDULED else self._chat_free_at(w) for w in pending
        )
        wake_at = max(self._next_slot, earliest)
        if self._timer is not None and self._timer_at <= wake_at:
            return  # an earlier wake-up looks again anyway
        self._cancel_timer()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(max(0.0, wake_at - now), self._wake)
        self._timer_at = wake_at

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._timer_at = None, math.inf

    def _wake(self) -> None:
        self._timer, self._timer_at = None, math.inf
        self._grant()


class Outbox:
    """Sends through the limiter; callers say how urgent a message is."""

    def __init__(self, limiter: PriorityLimiter | None = None) -> None:
        self.limiter = limiter or PriorityLimiter()

    async def send(
        self, priority: Priority, chat_id: int, call: Callable[..., Awaitable[T]], **kwargs: Any
    ) -> T:
        await self.limiter.acquire(priority, chat_id)
        return await call(chat_id=chat_id, **kwargs)
