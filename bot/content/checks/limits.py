"""Limits outside the content: Telegram carries at most 64 bytes of data per button, and the
buttons carry exercise, prompt and questionnaire ids, so each id must leave room for the rest
of its payload.
"""

from __future__ import annotations

from bot.content.checks.common import problem_at, questionnaire_docs
from bot.content.loader import Content, Problem, YamlDoc
from bot.core.practice import RUN_ID_CHARS

# Telegram carries at most 64 bytes of data per button (bot.telegram.callbacks.MAX_BYTES).
# The longest payloads that carry content ids: `v1:exend:<exercise id>:skipped:<run id>`,
# `v1:rf:other:<prompt id>` and `v1:q:<questionnaire id>:<one digit per answer>`.
BUTTON_BYTES = 64


EXERCISE_PAYLOAD_OVERHEAD = len("v1:exend::skipped:") + RUN_ID_CHARS


PROMPT_PAYLOAD_OVERHEAD = len("v1:rf:other:")


# The answers' buttons carry the run too (bot.services.questionnaire).
QUESTIONNAIRE_PAYLOAD_OVERHEAD = len("v1:q:::") + RUN_ID_CHARS


def check_ids_fit_buttons(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """Buttons carry ids, and Telegram allows 64 bytes per button: a longer one cannot be sent."""
    problems = []
    longest = BUTTON_BYTES - EXERCISE_PAYLOAD_OVERHEAD
    for index, exercise in enumerate(content.exercises.values()):
        if len(exercise.id.encode()) > longest:
            problems.append(
                problem_at(
                    docs["exercises.yaml"],
                    ["exercises", index, "id"],
                    f"exercise id {exercise.id!r} is {len(exercise.id)} "
                    f"characters; its buttons can carry at most {longest}: "
                    "shorten it",
                )
            )
    longest = BUTTON_BYTES - PROMPT_PAYLOAD_OVERHEAD
    for index, prompt in enumerate(content.prompts):
        if len(prompt.id.encode()) > longest:
            problems.append(
                problem_at(
                    docs["prompts.yaml"],
                    ["prompts", index, "id"],
                    f"prompt id {prompt.id!r} is {len(prompt.id)} characters; "
                    f"its buttons can carry at most {longest}: shorten it",
                )
            )
    longest = BUTTON_BYTES - QUESTIONNAIRE_PAYLOAD_OVERHEAD
    for q, doc in questionnaire_docs(content, docs):
        if len(q.id.encode()) + len(q.items) > longest:
            problems.append(
                problem_at(
                    doc,
                    ["id"],
                    f"questionnaire {q.id!r} with {len(q.items)} items does "
                    "not fit its answer buttons, which carry the id and one "
                    f"digit per answer: the id's length plus the number of "
                    f"items may be at most {longest}; shorten the id",
                )
            )
    return problems
