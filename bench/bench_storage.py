"""What recording an answer costs, and what a kill mid-write does to the files.

Run with `python bench/bench_storage.py` (add `--contrast` for the kill experiment):

1. The mean time of `add()` (one check-in), `load_profile()` and `records()` for a coachee
   with N = 10, 100, 1000 own check-ins, next to M = 10 and 1000 other coachees with 30
   check-ins each. The claim to check: the cost follows N and does not move with M.
2. `--contrast`: a writer process inserting and editing records is killed with SIGKILL at a
   random moment, 20 times, once with TinyDB's own JSONStorage (rewrite in place) and once
   with AtomicJSONStorage; counts files left unreadable and acknowledged writes lost.

The data folder is a fresh temp folder on the default temp disk (`--dir` to choose one):
timings include two fsyncs per write and depend on that disk and on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.models import CheckIn, Consent, Profile  # noqa: E402
from bot.storage.codec import table_name, to_json  # noqa: E402
from bot.storage.migrations import stamp  # noqa: E402
from bot.storage.tinydb_store import PROFILE_TABLE, USERS_TABLE, TinyDbRepository  # noqa: E402

OWN = (10, 100, 1000)
OTHERS = (10, 1000)
OTHERS_HISTORY = 30
RUNS = 30
START = datetime(2025, 1, 1, 7, 0, tzinfo=UTC)


def profile(user_id: int) -> Profile:
    return Profile(user_id, user_id, "nl", "BE", "Europe/Brussels", Consent(START), START)


def checkin(n: int) -> CheckIn:
    at = START + timedelta(hours=n)
    return CheckIn(at, at.date(), n % 11, 10 - n % 11, 1 + n % 5, note="moe na een lange dag")


def seed(repo: TinyDbRepository, histories: dict[int, int]) -> None:
    """Write whole users in one go (the set-up is not what is measured), then the index.

    The files are what the repository would write itself; `load_profile` below reads them
    through the repository, so a layout mismatch fails here, not silently.
    """
    for user_id, count in histories.items():
        document = stamp(
            {
                PROFILE_TABLE: {"1": to_json(profile(user_id))},
                table_name(CheckIn): {str(i + 1): to_json(checkin(i)) for i in range(count)},
            }
        )
        repo.legacy_path(user_id).write_text(json.dumps(document), encoding="utf-8")
    index = json.loads(repo.index_path.read_text()) if repo.index_path.exists() else stamp({})
    users = index.setdefault(USERS_TABLE, {})
    known = {row["user_id"] for row in users.values()}
    for user_id in histories:
        if user_id not in known:
            users[str(len(users) + 1)] = {"user_id": user_id}
    repo.index_path.write_text(json.dumps(index), encoding="utf-8")
    for user_id in histories:
        assert repo.load_profile(user_id) == profile(user_id)


def mean_ms(action: Callable[[int], object], runs: int = RUNS) -> float:
    times = []
    for run in range(runs):
        started = time.perf_counter()
        action(run)
        times.append(time.perf_counter() - started)
    return statistics.mean(times) * 1000


def bench_costs(base: Path) -> None:
    print(f"data folder: {base}  ({RUNS} runs per figure, mean in ms)")
    print(
        f"{'other users':>11} {'own records':>11} {'add()':>9} {'load_profile()':>15} "
        f"{'records()':>10} {'file KB':>8}"
    )
    for others in OTHERS:
        repo = TinyDbRepository(Path(tempfile.mkdtemp(prefix=f"others{others}-", dir=base)))
        seed(repo, {10_000 + i: OTHERS_HISTORY for i in range(others)})
        os.sync()  # else the first timed fsync pays for flushing the whole seed
        for own in OWN:
            subject = own  # a fresh coachee per row, with exactly `own` records so far
            seed(repo, {subject: own})
            os.sync()
            add = mean_ms(lambda run, r=repo, s=subject: r.add(s, checkin(s + run)))
            load = mean_ms(lambda run, r=repo, s=subject: r.load_profile(s))
            read = mean_ms(lambda run, r=repo, s=subject: r.records(s, CheckIn))
            size = sum(p.stat().st_size for p in repo.user_path(subject).iterdir()) / 1024
            print(f"{others:>11} {own:>11} {add:>9.2f} {load:>15.2f} {read:>10.2f} {size:>8.0f}")


# --- the kill experiment ------------------------------------------------------------------

WRITER = """
import random, sys
from tinydb import Query, TinyDB
from tinydb.storages import JSONStorage
from bot.storage.atomic import AtomicJSONStorage

path, kind, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
storage = JSONStorage if kind == "json" else AtomicJSONStorage
rng = random.Random(seed)
n = 0
with TinyDB(path, storage=storage) as db:
    table = db.table("checkin")
    while True:
        if n % 2:  # edit a note: the file may get shorter, as with replace()
            doc_id = rng.randint(1, len(table))
            table.update({"note": "x" * rng.randint(0, 400)}, doc_ids=[doc_id])
            print(f"edit {doc_id}", flush=True)
        else:
            table.insert({"id": f"w{seed}-{n}", "note": "x" * rng.randint(0, 400)})
            print(f"insert w{seed}-{n}", flush=True)
        n += 1
"""


def wait_for_a_write(path: Path, timeout: float = 2.0) -> None:
    """Return as soon as a write has begun: the file changed (in place) or a temp file exists.

    For JSONStorage that is the moment between writing and truncating (an fsync sits in
    between); for AtomicJSONStorage the moment between writing the temp file and the rename.
    """

    def state() -> tuple[object, ...]:
        stat = path.stat()
        temps = [n for n in os.listdir(path.parent) if n.startswith(f".{path.name}.")]
        return stat.st_mtime_ns, stat.st_size, tuple(sorted(temps))

    before = state()
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline and state() == before:
        pass


def kill_round(
    script: Path, path: Path, kind: str, rng: random.Random, seed: int, worst: bool
) -> tuple[bool, int]:
    """Kill one writer at a random moment (or as a write begins, with `worst`); return (file
    readable, acknowledged inserts missing from it). An unreadable file loses everything."""
    process = subprocess.Popen(
        [sys.executable, str(script), str(path), kind, str(seed)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    acked: list[str] = []
    target = rng.randint(20, 60)
    started = time.perf_counter()
    for count, line in enumerate(iter(process.stdout.readline, ""), start=1):
        if line.startswith("insert"):
            acked.append(line.split()[1])
        if count == 1:
            started = time.perf_counter()
        if count == target:
            break
    if worst:
        wait_for_a_write(path)
    else:
        time.sleep(rng.uniform(0, (time.perf_counter() - started) / (target - 1)))
    os.kill(process.pid, signal.SIGKILL)
    acked += [
        line.split()[1]
        for line in process.stdout.read().splitlines()
        if line.startswith("insert") and len(line.split()) == 2
    ]
    process.wait()
    process.stdout.close()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return False, 0
    stored = {row["id"] for row in document.get("checkin", {}).values()}
    return True, len(set(acked) - stored)


def bench_contrast(base: Path, rounds: int = 20) -> None:
    script = base / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    print(
        f"\nSIGKILL in a stream of inserts and edits, {rounds} rounds per line, each on a "
        "file pre-filled with 300 records:"
    )
    for worst, when in ((False, "at a random moment"), (True, "as a write begins")):
        for kind, label in (
            ("json", "TinyDB JSONStorage (in place)"),
            ("atomic", "AtomicJSONStorage (temp+fsync+replace)"),
        ):
            rng = random.Random(7)
            corrupt = lost = 0
            for round_no in range(rounds):
                path = base / f"{kind}-{worst}-{round_no}.json"
                rows = {str(i + 1): {"id": f"seed-{i}", "note": "x" * 200} for i in range(300)}
                path.write_text(json.dumps({"checkin": rows}), encoding="utf-8")
                readable, missing = kill_round(script, path, kind, rng, round_no, worst)
                corrupt += not readable
                lost += missing
            print(
                f"  {when:<19} {label:<39} unreadable after {corrupt:>2} of {rounds} kills; "
                f"acknowledged inserts missing: {lost}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", help="folder for the data (default: a new temp folder)")
    parser.add_argument("--contrast", action="store_true", help="also run the kill experiment")
    parser.add_argument("--only-contrast", action="store_true", help="only the kill experiment")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-storage-", dir=args.dir))
    if not args.only_contrast:
        bench_costs(base)
    if args.contrast or args.only_contrast:
        bench_contrast(base)


if __name__ == "__main__":
    main()
