"""A burst of reminders against the real bot: N coachees whose check-in is due at one instant.

Run: .venv/bin/python -m bench.burst --users N   (prints one JSON line of figures; not a test)

What it does: writes N consented coachees through the repository (TinyDbRepository.save_profile,
before the bot starts) whose only moment is the check-in, all at the same instant `--lead`
seconds from now (to the second, in a fixed-offset zone where it is mid-afternoon, clear of
quiet hours); starts the Bot API emulator with Telegram's flood control (`--flood-limit`, 429
past 30 sends a second) and `python -m bot run` against it; while the burst runs, one more
coachee writes ordinary text (one message, wait for the reply, a second's pause, again) and
fresh coachees each write a crisis sentence, one after the other. It stops when every reminder
arrived, or nothing more came for `--settle` seconds (longer than a failed reminder's re-send
after RESEND_AFTER), then stops the bot and reads the reminder marks back from the data folder.

Figures (seconds are wall clock on this machine; arrival times are the emulator's):
- messages_per_second: reminders received over the span from the first to the last one
  (a reminder re-sent RESEND_AFTER later, after flood control refused it, stretches the span);
  configured_rate: the outbox's overall rate (PriorityLimiter);
- lost_reminders: coachees who received no reminder; duplicate_reminders: extra ones;
  marked_not_received: coachees whose stored mark says sent (not failed) but got none;
- first_late_s / most_late_s: arrival of the first / last reminder after the due instant;
- flood_errors: 429s the emulator answered; reply_p99_s / crisis_p99_s (with their sample
  counts and maxima): from sending to the emulator storing the bot's answer;
- ready_s: bot start to its first poll; bot_cpu_s / emulator_cpu_s: CPU time each process used
  from the due instant to the end (a bot near 1 CPU-second per second is what blocks its loop);
  loop_cpu_s / loop_waiting_for_cpu_s: the bot's main thread (the event loop) on a CPU, and
  runnable but waiting for a core (a busy machine); the rest of burst_s it slept or waited on
  I/O; emulator_waiting_for_cpu_s: the same wait for the emulator's main thread (a starved
  emulator takes requests in clumps, which its 1-second flood window then counts);
  cpu_pressure_avg60: the machine's PSI "some" CPU pressure in percent;
- bot_log: counts of the bot's own log events over the whole run, start-up included
  (reminder.*, telegram.*, safety.*; errors; RetryAfter: lines naming a 429).

With a ready_s near or past the lead, the burst overlaps start-up (the reminders are then sent
by start-up's catch-up, not by their planned jobs): raise --lead.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.models import Consent, Moments, Profile, ReminderMark
from bot.devtools.client import BotMessage, ChatClient
from bot.devtools.harness import Emulator, make_token, start_bot, start_emulator
from bot.storage.tinydb_store import TinyDbRepository
from bot.telegram.outbox import PriorityLimiter

FIRST_COACHEE = 800_000_001
WRITER = 799_000_001
FIRST_CRISIS = 799_100_001
CRISIS_PROBES = 40
REMINDER_TEXT = "Tijd voor je check-in"
ORDINARY = "drukke dag gehad"
CRISIS = "ik wil niet meer leven"
PROBE_TIMEOUT = 120.0
TELEGRAM_FLOOD_LIMIT = 30  # messages a second per bot before Telegram answers 429
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def afternoon_zone() -> str:
    """A fixed-offset zone where it is mid-afternoon now: clear of the default quiet hours."""
    offset = (15 - datetime.now(UTC).hour) % 24
    offset = offset - 24 if offset > 14 else offset
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


def coachee(user_id: int, zone: str, checkin: datetime | None) -> Profile:
    """A consented coachee whose only moment is the check-in at `checkin` (or none at all)."""
    since = datetime.now(UTC) - timedelta(days=7)
    local = checkin.time() if checkin else None  # `checkin` is already in `zone`
    return Profile(
        user_id,
        user_id,
        "nl",
        "BE",
        zone,
        Consent(since),
        since,
        moments=Moments(checkin=local, exercise=None, reflection=None),
    )


def seed(data_dir: Path, users: int, due: datetime, zone: str) -> None:
    from zoneinfo import ZoneInfo

    repo = TinyDbRepository(data_dir)
    local_due = due.astimezone(ZoneInfo(zone))
    for user_id in range(FIRST_COACHEE, FIRST_COACHEE + users):
        repo.save_profile(coachee(user_id, zone, local_due))
    for user_id in [WRITER, *range(FIRST_CRISIS, FIRST_CRISIS + CRISIS_PROBES)]:
        repo.save_profile(coachee(user_id, zone, None))


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def loop_times(pid: int) -> tuple[float, float]:
    """A process's main thread (the bot's event loop, the emulator's): seconds on a CPU,
    seconds runnable but waiting for one (/proc/PID/schedstat; other threads not counted)."""
    try:
        on_cpu, waiting, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    except (OSError, ValueError):
        return math.nan, math.nan
    return int(on_cpu) / 1e9, int(waiting) / 1e9


def cpu_pressure() -> float | None:
    """Share of the last minute some runnable task on this machine waited for a CPU (PSI)."""
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return None
    return float(dict(part.split("=") for part in some.split()[1:])["avg60"])


def p99(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.99) - 1)], 3)


@dataclass
class Probes:
    """The coachees who write while the burst runs; latencies in seconds."""

    emulator: Emulator
    token: str
    stop: threading.Event = field(default_factory=threading.Event)
    replies: list[float] = field(default_factory=list)
    crises: list[float] = field(default_factory=list)
    missed: Counter[str] = field(default_factory=Counter)

    def _measure(self, client: ChatClient, text: str, match, into: list[float], kind: str) -> None:
        client.skip_pending()
        sent = time.time()
        client.say(text)
        try:
            answer: BotMessage = client.wait_for(match, timeout=PROBE_TIMEOUT)
        except AssertionError:
            self.missed[kind] += 1
            return
        into.append(answer.raw["time_ms"] / 1000 - sent)

    def writer(self) -> None:
        with ChatClient(self.emulator.base_url, self.token, WRITER) as client:
            while not self.stop.is_set():
                self._measure(client, ORDINARY, None, self.replies, "reply")
                self.stop.wait(1.0)

    def crisis(self) -> None:
        for user_id in range(FIRST_CRISIS, FIRST_CRISIS + CRISIS_PROBES):
            if self.stop.is_set():
                return
            with ChatClient(self.emulator.base_url, self.token, user_id) as client:
                self._measure(client, CRISIS, is_crisis_answer, self.crises, "crisis")
            self.stop.wait(2.0)


def is_crisis_answer(message: BotMessage) -> bool:
    return "112" in message.text and "1813" in message.text


class ReminderLog:
    """How many reminder sends the bot has logged so far (reminder.sent, .uncertain, ...):
    the burst's progress, apart from the probes' traffic."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.count = 0

    def read(self) -> int:
        with self.path.open("rb") as log:
            log.seek(self.offset)
            chunk = log.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        self.count += complete.count(b" reminder.")
        return self.count


def reminders_by_chat(emulator: Emulator, token: str) -> dict[int, list[float]]:
    """Arrival times (epoch seconds) of the reminders each coachee's chat received."""
    views = emulator.test_api("/_test/botMessages", {"token": token}, timeout=120.0)
    arrived: dict[int, list[float]] = {}
    for view in views:
        if REMINDER_TEXT in (view.get("text") or ""):
            arrived.setdefault(int(view["chat_id"]), []).append(view["time_ms"] / 1000)
    return arrived


def wait_for_burst(
    emulator: Emulator, token: str, log: ReminderLog, users: int, settle: float
) -> dict[int, list[float]]:
    """Until every coachee has a reminder, or the bot logged no reminder for `settle` s."""
    last_count, last_change = -1, time.time()
    while True:
        time.sleep(1.0)
        count = log.read()
        now = time.time()
        if count != last_count:
            last_count, last_change = count, now
        quiet_for = now - last_change
        if count >= users and quiet_for >= 3.0:
            arrived = reminders_by_chat(emulator, token)
            if len(arrived) >= users or quiet_for >= settle:
                return arrived
        elif quiet_for >= settle:
            return reminders_by_chat(emulator, token)


EVENT = re.compile(r"^\S+ \S+ (?P<level>[A-Z]+) \S+ (?P<event>[a-z_]+\.[a-z_.]+)(?: |$)")


def bot_log_counts(path: Path) -> dict[str, int]:
    """The bot's log events (`reminder.sent`, `telegram.send_retry`, ...) and its errors."""
    counts: Counter[str] = Counter()
    for line in path.read_text(errors="replace").splitlines():
        match = EVENT.match(line)
        if match:
            counts[match["event"]] += 1
            if match["level"] in ("ERROR", "CRITICAL"):
                counts["errors"] += 1
        if "RetryAfter" in line:
            counts["RetryAfter"] += 1
    return dict(sorted(counts.items()))


def marked_not_received(data_dir: Path, users: int, arrived: dict[int, list[float]]) -> int:
    repo = TinyDbRepository(data_dir)
    count = 0
    for user_id in range(FIRST_COACHEE, FIRST_COACHEE + users):
        marks = repo.records(user_id, ReminderMark)
        if any(not mark.failed for mark in marks) and user_id not in arrived:
            count += 1
    return count


def run(users: int, lead: float, settle: float, flood_limit: int, work_dir: Path) -> dict[str, Any]:
    zone = afternoon_zone()
    data_dir = work_dir / "data"
    seed_started = time.time()
    due = datetime.fromtimestamp(math.ceil(seed_started + lead), UTC)
    seed(data_dir, users, due, zone)
    seed_s = time.time() - seed_started
    if seed_s > lead * 0.5:
        raise SystemExit(
            f"writing the data took {seed_s:.0f} s of the {lead:.0f} s lead: raise --lead"
        )

    emulator = start_emulator(work_dir / "emulator", extra_args=["--flood-limit", str(flood_limit)])
    token = make_token()
    try:
        started = time.time()
        bot = start_bot(emulator, data_dir, token=token, log_dir=work_dir, ready_timeout=lead + 600)
        ready_s = time.time() - started
        try:
            probes = Probes(emulator, token)
            threads = [
                threading.Thread(target=probe, daemon=True)
                for probe in (probes.writer, probes.crisis)
            ]
            due_at = due.timestamp()
            time.sleep(max(0.0, due_at - 2.0 - time.time()))
            for thread in threads:
                thread.start()
            time.sleep(max(0.0, due_at - time.time()))
            bot_cpu, emulator_cpu = cpu_seconds(bot.process.pid), cpu_seconds(emulator.process.pid)
            loop_cpu, loop_waiting = loop_times(bot.process.pid)
            emulator_waiting = loop_times(emulator.process.pid)[1]
            log = ReminderLog(bot.stderr_path)
            arrived = wait_for_burst(emulator, token, log, users, settle)
            bot_cpu = cpu_seconds(bot.process.pid) - bot_cpu
            emulator_cpu = cpu_seconds(emulator.process.pid) - emulator_cpu
            loop_cpu_end, loop_waiting_end = loop_times(bot.process.pid)
            loop_cpu, loop_waiting = loop_cpu_end - loop_cpu, loop_waiting_end - loop_waiting
            emulator_waiting = loop_times(emulator.process.pid)[1] - emulator_waiting
            pressure = cpu_pressure()
            ended = time.time()
            probes.stop.set()
            for thread in threads:
                thread.join(PROBE_TIMEOUT + 10)
            flood_errors = int(emulator.bot_status(token).get("flood_errors", 0))
        finally:
            bot.stop()
    finally:
        emulator.stop()

    firsts = sorted(times[0] for times in arrived.values())
    span = firsts[-1] - firsts[0] if len(firsts) > 1 else 0.0
    return {
        "users": users,
        "messages_per_second": round((len(firsts) - 1) / span, 2) if span > 0 else None,
        "configured_rate": round(1 / PriorityLimiter().interval, 2),
        "lost_reminders": users - len(arrived),
        "duplicate_reminders": sum(len(times) - 1 for times in arrived.values()),
        "marked_not_received": marked_not_received(data_dir, users, arrived),
        "first_late_s": round(firsts[0] - due_at, 3) if firsts else None,
        "most_late_s": round(firsts[-1] - due_at, 3) if firsts else None,
        "flood_errors": flood_errors,
        "reply_p99_s": p99(probes.replies),
        "reply_max_s": round(max(probes.replies), 3) if probes.replies else None,
        "replies": len(probes.replies),
        "crisis_p99_s": p99(probes.crises),
        "crisis_max_s": round(max(probes.crises), 3) if probes.crises else None,
        "crises": len(probes.crises),
        "unanswered": dict(probes.missed),
        "ready_s": round(ready_s, 2),
        "lead_s": lead,
        "seed_s": round(seed_s, 2),
        "burst_s": round(ended - due_at, 2),
        "bot_cpu_s": round(bot_cpu, 2),
        "emulator_cpu_s": round(emulator_cpu, 2),
        "loop_cpu_s": round(loop_cpu, 2),
        "loop_waiting_for_cpu_s": round(loop_waiting, 2),
        "emulator_waiting_for_cpu_s": round(emulator_waiting, 2),
        "cpu_pressure_avg60": pressure,
        "bot_log": bot_log_counts(bot.stderr_path),
        "cores": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument(
        "--lead",
        type=float,
        default=None,
        help="seconds from now to the due instant (default: 45 + 0.1 s per coachee)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=150.0,
        help="stop when nothing went out for this long (default 150: past one re-send)",
    )
    parser.add_argument("--flood-limit", type=int, default=TELEGRAM_FLOOD_LIMIT)
    parser.add_argument("--dir", type=Path, default=None, help="keep data and logs here")
    args = parser.parse_args(argv)
    lead = args.lead if args.lead is not None else 45 + 0.1 * args.users
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        figures = run(args.users, lead, args.settle, args.flood_limit, args.dir)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-burst-") as tmp:
            figures = run(args.users, lead, args.settle, args.flood_limit, Path(tmp))
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
