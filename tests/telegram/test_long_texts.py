"""Long notes and reflections: the whole text a coachee typed is kept (up to Telegram's own
limit on a message, 4,096 characters), stored on disk and given back by /export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rig import NOW, make_repository, profile

from bot.core.awaiting import awaiting
from bot.core.models import CheckIn, Reflection
from bot.storage.tinydb_store import TinyDbRepository

USER = 31
TELEGRAM_LIMIT = 4096
# Varied text with a line break and non-ASCII, ending in a word a cut would lose.
LONG = ("Vandaag was zwaar, één ding na het ander.\n" * 200)[: TELEGRAM_LIMIT - 6] + " einde"


@pytest.fixture
def repo(tmp_path: Path) -> TinyDbRepository:
    repo = make_repository("tinydb", tmp_path / "data")
    repo.save_profile(profile(USER))
    return repo


def test_the_text_is_as_long_as_telegram_allows():
    assert len(LONG) == TELEGRAM_LIMIT
    assert LONG.strip() == LONG


async def test_a_long_note_is_kept_whole_on_disk_and_in_the_export(rig, content):
    checkin = CheckIn(at=NOW, local_date=NOW.date(), energy=5, stress=5, sleep=3, id="c1")
    rig.repo.add(USER, checkin)
    rig.repo.replace(USER, awaiting("note", "c1", USER, NOW))
    await rig.process(rig.update(USER, LONG))

    assert rig.api.sent(USER) == [content.text("checkin.note_saved", "nl")]
    reopened = TinyDbRepository(rig.repo.data_dir)  # type: ignore[attr-defined]
    (stored,) = reopened.records(USER, CheckIn)
    assert stored.note == LONG
    exported = json.dumps(reopened.export(USER), ensure_ascii=False)
    assert json.dumps(LONG, ensure_ascii=False) in exported


async def test_a_long_reflection_is_kept_whole_on_disk_and_in_the_export(rig, content):
    rig.repo.replace(USER, awaiting("reflection", "p1", USER, NOW))
    await rig.process(rig.update(USER, LONG))

    assert rig.api.sent(USER)[0] == content.text("reflect.saved_private", "nl")
    reopened = TinyDbRepository(rig.repo.data_dir)  # type: ignore[attr-defined]
    (stored,) = reopened.records(USER, Reflection)
    assert stored.answer == LONG
    exported = json.dumps(reopened.export(USER), ensure_ascii=False)
    assert json.dumps(LONG, ensure_ascii=False) in exported


async def test_export_sends_the_long_texts_as_one_file(rig):
    rig.repo.add(USER, Reflection("p1", NOW, NOW.date(), LONG))
    await rig.process(rig.update(USER, "/export"))

    assert rig.api.calls_of("sendDocument")
