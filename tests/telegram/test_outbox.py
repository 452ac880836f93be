"""The outbox's limiter on a virtual clock: priorities, the overall rate, per-chat spacing.

Each scenario runs on an event loop whose clock only moves when every task is waiting: the
loop jumps straight to its next timer instead of sleeping. The limiter is given that loop's
clock, so a minute of traffic takes milliseconds, and a waiter that nobody will ever wake
fails the test ("deadlock") instead of hanging it.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, TypeVar

import pytest
from telegram.ext import BaseRateLimiter

from bot.telegram.outbox import Outbox, OutgoingLimiter, Priority, PriorityLimiter

T = TypeVar("T")
EPSILON = 1e-9


class Deadlock(RuntimeError):
    """Every task waits and no timer is set: something will never be woken."""


class _JumpingSelector(selectors.DefaultSelector):
    def __init__(self, loop: VirtualTimeLoop) -> None:
        super().__init__()
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = super().select(0)
        if ready:
            return ready
        if timeout is None:
            raise Deadlock("every task is waiting and no timer is set")
        self._loop.now += timeout
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self.now = 0.0
        super().__init__(selector=_JumpingSelector(self))

    def time(self) -> float:
        return self.now


def run(scenario: Callable[[VirtualTimeLoop], Awaitable[T]]) -> T:
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(scenario(loop))
    finally:
        loop.close()


@dataclass(frozen=True)
class Grant:
    name: str
    priority: Priority
    chat_id: int
    at: float


async def request(
    limiter: PriorityLimiter,
    loop: VirtualTimeLoop,
    grants: list[Grant],
    name: str,
    priority: Priority,
    chat_id: int,
) -> None:
    await limiter.acquire(priority, chat_id)
    grants.append(Grant(name, priority, chat_id, loop.time()))


async def gather_requests(
    limiter: PriorityLimiter, loop: VirtualTimeLoop, requests: list[tuple[str, Priority, int]]
) -> list[Grant]:
    grants: list[Grant] = []
    await asyncio.gather(*(request(limiter, loop, grants, *r) for r in requests))
    return grants


def test_virtual_loop_jumps_instead_of_sleeping():
    async def scenario(loop: VirtualTimeLoop) -> float:
        await asyncio.sleep(3600)
        return loop.time()

    assert run(scenario) == pytest.approx(3600)


def test_virtual_loop_reports_a_waiter_nobody_wakes():
    async def scenario(loop: VirtualTimeLoop) -> None:
        await loop.create_future()

    with pytest.raises(Deadlock):
        run(scenario)


# --- priorities ----------------------------------------------------------------------------


def test_crisis_goes_before_scheduled_messages_already_queued():
    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=10, clock=loop.time)
        grants: list[Grant] = []
        burst = [
            asyncio.create_task(
                request(limiter, loop, grants, f"reminder-{chat}", Priority.SCHEDULED, chat)
            )
            for chat in range(20)
        ]
        await asyncio.sleep(0.25)  # the burst has started and is queueing
        await request(limiter, loop, grants, "crisis", Priority.CRISIS, 999)
        await asyncio.gather(*burst)
        return grants

    grants = run(scenario)

    names = [g.name for g in grants]
    crisis = next(g for g in grants if g.name == "crisis")
    assert names.index("crisis") == 3  # after the three reminders granted at 0, .1, .2
    assert crisis.at == pytest.approx(0.3)
    assert len(grants) == 21


def test_priority_order_when_all_wait_together():
    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=10, clock=loop.time)
        first = asyncio.create_task(limiter.acquire(Priority.SCHEDULED, 0))  # takes slot 0
        await asyncio.sleep(0)
        grants = await gather_requests(
            limiter,
            loop,
            [
                ("scheduled-a", Priority.SCHEDULED, 1),
                ("interactive-a", Priority.INTERACTIVE, 2),
                ("scheduled-b", Priority.SCHEDULED, 3),
                ("crisis", Priority.CRISIS, 4),
                ("interactive-b", Priority.INTERACTIVE, 5),
            ],
        )
        await first
        return grants

    names = [g.name for g in run(scenario)]

    assert names == ["crisis", "interactive-a", "interactive-b", "scheduled-a", "scheduled-b"]


def test_an_idle_limiter_grants_at_once():
    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=25, clock=loop.time)
        grants: list[Grant] = []
        await asyncio.sleep(100)
        await request(limiter, loop, grants, "scheduled", Priority.SCHEDULED, 1)
        await asyncio.sleep(5)
        await request(limiter, loop, grants, "reply", Priority.INTERACTIVE, 1)
        return grants

    assert [g.at for g in run(scenario)] == pytest.approx([100, 105])


# --- the overall rate ----------------------------------------------------------------------


@pytest.mark.parametrize("per_chat_interval", [0.0, 1.0])
@pytest.mark.parametrize("rate", [5, 25, 30])
def test_overall_rate_never_exceeds_rate_per_second(rate, per_chat_interval):
    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=rate, per_chat_interval=per_chat_interval, clock=loop.time)
        grants: list[Grant] = []
        tasks = []
        for i in range(200):
            priority = (Priority.SCHEDULED, Priority.INTERACTIVE, Priority.CRISIS)[i % 3]
            tasks.append(
                asyncio.create_task(
                    request(limiter, loop, grants, f"m{i}", priority, chat_id=i % 17)
                )
            )
            if i % 40 == 0:
                await asyncio.sleep(0.37)  # traffic keeps arriving while the queue drains
        await asyncio.gather(*tasks)
        return grants

    grants = run(scenario)
    times = sorted(g.at for g in grants)

    assert len(grants) == 200
    gaps = [b - a for a, b in pairwise(times)]
    assert min(gaps) >= 1 / rate - EPSILON
    for i, start in enumerate(times):
        in_one_second = [t for t in times[i:] if t < start + 1 - EPSILON]
        assert len(in_one_second) <= rate
    if not per_chat_interval:
        # the limiter does not idle either: m0 goes at 0, the rest queue from 0.37 and go
        # back to back
        assert times[-1] == pytest.approx(0.37 + 198 / rate)


def test_a_quiet_period_does_not_allow_a_burst_afterwards():
    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=10, clock=loop.time)
        await asyncio.sleep(60)
        return await gather_requests(
            limiter, loop, [(f"m{i}", Priority.INTERACTIVE, i) for i in range(5)]
        )

    times = [g.at for g in run(scenario)]

    assert times == pytest.approx([60.0, 60.1, 60.2, 60.3, 60.4])


# --- per chat --------------------------------------------------------------------------------


def test_scheduled_messages_to_one_chat_are_spaced():
    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=25, per_chat_interval=1.0, clock=loop.time)
        return await gather_requests(
            limiter, loop, [(f"m{i}", Priority.SCHEDULED, 7) for i in range(4)]
        )

    grants = run(scenario)

    assert [g.name for g in grants] == ["m0", "m1", "m2", "m3"]  # in order of arrival
    assert [g.at for g in grants] == pytest.approx([0, 1, 2, 3])


def test_interactive_messages_to_one_chat_are_not_spaced():
    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=25, per_chat_interval=1.0, clock=loop.time)
        return await gather_requests(
            limiter, loop, [(f"m{i}", Priority.INTERACTIVE, 7) for i in range(4)]
        )

    assert [g.at for g in run(scenario)] == pytest.approx([0, 0.04, 0.08, 0.12])


def test_a_scheduled_message_keeps_its_distance_from_a_reply_in_the_same_chat():
    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=25, per_chat_interval=1.0, clock=loop.time)
        return await gather_requests(
            limiter, loop, [("reply", Priority.INTERACTIVE, 7), ("reminder", Priority.SCHEDULED, 7)]
        )

    grants = run(scenario)

    assert [g.at for g in grants] == pytest.approx([0, 1])


def test_a_waiting_chat_does_not_hold_up_other_chats():
    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=10, per_chat_interval=1.0, clock=loop.time)
        return await gather_requests(
            limiter,
            loop,
            [
                ("a1", Priority.SCHEDULED, 1),
                ("a2", Priority.SCHEDULED, 1),
                ("b1", Priority.SCHEDULED, 2),
                ("c1", Priority.SCHEDULED, 3),
            ],
        )

    grants = {g.name: g.at for g in run(scenario)}

    assert grants == pytest.approx({"a1": 0, "b1": 0.1, "c1": 0.2, "a2": 1.0})


def test_spacing_holds_when_the_overall_queue_delays_a_scheduled_message():
    """A reminder delayed by replies still keeps a full interval before the next one."""

    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=10, per_chat_interval=1.0, clock=loop.time)
        grants: list[Grant] = []
        replies = [
            asyncio.create_task(
                request(limiter, loop, grants, f"reply-{i}", Priority.INTERACTIVE, 100 + i)
            )
            for i in range(9)
        ]
        first = asyncio.create_task(
            request(limiter, loop, grants, "reminder-1", Priority.SCHEDULED, 1)
        )
        await asyncio.sleep(1.0)
        await request(limiter, loop, grants, "reminder-2", Priority.SCHEDULED, 1)
        await asyncio.gather(first, *replies)
        return grants

    grants = {g.name: g.at for g in run(scenario)}

    assert grants["reminder-1"] == pytest.approx(0.9)  # behind the nine replies
    assert grants["reminder-2"] == pytest.approx(1.9)


def test_scheduled_messages_for_many_chats_respect_both_limits():
    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=25, per_chat_interval=1.0, clock=loop.time)
        return await gather_requests(
            limiter, loop, [(f"m{i}", Priority.SCHEDULED, i % 5) for i in range(50)]
        )

    grants = run(scenario)

    for chat in range(5):
        times = [g.at for g in grants if g.chat_id == chat]
        assert len(times) == 10
        assert all(b - a >= 1.0 - EPSILON for a, b in pairwise(times))
    times = sorted(g.at for g in grants)
    assert all(b - a >= 0.04 - EPSILON for a, b in pairwise(times))


# --- cancellation ----------------------------------------------------------------------------


def test_a_cancelled_waiter_does_not_block_the_others():
    async def scenario(loop: VirtualTimeLoop) -> tuple[list[Grant], bool]:
        limiter = PriorityLimiter(rate=10, clock=loop.time)
        grants: list[Grant] = []
        tasks = {
            name: asyncio.create_task(request(limiter, loop, grants, name, priority, chat))
            for name, priority, chat in [
                ("first", Priority.INTERACTIVE, 1),
                ("gone", Priority.CRISIS, 2),
                ("second", Priority.INTERACTIVE, 3),
                ("third", Priority.SCHEDULED, 4),
            ]
        }
        await asyncio.sleep(0.01)  # first is granted, the others queue
        tasks["gone"].cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        return grants, tasks["gone"].cancelled()

    grants, cancelled = run(scenario)

    assert cancelled
    assert [(g.name, g.at) for g in grants] == [
        ("first", pytest.approx(0)),
        ("second", pytest.approx(0.1)),
        ("third", pytest.approx(0.2)),
    ]


def test_cancelling_the_only_waiter_a_timer_was_set_for():
    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=10, per_chat_interval=5.0, clock=loop.time)
        grants: list[Grant] = []
        await request(limiter, loop, grants, "first", Priority.SCHEDULED, 1)
        waiting = asyncio.create_task(request(limiter, loop, grants, "gone", Priority.SCHEDULED, 1))
        await asyncio.sleep(1)
        waiting.cancel()
        await asyncio.sleep(0)
        await request(limiter, loop, grants, "other-chat", Priority.SCHEDULED, 2)
        await request(limiter, loop, grants, "same-chat-later", Priority.SCHEDULED, 1)
        return grants

    grants = {g.name: g.at for g in run(scenario)}

    assert "gone" not in grants
    assert grants["other-chat"] == pytest.approx(1.0)
    assert grants["same-chat-later"] == pytest.approx(5.0)  # spaced from "first", not "gone"


def test_all_waiters_cancelled_leaves_a_usable_limiter():
    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=10, clock=loop.time)
        grants: list[Grant] = []
        await request(limiter, loop, grants, "first", Priority.INTERACTIVE, 1)
        tasks = [asyncio.create_task(limiter.acquire(Priority.INTERACTIVE, i)) for i in range(5)]
        await asyncio.sleep(0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(10)
        await request(limiter, loop, grants, "later", Priority.CRISIS, 1)
        return grants

    assert [g.at for g in run(scenario)] == pytest.approx([0, 10])


def test_cancellation_by_timeout():
    async def scenario(loop: VirtualTimeLoop) -> list[Grant]:
        limiter = PriorityLimiter(rate=1, clock=loop.time)
        grants: list[Grant] = []
        await request(limiter, loop, grants, "first", Priority.INTERACTIVE, 1)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(limiter.acquire(Priority.SCHEDULED, 2), timeout=0.5)
        await request(limiter, loop, grants, "next", Priority.SCHEDULED, 3)
        return grants

    assert [g.at for g in run(scenario)] == pytest.approx([0, 1])


# --- the outbox --------------------------------------------------------------------------


class Direct(BaseRateLimiter[Any]):
    """Stands in for AIORateLimiter: calls at once."""

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        return await callback(*args, **kwargs)


def test_every_bot_api_call_takes_the_one_outgoing_path_in_priority_order():
    """Outbox sends carry their priority; a call without one (a button's answer) is
    interactive; the bot's limiter grants slots in that order."""
    sent: list[tuple[float, str, int]] = []

    async def scenario(loop: VirtualTimeLoop) -> list[Any]:
        limiter = OutgoingLimiter(Direct(), PriorityLimiter(rate=10, clock=loop.time))

        async def api(endpoint: str, data: dict[str, Any], **_: Any) -> str:
            sent.append((loop.time(), endpoint, data.get("chat_id", 0)))
            return f"{endpoint} {data.get('chat_id', '')}".strip()

        def call(endpoint: str, priority: Priority | None, **data: Any) -> Awaitable[Any]:
            args = {"priority": int(priority)} if priority is not None else None
            return limiter.process_request(api, (endpoint, data), {}, endpoint, data, args)

        return await asyncio.gather(
            call("sendMessage", Priority.SCHEDULED, chat_id=1),
            call("sendMessage", Priority.SCHEDULED, chat_id=2),
            call("answerCallbackQuery", None, callback_query_id="7"),
            call("sendMessage", Priority.CRISIS, chat_id=3),
        )

    results = run(scenario)

    assert results == ["sendMessage 1", "sendMessage 2", "answerCallbackQuery", "sendMessage 3"]
    assert [(endpoint, chat) for _, endpoint, chat in sent] == [
        ("sendMessage", 1),
        ("sendMessage", 3),
        ("answerCallbackQuery", 0),
        ("sendMessage", 2),
    ]
    assert [at for at, _, _ in sent] == pytest.approx([0, 0.1, 0.2, 0.3])


def test_outbox_passes_the_priority_to_the_bots_limiter():
    async def scenario(loop: VirtualTimeLoop) -> dict[str, Any]:
        async def send_message(**kwargs: Any) -> dict[str, Any]:
            return kwargs

        return await Outbox().send(Priority.SCHEDULED, 5, send_message, text="hi")

    assert run(scenario) == {
        "chat_id": 5,
        "rate_limit_args": {"priority": int(Priority.SCHEDULED)},
        "text": "hi",
    }


def test_outbox_passes_errors_on():
    async def scenario(loop: VirtualTimeLoop) -> None:
        outbox = Outbox(PriorityLimiter(rate=10, clock=loop.time))

        async def failing(chat_id: int, **_: object) -> None:
            raise ConnectionError(chat_id)

        with pytest.raises(ConnectionError):
            await outbox.send(Priority.INTERACTIVE, 1, failing)
        await outbox.send(Priority.INTERACTIVE, 1, lambda chat_id, **_: asyncio.sleep(0))

    run(scenario)


def test_rate_must_be_positive():
    with pytest.raises(ValueError):
        PriorityLimiter(rate=0)


# --- long queues and flood control (bench.burst found both) ----------------------------------


class Pausing(Direct):
    """Stands in for AIORateLimiter after a 429: every request it passes waits `pause` first
    (python-telegram-bot holds them all for retry_after)."""

    def __init__(self, pause: float) -> None:
        self.pause = pause
        self.passed: list[str] = []

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        self.passed.append(str(data.get("chat_id")))
        await asyncio.sleep(self.pause)
        return await callback(*args, **kwargs)


def test_a_crisis_answer_does_not_wait_out_anyone_elses_flood_control():
    """The crisis answer retries on its own (safety_net.deliver_crisis); held behind a 429
    pause meant for a burst of reminders it would come seconds late."""

    async def scenario(loop: VirtualTimeLoop) -> float:
        inner = Pausing(pause=5.0)
        limiter = OutgoingLimiter(inner, PriorityLimiter(rate=10, clock=loop.time))

        async def api(endpoint: str, data: dict[str, Any], **_: Any) -> float:
            return loop.time()

        data = {"chat_id": 3}
        sent_at = await limiter.process_request(
            api, ("sendMessage", data), {}, "sendMessage", data, {"priority": int(Priority.CRISIS)}
        )
        assert inner.passed == []
        return sent_at

    assert run(scenario) == pytest.approx(0.0)


def test_a_send_far_down_a_long_queue_still_gets_its_retries():
    """The retry window starts at a send's first try, not when it joined the queue: a
    reminder behind thousands of others was given up after one 429 (bench.burst, 3,000)."""
    from telegram.error import RetryAfter

    tries: list[float] = []

    async def scenario(loop: VirtualTimeLoop) -> Any:
        limiter = OutgoingLimiter(Direct(), PriorityLimiter(rate=1, clock=loop.time))

        async def api(endpoint: str, data: dict[str, Any], **_: Any) -> str:
            if data["chat_id"] == 999:
                tries.append(loop.time())
                if len(tries) == 1:
                    raise RetryAfter(1)
            return "ok"

        def send(chat_id: int) -> Awaitable[Any]:
            data = {"chat_id": chat_id}
            args = {"priority": int(Priority.SCHEDULED)}
            return limiter.process_request(
                api, ("sendMessage", data), {}, "sendMessage", data, args
            )

        results = await asyncio.gather(*(send(chat) for chat in range(1, 120)), send(999))
        return results[-1]

    assert run(scenario) == "ok"
    assert len(tries) == 2 and tries[0] > 100  # first tried after the queue, then once again
