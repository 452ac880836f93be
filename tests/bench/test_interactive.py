"""Smoke version of the interactive benchmark (bench/interactive.py): 3 coachees going round
the check-in conversation for a few seconds against the real bot and the emulator. Asserts
what must hold at any size (one JSON line with the figures, every update answered, crisis
sentences got the crisis answer, no errors in the bot's log); the speeds are the script's to
print, not this test's to judge."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchrun import run_benchmark

SMALL = ("--users", "3", "--seconds", "4", "--timeout", "20")
KEYS = {
    "users",
    "updates_per_second",
    "updates",
    "unanswered",
    "reply_p50_s",
    "reply_p99_s",
    "crisis_p99_s",
    "loop_lag_p99_ms",
    "cores",
    "load_avg_1m",
}


@pytest.mark.e2e
def test_a_small_run_answers_every_update_and_prints_one_json_line(tmp_path: Path) -> None:
    figures, logs = run_benchmark("bench.interactive", SMALL, tmp_path)
    assert figures.keys() >= KEYS
    assert figures["users"] == 3
    assert figures["unanswered"] == {}, figures
    assert figures["updates"] >= 7, figures  # at least one whole round of the conversation
    assert figures["crises"] >= 1, figures
    assert figures["crisis_p99_s"] is not None and figures["loop_lag_p99_ms"] is not None
    assert figures["bot_log"].get("errors", 0) == 0, logs
    # Only the crisis sentences are crises: ordinary text must not be taken for one. A crisis
    # sent just before the span ended is answered after it, so count every answered one.
    assert figures["bot_log"].get("safety.escalation", 0) == figures["crises_answered"], figures
