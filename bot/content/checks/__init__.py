"""Cross-file content checks that a schema alone cannot express, one module per kind of
content.

Each check takes the loaded Content and the parsed documents (for line numbers) and returns
problems. `content check`, `run` and /reload all run every check in ALL_CHECKS, so content
that breaks one never goes live. A problem names the file and line to open and says what to
change there: the people who read them are coaches and editors, not programmers.

The modules: `documents` (the YAML itself), `references` (ids), `prompts` (phases and
prompts), `exercises`, `limits` (what a button carries), `texts` (ui texts and
placeholders), `wording` (SAFETY.md's phrase rules and the Dutch register), `escalations`
(escalation texts and help lines), `questionnaires`, `safety_rules` (safety and check-in
rules); `common` holds what they share.
"""

from __future__ import annotations

from bot.content.checks.documents import check_blank_texts, check_duplicate_keys
from bot.content.checks.escalations import check_escalations, check_helplines, holds_number
from bot.content.checks.exercises import check_exercise_numbers, check_exercises
from bot.content.checks.limits import check_ids_fit_buttons
from bot.content.checks.prompts import check_phases, check_prompts_per_phase
from bot.content.checks.questionnaires import check_questionnaires
from bot.content.checks.references import check_unique_ids
from bot.content.checks.safety_rules import check_checkin_rules, check_safety_rules
from bot.content.checks.texts import check_content_placeholders, check_ui_texts
from bot.content.checks.wording import (
    banned_phrases,
    check_banned_phrases,
    check_dutch_register,
    check_no_diagnosis,
    diagnosis_phrases,
    minimising_phrases,
    register_slips,
)

__all__ = [
    "ALL_CHECKS",
    "banned_phrases",
    "check_safety_rules",
    "diagnosis_phrases",
    "holds_number",
    "minimising_phrases",
    "register_slips",
]

ALL_CHECKS = (
    check_duplicate_keys,
    check_blank_texts,
    check_unique_ids,
    check_phases,
    check_prompts_per_phase,
    check_exercises,
    check_exercise_numbers,
    check_ids_fit_buttons,
    check_ui_texts,
    check_content_placeholders,
    check_escalations,
    check_helplines,
    check_banned_phrases,
    check_no_diagnosis,
    check_dutch_register,
    check_questionnaires,
    check_safety_rules,
    check_checkin_rules,
)
