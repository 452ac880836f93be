"""The labelled sentences in cases.jsonl against the engine: the bar from the safety issue.

100% of crisis sentences must be crisis, at least 95% of gp sentences must escalate (gp or
crisis), and at most 5% of ordinary sentences may raise an alarm. Never delete a case to
make this pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.safety import SafetyEngine

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


@pytest.fixture(scope="module")
def engine(content) -> SafetyEngine:
    return SafetyEngine(content.safety)


def _misses(engine: SafetyEngine, level: str, ok: set[str]) -> tuple[list[str], int]:
    cases = [c for c in CASES if c["level"] == level]
    missed = [c["text"] for c in cases if engine.assess(c["text"], c["lang"]).level not in ok]
    return missed, len(cases)


def test_the_case_set_is_large_and_covers_both_languages():
    assert len(CASES) >= 250
    assert {c["lang"] for c in CASES} == {"nl", "en"}
    assert {c["level"] for c in CASES} == {"none", "gp", "crisis"}


def test_every_crisis_sentence_is_crisis(engine):
    missed, total = _misses(engine, "crisis", {"crisis"})
    assert not missed, f"{len(missed)} of {total} crisis sentences missed:\n" + "\n".join(missed)


def test_at_least_95_percent_of_gp_sentences_escalate(engine):
    missed, total = _misses(engine, "gp", {"gp", "crisis"})
    assert len(missed) <= 0.05 * total, (
        f"recall {1 - len(missed) / total:.1%}; missed:\n" + "\n".join(missed)
    )


def test_at_most_5_percent_false_alarms_on_ordinary_sentences(engine):
    alarms, total = _misses(engine, "none", {"none"})
    assert len(alarms) <= 0.05 * total, f"false alarms {len(alarms) / total:.1%}:\n" + "\n".join(
        alarms
    )
