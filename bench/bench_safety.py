"""How long the safety assessment takes: start-up, building at (re)load, and per message
with both layers (rules, n-gram vote, sentence encoder), including adversarial messages.

Run: .venv/bin/python bench/bench_safety.py   (prints one JSON line of figures; not a test)
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bot.content.live import build_assessor
from bot.content.loader import load_content

ROOT = Path(__file__).resolve().parent.parent


def _ms(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000, 2)


def main() -> None:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "safety", "assess"], input=b"", check=True, cwd=ROOT
    )
    startup = time.perf_counter() - started
    # The sentence encoder is built when the first message comes (about 0.7 s): the time to
    # the first answer, from a cold start.
    line = json.dumps({"text": "ik ben moe maar het gaat", "lang": "nl"}) + "\n"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "safety", "assess"],
        input=line.encode(),
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    first_answer = time.perf_counter() - started
    content = load_content(ROOT / "content", checks=())
    started = time.perf_counter()
    assessor, problem = build_assessor(ROOT / "content", content)
    built = time.perf_counter() - started
    texts = [
        json.loads(line)["text"]
        for path in sorted((ROOT / "tests/safety").rglob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    timings = []
    for text in texts:
        assessor._cache.clear()  # measure the work, not the cache
        started = time.perf_counter()
        assessor.assess(text, "nl")
        timings.append(time.perf_counter() - started)
    crafted = {
        "apostrophes_4096": "'" * 4096,
        "one_word_4096": "a" * 4096,
        "zero_width_4096": "\u200b" * 4096,
        "words_4096": ("ik ben zo moe van alles " * 200)[:4096],
        "sentences_4096": ("Ik ben moe. " * 400)[:4096],
    }
    adversarial = {}
    for name, text in crafted.items():
        assessor._cache.clear()
        started = time.perf_counter()
        assessor.assess(text, "nl")
        adversarial[name] = round((time.perf_counter() - started) * 1000, 1)
    print(
        json.dumps(
            {
                "safety_assess_startup_s": round(startup, 2),
                "safety_assess_first_answer_s": round(first_answer, 2),
                "assessor_build_s": round(built, 2),
                "degraded": problem,
                "messages": len(texts),
                "assess_p50_ms": _ms(timings, 0.5),
                "assess_p99_ms": _ms(timings, 0.99),
                "assess_max_ms": _ms(timings, 1.0),
                "crafted_4096_chars_ms": adversarial,
            }
        )
    )


if __name__ == "__main__":
    main()
