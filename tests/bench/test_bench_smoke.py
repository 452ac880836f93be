"""The benchmarks run and print their one JSON line (tiny sizes: that they work, not how fast)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (line,) = done.stdout.splitlines()
    return json.loads(line)


def test_the_storage_benchmark_prints_its_figures() -> None:
    figures = run("bench.storage", "--users", "4", "--days", "40", "--samples", "5")

    assert figures["users"] == 4 and figures["days"] == 40
    for key in ("record_p50_ms", "record_p99_ms", "history_p99_ms", "reminder_p99_ms"):
        assert figures[key] > 0, key
    assert figures["bytes_per_user"] > 10_000


def test_the_startup_benchmark_prints_its_figures() -> None:
    figures = run("bench.startup", "--users", "5", "--days", "10")

    assert figures["users"] == 5
    assert figures["coachees_rebuilt"] == 5
    for key in ("first_answer_s", "all_jobs_s", "rss_mib"):
        assert figures[key] > 0, key


def test_the_coach_side_benchmark_prints_its_figures() -> None:
    figures = run(
        "bench.coaches",
        *("--coaches", "3", "--linked", "70", "--big", "1", "--weeks", "6", "--days", "7"),
        *("--samples", "2"),
    )

    assert figures["coaches"] == 3 and figures["rows"]["links"] == 70
    assert figures["rows"]["reads"] == 70 * 6 + 70  # a digest read a week, a /report read
    for key in ("link_of_ms", "reads_ms", "log_read_ms", "mark_digest_sent_ms", "coachees_ms"):
        assert figures[key] > 0, key
    for key in ("digest_ms", "all_digests_s", "alert_ms", "alert_during_digests_ms", "rss_mib"):
        assert figures[key] > 0, key
    assert figures["all_digests_done"] == 3
    assert figures["reads_bytes_after"] > figures["reads_bytes"] > 0
