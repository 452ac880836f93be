"""How long the safety assessment takes per message, and building the engine at (re)load.

Run: .venv/bin/python bench/bench_safety.py   (prints figures; not a test)
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from bot.content.loader import load_content
from bot.core.safety import SafetyEngine

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    content = load_content(ROOT / "content")
    started = time.perf_counter()
    engine = SafetyEngine(content.safety)
    built = time.perf_counter() - started
    cases = [
        json.loads(line)
        for line in (ROOT / "tests/safety/cases.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for case in cases:  # warm the typo cache, as a running bot would be
        engine.assess(case["text"], case["lang"])
    timings = []
    for case in cases:
        started = time.perf_counter()
        engine.assess(case["text"], case["lang"])
        timings.append(time.perf_counter() - started)
    timings.sort()
    print(f"engine built in {built * 1000:.0f} ms ({len(content.safety.rules)} rules)")
    print(
        f"assess over {len(cases)} messages: mean {statistics.fmean(timings) * 1000:.2f} ms, "
        f"p95 {timings[int(len(timings) * 0.95)] * 1000:.2f} ms, "
        f"max {timings[-1] * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
