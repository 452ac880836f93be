"""The daily retention job in-process: the real Application and JobQueue, a fake Bot API, the
in-memory repository and a fixed clock.

What must hold: one notice per coachee however often the job runs; the erasure a week later,
only on a delivered notice; a message from the coachee keeps an inactive account; a blocked
chat gets no notice, so nothing of theirs is erased on it.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rig import Rig, running, status

from bot.core.models import (
    RECORD_TYPES,
    CheckIn,
    Escalation,
    LastSeen,
    ReminderMark,
    RetentionNotice,
)
from bot.storage.memory import InMemoryRepository
from bot.telegram import job_names, jobs, retention
from bot.telegram.app import post_init
from bot.telegram.context import BotContext
from bot.telegram.outbox import Outbox, PriorityLimiter

NOW = datetime(2026, 3, 30, 1, 30, tzinfo=UTC)  # 03:30 in Brussels, when the job runs
DAY = timedelta(days=1)
ACTIVE, QUIET, RECENT, BLOCKED, RETURNS = 11, 12, 13, 14, 15


class RetentionRig(Rig):
    async def run_job(self) -> retention.RetentionRun:
        # Small batches: several trips to the worker thread.
        return await retention.run_retention(BotContext(self.application), batch=2)

    async def write(self, user_id: int, text: str) -> None:
        await self.application.process_update(self.message(user_id, text))

    def daily(self, user_id: int, first: datetime, last: datetime) -> None:
        for n in range((last - first).days + 1):
            at = first + n * DAY
            self.repo.add(user_id, CheckIn(at, at.date(), 5, 5, 3))
            self.repo.add(user_id, ReminderMark("checkin", at.date(), 0, at))

    def notices(self, user_id: int) -> list[RetentionNotice]:
        return self.repo.records(user_id, RetentionNotice)


@pytest.fixture
async def rig(content, tmp_path: Path) -> AsyncIterator[RetentionRig]:
    outbox = Outbox(PriorityLimiter(rate=1000, per_chat_interval=0))
    async with running(
        content,
        InMemoryRepository(),
        tmp_path,
        clock=[NOW],
        exercise_pace=1.0,
        outbox=outbox,
        rig=RetentionRig,
    ) as started:
        yield started


@pytest.fixture
def coachees(rig: RetentionRig) -> RetentionRig:
    """Five coachees: old history but active; a year quiet; recent only; blocked the bot (and
    old history); a year quiet who writes again during the notice week."""
    long_ago = datetime(2024, 6, 1, 7, 0, tzinfo=UTC)
    rig.consent(ACTIVE, since=long_ago)
    rig.daily(ACTIVE, long_ago, NOW - DAY)
    rig.repo.add(ACTIVE, Escalation("gp", "text", "r", "alcohol", long_ago + DAY))
    last_use = datetime(2025, 4, 6, 7, 0, tzinfo=UTC)
    for quiet in (QUIET, RETURNS):
        rig.consent(quiet, since=last_use - 100 * DAY)
        rig.daily(quiet, last_use - 100 * DAY, last_use)
    rig.consent(RECENT, since=NOW - 200 * DAY)
    rig.daily(RECENT, NOW - 200 * DAY, NOW - DAY)
    rig.consent(BLOCKED, since=long_ago)
    rig.daily(BLOCKED, long_ago, NOW - DAY)
    rig.api.blocked.add(BLOCKED)
    return rig


# --- one notice, one erasure ----------------------------------------------------------------


async def test_two_runs_send_one_notice_each_and_a_week_later_erase_once(coachees, content):
    rig = coachees
    first = await rig.run_job()
    second = await rig.run_job()

    assert first.notices == 3 and second.notices == 0
    for user_id in (ACTIVE, QUIET, RETURNS):
        assert len(rig.api.sent(user_id)) == 1, user_id
        assert len(rig.notices(user_id)) == 1, user_id
    assert rig.api.sent(RECENT) == []
    history = rig.notices(ACTIVE)[0]
    assert (history.kind, history.erase_on) == ("history", date(2026, 4, 6))
    assert rig.api.sent(ACTIVE) == [
        content.text("retention.notice.history", "nl", day="6 april", before="1 oktober 2024")
    ]
    assert rig.api.sent(QUIET) == [
        content.text("retention.notice.inactive", "nl", day="6 april", months=12)
    ]

    # The week: one coachee writes again; the job runs every day and does nothing.
    rig.clock[0] = NOW + 2 * DAY
    await rig.write(RETURNS, "ik ben er weer")
    for days in range(1, 7):
        rig.clock[0] = NOW + days * DAY
        run = await rig.run_job()
        assert (run.notices, run.histories_erased, run.accounts_erased) == (0, 0, 0), days

    rig.clock[0] = NOW + 7 * DAY
    erasing = await rig.run_job()
    again = await rig.run_job()

    assert (erasing.histories_erased, erasing.accounts_erased) == (1, 1)
    assert (again.histories_erased, again.accounts_erased, again.notices) == (0, 0, 0)
    # The quiet account is gone entirely.
    assert rig.repo.load_profile(QUIET) is None
    assert rig.repo.export(QUIET)["profile"] is None
    assert QUIET not in rig.repo.user_ids()
    # The active coachee keeps everything from October 2024 on, the escalation of June goes.
    assert history.before is not None
    for kind in RECORD_TYPES:
        assert all(r.at >= history.before for r in rig.repo.records(ACTIVE, kind)), kind
    assert rig.repo.records(ACTIVE, Escalation) == []
    assert rig.repo.records(ACTIVE, CheckIn)[0].at == datetime(2024, 10, 1, 7, 0, tzinfo=UTC)
    assert rig.repo.records(ACTIVE, CheckIn)[-1].at > NOW - 2 * DAY
    assert rig.repo.load_profile(ACTIVE) is not None
    # The one who wrote again keeps the account, and got no second word about it.
    assert rig.repo.load_profile(RETURNS) is not None
    assert len(rig.api.sent(RETURNS)) == 2  # the notice and the answer to their message
    # Nothing more was said to anyone during the whole week.
    assert len(rig.api.sent(ACTIVE)) == len(rig.api.sent(QUIET)) == 1


async def test_a_blocked_chat_gets_no_notice_so_nothing_is_erased(coachees):
    rig = coachees
    run = await rig.run_job()
    assert run.notices_failed == 1
    assert [c.params["chat_id"] for c in rig.api.calls_of("sendMessage")].count(BLOCKED) == 1
    assert rig.notices(BLOCKED) == []

    rig.clock[0] = NOW + 7 * DAY
    await rig.run_job()
    records = rig.repo.records(BLOCKED, CheckIn)
    assert records[0].at == datetime(2024, 6, 1, 7, 0, tzinfo=UTC)  # nothing erased
    assert rig.notices(BLOCKED) == []


async def test_any_other_send_failure_is_no_notice_either(coachees):
    rig = coachees
    rig.api.faults["sendMessage"] = [status(400, "Bad Request: chat not found")] * 10

    run = await rig.run_job()

    assert run.notices == 0 and run.notices_failed == 4
    assert all(rig.notices(u) == [] for u in (ACTIVE, QUIET, RETURNS, BLOCKED))


async def test_the_erased_accounts_jobs_are_stopped(coachees):
    rig = coachees
    queue = rig.application.job_queue
    names = [f"reminders:{u}" for u in (QUIET, RECENT)] + [f"followup:{u}" for u in (QUIET,)]
    for name in names:  # an hour from now on the real clock, planned as the bot plans them
        jobs._replace_job(rig.application, name, jobs.reminder_tick, 3600, int(name.split(":")[1]))
    await rig.run_job()
    rig.clock[0] = NOW + 7 * DAY

    await rig.run_job()

    assert rig.repo.load_profile(QUIET) is None
    assert not queue.get_jobs_by_name(f"reminders:{QUIET}")
    assert not queue.get_jobs_by_name(f"followup:{QUIET}")
    assert queue.get_jobs_by_name(f"reminders:{RECENT}")


async def test_the_notice_uses_the_coachees_language_and_calendar(rig, content):
    rig.consent(21, since=datetime(2025, 3, 1, tzinfo=UTC), timezone="America/New_York")
    profile = rig.repo.load_profile(21)
    assert profile is not None
    rig.repo.save_profile(type(profile)(**{**profile.__dict__, "lang": "en"}))

    await rig.run_job()

    # 01:30 UTC on the 30th is the evening of the 29th in New York.
    assert rig.api.sent(21) == [
        content.text("retention.notice.inactive", "en", day="5 April", months=12)
    ]


async def test_an_old_refusal_is_forgotten_and_a_recent_one_kept(rig):
    rig.repo.record_refusal(31, NOW - 366 * DAY)
    rig.repo.record_refusal(32, NOW - 300 * DAY)

    run = await rig.run_job()

    assert run.refusals_erased == 1
    assert rig.repo.refusals() == {32: NOW - 300 * DAY}
    assert rig.api.calls_of("sendMessage") == []  # a refusal never gets a message


# --- activity --------------------------------------------------------------------------------


async def test_a_message_is_written_as_last_seen_once_a_day_and_only_after_consent(rig):
    rig.consent(41, since=NOW - 10 * DAY)
    writes: list[int] = []
    original = rig.repo.replace

    def counting(user_id: int, record: Any) -> None:
        writes.append(user_id)
        original(user_id, record)

    rig.repo.replace = counting  # type: ignore[method-assign]

    await rig.write(41, "hallo")
    await rig.write(41, "nog eens")
    await rig.write(42, "ik heb nog niet ingestemd")

    assert writes == [41]
    assert rig.repo.records(41, LastSeen) == [LastSeen(NOW)]
    assert rig.repo.load_profile(42) is None and rig.repo.records(42, LastSeen) == []

    rig.clock[0] = NOW + DAY
    await rig.write(41, "een dag later")
    assert rig.repo.records(41, LastSeen) == [LastSeen(NOW + DAY)]


async def test_a_message_on_the_day_of_an_inactivity_notice_still_counts(rig):
    since = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    rig.consent(51, since=since)
    rig.repo.add(51, LastSeen(since))
    rig.clock[0] = NOW - timedelta(hours=1)
    await rig.write(51, "even kijken")  # seen today already, before the notice...
    rig.repo.replace(51, LastSeen(since))  # (as if that write had been lost)

    rig.clock[0] = NOW
    await rig.run_job()
    assert [n.kind for n in rig.notices(51)] == ["inactive"]
    rig.clock[0] = NOW + timedelta(hours=5)
    await rig.write(51, "ik wil mijn gegevens houden")  # ...so this one must be written

    rig.clock[0] = NOW + 7 * DAY
    await rig.run_job()
    assert rig.repo.load_profile(51) is not None


# --- registration --------------------------------------------------------------------------------


async def test_the_job_is_registered_at_start_at_half_past_three_in_the_bots_zone(rig):
    await post_init(rig.application)
    await post_init(rig.application)  # a second start replaces it

    (job,) = rig.application.job_queue.get_jobs_by_name(job_names.RETENTION)
    assert job.job.id == job_names.RETENTION
    next_run = job.next_t
    assert next_run is not None
    local = next_run.astimezone(ZoneInfo("Europe/Brussels"))
    assert (local.hour, local.minute) == (3, 30)


async def test_an_account_is_erased_only_if_fresh_data_still_says_so(coachees):
    """The survey read happened in a thread a moment ago; the coachee wrote since."""
    rig = coachees
    await rig.run_job()
    rig.clock[0] = NOW + 7 * DAY
    profile = rig.repo.load_profile(QUIET)
    await rig.write(QUIET, "ik ben er nog")  # after the survey, before the erasure
    run = retention.RetentionRun()

    await retention._carry_out(
        BotContext(rig.application),
        QUIET,
        profile,
        retention.EraseAccount(),
        retention.policy_of(rig.application.bot_data["services"].settings),
        run,
    )

    assert run.accounts_erased == 0
    assert rig.repo.load_profile(QUIET) is not None


async def test_the_heap_is_unfrozen_after_a_run_even_one_that_fails(coachees, monkeypatch):
    await rig_run_and_check_unfrozen(coachees)

    def broken(*_args: object) -> None:
        raise OSError("index unreadable")

    monkeypatch.setattr(coachees.repo, "user_ids", broken)
    with pytest.raises(OSError):
        await rig_run_and_check_unfrozen(coachees)
    assert gc.get_freeze_count() == 0


async def rig_run_and_check_unfrozen(rig: RetentionRig) -> None:
    assert gc.get_freeze_count() == 0
    await rig.run_job()
    assert gc.get_freeze_count() == 0
