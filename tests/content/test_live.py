"""The live content: one load builds one safety engine, which both the content check and the
bot's assessor use, and a reload builds the next one; at the bot's start, what the check did
not need is built in the background."""

from __future__ import annotations

import shutil
from pathlib import Path

from fixture_content import fixture_copy

from bot.content.live import MODEL_FILE, LiveContent
from bot.core.safety import SafetyEngine

ROOT = Path(__file__).resolve().parents[2]


def test_a_load_builds_one_safety_engine_that_checks_and_assesses(monkeypatch, tmp_path):
    built: list[SafetyEngine] = []
    build = SafetyEngine.__init__

    def counted(self, rules):
        built.append(self)
        build(self, rules)

    monkeypatch.setattr(SafetyEngine, "__init__", counted)
    monkeypatch.setenv("BOT_SAFETY_ENCODER", "off")

    live = LiveContent(fixture_copy(tmp_path / "content"))
    assert built == [live.safety.rules]
    assert live.current.safety_engine is live.safety.rules

    live.reload()
    assert len(built) == 2 and built[1] is live.safety.rules
    assert live.current.safety_engine is live.safety.rules


def with_model(tmp_path: Path) -> Path:
    """The fixture content with the shipped learned model (it needs the sentence encoder)."""
    folder = tmp_path / "content"
    fixture_copy(folder)
    shutil.copy(ROOT / "content" / MODEL_FILE, folder / MODEL_FILE)
    return folder


def test_the_bots_start_leaves_the_encoder_and_the_patterns_to_a_warm_up(tmp_path):
    """The start is over once the content is checked (about a second); the sentence encoder
    (about a second) and the patterns the check did not need are built in the background
    while the bot already polls, before a coachee's first message as a rule."""
    live = LiveContent(with_model(tmp_path), lazy=True)
    encoder = live.safety.learned.embed
    patterns = list(live.safety.rules._all_patterns())
    assert not encoder.loaded
    assert not all("regex" in vars(pattern) for pattern in patterns)

    live.warm_up().join(timeout=120)

    assert encoder.loaded
    assert all("regex" in vars(pattern) for pattern in patterns)
    assert live.safety.assess("ik wil dood", "nl").level == "crisis"


def test_a_message_during_the_warm_up_is_assessed_in_full(tmp_path):
    eager = LiveContent(with_model(tmp_path))
    text = "ik zie het eigenlijk niet meer zitten om morgen nog wakker te worden"
    live = LiveContent(with_model(tmp_path / "again"), lazy=True)
    warming = live.warm_up()
    assert live.safety.assess(text, "nl") == eager.safety.assess(text, "nl")
    warming.join(timeout=120)
