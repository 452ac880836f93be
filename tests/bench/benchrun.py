"""Run one benchmark script as a process and read the one JSON line it prints, for the smoke
tests of tests/bench (they assert what must hold at any size, not the speeds)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_benchmark(module: str, args: tuple[str, ...], folder: Path) -> tuple[dict[str, Any], str]:
    """The figures `python -m <module> <args> --dir <folder>` printed, and the tail of the
    bot logs it left in `folder` (for assertion messages). Fails on a non-zero exit or
    anything but one line on stdout."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args, "--dir", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in folder.glob("bot-*.log"))
    assert result.returncode == 0, f"{result.stderr[-3000:]}\n{logs}"
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0]), logs
