"""Timed work on the JobQueue: daily reminders, follow-ups after an escalation, exercise steps.

The JobQueue does not persist jobs, so storage holds the truth: at start every coachee's
jobs are rebuilt from it (in the background, while the bot already answers), each job has a
stable name per chat that is also its scheduler id (replaced by id, never doubled, never
found by scanning every job), and each job asks core again whether its premise still holds
before it sends anything. A coachee's daily moments run a stable few minutes after the hour
they chose (`jitter`), so ten thousand coachees on the default 09:00 do not all fall in the
same second.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from enum import Enum
from typing import TypeVar

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, Job

from bot.core import profiles, schedule
from bot.core.escalation import next_followup, plan_followup
from bot.core.models import (
    CheckIn,
    CrisisQuestion,
    Escalation,
    ExerciseLog,
    Profile,
    Reflection,
    ReminderMark,
    Snooze,
)
from bot.services.safety import followup_question, remember_crisis_question
from bot.telegram import callbacks, exercise, job_names, safety_net
from bot.telegram.context import BotContext
from bot.telegram.job_names import remove_job
from bot.telegram.outbox import Priority, maybe_delivered
from bot.telegram.replies import send

log = logging.getLogger(__name__)

# Passed to APScheduler: a job that starts late (a stalled loop) still runs within the
# reminders' own grace window; core decides whether the reminder is still worth sending.
JOB_KWARGS = {"misfire_grace_time": int(schedule.GRACE.total_seconds()), "coalesce": True}


# Daily moments run this much after the chosen minute at most, a stable amount per coachee:
# 10,000 coachees on the same default moment come to about 30 a second, Telegram's pace for
# one bot, instead of all in one second. Well inside the reminders' grace window.
JITTER = timedelta(minutes=5)
# The first check after a start (it sends what fell due while the bot was down) is spread
# over 0.05 s per coachee, at most this long: 10,000 checks at about 33 a second instead of
# 170, well inside the reminders' grace window.
START_SPREAD = JITTER
REBUILD_TASK = "jobs.rebuild"


# The jobs' storage work runs in threads of its own: thousands of reminder checks queued in
# asyncio's default executor would make a use case's unit of work (a crisis answer's too,
# bot/telegram/usecase.py) wait behind them.
_JOB_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="jobs")
T = TypeVar("T")


async def _off_loop(work: Callable[..., T], *args: object) -> T:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_JOB_THREADS, functools.partial(work, *args))


def jitter(user_id: int) -> timedelta:
    """This coachee's stable offset in [0, JITTER), whole seconds, the same at every start."""
    seconds = zlib.crc32(str(int(user_id)).encode("ascii")) % int(JITTER.total_seconds())
    return timedelta(seconds=seconds)


def planned_at(wakeup: datetime, user_id: int, now: datetime) -> datetime:
    """When the job for `wakeup` runs: jittered, unless it is a resend or a check due at once
    (those are near the end of a grace window, or asked for now)."""
    if wakeup - now <= schedule.RESEND_AFTER:
        return wakeup
    return wakeup + jitter(user_id)


def _replace_job(
    application: Application, name: str, callback, when: datetime | float, data: object
) -> Job:
    # The name is the scheduler's id: APScheduler replaces the job with that id in place,
    # so nothing scans the other jobs (JobQueue.get_jobs_by_name walks all of them).
    return application.job_queue.run_once(
        callback,
        when=_real_time(application, when),
        name=name,
        data=data,
        job_kwargs={**JOB_KWARGS, "id": name, "replace_existing": True},
    )


def _real_time(application: Application, when: datetime | float) -> datetime | float:
    """An instant of the bot's clock on the JobQueue's real time. The same unless the demo
    clock (demo_clock.py) runs ahead; relative delays need no translation."""
    to_real = getattr(application.bot_data["services"].clock, "to_real", None)
    return to_real(when) if to_real is not None and isinstance(when, datetime) else when


# --- daily reminders -----------------------------------------------------------------------


# The reminders look at yesterday up to the day after tomorrow in the coachee's calendar
# (schedule.PLANNED_DAY_OFFSETS); a week back covers every timezone with room to spare, and
# opens one or two month files instead of a year of history.
STATE_WINDOW = timedelta(days=7)


def schedule_state(application: Application, user_id: int) -> schedule.ScheduleState:
    s = application.bot_data["services"]
    since = s.clock() - STATE_WINDOW
    with s.repo.unit_of_work(user_id) as coachee:
        return schedule.ScheduleState.from_records(
            coachee.records(CheckIn, since),
            coachee.records(ExerciseLog, since),
            coachee.records(Reflection, since),
            coachee.records(ReminderMark, since),
            coachee.records(Snooze, since),
        )


def schedule_reminders(application: Application, user_id: int, *, check_now: bool = False) -> None:
    """Plan this coachee's next reminder job; with check_now, look for due ones first."""
    s = application.bot_data["services"]
    name = job_names.reminders(user_id)
    if check_now:
        _replace_job(application, name, reminder_tick, 0, user_id)
        return
    profile = s.repo.load_profile(user_id)
    if profile is None:
        remove_job(application, name)
        return
    now = s.clock()
    wakeup = schedule.next_wakeup(profile, schedule_state(application, user_id), now)
    if wakeup is not None:
        _replace_job(application, name, reminder_tick, planned_at(wakeup, user_id, now), user_id)


class Sent(Enum):
    """What became of one scheduled send, after the outbox's retries."""

    DELIVERED = "delivered"
    # Telegram may have delivered it (a timeout after the request went out), or refused it
    # for good (400): counted as sent, never tried again, so never twice.
    UNCERTAIN = "uncertain"
    NOT_DELIVERED = "not_delivered"  # no connection, 5xx, flood control: certainly not there
    BLOCKED = "blocked"  # 403: the coachee blocked the bot


def outcome_of(error: TelegramError) -> Sent:
    if isinstance(error, Forbidden):
        return Sent.BLOCKED
    if isinstance(error, RetryAfter) or (
        isinstance(error, NetworkError)
        and not isinstance(error, BadRequest)
        and not maybe_delivered(error)
    ):
        return Sent.NOT_DELIVERED
    return Sent.UNCERTAIN


def _profile_and_state(
    application: Application, user_id: int
) -> tuple[Profile | None, schedule.ScheduleState | None]:
    """One coachee's profile and reminder state, in one unit of work (run in a thread)."""
    s = application.bot_data["services"]
    since = s.clock() - STATE_WINDOW
    with s.repo.unit_of_work(user_id) as coachee:
        profile = coachee.profile
        if profile is None:
            return None, None
        return profile, schedule.ScheduleState.from_records(
            coachee.records(CheckIn, since),
            coachee.records(ExerciseLog, since),
            coachee.records(Reflection, since),
            coachee.records(ReminderMark, since),
            coachee.records(Snooze, since),
        )


async def reminder_tick(context: BotContext) -> None:
    """Send what is due now for one coachee, then plan the next wake-up. Storage is read and
    written in a worker thread: thousands of these checks must never hold up the loop (and a
    crisis answer on it)."""
    s = context.services
    application = context.application
    user_id: int = context.job.data
    profile, state = await _off_loop(_profile_and_state, application, user_id)
    if profile is None or state is None:
        return
    now = s.clock()
    for reminder in schedule.due_reminders(profile, state, now):
        # Written before sending: a crash in between loses one reminder, never doubles one.
        mark = schedule.sending_mark(reminder, state, now)
        write = s.repo.replace if state.failed_before(reminder) else s.repo.add
        await _off_loop(write, user_id, mark)
        if reminder.kind == "exercise" and exercise.running_in(application, profile.chat_id):
            # A stranger got "time for an exercise" in the middle of a bodyscan: the one
            # running now is today's; marked as sent, so it does not come after it either.
            log.info("reminder.skipped kind=exercise reason=exercise_running")
            continue
        sent = await _send_reminder(context, profile.chat_id, profile.lang, reminder, user_id)
        if sent is Sent.NOT_DELIVERED:
            # Certainly not there: due again, tried again within its grace window.
            await _off_loop(s.repo.replace, user_id, schedule.not_delivered(mark))
        elif sent is Sent.BLOCKED:
            mark_blocked(application, user_id)
            break
    # The next wake-up from what is stored now (the marks just written included).
    profile, state = await _off_loop(_profile_and_state, application, user_id)
    name = job_names.reminders(user_id)
    if profile is None or state is None:
        remove_job(application, name)
        return
    now = s.clock()
    wakeup = schedule.next_wakeup(profile, state, now)
    if wakeup is not None:
        _replace_job(application, name, reminder_tick, planned_at(wakeup, user_id, now), user_id)


async def _send_reminder(
    context: BotContext,
    chat_id: int,
    lang: str,
    reminder: schedule.Reminder,
    user_id: int | None = None,
) -> Sent:
    s = context.services
    kind = reminder.kind
    variant = "first" if reminder.attempt == 0 else "again"
    day = reminder.local_date.strftime("%Y%m%d")
    body = s.texts.text(f"reminder.{kind}.{variant}", lang)
    if kind == "exercise":
        body += await _homework_line(context, chat_id if user_id is None else user_id)
    buttons = [
        [
            (
                s.texts.text(f"reminder.{kind}.start", lang),
                callbacks.encode(callbacks.REMINDER, kind, day, "start"),
            ),
            (
                s.texts.text("reminder.later", lang),
                callbacks.encode(callbacks.REMINDER, kind, day, "later"),
            ),
        ]
    ]
    try:
        await send(context, chat_id, body, buttons, priority=Priority.SCHEDULED)
    except TelegramError as exc:
        sent = outcome_of(exc)
        log.warning("reminder.%s kind=%s error=%s", sent.value, kind, type(exc).__name__)
        return sent
    log.info("reminder.sent kind=%s attempt=%s", kind, reminder.attempt)
    return Sent.DELIVERED


async def _homework_line(context: BotContext, user_id: int) -> str:
    """The exercise reminder names the homework the coach gave for today; reading it never
    holds the reminder back."""
    from bot.services.coaching import homework_reminder
    from bot.telegram.coaching import coach_store

    s = context.services
    try:
        line = await _off_loop(
            homework_reminder, coach_store(context.application), s.repo, user_id, s.texts, s.clock()
        )
    except Exception:
        log.exception("reminder.homework_unread")
        return ""
    return "\n\n" + line if line else ""


# --- a coachee who blocked the bot, and came back ---------------------------------------------


# bot_data key: coachees known to be active in this process. Every update passes
# coachee_returned before the crisis handlers, so it must not read a file per message.
KNOWN_ACTIVE = "jobs.known_active"


def _known_active(application: Application) -> set[int]:
    return application.bot_data.setdefault(KNOWN_ACTIVE, set())


def mark_blocked(application: Application, user_id: int) -> None:
    """Telegram refused (403): the coachee is inactive, their reminders and follow-ups stop.
    Stored once; later refusals write nothing."""
    _known_active(application).discard(user_id)
    s = application.bot_data["services"]
    profile = s.repo.load_profile(user_id)
    if profile is None or profiles.is_inactive(profile):
        return
    s.repo.save_profile(profiles.blocked(profile, s.clock()))
    log.info("coachee.inactive")
    for name in (job_names.reminders(user_id), job_names.followup(user_id)):
        remove_job(application, name)


async def coachee_returned(update: Update, context: BotContext) -> None:
    """Any update from an inactive coachee in their private chat: active again, and their
    reminders and follow-ups planned anew. Runs before every other handler; never raises,
    so it can never keep an answer (a crisis answer least of all) from going out."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != "private":
        return
    known_active = _known_active(context.application)
    if user.id in known_active:
        return
    try:
        s = context.services
        profile = s.repo.load_profile(user.id)
        if profile is None or not profiles.is_inactive(profile):
            # Without a profile nobody is inactive, and a profile is made active: only
            # mark_blocked makes someone inactive, and it forgets them here.
            known_active.add(user.id)
            return
        s.repo.save_profile(profiles.returned(profile))
        known_active.add(user.id)
        log.info("coachee.returned")
        schedule_reminders(context.application, user.id)
        following = next_followup(s.repo.records(user.id, Escalation))
        if following is not None:
            schedule_followup(context.application, user.id, following)
    except Exception:
        log.exception("coachee.return_not_recorded")


# --- follow-ups ------------------------------------------------------------------------------


def schedule_followup(application: Application, user_id: int, when: datetime) -> None:
    # A follow-up that fell due while the bot was down is asked right after start.
    when = max(when, application.bot_data["services"].clock() + timedelta(seconds=1))
    _replace_job(application, job_names.followup(user_id), followup_tick, when, user_id)


async def followup_tick(context: BotContext) -> None:
    """The day after an escalation: how are you now (crisis), or could you reach your GP."""
    s = context.services
    user_id: int = context.job.data
    profile = s.repo.load_profile(user_id)
    if profile is None or profiles.is_inactive(profile):
        return  # asked when they come back (coachee_returned)
    history = s.repo.records(user_id, Escalation)
    plan = plan_followup(history, s.clock())
    if plan is None:
        return
    # Written before sending: a crash in between loses one question, never doubles one.
    for escalation in plan.updated:
        s.repo.replace(user_id, escalation)
    lang = profile.lang
    if plan.ask.level == "crisis":
        question = followup_question(
            s.texts, plan.ask, lang, profile.country, profile.timezone, s.clock()
        )
        action, choices = callbacks.CRISIS_FOLLOWUP, ("better", "hard", "help_now")
        prefix = "crisis_followup"
    else:
        question = s.texts.escalations.gp_followup.question.get(lang)
        action, choices = callbacks.GP_FOLLOWUP, ("reached", "not_yet", "prepare")
        prefix = "gp_followup"
    buttons = [
        [(s.texts.text(f"{prefix}.{choice}", lang), callbacks.encode(action, plan.ask.id, choice))]
        for choice in choices
    ]
    try:
        sent_question = await send(
            context, profile.chat_id, question, buttons, priority=Priority.SCHEDULED
        )
        log.info("followup.sent level=%s", plan.ask.level)
        if plan.ask.level == "crisis":  # a typed "slecht" or "help" answers it too
            asked = safety_net.remember_question(
                context.application,
                profile.chat_id,
                "followup",
                sent_question.message_id,
                s.clock(),
            )
            try:  # so it does after a restart as well
                await _off_loop(_keep_question, s.repo, user_id, asked)
            except Exception:
                log.exception("followup.question_not_stored")
    except TelegramError as exc:
        sent = outcome_of(exc)
        log.warning("followup.%s level=%s error=%s", sent.value, plan.ask.level, type(exc).__name__)
        if sent in (Sent.NOT_DELIVERED, Sent.BLOCKED):
            # Certainly not asked: the records go back as they were, so the question is
            # asked again (a little later, or when a blocked coachee comes back).
            before = {e.id: e for e in history}
            for escalation in plan.updated:
                s.repo.replace(user_id, before[escalation.id])
        if sent is Sent.BLOCKED:
            mark_blocked(context.application, user_id)
            return
        if sent is Sent.NOT_DELIVERED:
            schedule_followup(context.application, user_id, s.clock() + schedule.RESEND_AFTER)
            return
    following = next_followup(s.repo.records(user_id, Escalation))
    if following is not None:
        schedule_followup(context.application, user_id, following)


def _keep_question(repo, user_id: int, question: CrisisQuestion) -> None:
    with repo.unit_of_work(user_id) as coachee:
        remember_crisis_question(coachee, question)


# --- start-up ----------------------------------------------------------------------------------


def rebuild_all(application: Application) -> int:
    """Recreate every coachee's jobs from storage at once (the demo clock's jump; tests);
    reminders inside their grace window fire. Start-up uses start_rebuild instead."""
    repo = application.bot_data["services"].repo
    user_ids = repo.user_ids()
    _plan(application, user_ids, _followups(repo, user_ids), _spread(len(user_ids)))
    return len(user_ids)


def start_rebuild(application: Application, batch: int = 500) -> asyncio.Task[int]:
    """Rebuild every coachee's jobs in the background: the bot answers (crises first) from
    the first second, whatever the number of coachees. Returns the task (its result: how
    many coachees); kept in bot_data so it is not collected while it runs."""
    task = asyncio.get_running_loop().create_task(rebuild_in_background(application, batch))
    application.bot_data[REBUILD_TASK] = task
    return task


async def rebuild_in_background(application: Application, batch: int = 500) -> int:
    """Storage is read in a worker thread, a batch at a time; jobs are created on the loop
    between batches, by id, so the whole rebuild is O(users) and the loop never waits long."""
    started = time.monotonic()
    repo = application.bot_data["services"].repo
    user_ids = await _off_loop(repo.user_ids)
    spread = _spread(len(user_ids))
    for first in range(0, len(user_ids), batch):
        chunk = user_ids[first : first + batch]
        followups = await _off_loop(_followups, repo, chunk)
        _plan(application, chunk, followups, spread)
        await asyncio.sleep(0)
    log.info("jobs.rebuilt coachees=%s seconds=%.1f", len(user_ids), time.monotonic() - started)
    return len(user_ids)


def _spread(users: int) -> float:
    return min(START_SPREAD.total_seconds(), users * 0.05)


def _followups(repo, user_ids: Iterable[int]) -> dict[int, datetime]:
    """The next follow-up of each coachee that has one (their head only: escalations)."""
    found = {}
    for user_id in user_ids:
        following = next_followup(repo.records(user_id, Escalation))
        if following is not None:
            found[user_id] = following
    return found


def _plan(
    application: Application, user_ids: Iterable[int], followups: dict[int, datetime], spread: float
) -> None:
    jitter_seconds = JITTER.total_seconds()
    for user_id in user_ids:
        # The first check of each coachee at a stable point of the start's spread, so a
        # large restart does not burst; reminders missed while down are sent then.
        offset = spread * jitter(user_id).total_seconds() / jitter_seconds
        _replace_job(
            application,
            job_names.reminders(user_id),
            reminder_tick,
            timedelta(seconds=offset),
            user_id,
        )
        if user_id in followups:
            schedule_followup(application, user_id, followups[user_id])
