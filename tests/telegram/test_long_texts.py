"""Long notes and reflections: the whole text a coachee typed is kept (up to Telegram's own
limit on a message, 4,096 characters), stored on disk and given back by /export."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_crisis import FakeBotApi, FixedAssessor, FixedContent, Rig

from bot.config import Settings
from bot.core.awaiting import awaiting
from bot.core.models import CheckIn, Consent, Profile, Reflection
from bot.storage.tinydb_store import TinyDbRepository
from bot.telegram.app import build_application
from bot.telegram.context import Services
from bot.telegram.outbox import Outbox, PriorityLimiter

NOW = datetime(2026, 3, 30, 14, 0, tzinfo=UTC)
USER = 31
TELEGRAM_LIMIT = 4096
# Varied text with a line break and non-ASCII, ending in a word a cut would lose.
LONG = ("Vandaag was zwaar, één ding na het ander.\n" * 200)[: TELEGRAM_LIMIT - 6] + " einde"


@pytest.fixture
async def rig(content, tmp_path: Path) -> AsyncIterator[Rig]:
    repo = TinyDbRepository(tmp_path / "data")
    repo.save_profile(
        Profile(
            user_id=USER,
            chat_id=USER,
            lang="nl",
            country="BE",
            timezone="Europe/Brussels",
            consent=Consent(given_at=NOW - timedelta(days=3)),
            created_at=NOW - timedelta(days=3),
        )
    )
    api = FakeBotApi()
    settings = Settings("1:fake", None, tmp_path, tmp_path, frozenset(), "BE", "Europe/Brussels")
    services = Services(
        settings,
        FixedContent(content, FixedAssessor({})),  # type: ignore[arg-type]
        repo,  # type: ignore[arg-type]
        lambda: NOW,
        Outbox(PriorityLimiter(rate=1000)),
        exercise_pace=0.05,
    )
    application = build_application(services, request=api)
    async with application:
        await application.start()
        yield Rig(application, api, repo, [NOW])  # type: ignore[arg-type]
        await application.stop()


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
