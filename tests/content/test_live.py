"""The live content: one load builds one safety engine, which both the content check and the
bot's assessor use, and a reload builds the next one."""

from __future__ import annotations

from pathlib import Path

from bot.content.live import LiveContent
from bot.core.safety import SafetyEngine

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "content"


def test_a_load_builds_one_safety_engine_that_checks_and_assesses(monkeypatch):
    built: list[SafetyEngine] = []
    build = SafetyEngine.__init__

    def counted(self, rules):
        built.append(self)
        build(self, rules)

    monkeypatch.setattr(SafetyEngine, "__init__", counted)
    monkeypatch.setenv("BOT_SAFETY_ENCODER", "off")

    live = LiveContent(FIXTURE_DIR)
    assert built == [live.safety.rules]
    assert live.current.safety_engine is live.safety.rules

    live.reload()
    assert len(built) == 2 and built[1] is live.safety.rules
    assert live.current.safety_engine is live.safety.rules
