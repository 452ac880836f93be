"""Choosing what to offer: exercises that suit the phase and the energy, the next reflection."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.content.schema import Exercise, Prompt
from bot.core.models import Reflection


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
