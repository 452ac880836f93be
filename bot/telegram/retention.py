"""The daily retention job, and what counts as a coachee's activity for it.

bot.core.retention decides, per coachee: nothing, a notice now, erase the history older
than a date, or erase the account. This module reads, sends and erases.

The work is spread so thousands of coachees never hold up the bot: profiles and records
are read in a worker thread, BATCH coachees at a time, and only the few who need something
come back to the event loop. Every write happens on the loop, where the handlers write
too, so the job never races a handler on the same file; an account is erased only after
its data was read again there and the rule still says so (a coachee writing at that very
moment keeps their account).

A notice counts only once Telegram accepted it: a blocked chat (403) or any other failed
send stores nothing, so nothing is erased on that notice, and the next day's run tries
again. Run twice on one day, the job sends one notice and erases once.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time as timer
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, Job

from bot.config import Settings
from bot.core import dates
from bot.core.models import RECORD_TYPES, LastSeen, Profile, Record, RetentionNotice
from bot.core.ports import Repository
from bot.core.retention import (
    EraseAccount,
    EraseHistory,
    Keep,
    RetentionPolicy,
    SendNotice,
    decide,
    refusal_expired,
)
from bot.telegram import coaching, job_names, jobs
from bot.telegram.context import KEY, BotContext
from bot.telegram.job_names import remove_job
from bot.telegram.outbox import Priority
from bot.telegram.replies import send

log = logging.getLogger(__name__)


# At night in the bot's time zone: few coachees are writing, and a notice arrives with the
# phone's first look in the morning rather than in the middle of someone's evening.
RUN_AT = time(3, 30)
# A loop stalled at 03:30 still runs the job within these hours; coalesce: once.
JOB_KWARGS = {
    "id": job_names.RETENTION,
    "replace_existing": True,
    "misfire_grace_time": 3 * 3600,
    "coalesce": True,
}
BATCH = 50
SEEN_KEY = "retention.seen"
LOCK_KEY = "retention.lock"


def policy_of(settings: Settings) -> RetentionPolicy:
    return RetentionPolicy(settings.retention_months, settings.inactive_months)


def schedule_daily(application: Application) -> Job:
    """Register the daily run (stable id: registering again replaces it)."""
    zone = ZoneInfo(application.bot_data[KEY].settings.timezone)
    return application.job_queue.run_daily(
        retention_tick,
        time=RUN_AT.replace(tzinfo=zone),
        name=job_names.RETENTION,
        job_kwargs=JOB_KWARGS,
    )


async def retention_tick(context: BotContext) -> None:
    await run_retention(context)


@dataclass
class RetentionRun:
    """What one run did; logged as one line of counts (never names or words)."""

    coachees: int = 0
    notices: int = 0
    notices_failed: int = 0
    histories_erased: int = 0
    records_erased: int = 0
    accounts_erased: int = 0
    refusals_erased: int = 0
    errors: int = 0

    def log_line(self) -> str:
        return " ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


async def run_retention(context: BotContext, batch: int = BATCH) -> RetentionRun:
    """Check every coachee once; a second run while one is under way does nothing."""
    application = context.application
    lock: asyncio.Lock = application.bot_data.setdefault(LOCK_KEY, asyncio.Lock())
    run = RetentionRun()
    if lock.locked():
        log.info("retention.already_running")
        return run
    # Reading thousands of histories makes Python run full garbage collections, and each
    # one walks the whole heap (content, safety model: about 200 ms here) while every thread
    # waits, the loop included. Frozen, the heap that was there before the run is left out
    # of them (they take a few ms); unfrozen afterwards, it is collected as before.
    gc.freeze()
    try:
        async with lock:
            return await _run(context, batch, run)
    finally:
        gc.unfreeze()


async def _run(context: BotContext, batch: int, run: RetentionRun) -> RetentionRun:
    started = timer.monotonic()
    s = context.services
    policy = policy_of(s.settings)
    user_ids = s.repo.user_ids()
    run.coachees = len(user_ids)
    for start in range(0, len(user_ids), batch):
        chunk = user_ids[start : start + batch]
        todo, errors = await asyncio.to_thread(_survey, s.repo, chunk, policy, s.clock())
        run.errors += errors
        for user_id, profile, decision in todo:
            try:
                await _carry_out(context, user_id, profile, decision, policy, run)
            except Exception as exc:  # one coachee's bad file must not stop the others
                run.errors += 1
                log.warning("retention.failed error=%s", type(exc).__name__)
            # A sync erasure (or a send that completes at once) never yields by itself:
            # let the handlers in between every coachee, not once per batch.
            await asyncio.sleep(0)
    _forget_old_refusals(s.repo, policy, s.clock(), run)
    log.info("retention.done %s seconds=%.1f", run.log_line(), timer.monotonic() - started)
    return run


Todo = tuple[int, Profile, SendNotice | EraseHistory | EraseAccount]


def _survey(
    repo: Repository, user_ids: list[int], policy: RetentionPolicy, now: datetime
) -> tuple[list[Todo], int]:
    """In a worker thread, reads only: who needs something today, and what."""
    todo: list[Todo] = []
    errors = 0
    for user_id in user_ids:
        try:
            profile, records = _read(repo, user_id)
            if profile is None:
                continue
            decision = decide(profile, records, policy, now)
        except Exception as exc:
            errors += 1
            log.warning("retention.unreadable error=%s", type(exc).__name__)
            continue
        if not isinstance(decision, Keep):
            todo.append((user_id, profile, decision))
    return todo, errors


def _read(repo: Repository, user_id: int) -> tuple[Profile | None, list[Record]]:
    profile = repo.load_profile(user_id)
    if profile is None:
        return None, []
    return profile, [r for kind in RECORD_TYPES for r in repo.records(user_id, kind)]


async def _carry_out(
    context: BotContext,
    user_id: int,
    profile: Profile,
    decision: SendNotice | EraseHistory | EraseAccount,
    policy: RetentionPolicy,
    run: RetentionRun,
) -> None:
    s = context.services
    if isinstance(decision, EraseHistory):
        # Nothing the coachee does cancels this one; the notice went out a week ago.
        erased = s.repo.erase_before(user_id, decision.before)
        run.histories_erased += 1
        run.records_erased += erased
        log.info("retention.history_erased records=%s", erased)
    elif isinstance(decision, EraseAccount):
        # Read again here, with no await until the erasure: a message that arrived since
        # the survey counts.
        fresh, records = _read(s.repo, user_id)
        if fresh is None or not isinstance(decide(fresh, records, policy, s.clock()), EraseAccount):
            return
        s.repo.erase(user_id)
        told = coaching.erase_person(context.application, user_id)  # and from the coach store
        _stop_jobs(context.application, user_id, fresh.chat_id)
        run.accounts_erased += 1
        log.info("retention.account_erased")
        await coaching.tell(context.application, told)  # an erased coach's coachees
    else:
        await _send_notice(context, user_id, profile, decision.notice, run)


async def _send_notice(
    context: BotContext,
    user_id: int,
    profile: Profile,
    notice: RetentionNotice,
    run: RetentionRun,
) -> None:
    s = context.services
    if s.repo.load_profile(user_id) is None:  # erased (/delete) since the survey
        return
    if notice.kind == "inactive":
        # The next message of this coachee must be written down, even if one was today.
        context.application.bot_data.get(SEEN_KEY, {}).pop(user_id, None)
    body = notice_text(context, profile, notice)
    try:
        message = await send(context, profile.chat_id, body, priority=Priority.SCHEDULED)
    except Forbidden:
        message = None
        log.info("retention.notice_blocked kind=%s", notice.kind)
    except TelegramError as exc:
        message = None
        log.warning("retention.notice_failed kind=%s error=%s", notice.kind, type(exc).__name__)
    if message is None:  # not delivered: no notice was given, so nothing will be erased on it
        run.notices_failed += 1
        return
    if s.repo.load_profile(user_id) is None:  # erased while the message was on its way
        return
    s.repo.add(user_id, notice)
    run.notices += 1
    log.info("retention.notice_sent kind=%s", notice.kind)


def notice_text(context: BotContext, profile: Profile, notice: RetentionNotice) -> str:
    s = context.services
    today = notice.at.astimezone(ZoneInfo(profile.timezone)).date()
    day = dates.day_text(notice.erase_on, profile.lang, today)
    if notice.kind == "inactive":
        return s.texts.text(
            "retention.notice.inactive",
            profile.lang,
            day=day,
            months=s.settings.inactive_months,
        )
    assert notice.before is not None
    before = notice.before.astimezone(ZoneInfo(profile.timezone)).date()
    return s.texts.text(
        "retention.notice.history",
        profile.lang,
        day=day,
        before=dates.day_text(before, profile.lang, today),
    )


def _stop_jobs(application: Application, user_id: int, chat_id: int) -> None:
    """The erased coachee's timed work: the reminder job sees no profile and goes; the
    follow-up and exercise jobs are removed by name (each also re-checks the profile)."""
    jobs.schedule_reminders(application, user_id)
    for name in (job_names.followup(user_id), job_names.exercise_step(chat_id)):
        remove_job(application, name)
    application.drop_user_data(user_id)


def _forget_old_refusals(
    repo: Repository, policy: RetentionPolicy, now: datetime, run: RetentionRun
) -> None:
    for user_id, refused_at in repo.refusals().items():
        if not refusal_expired(refused_at, policy, now):
            continue
        # Checked again right before: a "yes" given since removed the refusal.
        if repo.load_profile(user_id) is None and repo.refused_at(user_id) == refused_at:
            repo.erase(user_id)
            run.refusals_erased += 1


# --- activity --------------------------------------------------------------------------------


async def note_activity(update: Update, context: BotContext) -> None:
    """Any update from a coachee in their private chat is activity (README, "How long data
    is kept"): written as their LastSeen, at most once a day, never before consent."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != chat.PRIVATE:
        return
    s = context.services
    now = s.clock()
    seen: dict[int, date] = context.application.bot_data.setdefault(SEEN_KEY, {})
    if seen.get(user.id) == now.date():
        return
    try:
        if s.repo.load_profile(user.id) is None:
            return
        s.repo.replace(user.id, LastSeen(now))
    except Exception as exc:  # bookkeeping: never an apology to the coachee for this
        log.warning("retention.seen_failed error=%s", type(exc).__name__)
        return
    seen[user.id] = now.date()
