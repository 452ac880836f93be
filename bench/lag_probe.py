"""`python -m bot run` with an event-loop lag probe: `python -m bench.lag_probe OUT_FILE`.

A stand-in command for bot/devtools/harness.start_bot (bench/interactive.py uses it): before
the bot's event loop runs, a callback is scheduled on it every INTERVAL seconds; how much later
than asked it ran is the loop's lag (the time some other callback held the loop). Every second
the lags seen since the last write are appended to OUT_FILE, one a line: the epoch second of
the probe and its lag in milliseconds (a pause between two of PTB's run_until_complete calls
at start-up shows as lag too: read only the window you measure).
The bot itself is not changed: this wraps `asyncio.BaseEventLoop.run_forever` in this process
and then runs the bot's own `__main__` with the argument `run`. With BENCH_OUTBOX_RATE set
(a diagnosis, never the bot's behaviour) the outbox's overall rates are that many a second;
with BENCH_PROFILE set to a file, the main thread (the loop) is profiled into it (cProfile).
"""

from __future__ import annotations

import asyncio
import os
import runpy
import sys
import time
from pathlib import Path
from typing import Any

INTERVAL = 0.05  # seconds between probes
FLUSH_EVERY = 1.0
OUTBOX_RATE_ENV = "BENCH_OUTBOX_RATE"
PROFILE_ENV = "BENCH_PROFILE"  # a file: cProfile the main thread (the loop) into it


class LagProbe:
    def __init__(self, loop: asyncio.AbstractEventLoop, out: Path) -> None:
        self.loop = loop
        self.out = out
        self.lags: list[tuple[float, float]] = []
        self.last_flush = time.monotonic()
        self.expected = 0.0

    def start(self) -> None:
        self.expected = self.loop.time() + INTERVAL
        self.loop.call_at(self.expected, self.tick)

    def tick(self) -> None:
        now = self.loop.time()
        self.lags.append((time.time(), max(0.0, now - self.expected) * 1000))
        if time.monotonic() - self.last_flush >= FLUSH_EVERY:
            self.flush()
        self.expected = now + INTERVAL
        self.loop.call_at(self.expected, self.tick)

    def flush(self) -> None:
        if self.lags:
            with self.out.open("a") as file:
                file.write("".join(f"{at:.3f} {lag:.2f}\n" for at, lag in self.lags))
            self.lags.clear()
        self.last_flush = time.monotonic()


def install(out: Path) -> None:
    original = asyncio.BaseEventLoop.run_forever
    probed: set[int] = set()

    def run_forever(self: asyncio.BaseEventLoop) -> None:
        if id(self) not in probed:
            probed.add(id(self))
            probe = LagProbe(self, out)
            self.call_soon(probe.start)
        return original(self)

    asyncio.BaseEventLoop.run_forever = run_forever  # type: ignore[method-assign]


def raise_outbox_rate(rate: float) -> None:
    """A diagnosis only (bench/interactive.py --outbox-rate): the outbox's two overall rates,
    replaced in this process: its own (PriorityLimiter, 25 calls a second in the bot) and the
    one inside it (python-telegram-bot's AIORateLimiter, 30 a second for calls with a chat_id)."""
    from telegram.ext import AIORateLimiter

    from bot.telegram import outbox

    original = outbox.PriorityLimiter.__init__

    def init(self: outbox.PriorityLimiter, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.interval = 1.0 / rate

    outbox.PriorityLimiter.__init__ = init  # type: ignore[method-assign]

    original_aio = AIORateLimiter.__init__

    def init_aio(self: AIORateLimiter, *args: Any, **kwargs: Any) -> None:
        original_aio(self, *args, **{**kwargs, "overall_max_rate": rate})

    AIORateLimiter.__init__ = init_aio  # type: ignore[method-assign]


def main() -> None:
    out = Path(sys.argv[1])
    install(out)
    rate = os.environ.get(OUTBOX_RATE_ENV)
    if rate:
        raise_outbox_rate(float(rate))
    sys.argv = ["bot", "run"]
    profile_to = os.environ.get(PROFILE_ENV)
    if not profile_to:
        runpy.run_module("bot", run_name="__main__", alter_sys=True)
        return
    import cProfile

    profiler = cProfile.Profile()  # the main thread only: the event loop
    profiler.enable()
    try:
        runpy.run_module("bot", run_name="__main__", alter_sys=True)
    finally:
        profiler.disable()
        profiler.dump_stats(profile_to)


if __name__ == "__main__":
    main()
