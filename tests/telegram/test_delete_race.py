"""/delete holds against work already under way: in-process, with the real Application, the
TinyDB repository on a temp folder and a fake Bot API that can hold a send mid-way.

The race from the issue: a reminder job is sending (its ReminderMark already written) when
the coachee confirms /delete. Afterwards no file of theirs exists, no further reminder goes
out, and a restart (a new repository on the same folder, jobs rebuilt) brings nothing back.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.config import Settings
from bot.core import schedule
from bot.core.awaiting import Awaiting, awaiting
from bot.core.models import Consent, Escalation, Moments, Profile, ReminderMark
from bot.core.safety import NONE, Assessment
from bot.storage.tinydb_store import TinyDbRepository
from bot.telegram import callbacks, exercise, jobs
from bot.telegram.app import build_application
from bot.telegram.context import Services
from bot.telegram.outbox import Outbox, PriorityLimiter

# 09:05 in Brussels (summer time): the check-in and the exercise reminder are both due.
NOW = datetime(2026, 3, 30, 7, 5, tzinfo=UTC)
USER, OTHER = 10, 20


class HeldBotApi(BaseRequest):
    """Answers like the Bot API; a send whose text is in `hold` waits until released."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []  # delivered messages
        self.edited: list[str] = []
        self.hold: set[str] = set()
        self.holding = asyncio.Event()
        self.release = asyncio.Event()
        self._ids = itertools.count(100)

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        if name == "getMe":
            me = {"id": 4242, "is_bot": True, "first_name": "Coach", "username": "coachbot"}
            return 200, json.dumps({"ok": True, "result": me}).encode()
        if name == "sendMessage":
            if params.get("text") in self.hold:
                self.hold.discard(params["text"])
                self.holding.set()
                await self.release.wait()
            self.sent.append((params["chat_id"], params.get("text", "")))
        if name == "editMessageText":
            self.edited.append(params.get("text", ""))
        if name in ("sendMessage", "editMessageText"):
            message = {
                "message_id": params.get("message_id") or next(self._ids),
                "date": 0,
                "chat": {"id": params["chat_id"], "type": "private"},
                "text": params.get("text", ""),
            }
            return 200, json.dumps({"ok": True, "result": message}).encode()
        return 200, json.dumps({"ok": True, "result": True}).encode()


class NothingToAssess:
    def assess(self, text: str, lang: str = "nl") -> Assessment:
        return NONE


@dataclass
class FixedContent:
    current: Any
    safety: NothingToAssess = field(default_factory=NothingToAssess)


@dataclass
class Rig:
    application: Application
    api: HeldBotApi
    repo: TinyDbRepository
    _updates: itertools.count = field(default_factory=lambda: itertools.count(1))

    def press(self, user_id: int, data: str) -> Update:
        user = {"id": user_id, "is_bot": False, "first_name": "C", "language_code": "nl"}
        chat = {"id": user_id, "type": "private"}
        number = next(self._updates)
        payload: dict[str, Any] = {
            "update_id": number,
            "callback_query": {
                "id": str(number),
                "from": user,
                "chat_instance": "x",
                "message": {"message_id": 1, "date": 0, "chat": chat, "text": "?"},
                "data": data,
            },
        }
        return Update.de_json(payload, self.application.bot)

    async def process(self, update: Update) -> None:
        work = self.application.process_update(update)
        try:
            await self.application.update_processor.process_update(update, work)
        finally:
            work.close()

    def consent(self, user_id: int) -> Profile:
        profile = Profile(
            user_id=user_id,
            chat_id=user_id,
            lang="nl",
            country="BE",
            timezone="Europe/Brussels",
            consent=Consent(given_at=NOW - timedelta(days=3)),
            created_at=NOW - timedelta(days=3),
            moments=Moments(checkin=time(9, 0), exercise=time(9, 0), reflection=None),
        )
        self.repo.save_profile(profile)
        return profile

    def live_jobs(self, user_id: int) -> list[str]:
        names = (f"reminders:{user_id}", f"followup:{user_id}", f"exercise:{user_id}")
        return [
            job.name
            for job in self.application.job_queue.jobs()
            if job.name in names  # a removed job has left the scheduler
        ]


async def start(content, data_dir: Path) -> tuple[Application, HeldBotApi, TinyDbRepository]:
    api = HeldBotApi()
    repo = TinyDbRepository(data_dir)
    settings = Settings("1:fake", None, data_dir, data_dir, frozenset(), "BE", "Europe/Brussels")
    services = Services(
        settings,
        FixedContent(content),  # type: ignore[arg-type]
        repo,
        lambda: NOW,
        Outbox(PriorityLimiter(rate=1000)),
        exercise_pace=1,
    )
    application = build_application(services, request=api)
    await application.initialize()
    await application.start()
    return application, api, repo


@pytest.fixture
async def rig(content, tmp_path: Path) -> AsyncIterator[Rig]:
    application, api, repo = await start(content, tmp_path / "data")
    yield Rig(application, api, repo)
    api.release.set()  # a failed test must not leave a send held
    await application.stop()
    await application.shutdown()


def reminder_texts(content) -> set[str]:
    return {
        content.text(f"reminder.{kind}.{variant}", "nl")
        for kind in ("checkin", "exercise", "reflection")
        for variant in ("first", "again")
    }


async def wait_for(condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


async def test_delete_during_a_reminder_send_leaves_nothing_and_sends_no_more(
    rig: Rig, content, tmp_path: Path
) -> None:
    profile = rig.consent(USER)
    rig.consent(OTHER)
    due = schedule.due_reminders(profile, jobs.schedule_state(rig.application, USER), NOW)
    assert len(due) == 2, "the race needs a second reminder after the one held"
    rig.api.hold = set(reminder_texts(content))
    rig.repo.add(USER, Escalation("gp", "checkin", "r", "c", NOW, NOW + timedelta(days=1)))
    queue = rig.application.job_queue
    queue.run_once(jobs.followup_tick, when=3600, name=f"followup:{USER}", data=USER)

    jobs.schedule_reminders(rig.application, USER, check_now=True)
    await asyncio.wait_for(rig.api.holding.wait(), 5)  # the tick is sending its first reminder
    assert rig.repo.records(USER, ReminderMark), "the mark is written before the send"

    await rig.process(rig.press(USER, callbacks.encode(callbacks.DELETE, "confirm")))
    assert content.text("delete.done", "nl") in rig.api.edited
    rig.api.release.set()
    await wait_for(lambda: any(t in reminder_texts(content) for _, t in rig.api.sent))
    await asyncio.sleep(1.5)  # let the tick run to its end (one send per second per chat)

    data = tmp_path / "data"
    reminders = [t for chat, t in rig.api.sent if chat == USER and t in reminder_texts(content)]
    assert len(reminders) == 1  # the one already on its way; none after the erasure
    assert sorted(p.name for p in (data / "users").iterdir()) == [f"{OTHER}.json"]
    assert rig.live_jobs(USER) == []
    assert rig.repo.user_ids() == [OTHER]

    # A restart: a new repository on the same folder, every job rebuilt from storage.
    application, api, repo = await start(content, data)
    try:
        jobs.rebuild_all(application)
        await asyncio.sleep(0.3)
        assert repo.user_ids() == [OTHER]
        assert repo.load_profile(USER) is None
        assert api.sent and {chat for chat, _ in api.sent} == {OTHER}  # OTHER's reminders only
        assert not (data / "users" / f"{USER}.json").exists()
    finally:
        await application.stop()
        await application.shutdown()


async def test_delete_stops_every_job_and_flow_of_that_user(rig: Rig, content) -> None:
    rig.consent(USER)
    queue = rig.application.job_queue
    queue.run_once(jobs.reminder_tick, when=3600, name=f"reminders:{USER}", data=USER)
    queue.run_once(jobs.followup_tick, when=3600, name=f"followup:{USER}", data=USER)
    queue.run_once(
        exercise.step_due, when=60, name=f"exercise:{USER}", data=(USER, USER, "nl", "x", 1)
    )
    rig.application.chat_data[USER][exercise.SENT] = ("x", 0)
    rig.repo.replace(USER, awaiting("note", "x", USER, NOW))
    assert sorted(rig.live_jobs(USER)) == [
        f"exercise:{USER}",
        f"followup:{USER}",
        f"reminders:{USER}",
    ]

    await rig.process(rig.press(USER, callbacks.encode(callbacks.DELETE, "confirm")))

    assert rig.live_jobs(USER) == []
    assert exercise.SENT not in rig.application.chat_data[USER]
    assert rig.repo.records(USER, Awaiting) == []


async def test_consenting_again_after_delete_starts_afresh(rig: Rig, content) -> None:
    rig.consent(USER)
    await rig.process(rig.press(USER, callbacks.encode(callbacks.DELETE, "confirm")))

    await rig.process(rig.press(USER, callbacks.encode(callbacks.CONSENT, "yes")))

    profile = rig.repo.load_profile(USER)
    assert profile is not None and profile.user_id == USER
    assert content.text("consent.thanks", "nl") in rig.api.edited
