"""Exercises: the choice that suits today, one showing (a run) of an exercise step by step,
and its end, stored once and with consent only.

Each showing is a run (bot.core.practice): its buttons carry the exercise, the step and the
run, so they still work after a restart. Once a run has ended (done, stopped or later) each
of its buttons is an old one (`RunOver`) and nothing is sent or stored. Its end is stored
once, under the run's id, in the coachee's file; without consent nothing is stored and the
chat remembers the ended runs instead (`ended_here`, kept by the handler in memory).

The timing of the steps stays with the handler (a JobQueue job); what a step says and how
long it lasts are decided here. A coachee with consent has the running step kept in their
file (RunningExercise: which step comes by itself when), so a restart, which loses the
JobQueue, resumes the exercise (`to_resume`); without consent nothing is stored, and a
restart stalls the exercise (its 'next' button still goes on). "Later" promises only a
reminder the plan will send (bot.core.schedule.later), and "saved in your history" is said
only when it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot.content.loader import Content
from bot.core import dates, schedule
from bot.core.checkins import low_energy_on
from bot.core.coaching import CoachStore, active_homework
from bot.core.models import (
    RUNNING_EXERCISE_ID,
    CheckIn,
    Escalation,
    ExerciseLog,
    RunningExercise,
)
from bot.core.ports import CoacheeFile
from bot.core.practice import Outcome as Ending
from bot.core.practice import (
    end_of_run,
    grounding_exercise,
    new_run,
    run_ended,
    suggest_exercises,
)
from bot.core.rules import Exercise
from bot.services import actions
from bot.services.outcome import (
    Choice,
    Message,
    Outcome,
    Reschedule,
    Text,
    message,
    outcome,
    say,
)
from bot.services.reminders import schedule_state


class RunOver(Exception):
    """A button of a run that has ended: answered as an old button; nothing is sent or
    stored."""


@dataclass(frozen=True)
class Step:
    """Step `index` of `run` to send (the close after the last step when `index` is past the
    steps), and how long the coachee has for it before the next one comes by itself (None
    after the close)."""

    exercise_id: str
    run: str
    index: int
    message: Message
    seconds: float | None


def _lang(coachee: CoacheeFile, hint: str) -> str:
    profile = coachee.profile
    return profile.lang if profile is not None else hint


def choose(
    coachee: CoacheeFile,
    content: Content,
    now: datetime,
    hint: str,
    coaches: CoachStore | None = None,
) -> Outcome:
    """/exercise: a short list that suits the coachee's phase and today's energy; the
    homework their coach gave that runs today comes first, marked as homework."""
    profile = coachee.profile
    lang = _lang(coachee, hint)
    phase = profile.phase if profile is not None else "analysis"
    low_energy = profile is not None and low_energy_on(
        coachee.records(CheckIn), schedule.local_today(profile, now)
    )
    homework: list[Exercise] = []
    if coaches is not None and profile is not None:
        today = schedule.local_today(profile, now)
        for exercise_id in homework_today(coaches, coachee.user_id, today):
            found = content.exercises.get(exercise_id)
            if found is not None and found not in homework:
                homework.append(found)
    options = [
        e
        for e in suggest_exercises(content.exercises.values(), phase, low_energy)
        if e not in homework
    ]
    choices = tuple(
        (
            Choice(
                say(text_id, title=e.title.get(lang), minutes=e.duration_minutes),
                actions.EXERCISE_PICK,
                (e.id,),
            ),
        )
        for text_id, group in (("exercise.homework_option", homework), ("exercise.option", options))
        for e in group
    )
    return outcome(message(say("exercise.choose"), choices=choices), lang=lang)


def homework_today(coaches: CoachStore, coachee_id: int, today: date) -> list[str]:
    """The exercises of the homework that runs on the coachee's `today`, from their present
    coach only (an unlinked coach's homework stops)."""
    link = coaches.link_of(coachee_id)
    if link is None:
        return []
    own = [h for h in coaches.homework(coachee_id) if h.coach_id == link.coach_id]
    return [h.exercise_id for h in active_homework(own, today)]


def gone(edit: bool = True) -> Outcome:
    """A reload removed the exercise (or it was never ours): said, rather than going quiet."""
    return outcome(message(say("exercise.gone"), edit=edit))


def pick(content: Content, exercise_id: str, lang: str) -> Outcome:
    """The intro: what the exercise is, with start / later / not today. A new run begins
    here, and its buttons carry it."""
    exercise = content.exercises.get(exercise_id)
    if exercise is None:
        return gone()
    run = new_run()
    intro = say(
        "exercise.intro",
        title=exercise.title.get(lang),
        minutes=exercise.duration_minutes,
        intro=exercise.intro.get(lang),
    )
    choices = (
        (Choice(say("exercise.start"), actions.EXERCISE_START, (exercise.id, run)),),
        (
            Choice(say("exercise.later"), actions.EXERCISE_END, (exercise.id, "later", run)),
            Choice(say("exercise.skip"), actions.EXERCISE_END, (exercise.id, "skipped", run)),
        ),
    )
    return outcome(message(intro, choices=choices), lang=lang)


def step_of(content: Content, exercise: Exercise, run: str, index: int, lang: str) -> Step:
    """What step `index` says, with 'next' and 'stop'; past the last step, the close with
    'done' and 'again later'."""
    if index >= len(exercise.steps):
        close = Message(
            (Text(raw=exercise.outro.get(lang)),),
            (
                (
                    Choice(say("exercise.done"), actions.EXERCISE_END, (exercise.id, "done", run)),
                    Choice(
                        say("exercise.again_later"),
                        actions.EXERCISE_END,
                        (exercise.id, "later", run),
                    ),
                ),
            ),
        )
        return Step(exercise.id, run, index, close, None)
    step = exercise.steps[index]
    counter = content.text("exercise.step", lang, number=index + 1, total=len(exercise.steps))
    shown = Message(
        (Text(raw=f"{counter}\n{step.text.get(lang)}"),),
        (
            (
                Choice(say("exercise.next"), actions.EXERCISE_STEP, (exercise.id, index + 1, run)),
                Choice(say("exercise.stop"), actions.EXERCISE_END, (exercise.id, "skipped", run)),
            ),
        ),
    )
    return Step(exercise.id, run, index, shown, float(step.seconds))


def step(
    coachee: CoacheeFile,
    exercise_id: str,
    run: str,
    index: int,
    ended_here: Iterable[str],
    content: Content,
    hint: str,
) -> Step | None:
    """Start, Next or a step's time up: step `index` of `run`; None when the exercise is
    gone. Raises RunOver when the run has ended (stored, or seen in this chat)."""
    if run_ended(run, coachee.records(ExerciseLog), ended_here):
        raise RunOver(run)
    exercise = content.exercises.get(exercise_id)
    if exercise is None:
        return None
    return step_of(content, exercise, run, index, _lang(coachee, hint))


def remember_step(
    coachee: CoacheeFile,
    step: Step,
    chat: int,
    lang: str,
    message: int | None,
    now: datetime,
    due: datetime,
) -> None:
    """The step just sent, whose next comes by itself at `due`: kept with consent only."""
    if coachee.profile is None:
        return
    coachee.replace(
        RunningExercise(step.exercise_id, step.run, step.index + 1, chat, lang, now, due, message)
    )


def forget_run(coachee: CoacheeFile, now: datetime, run: str | None = None) -> None:
    """Nothing runs any more (the run `run` ended, or the chat's exercise was stopped): a
    restart resumes nothing."""
    if coachee.profile is None:
        return
    running = coachee.find(RunningExercise, RUNNING_EXERCISE_ID)
    if running is not None and running.due is not None and run in (None, running.run):
        coachee.replace(replace(running, at=now, due=None))


# A restart longer than this after a step was due: the moment of the exercise has passed,
# and a breathing step out of the blue would puzzle more than help; it is not resumed.
RESUME_WITHIN = timedelta(minutes=10)


def to_resume(coachee: CoacheeFile, now: datetime) -> RunningExercise | None:
    """At start: the exercise whose next step a restart interrupted, if any (and recent)."""
    if coachee.profile is None:
        return None
    running = coachee.find(RunningExercise, RUNNING_EXERCISE_ID)
    if running is None or running.due is None or now - running.due > RESUME_WITHIN:
        return None
    if run_ended(running.run, coachee.records(ExerciseLog)):
        return None
    # A crisis stops the chat's exercise in memory only (bot.telegram.safety_net): the stored
    # crisis, later than the step, says this exercise was stopped.
    if any(e.level == "crisis" and e.at >= running.at for e in coachee.records(Escalation)):
        return None
    return running


def grounding(content: Content, lang: str) -> Step | None:
    """From the crisis answer: the first step of the shortest grounding exercise, at once."""
    exercise = grounding_exercise(content.exercises.values())
    return step_of(content, exercise, new_run(), 0, lang) if exercise is not None else None


def end(
    coachee: CoacheeFile,
    exercise_id: str,
    ending: Ending,
    run: str,
    ended_here: Iterable[str],
    content: Content,
    now: datetime,
) -> Outcome:
    """Done, skipped (or stopped) or later: the run's end, stored once and with consent.
    'Later' snoozes the day's exercise when the plan will remind of it, and says what
    will come otherwise. Raises RunOver when the run has ended already."""
    if run_ended(run, coachee.records(ExerciseLog), ended_here):
        raise RunOver(run)
    if content.exercises.get(exercise_id) is None:  # removed by a reload, or never ours
        return gone()
    profile = coachee.profile
    if profile is None:  # nothing is stored, so nothing saved nor any reminder is promised
        said = {"done": "exercise.ended.done_unsaved", "later": "exercise.ended.later_unsaved"}
        return outcome(message(say(said.get(ending, f"exercise.ended.{ending}"))))
    lang = profile.lang
    today = schedule.local_today(profile, now)
    forget_run(coachee, now, run)
    if ending != "later":
        coachee.add(end_of_run(run, exercise_id, ending, now, today))
        return outcome(message(say(f"exercise.ended.{ending}")), lang=lang)
    planned = schedule.later(profile, schedule_state(coachee), "exercise", today, now)
    coachee.add(end_of_run(run, exercise_id, ending, now, today))
    if planned.snooze is not None:
        coachee.add(planned.snooze)
        return outcome(message(say("exercise.ended.later")), effects=(Reschedule(),), lang=lang)
    if planned.next_moment is not None:
        local = planned.next_moment.astimezone(schedule.zone_of(profile))
        when = dates.when_text(local.date(), lang, today)
        return outcome(
            message(say("reminder.later_next", day=when, time=f"{local:%H:%M}")), lang=lang
        )
    return outcome(message(say("reminder.later_none")), lang=lang)
