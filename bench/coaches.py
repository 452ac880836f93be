"""What the coach side costs at the size users reach: `python -m bench.coaches`.

Builds a data folder (set-up, not measured): --linked coachees (ids 1..N, with --days of
history each, bench/history.py) linked to --coaches coaches, the first --big of them with 60
coachees each and the rest sharing the others; every coachee shares everything and has a
phase setting; --weeks of history on the coach side: a homework row every four weeks per
coachee, invitations (one used per link, two unused per coach a month), and a read log of a
digest read per coachee a week plus a /report read per coachee a month. The coach store's
files are written as the store from before the read log's split wrote them (coaches.json and
one coach-reads.json, TinyDB's layout, sealed with a fresh key unless --plain), straight
through AtomicJSONStorage rather than 100,000 single calls; opening the store migrates them
if the store wants another layout (open_s).

Then measures, against the real TinyDbCoachStore, each figure the median of --samples runs
(--service-samples for /coachees and the alert) unless said otherwise: link_of,
reads(coachee), log_read (one read), mark_digest_sent; /coachees of a 60-coachee coach
(bot.services.coaching.coachees), one such coach's weekly digest (weekly_digest), one alert
to a coach (coach_alert), then every coach's digest of one week behind the bot's one lock
(bot.telegram.coaching._Locked) with the same alert sent meanwhile through that lock (what
an alert after a crisis waits for). The crisis answer itself makes no store call
(bot/telegram/safety_net.py: the answer is sent before any storage work; the coach's alert
follows as an effect of the unit of work). For the service calls, store_calls and store_s
say how many store calls they made and how long those took.

Prints one JSON line: sizes of the coaching file and the read log (bytes, all of its files),
rows, the timings in ms (or s), kept_mib (what a store keeps parsed after its first call,
measured with tracemalloc on a fresh store; parse_peak_mib the peak of that call), rss_mib
(peak resident memory of the whole run) and the machine.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import tempfile
import threading
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.history import END, build
from bench.storage import machine
from bot.content.loader import load_content
from bot.core.coaching import (
    SHARE_ITEMS,
    Coach,
    CoachRead,
    Homework,
    Invitation,
    Link,
    PhaseSetting,
    Sharing,
    hash_code,
)
from bot.core.models import Escalation
from bot.services import coaching as service
from bot.storage import coaches as coach_files
from bot.storage.atomic import AtomicJSONStorage
from bot.storage.codec import to_json
from bot.storage.sealing import PLAIN, Sealer, new_key
from bot.storage.tinydb_store import TinyDbRepository
from bot.telegram.coaching import _Locked

ROOT = Path(__file__).resolve().parent.parent
COACH_BASE = 1_000_000  # coach ids, apart from the coachees' 1..N
NOW = END + timedelta(hours=3)  # Monday 09:00 UTC: every coach's digest (Monday 08:00) is due
PHASE = "bewustwording"


def plan(coaches: int, linked: int, big: int) -> dict[int, list[int]]:
    """coach id -> coachee ids: the first `big` coaches 60 each, the rest share the others."""
    big = min(big, coaches, linked // 60)
    ids = list(range(1, linked + 1))
    out: dict[int, list[int]] = {}
    for n in range(big):
        out[COACH_BASE + n] = ids[n * 60 : (n + 1) * 60]
    rest = ids[big * 60 :]
    others = coaches - big
    for n in range(others):
        out[COACH_BASE + big + n] = rest[n::others]
    return out


def build_store(data_dir: Path, sealer: Sealer, coaches: int, linked: int, big: int, weeks: int):
    rng = random.Random(7)
    start = NOW - timedelta(weeks=weeks)
    approved = start - timedelta(days=1)
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in coach_files.TABLES}
    reads: list[dict[str, Any]] = []
    owners = plan(coaches, linked, big)
    for coach_id, coachees in owners.items():
        rows["coaches"].append(
            to_json(Coach(coach_id, f"Coach {coach_id}", "approved", approved, approved, 1))
        )
        for month in range(weeks // 4 + 1):
            for n in range(2):  # two invitations a month that nobody used
                made = start + timedelta(weeks=4 * month, hours=n)
                code = hash_code(f"{coach_id}-{month}-{n}", b"bench")
                rows["invitations"].append(
                    to_json(Invitation(code, coach_id, made, made + timedelta(days=7)))
                )
        for coachee in coachees:
            linked_at = start + timedelta(hours=rng.randrange(48))
            code = hash_code(f"{coach_id}-{coachee}", b"bench")
            rows["invitations"].append(
                to_json(
                    Invitation(
                        code, coach_id, linked_at, linked_at + timedelta(days=7), linked_at, coachee
                    )
                )
            )
            rows["links"].append(to_json(Link(coach_id, coachee, f"Coachee {coachee}", linked_at)))
            granted = tuple((item, linked_at) for item in SHARE_ITEMS)
            rows["sharing"].append(to_json(Sharing(coach_id, coachee, granted)))
            rows["phases"].append(to_json(PhaseSetting(coachee, PHASE, linked_at, coach_id)))
            for n in range(weeks // 4):
                day = (start + timedelta(weeks=4 * n)).date()
                rows["homework"].append(
                    to_json(
                        Homework(
                            f"hw-{coachee}-{n}",
                            coach_id,
                            coachee,
                            "box_breathing",
                            "daily",
                            day,
                            14,
                            start + timedelta(weeks=4 * n),
                        )
                    )
                )
    # The read log, oldest first as the store appends it.
    for week in range(weeks):
        digest_at = start + timedelta(weeks=week, hours=8)
        for coach_id, coachees in owners.items():
            for coachee in coachees:
                reads.append(
                    to_json(CoachRead(coach_id, coachee, SHARE_ITEMS, digest_at, "digest"))
                )
        if week % 4 == 2:
            for coach_id, coachees in owners.items():
                for coachee in coachees:
                    at = digest_at + timedelta(days=2, minutes=coachee % 600)
                    reads.append(to_json(CoachRead(coach_id, coachee, SHARE_ITEMS, at, "report")))
    reads.sort(key=lambda r: r["at"])
    # The last week's digests went out: this week's are due at NOW.
    last_week = (NOW - timedelta(days=14)).date() + timedelta(days=(-NOW.weekday()) % 7)
    for coach_id in owners:
        rows["digests"].append(
            {"coach_id": coach_id, "week": last_week.isoformat(), "at": NOW.isoformat()}
        )
    document = {
        table: {str(n): row for n, row in enumerate(found, start=1)}
        for table, found in rows.items()
    }
    AtomicJSONStorage(data_dir / coach_files.FILE_NAME, sealer).write(document)
    reads_document = {"reads": {str(n): row for n, row in enumerate(reads, start=1)}}
    AtomicJSONStorage(data_dir / coach_files.READS_FILE_NAME, sealer).write(reads_document)
    return owners, {table: len(found) for table, found in rows.items()} | {"reads": len(reads)}


class Counted:
    """The store, counting its calls and the time spent in them."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.calls = 0
        self.seconds = 0.0

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if not callable(found):
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return found(*args, **kwargs)
            finally:
                self.calls += 1
                self.seconds += time.perf_counter() - began

        return counted

    def reset(self) -> dict[str, float]:
        figures = {"store_calls": self.calls, "store_s": round(self.seconds, 3)}
        self.calls, self.seconds = 0, 0.0
        return figures


def median_ms(fn: Any, samples: int) -> float:
    took = []
    for _ in range(samples):
        began = time.perf_counter()
        fn()
        took.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(took), 2)


def files_of(data_dir: Path, *names: str) -> int:
    total = 0
    for name in names:
        path = data_dir / name
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*.json"))
    return total


def rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(args.dir or tempfile.mkdtemp(prefix="bench-coaches-"))
    figures: dict[str, Any] = {
        "coaches": args.coaches,
        "linked": args.linked,
        "weeks": args.weeks,
        "days": args.days,
        "sealed": not args.plain,
    }
    try:
        build(data_dir, args.linked, args.days)
        sealer = PLAIN if args.plain else Sealer.with_keys([new_key()])
        owners, rows = build_store(
            data_dir, sealer, args.coaches, args.linked, args.big, args.weeks
        )
        figures["rows"] = rows
        began = time.perf_counter()
        inner = coach_files.TinyDbCoachStore(data_dir, sealer)
        inner.coaches()  # the first read (a migration, if any, ran in the constructor)
        figures["open_s"] = round(time.perf_counter() - began, 3)
        # What the store keeps in memory (and the peak of a parse), on a second store.
        tracemalloc.start()
        probe = coach_files.TinyDbCoachStore(data_dir, sealer)
        probe.coaches()
        kept, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del probe
        figures["kept_mib"] = round(kept / 2**20, 1)
        figures["parse_peak_mib"] = round(peak / 2**20, 1)
        figures["coaches_bytes"] = files_of(data_dir, coach_files.FILE_NAME)
        figures["reads_bytes"] = files_of(
            data_dir, coach_files.READS_FILE_NAME, getattr(coach_files, "READS_DIR", "-")
        )
        store = Counted(inner)
        repo = TinyDbRepository(data_dir)
        content = load_content(ROOT / "content", checks=())
        big_coach = COACH_BASE
        coachee = owners[big_coach][0]
        samples = args.samples

        figures["link_of_ms"] = median_ms(lambda: inner.link_of(coachee), samples)
        figures["reads_ms"] = median_ms(lambda: inner.reads(coachee), samples)
        tick = iter(range(10**6))
        figures["log_read_ms"] = median_ms(
            lambda: inner.log_read(
                CoachRead(
                    big_coach,
                    coachee,
                    ("checkins",),
                    NOW + timedelta(seconds=next(tick)),
                    "report",
                )
            ),
            samples,
        )
        weeks = iter(range(10**6))  # a week of its own each time: every sample writes
        figures["mark_digest_sent_ms"] = median_ms(
            lambda: inner.mark_digest_sent(
                big_coach, date(2020, 1, 6) + timedelta(weeks=next(weeks)), NOW
            ),
            samples,
        )
        inner.mark_digest_sent(big_coach, (NOW - timedelta(days=14)).date(), NOW)

        store.reset()
        runs = args.service_samples
        figures["coachees_ms"] = median_ms(
            lambda: service.coachees(store, repo, big_coach, "nl", content, NOW), runs
        )
        figures["coachees_store"] = {
            k: v // runs if k == "store_calls" else round(v / runs, 4)
            for k, v in store.reset().items()
        }

        def digest_of(coach_id: int) -> None:
            assert service.weekly_digest(store, repo, coach_id, content, NOW) is not None

        def unmark_all() -> None:
            for coach_id in owners:
                inner.mark_digest_sent(coach_id, (NOW - timedelta(days=14)).date(), NOW)

        store.reset()
        began = time.perf_counter()
        digest_of(big_coach)
        figures["digest_ms"] = round((time.perf_counter() - began) * 1000, 1)
        figures["digest_store"] = store.reset()

        escalation = Escalation("crisis", "checkins", "bench", "bench", NOW)
        figures["alert_ms"] = median_ms(
            lambda: service.coach_alert(inner, coachee, escalation, content, NOW),
            args.service_samples,
        )

        # Every coach's digest of a week, in turn as the digest job does, behind the bot's one
        # lock (bot.telegram.coaching._Locked); meanwhile an alert to a coach goes through the
        # same lock. --digest-budget-s stops after that many seconds (all_digests_done says
        # how many were built; all_digests_s is then the time for those).
        unmark_all()
        locked = _Locked(store)
        done: list[int] = []
        deadline = time.perf_counter() + (args.digest_budget_s or float("inf"))

        def all_digests() -> None:
            for coach_id in owners:
                if time.perf_counter() > deadline:
                    break
                service.weekly_digest(locked, repo, coach_id, content, NOW)
                done.append(coach_id)

        store.reset()
        worker = threading.Thread(target=all_digests)
        began = time.perf_counter()
        worker.start()
        time.sleep(0.05)
        asked = time.perf_counter()
        service.coach_alert(locked, coachee, escalation, content, NOW)
        figures["alert_during_digests_ms"] = round((time.perf_counter() - asked) * 1000, 1)
        worker.join()
        figures["all_digests_s"] = round(time.perf_counter() - began, 2)
        figures["all_digests_done"] = len(done)
        figures["all_digests_store"] = store.reset()

        figures["reads_bytes_after"] = files_of(
            data_dir, coach_files.READS_FILE_NAME, getattr(coach_files, "READS_DIR", "-")
        )
        figures["rss_mib"] = rss_mib()
        figures["machine"] = machine()
        figures["at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return figures
    finally:
        if not args.keep and not args.dir:
            shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--coaches", type=int, default=60)
    parser.add_argument("--linked", type=int, default=1000, help="coachees linked to a coach")
    parser.add_argument("--big", type=int, default=10, help="coaches with 60 coachees each")
    parser.add_argument("--weeks", type=int, default=104, help="weeks of coach-side history")
    parser.add_argument("--days", type=int, default=56, help="days of each coachee's history")
    parser.add_argument("--samples", type=int, default=20, help="runs of each store call")
    parser.add_argument(
        "--service-samples", type=int, default=3, help="runs of /coachees and of an alert"
    )
    parser.add_argument(
        "--digest-budget-s", type=float, help="stop building every coach's digest after this"
    )
    parser.add_argument("--plain", action="store_true", help="no data key (files in plain JSON)")
    parser.add_argument("--dir", help="build in this folder (kept)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    print(json.dumps(run(parser.parse_args())))


if __name__ == "__main__":
    main()
