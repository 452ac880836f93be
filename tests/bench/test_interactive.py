"""Smoke version of the interactive benchmark (bench/interactive.py): 3 coachees going round
the check-in conversation for a few seconds against the real bot and the emulator. Asserts
what must hold at any size (one JSON line with the figures, every update answered, crisis
sentences got the crisis answer, no errors in the bot's log); the speeds are the script's to
print, not this test's to judge."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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
    result = subprocess.run(
        [sys.executable, "-m", "bench.interactive", *SMALL, "--dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in tmp_path.glob("bot-*.log"))
    assert result.returncode == 0, f"{result.stderr[-3000:]}\n{logs}"
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    figures = json.loads(lines[0])
    assert figures.keys() >= KEYS
    assert figures["users"] == 3
    assert figures["unanswered"] == {}, figures
    assert figures["updates"] >= 7, figures  # at least one whole round of the conversation
    assert figures["crises"] >= 1, figures
    assert figures["crisis_p99_s"] is not None and figures["loop_lag_p99_ms"] is not None
    assert figures["bot_log"].get("errors", 0) == 0, logs
    # Only the crisis sentences are crises: ordinary text must not be taken for one.
    assert figures["bot_log"].get("safety.escalation", 0) == figures["crises"], figures
