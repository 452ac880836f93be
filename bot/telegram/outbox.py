"""The one path every message takes out, with priorities under Telegram's limits.

Every Bot API call (sends, edits, answers to button presses) passes OutgoingLimiter, the
bot's rate limiter. It reads the priority from `rate_limit_args={"priority": ...}` (Outbox.send
passes it; a call without it is interactive) and waits for a slot of the PriorityLimiter:
crisis answers go first, interactive replies next, scheduled items last. Telegram allows
about 30 messages per second per bot and about one per second per chat; the limiter keeps
the overall rate under that and spaces scheduled messages per chat, so python-telegram-bot's
AIORateLimiter behind it (kept for its flood-control retries) never has to queue, and a
crisis answer never waits behind a burst of reminders: it goes past AIORateLimiter too, whose
pause after a 429 would otherwise hold it for the reminders' retry_after.

OutgoingLimiter also rides out Telegram faults for ordinary sends (replies, edits, button
answers, reminders): network errors, timeouts, 5xx and flood control are retried with
back-off for up to SEND_DEADLINE (a minute's outage), with a read timeout long enough that a
slow send that did arrive is confirmed, not sent again. An edit that changes nothing
("message is not modified", a double tap) is no error. The crisis answer keeps its own retry
loop (safety_net.deliver_crisis) and is not retried here.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import logging
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum
from typing import Any, TypeVar

import httpx
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter, BaseRateLimiter

T = TypeVar("T")
log = logging.getLogger(__name__)

# Longer than any delivery Telegram confirms late, as for the crisis answer: a send that did
# arrive is confirmed within this, so one that times out is taken as not delivered (the
# default of 5 s would resend a slow one that arrived).
SEND_READ_TIMEOUT = 10.0
# Ordinary sends are retried for this long: an outage of about a minute loses nothing.
SEND_DEADLINE = 90.0
# A button's spinner: Telegram forgets the press after about 15 s, so trying longer is moot.
ANSWER_DEADLINE = 10.0
FIRST_BACKOFF, MAX_BACKOFF = 0.5, 5.0
# Calls that deliver something to a chat; start-up calls (getMe, setMyCommands) are not
# retried here.
_DELIVERING = ("send", "edit", "answerCallbackQuery", "deleteMessage", "copyMessage")


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
    """Callers say how urgent a message is; OutgoingLimiter (sharing `limiter`) does the rest.

    `call` is a method of the bot, whose rate limiter is an OutgoingLimiter over `limiter`.
    """

    def __init__(self, limiter: PriorityLimiter | None = None) -> None:
        self.limiter = limiter or PriorityLimiter()

    async def send(
        self, priority: Priority, chat_id: int, call: Callable[..., Awaitable[T]], **kwargs: Any
    ) -> T:
        return await call(chat_id=chat_id, rate_limit_args={"priority": int(priority)}, **kwargs)


# --- retries -------------------------------------------------------------------------------


def maybe_delivered(error: BaseException) -> bool:
    """A timeout after the request went out: Telegram may have delivered it.

    A connect or pool timeout never sent anything; refused connections, resets, 5xx and
    flood control are taken as not delivered.
    """
    if not isinstance(error, TimedOut):
        return False
    return not isinstance(error.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


def unchanged(endpoint: str, error: BadRequest) -> bool:
    """Telegram refused a repeat of work already done: an edit that changes nothing (a double
    tap), or the answer to a button press it has already forgotten (after retries)."""
    message = str(error).lower()
    if endpoint.startswith("edit"):
        return "message is not modified" in message
    if endpoint == "answerCallbackQuery":
        return "query is too old" in message
    return False


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


def _chat_of(data: dict[str, Any]) -> int:
    """The chat a call goes to, for per-chat spacing; 0 for calls without one."""
    try:
        return int(data.get("chat_id") or 0)
    except (TypeError, ValueError):  # "@channelname"
        return 0


class OutgoingLimiter(BaseRateLimiter[dict[str, Any]]):
    """The bot's rate limiter: priorities (PriorityLimiter), then AIORateLimiter; retries
    ordinary sends.

    The priority comes from `rate_limit_args={"priority": ...}` (Outbox.send passes it);
    calls without it are interactive. `{"strict": True}` raises a refused repeat (an edit
    that changes nothing, an answer to a forgotten press) instead of taking it as done.
    Crisis sends are not retried here: their caller
    retries them. A scheduled send that timed out is not retried (it may have arrived, and a
    reminder is never sent twice); an interactive one is, after SEND_READ_TIMEOUT. Each try
    waits for its own slot.
    """

    def __init__(
        self, inner: BaseRateLimiter | None = None, priorities: PriorityLimiter | None = None
    ) -> None:
        self.inner = inner if inner is not None else AIORateLimiter(max_retries=3)
        self.priorities = priorities if priorities is not None else PriorityLimiter()

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        priority = Priority((rate_limit_args or {}).get("priority", Priority.INTERACTIVE))
        delivering = endpoint.startswith(_DELIVERING)
        if delivering and isinstance(kwargs.get("read_timeout"), DefaultValue):
            kwargs = {**kwargs, "read_timeout": SEND_READ_TIMEOUT}
        retried = delivering and priority is not Priority.CRISIS
        loop = asyncio.get_running_loop()
        window = ANSWER_DEADLINE if endpoint == "answerCallbackQuery" else SEND_DEADLINE
        deadline = math.inf
        backoff, attempt = FIRST_BACKOFF, 0
        chat_id = _chat_of(data)
        while True:
            attempt += 1
            await self.priorities.acquire(priority, chat_id)
            if attempt == 1:
                # From the first try, not from joining the queue: a reminder behind thousands
                # of others still gets its retries.
                deadline = loop.time() + window
            try:
                if priority is Priority.CRISIS:
                    # Past AIORateLimiter: after a 429 it holds every request for retry_after,
                    # and the crisis answer must not wait out a burst of reminders' flood
                    # control. Our own limiter still counts it; its caller retries it.
                    return await callback(*args, **kwargs)
                # AIORateLimiter reads its own rate_limit_args (a retry count): none from us.
                return await self.inner.process_request(
                    callback, args, kwargs, endpoint, data, None
                )
            except BadRequest as exc:  # a NetworkError subclass: decided first
                # A caller that needs to know whether its answer showed asks for strict.
                if unchanged(endpoint, exc) and not (rate_limit_args or {}).get("strict"):
                    log.info("telegram.unchanged endpoint=%s", endpoint)
                    return True
                raise
            except RetryAfter as exc:
                if not retried:
                    raise
                wait, last = _seconds(exc.retry_after), exc
            except NetworkError as exc:  # includes TimedOut and 5xx
                if not retried or (priority is Priority.SCHEDULED and maybe_delivered(exc)):
                    raise
                wait, backoff, last = backoff, min(backoff * 2, MAX_BACKOFF), exc
            error = type(last).__name__
            if loop.time() + wait > deadline:
                log.warning(
                    "telegram.send_gave_up endpoint=%s attempts=%s error=%s",
                    endpoint,
                    attempt,
                    error,
                )
                raise last
            log.info(
                "telegram.send_retry endpoint=%s attempt=%s error=%s", endpoint, attempt, error
            )
            await asyncio.sleep(wait)
