"""Texts and their placeholders: every text the code shows is in ui.yaml and uses only the
placeholders the code fills there; prompts, phases, questionnaires and the follow-ups after
an escalation use only the ones (if any) the bot fills for them.
"""

from __future__ import annotations

from bot.content.checks.common import closest, problem_at, questionnaire_docs, text_problems
from bot.content.checks.escalations import ESCALATION_PLACEHOLDERS
from bot.content.loader import Content, Problem, YamlDoc
from bot.content.ui_texts import UI_TEXTS


def check_ui_texts(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["ui.yaml"]
    problems = []
    unused = sorted(set(content.texts) - set(UI_TEXTS))
    for text_id, filled in sorted(UI_TEXTS.items()):
        if text_id not in content.texts:
            fills = ", ".join("{" + name + "}" for name in sorted(filled)) or "no placeholders"
            problems.append(
                problem_at(
                    doc,
                    ["texts"],
                    f"text {text_id!r} is missing{closest(text_id, unused)}; "
                    f"the bot shows it, so add it under `texts:` with nl and "
                    f"en (it may use {fills})",
                )
            )
            continue
        problems += text_problems(
            doc, ["texts", text_id], content.texts[text_id], filled, f"text {text_id!r}"
        )
    return problems


def check_content_placeholders(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """Prompts, phases, questionnaires and the GP follow-up are shown as written."""
    none: frozenset[str] = frozenset()
    problems = []
    doc = docs["prompts.yaml"]
    for index, prompt in enumerate(content.prompts):
        problems += text_problems(
            doc, ["prompts", index, "text"], prompt.text, none, f"prompt {prompt.id!r}"
        )
    doc = docs["phases.yaml"]
    for index, phase in enumerate(content.phases):
        for field in ("title", "summary"):
            problems += text_problems(
                doc,
                ["phases", index, field],
                getattr(phase, field),
                none,
                f"phase {phase.id!r} {field}",
            )
    doc = docs["safety/escalations.yaml"]
    followup = content.escalations.gp_followup
    for field in type(followup).model_fields:
        problems += text_problems(
            doc,
            ["escalations", "gp_followup", field],
            getattr(followup, field),
            none,
            f"gp_followup {field}",
        )
    # After a crisis answer: these give the help lines again, so they are filled with them;
    # the follow-up asked later than the next day names the day of the answer too.
    for block in ("crisis_ask", "crisis_followup"):
        texts = getattr(content.escalations, block)
        for field in type(texts).model_fields:
            named_day = frozenset({"day"}) if field == "question_later" else frozenset()
            problems += text_problems(
                doc,
                ["escalations", block, field],
                getattr(texts, field),
                ESCALATION_PLACEHOLDERS | named_day,
                f"{block} {field}",
            )
    for questionnaire, doc in questionnaire_docs(content, docs):
        what = f"questionnaire {questionnaire.id!r}"
        for field in ("title", "intro"):
            problems += text_problems(
                doc, [field], getattr(questionnaire, field), none, f"{what} {field}"
            )
        for index, item in enumerate(questionnaire.items):
            problems += text_problems(
                doc, ["items", index, "text"], item.text, none, f"{what} item {item.id!r}"
            )
        for index, band in enumerate(questionnaire.scoring.bands):
            problems += text_problems(
                doc,
                ["scoring", "bands", index, "label"],
                band.label,
                none,
                f"{what} band {index + 1}",
            )
    return problems
