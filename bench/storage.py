"""What an answer costs in storage: `python -m bench.storage --users N --days D`.

Builds N coachees with D days of history each (bench/history.py) in a fresh folder under
/tmp (or --dir), then, for random coachees, in the order a coachee's morning goes:

- reminder: the reminder job's read (the last week of reminder state) and next wake-up;
- record: the check-in's last tap, `bot.services.checkin.answer_checkin` inside one unit of
  work of the TinyDB repository, through to its atomic write (the two taps before it run too,
  unmeasured, as they would);
- history: one unit of work reading the last 30 days of check-ins, exercises and reflections.

Prints one JSON line: users, days, bytes_per_user, record_p50_ms, record_p99_ms,
history_p50_ms, history_p99_ms, reminder_p99_ms, and the machine. Timings include two fsyncs
per written file and depend on the disk and the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.history import END, build
from bot.content.loader import load_content
from bot.core import schedule
from bot.core.models import CheckIn, ExerciseLog, Reflection, ReminderMark, Snooze
from bot.services.checkin import answer_checkin, day_code
from bot.storage.tinydb_store import TinyDbRepository

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


class RecentOnly:
    """What-if (--window-days): the use case's reads of a whole history limited to a window,
    to show what the check-in would cost if the service asked only for recent records."""

    def __init__(self, coachee: Any, since: datetime) -> None:
        self._coachee, self._since = coachee, since

    def records(self, kind: type, since: datetime | None = None) -> list[Any]:
        return self._coachee.records(kind, since or self._since)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._coachee, name)


def fsync_ms(folder: Path, runs: int = 20) -> float:
    """The median cost of one fsync of a month-sized file on this disk: the floor under
    every durable write (a check-in's unit of work pays three: its month, the head, the
    folder)."""
    path = folder / "fsync-probe"
    times = []
    with path.open("wb") as handle:
        for _ in range(runs):
            handle.write(b"x" * 25_000)
            handle.flush()
            started = time.perf_counter()
            os.fsync(handle.fileno())
            times.append(time.perf_counter() - started)
    path.unlink()
    return round(statistics.median(times) * 1000.0, 2)


def measure(
    data_dir: Path, users: int, samples: int, seed: int, window: int | None = None
) -> dict[str, float]:
    content = load_content(ROOT / "content", checks=())
    repo = TinyDbRepository(data_dir)
    rng = random.Random(seed)
    now = END + timedelta(hours=1)
    day = day_code(schedule.local_today(repo.load_profile(1), now))  # type: ignore[arg-type]
    record, history, reminder = [], [], []
    # Check-in ids are the day and the question: new ones each run, so a folder measured
    # before (--data) stores every check-in again instead of seeing double taps.
    first_question = time.time_ns() // 1000 % 10**9
    for n in range(samples):
        user_id = rng.randint(1, users)
        started = time.perf_counter()
        with repo.unit_of_work(user_id) as coachee:
            since = now - timedelta(days=7)
            state = schedule.ScheduleState.from_records(
                *(coachee.records(kind, since) for kind in (CheckIn, ExerciseLog, Reflection)),
                coachee.records(ReminderMark, since),
                coachee.records(Snooze, since),
            )
            schedule.next_wakeup(coachee.profile, state, now)  # type: ignore[arg-type]
        reminder.append(time.perf_counter() - started)
        question = first_question + n
        for answers in ((6,), (6, 4)):
            with repo.unit_of_work(user_id) as coachee:
                answer_checkin(coachee, day, answers, question, user_id, now, content)
        started = time.perf_counter()
        with repo.unit_of_work(user_id) as coachee:
            if window is not None:
                coachee = RecentOnly(coachee, now - timedelta(days=window))
            answer_checkin(coachee, day, (6, 4, 3), question, user_id, now, content)
            stored = coachee.changed
        record.append(time.perf_counter() - started)
        if not stored:
            raise AssertionError("the check-in was not stored: the measurement would be wrong")
        other = rng.randint(1, users)
        started = time.perf_counter()
        with repo.unit_of_work(other) as coachee:
            since = now - timedelta(days=30)
            for kind in (CheckIn, ExerciseLog, Reflection):
                coachee.records(kind, since)
        history.append(time.perf_counter() - started)
    ms = 1000.0
    return {
        "record_p50_ms": round(statistics.median(record) * ms, 2),
        "record_p99_ms": round(percentile(record, 0.99) * ms, 2),
        "history_p50_ms": round(statistics.median(history) * ms, 2),
        "history_p99_ms": round(percentile(history, 0.99) * ms, 2),
        "reminder_p99_ms": round(percentile(reminder, 0.99) * ms, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--dir", type=Path, default=None, help="parent of the data folder")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--data", type=Path, default=None, help="a data folder built before")
    parser.add_argument(
        "--window-days",
        type=int,
        default=None,
        help="what-if: the check-in reads only this many days back (not what main does)",
    )
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="bench-storage-", dir=args.dir or "/tmp"))
    data = args.data or base / "data"
    try:
        started = time.perf_counter()
        size = build(data, args.users, args.days) if args.data is None else 0
        built = time.perf_counter() - started
        figures = measure(data, args.users, args.samples, args.seed, args.window_days)
        probe = fsync_ms(data.parent)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    print(
        json.dumps(
            {
                "users": args.users,
                "days": args.days,
                "bytes_per_user": size,
                **figures,
                "fsync_p50_ms": probe,
                "samples": args.samples,
                **({"what_if_window_days": args.window_days} if args.window_days else {}),
                **({"kept": str(data)} if args.keep else {}),
                "build_s": round(built, 1),
                "machine": machine(),
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
