"""Exercises: a duration that fits the steps, texts shown as written (no placeholders), at
least one grounding exercise (the crisis answer offers one) and one for a low-energy day, and
no duration or step number written into the texts (the bot writes both itself).
"""

from __future__ import annotations

import re

from bot.content.checks.common import problem_at, text_problems
from bot.content.loader import Content, Problem, YamlDoc
from bot.content.schema import LANGS


def check_exercises(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["exercises.yaml"]
    problems = []
    exercises = list(content.exercises.values())
    for index, exercise in enumerate(exercises):
        seconds = sum(step.seconds for step in exercise.steps)
        minutes = exercise.duration_minutes
        if not (minutes * 60 * 0.5 <= seconds <= minutes * 60 * 1.5 + 60):
            suggested = max(1, round(seconds / 60))
            problems.append(
                problem_at(
                    doc,
                    ["exercises", index, "duration_minutes"],
                    f"exercise {exercise.id!r} says {minutes} min, but its "
                    f"steps add up to {seconds} s (about {suggested} min); "
                    f"write `duration_minutes: {suggested}` or change the "
                    "steps' `seconds`",
                )
            )
        for part in ("title", "intro", "outro"):
            problems += text_problems(
                doc,
                ["exercises", index, part],
                getattr(exercise, part),
                frozenset(),
                f"exercise {exercise.id!r} {part}",
            )
        for number, step in enumerate(exercise.steps):
            problems += text_problems(
                doc,
                ["exercises", index, "steps", number, "text"],
                step.text,
                frozenset(),
                f"exercise {exercise.id!r} step {number + 1}",
            )
    if not any(e.kind == "grounding" for e in exercises):
        problems.append(
            problem_at(
                doc,
                ["exercises"],
                "no exercise has `kind: grounding`; the crisis answer offers "
                "to do a grounding exercise together, so keep at least one",
            )
        )
    if not any(e.energy == "low" for e in exercises):
        problems.append(
            problem_at(
                doc,
                ["exercises"],
                "no exercise has `energy: low`; on a low-energy day the bot "
                "offers those first, so mark at least one",
            )
        )
    return problems


# The chat writes the duration after an exercise's title ("{title} ({minutes} min)", ui.yaml
# exercise.option and exercise.intro) and the step number above every step ("Stap 2 van 4",
# exercise.step). A title that gives its duration says it twice; a step number written in the
# text says it twice too, and soon disagrees with the bot's count (which counts every step).
_DURATION = re.compile(r"\b\d+\s*(?:min|mins|minuut|minuten|minute|minutes)\b", re.IGNORECASE)


_STEP_NUMBER = re.compile(r"\b(?:stap|step)\s*\d+\b", re.IGNORECASE)


_LIST_NUMBER = re.compile(r"^\s*\d+\s*[.)](?!\d)")


def check_exercise_numbers(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """An exercise leaves its duration and the numbering of its steps to the bot."""
    doc = docs["exercises.yaml"]
    problems = []
    for index, exercise in enumerate(content.exercises.values()):
        total = len(exercise.steps)
        for lang in LANGS:
            title = exercise.title.get(lang)
            if match := _DURATION.search(title):
                problems.append(
                    problem_at(
                        doc,
                        ["exercises", index, "title", lang],
                        f"exercise {exercise.id!r} title ({lang}) gives its duration "
                        f"({match.group(0)!r}); the bot writes it after the title already "
                        f'("({exercise.duration_minutes} min)"), so it would show twice: '
                        "remove it from the title",
                    )
                )
            texts = [(["intro"], "intro", exercise.intro), (["outro"], "outro", exercise.outro)]
            texts += [
                (["steps", number, "text"], f"step {number + 1}", step.text)
                for number, step in enumerate(exercise.steps)
            ]
            for loc, what, text in texts:
                value = text.get(lang)
                match = _STEP_NUMBER.search(value)
                if match is None and what.startswith("step"):
                    match = _LIST_NUMBER.match(value)
                if match is not None:
                    problems.append(
                        problem_at(
                            doc,
                            ["exercises", index, *loc, lang],
                            f"exercise {exercise.id!r} {what} ({lang}) numbers a step "
                            f"({match.group(0).strip()!r}); the bot numbers every step itself "
                            f'("Stap 1 van {total}" above the first), so a number written '
                            "here shows twice or disagrees: remove it, or name the step by "
                            "what it does",
                        )
                    )
    return problems
