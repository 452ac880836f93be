"""Smoke version of the burst benchmark (bench/burst.py): 20 coachees due at one instant,
against the real bot and the emulator. Asserts what must hold at any size (every reminder
arrives once, every crisis sentence gets the crisis answer, no flood errors); the speeds are
the script's to print, not this test's to judge."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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
    result = subprocess.run(
        [sys.executable, "-m", "bench.burst", *SMALL, "--dir", str(tmp_path)],
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
    assert figures["users"] == 20
    assert figures["lost_reminders"] == 0, figures
    assert figures["duplicate_reminders"] == 0, figures
    assert figures["marked_not_received"] == 0, figures
    assert figures["flood_errors"] == 0, figures
    assert figures["crises"] >= 1 and figures["replies"] >= 1, figures
    assert figures["unanswered"] == {}, figures
    assert figures["bot_log"].get("errors", 0) == 0, logs
