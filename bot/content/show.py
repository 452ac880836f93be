"""The parts of `python -m bot content show <id>` that content alone decides: which
escalation ids exist, and the pieces no use case says (a phase, a UI text with the values the
bot fills, the question after GP advice, a questionnaire's scoring).

What a coachee reads from a use case (an exercise, a prompt, a questionnaire, the check-in,
the crisis and GP answers) is previewed by running that use case (bot.services.preview):
this package does not import the services, they import it.
"""

from __future__ import annotations

import string
from collections.abc import Sequence

from bot.content.escalation_texts import SOURCE_OPENERS
from bot.content.loader import Content
from bot.content.schema import CRISIS_CATEGORIES, GP_CATEGORIES
from bot.content.ui_texts import UI_TEXTS
from bot.core.rules import Questionnaire

ESCALATION_LEVELS = ("crisis", "gp")
GP_FOLLOWUP = "gp_followup"
RULE = "-" * 60


class UnknownItem(LookupError):
    """No item has this id; `suggestions` are the closest ids that exist."""

    def __init__(self, item_id: str, suggestions: Sequence[str]) -> None:
        self.item_id = item_id
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"no content item has the id {item_id!r}{hint}")


def escalation_ids(content: Content) -> list[str]:
    """`crisis`, `gp`, then the opener of each category or source that has one."""
    return [
        *ESCALATION_LEVELS,
        *(
            f"{level}:{category}"
            for level in ESCALATION_LEVELS
            for category in getattr(content.escalations, level).openers
            if category != "default"
        ),
    ]


def is_opener(content: Content, level: str, category: str) -> bool:
    """Whether `level:category` (or `level` alone) names an escalation the bot can give."""
    if level not in ESCALATION_LEVELS:
        return False
    if not category:
        return True
    known = CRISIS_CATEGORIES if level == "crisis" else GP_CATEGORIES
    openers = getattr(content.escalations, level).openers
    return category in openers or category in known or category in SOURCE_OPENERS


# --- pieces -------------------------------------------------------------------------------


def ui(content: Content, text_id: str, lang: str, **values: object) -> str:
    """A UI text as the bot fills it; a visible marker instead of a crash when it is broken."""
    if text_id not in content.texts:
        return broken(content, text_id)
    try:
        return content.text(text_id, lang, **values)
    except (KeyError, IndexError, ValueError):
        return broken(content, text_id)


def broken(content: Content, text_id: str) -> str:
    """In place of a UI text that is missing or cannot be filled."""
    if text_id not in content.texts:
        return f"[missing UI text {text_id!r}: run `python -m bot content check`]"
    return f"[UI text {text_id!r} cannot be filled: run `python -m bot content check`]"


def buttons(*rows: Sequence[str]) -> str:
    return "\n".join(" ".join(f"[ {label} ]" for label in row) for row in rows)


def note(text: str) -> str:
    return f"-- {text}"


def render_phase(content: Content, phase_id: str, lang: str) -> str:
    phase = content.phase(phase_id)
    prompts = [p.id for p in content.prompts_for(phase_id)]
    exercises = [e.id for e in content.exercises.values() if phase_id in e.phases]
    return "\n".join(
        [
            note(f"phase {phase.id}, number {phase.number} of 8"),
            phase.title.get(lang),
            phase.summary.get(lang),
            "",
            note(f"{len(prompts)} prompts: {', '.join(prompts) or 'none'}"),
            note(f"{len(exercises)} exercises: {', '.join(exercises) or 'none'}"),
        ]
    )


def scoring_notes(questionnaire: Questionnaire, lang: str) -> list[str]:
    """How a questionnaire is scored: its bands, the rules that escalate, its subscales."""
    q = questionnaire
    score = "the sum of the answers" if q.scoring.method == "sum" else "the mean of the answers"
    lines = [note(f"scoring: {score}")]
    for band in sorted(q.scoring.bands, key=lambda band: band.min):
        lines.append(note(f"from {band.min:g}: {band.label.get(lang)}"))
    for rule in q.scoring.rules:
        what = "score" if rule.when == "total" else f"answer to {rule.item}"
        lines.append(
            note(f"rule {rule.id}: {what} >= {rule.min:g} -> {rule.level} ({rule.category})")
        )
    for name, subscale in q.subscales.items():
        lines.append(
            note(f"subscale {name} ({subscale.label.get(lang)}): {', '.join(subscale.items)}")
        )
    return lines


def render_gp_followup(content: Content, lang: str) -> str:
    followup = content.escalations.gp_followup
    choices = ("reached", "not_yet", "prepare")
    lines = [
        note("a day after GP advice"),
        followup.question.get(lang),
        buttons(*([ui(content, f"gp_followup.{choice}", lang)] for choice in choices)),
    ]
    for choice in choices:
        lines += [
            "",
            note(f"after {ui(content, f'gp_followup.{choice}', lang)!r}"),
            getattr(followup, choice).get(lang),
        ]
    return "\n".join(lines)


def render_ui_text(content: Content, text_id: str, lang: str) -> str:
    template = content.texts[text_id].get(lang)
    filled = sorted(UI_TEXTS.get(text_id, ()))
    try:
        used = sorted({name for _, name, _, _ in string.Formatter().parse(template) if name})
    except ValueError:
        used = []
    if text_id not in UI_TEXTS:
        said = "the bot does not use this id"
    elif filled:
        said = "the bot fills " + ", ".join("{" + name + "}" for name in filled)
    else:
        said = "the bot fills no placeholders here"
    if used:
        said += "; this text uses " + ", ".join("{" + name + "}" for name in used)
    return "\n".join([note(f"UI text {text_id} ({said})"), template])
