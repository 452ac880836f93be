"""/delete holds against work already under way: in-process, with the real Application, the
TinyDB repository on a temp folder and a fake Bot API that can hold a send mid-way.

The race from the issue: a reminder job is sending (its ReminderMark already written) when
the coachee confirms /delete. Afterwards no file of theirs exists, no further reminder goes
out, and a restart (a new repository on the same folder, jobs rebuilt) brings nothing back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from rig import Rig, make_repository, running, wait_for

from bot.core import schedule
from bot.core.awaiting import Awaiting, awaiting
from bot.core.models import Escalation, Moments, Profile, ReminderMark
from bot.telegram import callbacks, exercise, jobs

# 09:05 in Brussels (summer time): the check-in and the exercise reminder are both due.
NOW = datetime(2026, 3, 30, 7, 5, tzinfo=UTC)
USER, OTHER = 10, 20


class DeleteRig(Rig):
    def consent(self, user_id: int, **changes: Any) -> Profile:
        """A coachee whose check-in and exercise reminder are both at 09:00."""
        moments = Moments(checkin=time(9, 0), exercise=time(9, 0), reflection=None)
        return super().consent(user_id, moments=moments, **changes)


def start(content, data_dir: Path) -> AbstractAsyncContextManager[DeleteRig]:
    """The bot on the TinyDB folder `data_dir`; a second start on it is a restart."""
    repo = make_repository("tinydb", data_dir)
    return running(content, repo, data_dir, clock=[NOW], exercise_pace=1, rig=DeleteRig)


@pytest.fixture
async def rig(content, tmp_path: Path) -> AsyncIterator[DeleteRig]:
    async with start(content, tmp_path / "data") as started:
        yield started


def reminder_texts(content) -> set[str]:
    return {
        content.text(f"reminder.{kind}.{variant}", "nl")
        for kind in ("checkin", "exercise", "reflection")
        for variant in ("first", "again")
    }


async def test_delete_during_a_reminder_send_leaves_nothing_and_sends_no_more(
    rig: DeleteRig, content, tmp_path: Path
) -> None:
    profile = rig.consent(USER)
    rig.consent(OTHER)
    due = schedule.due_reminders(profile, jobs.schedule_state(rig.application, USER), NOW)
    assert len(due) == 2, "the race needs a second reminder after the one held"
    rig.api.hold = set(reminder_texts(content))
    rig.repo.add(USER, Escalation("gp", "checkin", "r", "c", NOW, NOW + timedelta(days=1)))
    queue = rig.application.job_queue
    queue.run_once(
        jobs.followup_tick,
        when=3600,
        name=f"followup:{USER}",
        data=USER,
        job_kwargs=by_id(f"followup:{USER}"),
    )

    jobs.schedule_reminders(rig.application, USER, check_now=True)
    await asyncio.wait_for(rig.api.holding.wait(), 5)  # the tick is sending its first reminder
    assert rig.repo.records(USER, ReminderMark), "the mark is written before the send"

    await rig.process(rig.press(USER, rig.delete_yes(USER)))
    assert content.text("delete.done", "nl") in rig.api.edited()
    rig.api.release.set()
    await wait_for(lambda: any(t in reminder_texts(content) for _, t in rig.api.messages()))
    await asyncio.sleep(1.5)  # let the tick run to its end (one send per second per chat)

    data = tmp_path / "data"
    reminders = [
        t for chat, t in rig.api.messages() if chat == USER and t in reminder_texts(content)
    ]
    assert len(reminders) == 1  # the one already on its way; none after the erasure
    assert sorted(p.name for p in (data / "users").iterdir()) == [f"{OTHER}"]  # their folder
    assert rig.live_jobs(USER) == []
    assert rig.repo.user_ids() == [OTHER]

    # A restart: a new repository on the same folder, every job rebuilt from storage.
    async with start(content, data) as restarted:
        jobs.rebuild_all(restarted.application)
        await asyncio.sleep(0.3)
        assert restarted.repo.user_ids() == [OTHER]
        assert restarted.repo.load_profile(USER) is None
        sent = restarted.api.messages()
        assert sent and {chat for chat, _ in sent} == {OTHER}  # OTHER's reminders only
        assert not (data / "users" / f"{USER}").exists()


async def test_delete_stops_every_job_and_flow_of_that_user(rig: DeleteRig, content) -> None:
    rig.consent(USER)
    queue = rig.application.job_queue
    queue.run_once(
        jobs.reminder_tick,
        when=3600,
        name=f"reminders:{USER}",
        data=USER,
        job_kwargs=by_id(f"reminders:{USER}"),
    )
    queue.run_once(
        jobs.followup_tick,
        when=3600,
        name=f"followup:{USER}",
        data=USER,
        job_kwargs=by_id(f"followup:{USER}"),
    )
    queue.run_once(
        exercise.step_due,
        when=60,
        name=f"exercise:{USER}",
        data=(USER, USER, "nl", "x", 1),
        job_kwargs=by_id(f"exercise:{USER}"),
    )
    rig.application.chat_data[USER][exercise.SENT] = ("x", 0)
    rig.repo.replace(USER, awaiting("note", "x", USER, NOW))
    assert sorted(rig.live_jobs(USER)) == [
        f"exercise:{USER}",
        f"followup:{USER}",
        f"reminders:{USER}",
    ]

    await rig.process(rig.press(USER, rig.delete_yes(USER)))

    assert rig.live_jobs(USER) == []
    assert exercise.SENT not in rig.application.chat_data[USER]
    assert rig.repo.records(USER, Awaiting) == []


async def test_consenting_again_after_delete_starts_afresh(rig: DeleteRig, content) -> None:
    rig.consent(USER)
    await rig.process(rig.press(USER, rig.delete_yes(USER)))

    await rig.process(rig.press(USER, callbacks.encode(callbacks.CONSENT, "yes")))

    profile = rig.repo.load_profile(USER)
    assert profile is not None and profile.user_id == USER
    assert content.text("consent.thanks", "nl") in rig.api.edited()


def by_id(name: str) -> dict[str, object]:
    """The way the bot creates its jobs (bot.telegram.job_names): the name is the id."""
    return {"id": name, "replace_existing": True}
