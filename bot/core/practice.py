"""Choosing what to offer: exercises that suit the phase and the energy, the next reflection."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.content.schema import Exercise, Prompt
from bot.core.models import Reflection


def suggest_exercises(exercises: Iterable[Exercise], phase: str, low_energy: bool = False,
                      limit: int = 6) -> list[Exercise]:
    """Exercises for this phase first (restorative ones first on a low day), then the rest."""
    def rank(exercise: Exercise) -> tuple[int, int, int]:
        fits_phase = 0 if phase in exercise.phases else 1
        fits_energy = 0 if (not low_energy or exercise.energy == "low") else 1
        return (fits_energy, fits_phase, exercise.duration_minutes)

    return sorted(exercises, key=rank)[:limit]


def grounding_exercise(exercises: Iterable[Exercise]) -> Exercise | None:
    """The shortest grounding exercise: what the crisis answer offers to do together."""
    grounding = [e for e in exercises if e.kind == "grounding"]
    return min(grounding, key=lambda e: e.duration_minutes, default=None)


def next_prompt(prompts: Sequence[Prompt], answered: Sequence[Reflection],
                skip: Iterable[str] = ()) -> Prompt | None:
    """The phase's prompt answered longest ago (never answered first), skipping `skip`."""
    skipped = set(skip)
    last_answered = {r.prompt_id: r.at for r in answered}
    candidates = [p for p in prompts if p.id not in skipped] or list(prompts)
    if not candidates:
        return None
    never = [p for p in candidates if p.id not in last_answered]
    if never:
        return never[0]
    return min(candidates, key=lambda p: last_answered[p.id])
