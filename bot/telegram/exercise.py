"""/exercise on Telegram: decode, call bot.services.exercise, deliver; and the step timer.

The rules (which exercises suit today, what a step says, when a run has ended, what its end
stores and promises) live in the service. What stays here is the chat's timing: each step
arrives after the previous step's time (a JobQueue job), or at once on 'next'. The chat's
memory holds (run, index of the last step sent), so a press and the timer never send the
same step twice, and the runs that ended in this chat (what a coachee without consent has
instead of stored ends). Every claim of a step is made without an await between its check
and itself; a stop of the chat (a crisis, /delete, an end) while a press or a timer waits for
storage is noticed afterwards, and nothing more is sent.

A step that comes by itself takes the buttons off the step before it (one set on screen). A
new /exercise while one runs ends the running one kindly, as its 'stop' would. The JobQueue
is lost on a restart: with consent the timed step is kept in the coachee's file (the
service's RunningExercise), and RESUME_AFTER seconds after start the timers are rebuilt
(bot.telegram.app.BotApplication.start).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, cast

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, Job

from bot.core.models import RunningExercise
from bot.core.practice import Outcome as Ending
from bot.core.practice import new_run, step_is_due
from bot.core.rules import Exercise
from bot.services import exercise as service
from bot.services.outcome import Message
from bot.telegram import callbacks, job_names
from bot.telegram.callbacks import StaleCallback
from bot.telegram.context import BotContext, language_of
from bot.telegram.job_names import remove_job
from bot.telegram.outbox import Priority
from bot.telegram.render import render
from bot.telegram.replies import send, text
from bot.telegram.usecase import deliver, run

log = logging.getLogger(__name__)


# chat_data keys: (run, index of the last step sent) in this chat; the runs that ended in
# this chat, newest last; and how often the chat's exercise was stopped from outside.
SENT = "exercise_sent"
ENDED = "exercise_ended"
STOPS = "exercise_stops"
KEEP_ENDED = 50
RESUME_TASK = "exercise.resume"
RESUME_AFTER = 1.0  # seconds after start


def _cancel_timer(application: Application, chat_id: int) -> None:
    remove_job(application, job_names.exercise_step(chat_id))


def cancel(application: Application, chat_id: int) -> None:
    """Stop the exercise running in this chat: no further step arrives, not even one whose
    press or timer is waiting for storage right now, and its old buttons are those of an
    ended run (a stranger tapped an old 'Verder' after a crisis answer and the steps came
    again, by themselves too)."""
    _cancel_timer(application, chat_id)
    chat = application.chat_data[chat_id]
    sent = chat.pop(SENT, None)
    if sent is not None:
        _remember_end(chat, sent[0])
    chat[STOPS] = chat.get(STOPS, 0) + 1


def running_in(application: Application, chat_id: int) -> bool:
    """Whether an exercise runs in this chat now: its next step is timed. (Not SENT: that
    stays after the last step until 'Gedaan' is tapped, which many never do.)"""
    return job_names.has_job(application, job_names.exercise_step(chat_id))


def _claim(application: Application, chat_id: int, run_id: str, index: int) -> None:
    """This chat's exercise is now step `index` of `run_id`: any other step's timer stops."""
    _cancel_timer(application, chat_id)
    application.chat_data[chat_id][SENT] = (run_id, index)


def _ended_here(application: Application, chat_id: int) -> tuple[str, ...]:
    return tuple(application.chat_data[chat_id].get(ENDED, ()))


async def choose(update: Update, context: BotContext) -> None:
    """/exercise: a short list that suits the coachee's phase and today's energy."""
    s = context.services
    hint = language_of(update, context)
    await _close_running(update, context)
    # The coach store too: homework that runs today comes first (bot.telegram.coaching).
    from bot.telegram.coaching import coach_store

    coaches = coach_store(context.application)
    result = await run(
        context, update.effective_user.id, service.choose, s.texts, s.clock(), hint, coaches
    )
    await deliver(update, context, result)


async def _close_running(update: Update, context: BotContext) -> None:
    """A new /exercise while one runs: the running one ends kindly (stopped, as its 'stop'
    would: stored once, with consent), its step loses its buttons, and no step of it comes
    by itself any more. An outro on screen (nothing timed) keeps its 'done'."""
    chat_id = update.effective_chat.id
    app = context.application
    timed = app.job_queue.scheduler.get_job(job_names.exercise_step(chat_id))  # type: ignore[union-attr]
    if timed is None:
        return
    _, user_id, _, exercise_id, _, run_id, message_id = Job.from_aps_job(timed).data
    chat = app.chat_data[chat_id]
    earlier = _ended_here(app, chat_id)
    if run_id in earlier:
        return
    _remember_end(chat, run_id)  # before any await: its buttons are old ones from now on
    cancel(app, chat_id)
    s = context.services
    try:
        result = await run(
            context,
            user_id,
            service.end,
            exercise_id,
            "skipped",
            run_id,
            earlier,
            s.texts,
            s.clock(),
        )
    except service.RunOver:
        return
    except Exception:  # not stored: its buttons may be pressed again
        chat[ENDED].remove(run_id)
        raise
    await _take_buttons_off(context, chat_id, message_id)
    await deliver(update, context, result)


async def picked(update: Update, context: BotContext) -> None:
    """Show what the exercise is, with start / later / not today (a new run)."""
    query = update.callback_query
    await query.answer()
    exercise_id = callbacks.decode(query.data).arg(0)
    lang = language_of(update, context)
    await deliver(update, context, service.pick(context.services.texts, exercise_id, lang))


async def start_grounding(update: Update, context: BotContext) -> None:
    """From the crisis answer: begin a grounding exercise at once, no menu in between."""
    lang = language_of(update, context)
    first = service.grounding(context.services.texts, lang)
    if first is not None:
        chat_id = update.effective_chat.id
        _claim(context.application, chat_id, first.run, 0)
        await _send_step(context, chat_id, update.effective_user.id, lang, first)


async def started(update: Update, context: BotContext) -> None:
    """'Start' on the intro: the run's first step (once, however often it is tapped)."""
    await _step_pressed(update, context, 0)


async def next_pressed(update: Update, context: BotContext) -> None:
    """'Next' on a step: go on now instead of waiting for the timer."""
    await _step_pressed(update, context, int(callbacks.decode(update.callback_query.data).arg(1)))


async def _step_pressed(update: Update, context: BotContext, index: int) -> None:
    payload = callbacks.decode(update.callback_query.data)
    exercise_id, run_id = payload.arg(0), payload.args[-1]
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    app, lang = context.application, language_of(update, context)
    stops = app.chat_data[chat_id].get(STOPS, 0)
    try:
        step = await _load_step(context, chat_id, user_id, lang, exercise_id, run_id, index)
    except service.RunOver:
        # The error handler answers it as a button no longer valid (buttons.py).
        raise StaleCallback("the exercise has ended") from None
    query = update.callback_query
    if step is None:
        await query.answer()
        await deliver(update, context, service.gone())
        return
    # Decided with no await since the check: the step's timer may be sending this very step.
    chat = app.chat_data[chat_id]
    if run_id in chat.get(ENDED, ()):
        raise StaleCallback("the exercise has ended")
    due = chat.get(STOPS, 0) == stops and step_is_due(run_id, index, chat.get(SENT))
    if due:
        _claim(app, chat_id, run_id, index)
    await query.answer()
    await query.edit_message_reply_markup(None)
    if due:
        await _send_step(context, chat_id, user_id, lang, step)


async def send_step(
    context: BotContext,
    chat_id: int,
    user_id: int,
    lang: str,
    exercise: Exercise,
    index: int,
    run_id: str | None = None,
) -> None:
    """Send step `index` of `run_id` (a new run when None), or the close after the last step,
    and time the next one."""
    step = service.step_of(context.services.texts, exercise, run_id or new_run(), index, lang)
    _claim(context.application, chat_id, step.run, index)
    await _send_step(context, chat_id, user_id, lang, step)


async def _send_step(
    context: BotContext, chat_id: int, user_id: int, lang: str, step: service.Step
) -> None:
    """Send the step this chat claimed, and time the next one."""
    s = context.services
    body, markup = render(s.texts, step.message, lang)
    sent = await s.outbox.send(
        Priority.INTERACTIVE, chat_id, context.bot.send_message, text=body, reply_markup=markup
    )
    message_id = getattr(sent, "message_id", None)
    if step.seconds is None:
        # The close: nothing more comes by itself, so a restart has nothing to resume.
        await _keep(context, user_id, service.forget_run, s.clock(), step.run)
        return
    if context.application.chat_data[chat_id].get(SENT) != (step.run, step.index):
        return  # a crisis, 'stop' or 'next' moved on while this step was on its way
    seconds = step.seconds * s.exercise_pace
    _time_next(context.application, chat_id, user_id, lang, step, message_id, seconds)
    now = s.clock()
    due = now + timedelta(seconds=seconds)
    await _keep(context, user_id, service.remember_step, step, chat_id, lang, message_id, now, due)


async def _keep(context: BotContext, user_id: int, work: Any, *args: object) -> None:
    """Keep what a restart needs; a storage failure here costs only the resume, never the
    exercise running now."""
    try:
        await run(context, user_id, work, *args)
    except Exception as error:
        log.warning("exercise.not_kept error=%s", type(error).__name__)


def _time_next(
    application: Application,
    chat_id: int,
    user_id: int,
    lang: str,
    step: service.Step,
    message_id: int | None,
    seconds: float,
) -> None:
    """The next step of `step`'s run comes by itself in `seconds`."""
    application.job_queue.run_once(  # type: ignore[union-attr]
        step_due,
        when=max(seconds, 0.0),
        name=job_names.exercise_step(chat_id),
        data=(chat_id, user_id, lang, step.exercise_id, step.index + 1, step.run, message_id),
        job_kwargs={"id": job_names.exercise_step(chat_id), "replace_existing": True},
    )


async def resume_all(application: Application) -> int:
    """At start: the exercises a restart interrupted go on by themselves, each next step at
    the time it was due (at once when that has passed). Storage is read in worker threads."""
    s = application.bot_data["services"]
    started = s.clock()

    def running() -> list[RunningExercise]:
        found = []
        for user_id in s.repo.user_ids():
            try:
                with s.repo.unit_of_work(user_id) as coachee:
                    resumed = service.to_resume(coachee, started)
            except Exception as error:  # one unreadable file does not stop the others
                log.warning("exercise.resume_failed error=%s", type(error).__name__)
                continue
            if resumed is not None:
                found.append(resumed)
        return found

    resumed = await asyncio.to_thread(running)
    now = s.clock()
    for r in resumed:
        previous = service.Step(r.exercise_id, r.run, r.index - 1, Message(()), None)
        seconds = (r.due - now).total_seconds() if r.due is not None else 0.0
        _time_next(application, r.chat, r.chat, r.lang, previous, r.message, seconds)
    if resumed:
        log.info("exercise.resumed count=%s", len(resumed))
    return len(resumed)


def start_resume(application: Application) -> asyncio.Task[int]:
    """resume_all RESUME_AFTER seconds after start, in the background: the updates waiting
    at start, a crisis among them, are answered before any storage is read for this; a step
    a moment late does no harm. No job is added unless an exercise is to resume."""

    async def resume() -> int:
        await asyncio.sleep(RESUME_AFTER)
        return await resume_all(application)

    task = asyncio.get_running_loop().create_task(resume())
    application.bot_data[RESUME_TASK] = task
    return task


def stop_resume(application: Application) -> None:
    """At stop: a resume still waiting does not outlive its application."""
    task = application.bot_data.pop(RESUME_TASK, None)
    if task is not None:
        task.cancel()


async def _take_buttons_off(context: BotContext, chat_id: int, message_id: int | None) -> None:
    """The previous step's 'next' and 'stop' go when the next step comes by itself: one set
    of buttons on screen."""
    if message_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except TelegramError:  # gone, or already without buttons: nothing to take off
        log.info("exercise.buttons_not_removed")


async def _load_step(
    context: BotContext,
    chat_id: int,
    user_id: int,
    lang: str,
    exercise_id: str,
    run_id: str,
    index: int,
) -> service.Step | None:
    """The step to show next, from the exercise service in the coachee's unit of work (raises
    service.RunOver when the run has ended)."""
    ended_here = _ended_here(context.application, chat_id)
    texts = context.services.texts
    return await run(
        context, user_id, service.step, exercise_id, run_id, index, ended_here, texts, lang
    )


async def step_due(context: BotContext) -> None:
    """A step's time is up: the next step, unless the run ended or a press sent it first."""
    chat_id, user_id, lang, exercise_id, index, run_id, previous = context.job.data
    app = context.application
    chat = app.chat_data[chat_id]
    if run_id in chat.get(ENDED, ()) or not step_is_due(run_id, index, chat.get(SENT)):
        return
    stops = chat.get(STOPS, 0)
    try:
        step = await _load_step(context, chat_id, user_id, lang, exercise_id, run_id, index)
    except service.RunOver:
        return
    if step is None:  # removed by a content reload mid-way: say so rather than go quiet
        await send(context, chat_id, text(context, "exercise.gone", lang))
        return
    # Decided with no await since the check: a press may have sent this very step.
    if (
        chat.get(STOPS, 0) != stops
        or run_id in chat.get(ENDED, ())
        or not step_is_due(run_id, index, chat.get(SENT))
    ):
        return
    _claim(app, chat_id, run_id, index)
    await _take_buttons_off(context, chat_id, previous)
    await _send_step(context, chat_id, user_id, lang, step)


async def ended(update: Update, context: BotContext) -> None:
    """Done, skipped (or stopped) or later: the run's end, stored once and with consent."""
    payload = callbacks.decode(update.callback_query.data)
    exercise_id, ending, run_id = payload.arg(0), cast(Ending, payload.arg(1)), payload.args[-1]
    chat_id = update.effective_chat.id
    app = context.application
    chat = app.chat_data[chat_id]
    earlier = _ended_here(app, chat_id)
    if run_id in earlier:
        raise StaleCallback("the exercise has ended")
    # Claimed before any await, so a second tap finds it ended: one run, one end.
    _remember_end(chat, run_id)
    sent = chat.get(SENT)
    if sent is None or sent[0] == run_id:  # an old intro's 'later' leaves another run going
        cancel(app, chat_id)
    s = context.services
    try:
        result = await run(
            context,
            update.effective_user.id,
            service.end,
            exercise_id,
            ending,
            run_id,
            earlier,
            s.texts,
            s.clock(),
        )
    except service.RunOver:
        raise StaleCallback("the exercise has ended") from None
    except Exception:  # not stored: the coachee may press again
        chat[ENDED].remove(run_id)
        raise
    query = update.callback_query
    await query.answer()
    if result.messages and not result.messages[0].edit:
        await query.edit_message_reply_markup(None)
        log.info("exercise.%s", ending)
    await deliver(update, context, result)


def _remember_end(chat: dict[str, Any], run_id: str) -> None:
    ended_here = chat.setdefault(ENDED, [])
    ended_here.append(run_id)
    del ended_here[:-KEEP_ENDED]
