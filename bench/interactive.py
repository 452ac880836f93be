"""Interactive throughput of the real bot: `python -m bench.interactive --users 50 --seconds 30`.

Prints one JSON line of figures (a script, not a test; tests/bench/test_interactive.py runs a
small one).

What it does: writes `--users` consented coachees (and a few more for crisis sentences) through
the repository before the bot starts, with no moments (no reminder comes in between); starts the
Bot API emulator and `python -m bot run` against it (through bench/lag_probe.py, which measures
the bot's event-loop lag without changing the bot); then every coachee, in a thread of its own
and all at once, goes round the same conversation for `--seconds`, each update sent as soon as
the answer to the one before arrived: /checkin, its three button taps (energy, stress, sleep),
a note, /help, a line of plain text. Meanwhile fresh coachees, one after the other, each send a
crisis sentence, which must get the crisis answer. With `--noop` the bot is bench/noop_bot.py,
which answers the same conversation with the same API calls but does nothing else: the ceiling
that the emulator, this driver and the machine set.

Figures:
- updates_per_second: answered updates (ordinary and crisis) over the measured span;
  updates / unanswered: their counts (an update is unanswered when its answer did not come
  within --timeout; that coachee then starts the conversation over);
- reply_p50_s / reply_p99_s / reply_max_s: from sending an update to this driver seeing the
  answer (the new message, or the edit of the pressed one), ordinary updates; crisis_p99_s:
  the same for the crisis sentences (their count: crises; crises_answered also counts those
  answered after the span, while the driver was winding down);
- loop_lag_p50_ms / loop_lag_p99_ms / loop_lag_max_ms: the bot's event loop, probed every
  50 ms during the measured span (bench/lag_probe.py);
- bot_cpu_s, emulator_cpu_s, driver_cpu_s: CPU seconds each process used in the span (the
  driver is this process: 50 threads of HTTP clients); loop_cpu_s / loop_waiting_for_cpu_s:
  the bot's main thread on a CPU, and runnable but waiting for a core;
- cores, load_avg_1m, cpu_pressure_avg60 (PSI "some", percent); bot_log: the bot's log events.

Reading it: every answer goes through the outbox, whose overall rate (25 API calls a second,
answerCallbackQuery included, and python-telegram-bot's AIORateLimiter inside it: 30 a second
for calls with a chat_id) is Telegram's flood limit, not the bot's speed; this conversation
takes about 1.6 such calls per update, so it cannot pass about 16 updates a second however
fast the bot is (api_calls shows it). `--outbox-rate 1000` lifts both (a diagnosis, in the
bot process only: bench/lag_probe.py) to see what the bot itself can do; BENCH_PROFILE=FILE
in the environment also profiles the bot's event loop with cProfile into FILE.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.burst import (
    afternoon_zone,
    bot_log_counts,
    coachee,
    cpu_pressure,
    cpu_seconds,
    is_crisis_answer,
    loop_times,
)
from bench.lag_probe import OUTBOX_RATE_ENV, PROFILE_ENV
from bot.devtools.client import BotMessage, ChatClient
from bot.devtools.harness import BotProcess, Emulator, make_token, start_bot, start_emulator
from bot.storage.tinydb_store import TinyDbRepository
from bot.telegram.outbox import PriorityLimiter

FIRST_COACHEE = 810_000_001
FIRST_CRISIS = 819_000_001
CRISIS_PROBES = 200
CRISIS_EVERY = 1.0  # seconds between two crisis sentences
CRISIS = "ik wil niet meer leven"
QUESTION = "Hoeveel energie heb je nu?"
NOTE = "drukke dag gehad op het werk"
PLAIN = "vandaag was rustig"  # "het gaat wel" makes the learned layer ask (unsure)


def seed(data_dir: Path, users: int) -> None:
    repo = TinyDbRepository(data_dir)
    zone = afternoon_zone()
    for user_id in [
        *range(FIRST_COACHEE, FIRST_COACHEE + users),
        *range(FIRST_CRISIS, FIRST_CRISIS + CRISIS_PROBES),
    ]:
        repo.save_profile(coachee(user_id, zone, None))


def quantile(values: list[float], q: float, digits: int = 3) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, math.ceil(len(ordered) * q) - 1))], digits)


class Unanswered(Exception):
    pass


@dataclass
class Driver:
    """The coachees' threads; latencies in seconds, answered at wall-clock seconds."""

    emulator: Emulator
    token: str
    timeout: float
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    replies: list[tuple[float, float]] = field(default_factory=list)  # (answered at, latency)
    crises: list[tuple[float, float]] = field(default_factory=list)
    missed: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def _step(
        self, kind: str, send: Callable[[], Any], wait: Callable[[], BotMessage]
    ) -> BotMessage:
        sent = time.time()
        send()
        try:
            answer = wait()
        except AssertionError as error:
            with self.lock:
                self.missed[kind] += 1
                if len(self.failures) < 5:
                    self.failures.append(str(error)[:500])
            raise Unanswered from error
        answered = time.time()
        with self.lock:
            (self.crises if kind == "crisis" else self.replies).append((answered, answered - sent))
        return answer

    def coachee(self, user_id: int) -> None:
        t = self.timeout
        with ChatClient(self.emulator.base_url, self.token, user_id, per_chat_version=True) as c:
            while not self.stop.is_set():
                try:
                    c.skip_pending()
                    question = self._step(
                        "checkin",
                        lambda: c.command("checkin"),
                        lambda: c.wait_for_text(QUESTION, t),
                    )
                    for tap in ("3", "6"):  # energy, stress: the question is edited
                        shown = question
                        question = self._step(
                            "tap",
                            lambda shown=shown, tap=tap: c.press(tap, shown),
                            lambda shown=shown: c.wait_for_edit(shown, t),
                        )
                    self._step(  # sleep: the acknowledgement asks for a note
                        "tap",
                        lambda shown=question: c.press("4", shown),
                        lambda: c.wait_for_text("notitie", t),
                    )
                    self._step(
                        "note", lambda: c.say(NOTE), lambda: c.wait_for_text("Notitie bewaard", t)
                    )
                    self._step("help", lambda: c.command("help"), lambda: c.wait_for(None, t))
                    self._step("text", lambda: c.say(PLAIN), lambda: c.wait_for(None, t))
                except Unanswered:
                    continue

    def crisis(self) -> None:
        for user_id in range(FIRST_CRISIS, FIRST_CRISIS + CRISIS_PROBES):
            if self.stop.wait(CRISIS_EVERY):
                return
            with (
                ChatClient(self.emulator.base_url, self.token, user_id, per_chat_version=True) as c,
                contextlib.suppress(Unanswered),
            ):
                self._step(
                    "crisis",
                    lambda: c.say(CRISIS),
                    lambda: c.wait_for(is_crisis_answer, self.timeout),
                )


def lags_between(path: Path, start: float, end: float) -> list[float]:
    if not path.exists():
        return []
    lags = []
    for line in path.read_text().splitlines():
        at, lag = line.split()
        if start <= float(at) <= end:
            lags.append(float(lag))
    return lags


def start(
    emulator: Emulator,
    data_dir: Path,
    token: str,
    work_dir: Path,
    noop: bool,
    outbox_rate: float | None,
) -> BotProcess:
    env = {OUTBOX_RATE_ENV: str(outbox_rate)} if outbox_rate else {}
    if os.environ.get(PROFILE_ENV):
        env[PROFILE_ENV] = os.environ[PROFILE_ENV]
    if noop:
        command = [sys.executable, "-m", "bench.noop_bot"]
    else:
        command = [sys.executable, "-m", "bench.lag_probe", str(work_dir / "loop-lag.txt")]
    bot = start_bot(
        emulator,
        data_dir,
        env_extra=env,
        token=token,
        log_dir=work_dir,
        command=command,
        ready_timeout=120,
    )
    if not noop:
        bot.wait_until_warm(120)
    return bot


def api_calls(emulator: Emulator, token: str) -> Counter[str]:
    return Counter(emulator.bot_status(token).get("calls", {}))


def run(
    users: int,
    seconds: float,
    timeout: float,
    noop: bool,
    work_dir: Path,
    outbox_rate: float | None = None,
) -> dict[str, Any]:
    data_dir = work_dir / "data"
    seed(data_dir, users)
    emulator = start_emulator(work_dir / "emulator", extra_args=["--quiet"])
    token = make_token()
    try:
        bot = start(emulator, data_dir, token, work_dir, noop, outbox_rate)
        try:
            driver = Driver(emulator, token, timeout)
            threads = [
                threading.Thread(target=driver.coachee, args=(user_id,), daemon=True)
                for user_id in range(FIRST_COACHEE, FIRST_COACHEE + users)
            ]
            threads.append(threading.Thread(target=driver.crisis, daemon=True))
            cpu = (
                cpu_seconds(bot.process.pid),
                cpu_seconds(emulator.process.pid),
                time.process_time(),
            )
            loop = loop_times(bot.process.pid)
            calls = api_calls(emulator, token)
            began = time.time()
            for thread in threads:
                thread.start()
            driver.stop.wait(seconds)
            ended = time.time()
            cpu = (
                cpu_seconds(bot.process.pid) - cpu[0],
                cpu_seconds(emulator.process.pid) - cpu[1],
                time.process_time() - cpu[2],
            )
            loop_end = loop_times(bot.process.pid)
            calls = api_calls(emulator, token) - calls
            pressure = cpu_pressure()
            load = os.getloadavg()[0]
            driver.stop.set()
            for thread in threads:
                thread.join(timeout + 10)
            time.sleep(1.5)  # the lag probe writes once a second
        finally:
            bot.stop()
    finally:
        emulator.stop()

    span = ended - began
    replies = [latency for at, latency in driver.replies if at <= ended]
    crises = [latency for at, latency in driver.crises if at <= ended]
    lags = lags_between(work_dir / "loop-lag.txt", began, ended)
    return {
        "users": users,
        "bot": "noop" if noop else "real",
        "seconds": round(span, 2),
        "updates_per_second": round((len(replies) + len(crises)) / span, 2),
        "updates": len(replies) + len(crises),
        "unanswered": dict(driver.missed),
        "reply_p50_s": quantile(replies, 0.5),
        "reply_p99_s": quantile(replies, 0.99),
        "reply_max_s": round(max(replies), 3) if replies else None,
        "crisis_p99_s": quantile(crises, 0.99),
        "crisis_max_s": round(max(crises), 3) if crises else None,
        "crises": len(crises),
        "crises_answered": len(driver.crises),
        "loop_lag_p50_ms": quantile(lags, 0.5, 1),
        "loop_lag_p99_ms": quantile(lags, 0.99, 1),
        "loop_lag_max_ms": round(max(lags), 1) if lags else None,
        "api_calls_per_second": round(sum(calls.values()) / span, 2),
        "api_calls": dict(sorted(calls.items())),
        "outbox_rate": None if noop else outbox_rate or round(1 / PriorityLimiter().interval, 2),
        "bot_cpu_s": round(cpu[0], 2),
        "emulator_cpu_s": round(cpu[1], 2),
        "driver_cpu_s": round(cpu[2], 2),
        "loop_cpu_s": round(loop_end[0] - loop[0], 2),
        "loop_waiting_for_cpu_s": round(loop_end[1] - loop[1], 2),
        "cores": os.cpu_count(),
        "load_avg_1m": round(load, 2),
        "cpu_pressure_avg60": pressure,
        "bot_log": bot_log_counts(bot.stderr_path) if not noop else {},
        "failures": driver.failures,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--timeout", type=float, default=30.0, help="an answer later is missed")
    parser.add_argument("--noop", action="store_true", help="bench/noop_bot.py, not the bot")
    parser.add_argument(
        "--outbox-rate",
        type=float,
        default=None,
        help="a diagnosis: the outbox's overall rates per second (the bot's: 25, and 30 inside)",
    )
    parser.add_argument("--dir", type=Path, default=None, help="keep data and logs here")
    args = parser.parse_args(argv)
    options = (args.users, args.seconds, args.timeout, args.noop)
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        figures = run(*options, args.dir, args.outbox_rate)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-interactive-") as tmp:
            figures = run(*options, Path(tmp), args.outbox_rate)
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
