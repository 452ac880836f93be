"""Start-up answers at once: every coachee's jobs are rebuilt in the background, in O(users)
(a job is found by its id, never by scanning every job), with a stable per-user jitter so
the default moments do not all fall in the same second."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from rig import NOW

from bot.core import schedule
from bot.core.models import Escalation
from bot.telegram import jobs

USERS = range(100, 160)


@pytest.fixture
def no_scans(rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """get_jobs_by_name walks every job: with 10,000 coachees job creation turns quadratic."""

    def refused(_queue: object, name: str) -> None:
        raise AssertionError(f"get_jobs_by_name({name!r}) scans every job")

    monkeypatch.setattr(type(rig.application.job_queue), "get_jobs_by_name", refused)


def job_ids(rig, prefix: str) -> list[str]:
    return sorted(
        j.id for j in rig.application.job_queue.scheduler.get_jobs() if j.id.startswith(prefix)
    )


async def test_replacing_a_job_keeps_one_and_scans_nothing(rig, no_scans) -> None:
    for when in (60, 120, 30):
        jobs._replace_job(rig.application, "reminders:7", jobs.reminder_tick, when, 7)

    assert job_ids(rig, "reminders:") == ["reminders:7"]
    (job,) = rig.application.job_queue.scheduler.get_jobs()
    assert job.name == "reminders:7"


async def test_the_rebuild_runs_in_the_background_and_plans_every_coachee_once(
    rig, no_scans
) -> None:
    for user_id in USERS:
        rig.consent(user_id)
    followed = USERS[3]
    rig.repo.add(
        followed,
        Escalation(
            "crisis", "text", "r", "c", NOW, followup_due=NOW + timedelta(days=800)
        ),  # after the real date too
    )

    task = jobs.start_rebuild(rig.application, batch=16)

    assert not task.done()  # start-up goes on: the bot answers while this runs
    assert await task == len(USERS)
    assert job_ids(rig, "reminders:") == sorted(f"reminders:{u}" for u in USERS)
    assert job_ids(rig, "followup:") == [f"followup:{followed}"]
    # Run again (a /time jump in the demo, a restart): still one job each.
    assert await jobs.start_rebuild(rig.application) == len(USERS)
    assert len(job_ids(rig, "reminders:")) == len(USERS)


async def test_an_update_is_answered_while_the_rebuild_runs(rig, content) -> None:
    for user_id in USERS:
        rig.consent(user_id)
    task = jobs.start_rebuild(rig.application, batch=4)

    await rig.process(rig.update(USERS[0], "/help"))

    assert content.text("help.commands", "nl") in rig.api.sent(USERS[0])
    assert not task.done()  # answered before the rebuild finished
    await task


def test_the_jitter_is_stable_bounded_and_spreads_coachees() -> None:
    spread = [jobs.jitter(user_id) for user_id in range(1, 10_001)]

    assert spread == [jobs.jitter(user_id) for user_id in range(1, 10_001)]  # stable
    assert all(timedelta(0) <= j < jobs.JITTER for j in spread)
    assert jobs.JITTER < schedule.GRACE  # a jittered reminder is still due when it runs
    per_second: dict[int, int] = {}
    for j in spread:
        per_second[int(j.total_seconds())] = per_second.get(int(j.total_seconds()), 0) + 1
    # 10,000 coachees on the same default moment: about 30 a second, Telegram's pace.
    assert len(per_second) == int(jobs.JITTER.total_seconds())
    assert max(per_second.values()) < 60


async def test_a_daily_moment_is_planned_with_the_coachees_jitter(rig) -> None:
    profile = rig.consent(10)
    wakeup = schedule.next_wakeup(profile, jobs.schedule_state(rig.application, 10), NOW)

    jobs.schedule_reminders(rig.application, 10)

    job = rig.application.job_queue.scheduler.get_job("reminders:10")
    assert job.next_run_time == wakeup + jobs.jitter(10)


async def test_a_resend_is_not_delayed_by_the_jitter(rig) -> None:
    assert jobs.planned_at(NOW + schedule.RESEND_AFTER, 10, NOW) == NOW + schedule.RESEND_AFTER
    assert jobs.planned_at(NOW + timedelta(hours=1), 10, NOW) == (
        NOW + timedelta(hours=1) + jobs.jitter(10)
    )
    await asyncio.sleep(0)


async def test_a_reminder_check_reads_storage_off_the_event_loop(rig, monkeypatch) -> None:
    """A check with nothing due used to parse the coachee's files on the loop: with ten
    thousand checks in the minutes after a start, a crisis answer waited behind them."""
    rig.consent(10)
    loop_thread = threading.current_thread()
    seen: list[threading.Thread] = []
    real = type(rig.repo).unit_of_work

    def noting(repo, user_id):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread())
        return real(repo, user_id)

    monkeypatch.setattr(type(rig.repo), "unit_of_work", noting)

    await jobs.reminder_tick(rig.job_context(10))

    assert seen and loop_thread not in seen
    assert rig.application.job_queue.scheduler.get_job("reminders:10") is not None
