"""/exercise: a guided relaxation exercise, step by step in the chat, with its own timing.

Each step arrives after the previous step's time (scheduled on the JobQueue); every step has
'next' and 'stop', and the buttons carry the exercise and step, so pressing 'next' still
works after a restart. Completion is recorded only with consent.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.content.schema import Exercise
from bot.core import schedule
from bot.core.checkins import low_energy_on
from bot.core.models import CheckIn, ExerciseLog
from bot.core.practice import grounding_exercise, suggest_exercises
from bot.telegram import callbacks
from bot.telegram.context import language_of, services
from bot.telegram.replies import edit, send, text

log = logging.getLogger(__name__)


# chat_data key: (exercise id, index of the last step sent) in this chat.
SENT = "exercise_sent"


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


async def _pressed_exercise(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Exercise | None:
    """Acknowledge an exercise button; the exercise, or a kind word if a reload removed it."""
    query = update.callback_query
    await query.answer()
    exercise = _exercise(context, callbacks.decode(query.data).arg(0))
    if exercise is None:
        await edit(update, context, text(context, "exercise.gone", language_of(update, context)))
    return exercise


async def picked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show what the exercise is, with start / later / skip."""
    exercise = await _pressed_exercise(update, context)
    if exercise is not None:
        await present(update, context, exercise)


async def present(update: Update, context: ContextTypes.DEFAULT_TYPE, exercise: Exercise) -> None:
    lang = language_of(update, context)
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
                    callbacks.encode(callbacks.EXERCISE_START, exercise.id),
                )
            ],
            [
                (
                    text(context, "exercise.later", lang),
                    callbacks.encode(callbacks.EXERCISE_END, exercise.id, "later"),
                ),
                (
                    text(context, "exercise.skip", lang),
                    callbacks.encode(callbacks.EXERCISE_END, exercise.id, "skipped"),
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
    exercise = await _pressed_exercise(update, context)
    if exercise is None:
        return
    await update.callback_query.edit_message_reply_markup(None)
    await send_step(
        context,
        update.effective_chat.id,
        update.effective_user.id,
        language_of(update, context),
        exercise,
        0,
    )


async def send_step(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    user_id: int,
    lang: str,
    exercise: Exercise,
    index: int,
) -> None:
    """Send step `index` (or the close after the last), and time the next one."""
    s = services(context)
    cancel(context.application, chat_id)
    context.application.chat_data[chat_id][SENT] = (exercise.id, index)
    if index >= len(exercise.steps):
        await send(
            context,
            chat_id,
            exercise.outro.get(lang),
            [
                [
                    (
                        text(context, "exercise.done", lang),
                        callbacks.encode(callbacks.EXERCISE_END, exercise.id, "done"),
                    ),
                    (
                        text(context, "exercise.again_later", lang),
                        callbacks.encode(callbacks.EXERCISE_END, exercise.id, "later"),
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
                    callbacks.encode(callbacks.EXERCISE_STEP, exercise.id, index + 1),
                ),
                (
                    text(context, "exercise.stop", lang),
                    callbacks.encode(callbacks.EXERCISE_END, exercise.id, "skipped"),
                ),
            ]
        ],
    )
    if context.application.chat_data[chat_id].get(SENT) != (exercise.id, index):
        return  # a crisis (or 'stop') ended the exercise while this step was on its way
    context.job_queue.run_once(
        step_due,
        when=step.seconds * s.exercise_pace,
        name=_job_name(chat_id),
        data=(chat_id, user_id, lang, exercise.id, index + 1),
    )


async def step_due(context: ContextTypes.DEFAULT_TYPE) -> None:
    chat_id, user_id, lang, exercise_id, index = context.job.data
    exercise = _exercise(context, exercise_id)
    if exercise is None:  # removed by a content reload mid-way: say so rather than go quiet
        await send(context, chat_id, text(context, "exercise.gone", lang))
        return
    await send_step(context, chat_id, user_id, lang, exercise, index)


async def next_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Next' on a step: go on now instead of waiting for the timer."""
    exercise = await _pressed_exercise(update, context)
    if exercise is None:
        return
    query = update.callback_query
    await query.edit_message_reply_markup(None)
    index = int(callbacks.decode(query.data).arg(1, "0"))
    sent = context.application.chat_data[update.effective_chat.id].get(SENT)
    if sent is not None and sent[0] == exercise.id and sent[1] >= index:
        return  # the timer already sent this step; a late tap must not send it twice
    await send_step(
        context,
        update.effective_chat.id,
        update.effective_user.id,
        language_of(update, context),
        exercise,
        index,
    )


async def ended(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Done, skipped (or stopped) or later: recorded with consent; 'later' snoozes."""
    query = update.callback_query
    await query.answer()
    s = services(context)
    payload = callbacks.decode(query.data)
    exercise_id, outcome = payload.arg(0), payload.arg(1)
    if _exercise(context, exercise_id) is None:  # removed by a reload, or never ours
        await edit(update, context, text(context, "exercise.gone", language_of(update, context)))
        return
    chat_id = update.effective_chat.id
    cancel(context.application, chat_id)
    lang = language_of(update, context)
    await query.edit_message_reply_markup(None)
    profile = s.repo.load_profile(update.effective_user.id)
    if profile is not None and outcome in ("done", "skipped", "later"):
        now = s.clock()
        today = schedule.local_today(profile, now)
        s.repo.add(profile.user_id, ExerciseLog(exercise_id, now, today, outcome))
        if outcome == "later":
            s.repo.add(profile.user_id, schedule.snooze(profile, "exercise", today, now))
            from bot.telegram import jobs

            jobs.schedule_reminders(context.application, profile.user_id)
        log.info("exercise.%s", outcome)
    await send(context, chat_id, text(context, f"exercise.ended.{outcome}", lang))
