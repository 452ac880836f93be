"""Smoke version of the burst benchmark (bench/burst.py): 20 coachees due at one instant,
against the real bot and the emulator. Asserts what must hold at any size (every reminder
arrives once, every crisis sentence gets the crisis answer, no flood errors); the speeds are
the script's to print, not this test's to judge."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchrun import run_benchmark

SMALL = ("--users", "20", "--lead", "15", "--settle", "20")
KEYS = {
    "users",
    "messages_per_second",
    "configured_rate",
    "lost_reminders",
    "most_late_s",
    "flood_errors",
    "reply_p99_s",
    "crisis_p99_s",
    "cores",
}


@pytest.mark.e2e
def test_a_small_burst_loses_nothing_and_prints_one_json_line(tmp_path: Path) -> None:
    figures, logs = run_benchmark("bench.burst", SMALL, tmp_path)
    assert figures.keys() >= KEYS
    assert figures["users"] == 20
    assert figures["lost_reminders"] == 0, figures
    assert figures["duplicate_reminders"] == 0, figures
    assert figures["marked_not_received"] == 0, figures
    assert figures["flood_errors"] == 0, figures
    assert figures["crises"] >= 1 and figures["replies"] >= 1, figures
    assert figures["unanswered"] == {}, figures
    assert figures["bot_log"].get("errors", 0) == 0, logs
