"""/exercise: a guided relaxation exercise, step by step in the chat, with its own timing.

Each step arrives after the previous step's time (scheduled on the JobQueue); every step has
'next' and 'stop'. The buttons carry the exercise, the step and the run (one showing of the
exercise, bot/core/practice.py), so pressing 'next' still works after a restart. Once a run
has ended (done, stopped or later) each of its buttons is answered as no longer valid, and its
end is stored once. Completion is recorded only with consent.
"""

from __future__ import annotations

import logging
from typing import cast

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.core import schedule
from bot.core.checkins import low_energy_on
from bot.core.models import CheckIn, ExerciseLog
from bot.core.practice import (
    Outcome,
    end_of_run,
    grounding_exercise,
    new_run,
    run_ended,
    step_is_due,
    suggest_exercises,
)
from bot.core.rules import Exercise
from bot.telegram import callbacks
from bot.telegram.callbacks import Callback, StaleCallback
from bot.telegram.context import language_of, services
from bot.telegram.replies import edit, send, text

log = logging.getLogger(__name__)


# chat_data keys: (run, index of the last step sent) in this chat; and the runs that ended in
# this chat, newest last (what a coachee without consent has instead of stored ends).
SENT = "exercise_sent"
ENDED = "exercise_ended"
KEEP_ENDED = 50


def _job_name(chat_id: int) -> str:
    return f"exercise:{chat_id}"


def cancel(application: Application, chat_id: int) -> None:
    """Stop the exercise running in this chat: no further step arrives."""
    for job in application.job_queue.get_jobs_by_name(_job_name(chat_id)):
        job.schedule_removal()
    application.chat_data[chat_id].pop(SENT, None)


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/exercise: a short list that suits the coachee's phase and today's energy."""
    s = services(context)
    lang = language_of(update, context)
    profile = s.repo.load_profile(update.effective_user.id)
    phase = profile.phase if profile else "analysis"
    low_energy = profile is not None and low_energy_on(
        s.repo.records(profile.user_id, CheckIn), schedule.local_today(profile, s.clock())
    )
    options = suggest_exercises(s.texts.exercises.values(), phase, low_energy)
    buttons = [
        [
            (
                text(
                    context,
                    "exercise.option",
                    lang,
                    title=e.title.get(lang),
                    minutes=e.duration_minutes,
                ),
                callbacks.encode(callbacks.EXERCISE_PICK, e.id),
            )
        ]
        for e in options
    ]
    await send(context, update.effective_chat.id, text(context, "exercise.choose", lang), buttons)


def _exercise(context: ContextTypes.DEFAULT_TYPE, exercise_id: str) -> Exercise | None:
    return services(context).texts.exercises.get(exercise_id)


def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[Callback, str]:
    """The payload of a press on a run's button, and the run (its last part).

    A run that has ended raises StaleCallback: the error handler answers it as a button no
    longer valid (buttons.py), and nothing is sent or stored."""
    payload = callbacks.decode(update.callback_query.data)
    run = payload.args[-1]
    logs = services(context).repo.records(update.effective_user.id, ExerciseLog)
    ended_here = context.application.chat_data[update.effective_chat.id].get(ENDED, ())
    if run_ended(run, logs, ended_here):
        raise StaleCallback("the exercise has ended")
    return payload, run


async def _gone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reload removed the exercise (or it was never ours): say so rather than go quiet."""
    await update.callback_query.answer()
    await edit(update, context, text(context, "exercise.gone", language_of(update, context)))


def _claim(application: Application, chat_id: int, run: str, index: int) -> None:
    """This chat's exercise is now step `index` of `run`: any other step's timer stops.

    Synchronous, so a press and a step's timer cannot both claim the same step."""
    cancel(application, chat_id)
    application.chat_data[chat_id][SENT] = (run, index)


async def picked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show what the exercise is, with start / later / skip."""
    query = update.callback_query
    exercise = _exercise(context, callbacks.decode(query.data).arg(0))
    if exercise is None:
        await _gone(update, context)
        return
    await query.answer()
    await present(update, context, exercise)


async def present(update: Update, context: ContextTypes.DEFAULT_TYPE, exercise: Exercise) -> None:
    """The intro: a new run of the exercise begins here, and its buttons carry it."""
    lang = language_of(update, context)
    run = new_run()
    body = text(
        context,
        "exercise.intro",
        lang,
        title=exercise.title.get(lang),
        minutes=exercise.duration_minutes,
        intro=exercise.intro.get(lang),
    )
    await send(
        context,
        update.effective_chat.id,
        body,
        [
            [
                (
                    text(context, "exercise.start", lang),
                    callbacks.encode(callbacks.EXERCISE_START, exercise.id, run),
                )
            ],
            [
                (
                    text(context, "exercise.later", lang),
                    callbacks.encode(callbacks.EXERCISE_END, exercise.id, "later", run),
                ),
                (
                    text(context, "exercise.skip", lang),
                    callbacks.encode(callbacks.EXERCISE_END, exercise.id, "skipped", run),
                ),
            ],
        ],
    )


async def start_grounding(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """From the crisis answer: begin a grounding exercise at once, no menu in between."""
    exercise = grounding_exercise(services(context).texts.exercises.values())
    if exercise is not None:
        await send_step(
            context,
            update.effective_chat.id,
            update.effective_user.id,
            language_of(update, context),
            exercise,
            0,
        )


async def started(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Start' on the intro: the run's first step (once, however often it is tapped)."""
    payload, run = _pressed(update, context)
    exercise = _exercise(context, payload.arg(0))
    if exercise is None:
        await _gone(update, context)
        return
    await _step_pressed(update, context, exercise, run, 0)


async def next_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Next' on a step: go on now instead of waiting for the timer."""
    payload, run = _pressed(update, context)
    exercise = _exercise(context, payload.arg(0))
    if exercise is None:
        await _gone(update, context)
        return
    await _step_pressed(update, context, exercise, run, int(payload.arg(1)))


async def _step_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, exercise: Exercise, run: str, index: int
) -> None:
    chat_id = update.effective_chat.id
    # Decided before any await: the step's timer may be sending this very step.
    due = step_is_due(run, index, context.application.chat_data[chat_id].get(SENT))
    if due:
        _claim(context.application, chat_id, run, index)
    query = update.callback_query
    await query.answer()
    await query.edit_message_reply_markup(None)
    if due:
        lang = language_of(update, context)
        await _deliver(context, chat_id, update.effective_user.id, lang, exercise, run, index)


async def send_step(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    user_id: int,
    lang: str,
    exercise: Exercise,
    index: int,
    run: str | None = None,
) -> None:
    """Send step `index` of `run` (a new run when None), or the close after the last step,
    and time the next one."""
    run = run or new_run()
    _claim(context.application, chat_id, run, index)
    await _deliver(context, chat_id, user_id, lang, exercise, run, index)


async def _deliver(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    user_id: int,
    lang: str,
    exercise: Exercise,
    run: str,
    index: int,
) -> None:
    """Send the step this chat claimed, and time the next one."""
    s = services(context)
    if index >= len(exercise.steps):
        await send(
            context,
            chat_id,
            exercise.outro.get(lang),
            [
                [
                    (
                        text(context, "exercise.done", lang),
                        callbacks.encode(callbacks.EXERCISE_END, exercise.id, "done", run),
                    ),
                    (
                        text(context, "exercise.again_later", lang),
                        callbacks.encode(callbacks.EXERCISE_END, exercise.id, "later", run),
                    ),
                ]
            ],
        )
        return
    step = exercise.steps[index]
    counter = text(context, "exercise.step", lang, number=index + 1, total=len(exercise.steps))
    await send(
        context,
        chat_id,
        f"{counter}\n{step.text.get(lang)}",
        [
            [
                (
                    text(context, "exercise.next", lang),
                    callbacks.encode(callbacks.EXERCISE_STEP, exercise.id, index + 1, run),
                ),
                (
                    text(context, "exercise.stop", lang),
                    callbacks.encode(callbacks.EXERCISE_END, exercise.id, "skipped", run),
                ),
            ]
        ],
    )
    if context.application.chat_data[chat_id].get(SENT) != (run, index):
        return  # a crisis, 'stop' or 'next' moved on while this step was on its way
    context.job_queue.run_once(
        step_due,
        when=step.seconds * s.exercise_pace,
        name=_job_name(chat_id),
        data=(chat_id, user_id, lang, exercise.id, index + 1, run),
    )


async def step_due(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A step's time is up: the next step, unless the run ended or a press sent it first."""
    chat_id, user_id, lang, exercise_id, index, run = context.job.data
    chat = context.application.chat_data[chat_id]
    logs = services(context).repo.records(user_id, ExerciseLog)
    if run_ended(run, logs, chat.get(ENDED, ())) or not step_is_due(run, index, chat.get(SENT)):
        return
    exercise = _exercise(context, exercise_id)
    if exercise is None:  # removed by a content reload mid-way: say so rather than go quiet
        await send(context, chat_id, text(context, "exercise.gone", lang))
        return
    await send_step(context, chat_id, user_id, lang, exercise, index, run)


async def ended(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Done, skipped (or stopped) or later: the run's end, recorded once and with consent;
    'later' snoozes."""
    payload, run = _pressed(update, context)
    exercise_id, outcome = payload.arg(0), cast(Outcome, payload.arg(1))
    if _exercise(context, exercise_id) is None:  # removed by a reload, or never ours
        await _gone(update, context)
        return
    chat_id = update.effective_chat.id
    _end_run(context, chat_id, update.effective_user.id, exercise_id, outcome, run)
    query = update.callback_query
    await query.answer()
    await query.edit_message_reply_markup(None)
    lang = language_of(update, context)
    await send(context, chat_id, text(context, f"exercise.ended.{outcome}", lang))


def _end_run(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    user_id: int,
    exercise_id: str,
    outcome: Outcome,
    run: str,
) -> None:
    """Store the run's end and remember it in the chat. Synchronous, right after _pressed
    found the run still going: nothing can end it in between, so it is stored once."""
    s = services(context)
    chat = context.application.chat_data[chat_id]
    sent = chat.get(SENT)
    if sent is None or sent[0] == run:  # an old intro's 'later' leaves another run going
        cancel(context.application, chat_id)
    profile = s.repo.load_profile(user_id)
    if profile is not None:
        now = s.clock()
        today = schedule.local_today(profile, now)
        s.repo.add(profile.user_id, end_of_run(run, exercise_id, outcome, now, today))
        if outcome == "later":
            s.repo.add(profile.user_id, schedule.snooze(profile, "exercise", today, now))
            from bot.telegram import jobs

            jobs.schedule_reminders(context.application, profile.user_id)
        log.info("exercise.%s", outcome)
    ended_here = chat.setdefault(ENDED, [])
    ended_here.append(run)
    del ended_here[:-KEEP_ENDED]
