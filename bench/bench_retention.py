"""What the daily retention job costs with many coachees, and whether it holds up the bot.

Run with `python bench/bench_retention.py` (`--coachees`, `--days`, `--rate`, `--dir`).

N coachees (2,000) each have a year of daily history in their own TinyDB file: a check-in
with a note, an exercise, a reminder mark every day, and a reflection every week. The job
runs through the real Application and JobQueue code path against a Bot API stand-in that
answers at once, on the real TinyDB repository, four times:

1. steady: the history ends yesterday, nothing is due (the cost of looking at everyone);
2. notices: seven months later, everyone's first month is past the 18-month period, so
   everyone gets a history notice (through the outbox at `--rate` messages per second);
3. erasure: a week later, every coachee's oldest month goes (one write per coachee);
4. again: the same day once more, nothing to do.

For each run: wall time, what it did, how long the event loop was blocked (a ticker task
measures it, as a handler waiting for its turn would see it: the longest stretch and the
99th percentile), the full garbage collections and the longest of them (they stop every
thread, the loop included; the job freezes the heap it found, so they stay short), and the
process's peak memory (ru_maxrss; a high-water mark, so it only grows). One more steady run
under tracemalloc gives the Python allocation peak of the job alone. Timings depend on the
disk and on the machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "telegram"))  # the tests' fake Bot API (rig.py)

from rig import FakeBotApi  # noqa: E402
from telegram.ext import CallbackContext  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.content.live import LiveContent  # noqa: E402
from bot.core.models import (  # noqa: E402
    CheckIn,
    Consent,
    ExerciseLog,
    LastSeen,
    Profile,
    Reflection,
    ReminderMark,
)
from bot.storage.codec import table_name, to_json  # noqa: E402
from bot.storage.migrations import stamp  # noqa: E402
from bot.storage.tinydb_store import PROFILE_TABLE, USERS_TABLE, TinyDbRepository  # noqa: E402
from bot.telegram.app import build_application  # noqa: E402
from bot.telegram.context import Services  # noqa: E402
from bot.telegram.outbox import Outbox, PriorityLimiter  # noqa: E402
from bot.telegram.retention import RetentionRun, run_retention  # noqa: E402

STEADY = datetime(2026, 3, 30, 1, 30, tzinfo=UTC)  # 03:30 in Brussels
NOTICES = datetime(2026, 10, 26, 2, 30, tzinfo=UTC)  # seven months on, 03:30 again
ERASURE = NOTICES + timedelta(days=7)


def seed(repo: TinyDbRepository, coachees: int, days: int) -> int:
    """Whole files in one write each (the set-up is not what is measured); total bytes."""
    first = STEADY - timedelta(days=days)
    total = 0
    for user_id in range(1, coachees + 1):
        since = first - timedelta(hours=user_id % 24)
        tables: dict[str, dict[str, Any]] = {
            PROFILE_TABLE: {
                "1": to_json(
                    Profile(user_id, user_id, "nl", "BE", "Europe/Brussels", Consent(since), since)
                )
            }
        }
        rows: dict[type, list[Any]] = {CheckIn: [], ExerciseLog: [], ReminderMark: []}
        rows[Reflection] = []
        for n in range(days):
            at = since + timedelta(days=n)
            day = at.date()
            rows[ReminderMark].append(ReminderMark("checkin", day, 0, at))
            rows[CheckIn].append(
                CheckIn(at, day, n % 11, 10 - n % 11, 1 + n % 5, note="moe na een lange dag")
            )
            rows[ExerciseLog].append(ExerciseLog("box-breathing", at, day, "done"))
            if n % 7 == 0:
                rows[Reflection].append(
                    Reflection("rest-1", at, day, "Vandaag lukte het beter om pauzes te nemen.")
                )
        for kind, records in rows.items():
            tables[table_name(kind)] = {str(i + 1): to_json(r) for i, r in enumerate(records)}
        tables[table_name(LastSeen)] = {"1": to_json(LastSeen(STEADY - timedelta(days=1)))}
        text = json.dumps(stamp(tables), ensure_ascii=False, separators=(",", ":"))
        repo.legacy_path(user_id).write_text(text, encoding="utf-8")
        total += len(text.encode())
    index = stamp({USERS_TABLE: {str(i): {"user_id": i} for i in range(1, coachees + 1)}})
    repo.index_path.write_text(json.dumps(index), encoding="utf-8")
    return total


FULL_COLLECTIONS: list[float] = []
_collection_started = [0.0]


def _time_full_collections(phase: str, info: dict[str, int]) -> None:
    if info["generation"] != 2:
        return
    if phase == "start":
        _collection_started[0] = time.perf_counter()
    else:
        FULL_COLLECTIONS.append(time.perf_counter() - _collection_started[0])


async def timed_run(application: Any, clock: list[datetime], at: datetime) -> dict[str, Any]:
    clock[0] = at
    FULL_COLLECTIONS.clear()
    stalls: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            before = loop.time()
            await asyncio.sleep(0.005)
            stalls.append(loop.time() - before - 0.005)

    watcher = asyncio.create_task(ticker())
    started = time.perf_counter()
    run: RetentionRun = await run_retention(CallbackContext(application))
    seconds = time.perf_counter() - started
    stop.set()
    await watcher
    stalls.sort()
    return {
        "seconds": seconds,
        "run": run,
        "max_stall_ms": max(stalls, default=0.0) * 1000,
        "p99_stall_ms": stalls[int(len(stalls) * 0.99)] * 1000 if stalls else 0.0,
        "full_gcs": len(FULL_COLLECTIONS),
        "max_gc_ms": max(FULL_COLLECTIONS, default=0.0) * 1000,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def main(args: argparse.Namespace) -> None:
    base = Path(args.dir or tempfile.mkdtemp(prefix="bench-retention-"))
    repo = TinyDbRepository(base / "data")
    started = time.perf_counter()
    size = seed(repo, args.coachees, args.days)
    print(
        f"seeded {args.coachees} coachees x {args.days} days in "
        f"{time.perf_counter() - started:.1f} s: {size / 1e6:.0f} MB, "
        f"{size / args.coachees / 1024:.0f} KB per coachee  ({base})"
    )
    clock = [STEADY]
    settings = Settings(
        "1:bench", None, base, ROOT / "content", frozenset(), "BE", "Europe/Brussels"
    )
    api = FakeBotApi()  # answers every call at once, like a Bot API with no network between
    services = Services(
        settings,
        LiveContent(ROOT / "content"),
        repo,
        lambda: clock[0],
        Outbox(PriorityLimiter(rate=args.rate)),
    )
    application = build_application(services, request=api)
    print(f"objects the garbage collector tracks after start-up: {len(gc.get_objects())}")
    print(f"outbox: {args.rate:g} messages per second (Telegram allows about 30)")
    gc.callbacks.append(_time_full_collections)
    print(
        f"{'run':<9} {'seconds':>8} {'notices':>8} {'erased':>7} {'records':>9} "
        f"{'blocked max ms':>15} {'p99 ms':>7} {'full GCs':>9} {'longest ms':>11} "
        f"{'maxrss MB':>10}"
    )
    async with application:
        for name, at in (
            ("steady", STEADY),
            ("notices", NOTICES),
            ("erasure", ERASURE),
            ("again", ERASURE),
        ):
            result = await timed_run(application, clock, at)
            run = result["run"]
            print(
                f"{name:<9} {result['seconds']:>8.1f} {run.notices:>8} "
                f"{run.histories_erased:>7} {run.records_erased:>9} "
                f"{result['max_stall_ms']:>15.1f} {result['p99_stall_ms']:>7.1f} "
                f"{result['full_gcs']:>9} {result['max_gc_ms']:>11.1f} "
                f"{result['maxrss_mb']:>10.0f}"
            )
            assert run.errors == 0 and run.notices_failed == 0
        tracemalloc.start()
        await run_retention(CallbackContext(application))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"Python allocation peak of one run (tracemalloc): {peak / 1e6:.1f} MB")
    sent = sum(c.method != "getMe" for c in api.calls)
    print(f"messages sent: {sent}; files left: {sum(1 for _ in repo.users_dir.iterdir())}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coachees", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rate", type=float, default=25.0, help="outbox messages per second")
    parser.add_argument("--dir", help="where to put the data (default: a new temp folder)")
    asyncio.run(main(parser.parse_args()))
