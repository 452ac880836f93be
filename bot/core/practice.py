"""Choosing what to offer (exercises that suit the phase and the energy, the next reflection),
and when an exercise is over.

An exercise *run* is one showing of an exercise, from its intro (or the crisis answer's
grounding) to its end: done, stopped (stored as skipped) or later. Every button of the run
carries the run's id, and its end is stored as the ExerciseLog with that id, so a run ends
once: a button of an ended run does nothing, also after a restart, and a run's end is stored
at most once (no exercise counted twice in /history).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Literal

from bot.core.models import ExerciseLog, Reflection, new_id
from bot.core.rules import Exercise, Prompt

Outcome = Literal["done", "skipped", "later"]
# A run id is what new_id() makes: 12 lower-case hex characters (its buttons carry it).
RUN_ID_CHARS = 12


def suggest_exercises(
    exercises: Iterable[Exercise], phase: str, low_energy: bool = False, limit: int = 6
) -> list[Exercise]:
    """The exercises to offer, best first, at most `limit`.

    On a low-energy day restorative (energy: low) exercises come first, wherever their phase:
    the check-in promises "a short restorative exercise". Then this phase's exercises before
    the rest, and the shortest first.
    """

    def rank(exercise: Exercise) -> tuple[int, int, int]:
        fits_phase = 0 if phase in exercise.phases else 1
        fits_energy = 0 if (not low_energy or exercise.energy == "low") else 1
        return (fits_energy, fits_phase, exercise.duration_minutes)

    return sorted(exercises, key=rank)[:limit]


def grounding_exercise(exercises: Iterable[Exercise]) -> Exercise | None:
    """The shortest grounding exercise: what the crisis answer offers to do together."""
    grounding = [e for e in exercises if e.kind == "grounding"]
    return min(grounding, key=lambda e: e.duration_minutes, default=None)


def new_run() -> str:
    """A fresh run id: the id the run's end will be stored under."""
    return new_id()


def run_ended(run: str, logs: Iterable[ExerciseLog], ended_here: Iterable[str] = ()) -> bool:
    """Whether this run is over: its end is stored (the ExerciseLog with the run's id, which a
    restart keeps), or this chat saw it end (without consent nothing is stored)."""
    return run in set(ended_here) or any(log.id == run for log in logs)


def end_of_run(
    run: str, exercise_id: str, outcome: Outcome, now: datetime, today: date
) -> ExerciseLog:
    """The record of a run's end, stored under the run's id: call it only for a run that has
    not ended (run_ended), so one run is one record whatever is tapped after."""
    return ExerciseLog(exercise_id, now, today, outcome, id=run)


def step_is_due(run: str, index: int, last_sent: tuple[str, int] | None) -> bool:
    """Whether step `index` of this run is still to send (a press of Start or Next asks for
    it): not when this run has sent it already, because the step's timer was quicker or the
    coachee tapped twice. `last_sent` is (run, index) of the chat's latest step, if known."""
    return last_sent is None or last_sent[0] != run or last_sent[1] < index


def next_prompt(
    prompts: Sequence[Prompt], answered: Sequence[Reflection], skip: Iterable[str] = ()
) -> Prompt | None:
    """The phase's prompt answered longest ago (never answered first), skipping `skip`."""
    skipped = set(skip)
    last_answered: dict[str, datetime] = {}
    for reflection in answered:  # in whatever order storage returns them
        seen = last_answered.get(reflection.prompt_id)
        if seen is None or reflection.at > seen:
            last_answered[reflection.prompt_id] = reflection.at
    candidates = [p for p in prompts if p.id not in skipped] or list(prompts)
    if not candidates:
        return None
    never = [p for p in candidates if p.id not in last_answered]
    if never:
        return never[0]
    return min(candidates, key=lambda p: last_answered[p.id])
