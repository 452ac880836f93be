"""`python -m bot content show <id>`: one content item as the coachee will see it, in a terminal.

For maintainers previewing a change before they put it live. The messages are built from the
same UI texts the bot uses (`exercise.intro`, `exercise.step`, `reflect.prompt`, ...), with
buttons shown as [ ... ] and the bot's timing and metadata on lines starting with `--`.

Ids: an exercise, prompt, phase, questionnaire or UI text id; `crisis` or `gp` for an
escalation (`crisis:self_harm`, `gp:alcohol`, ... for the opener of one category or source);
`gp_followup` for the question after GP advice.
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Sequence

from bot.content.escalation_texts import SOURCE_OPENERS, escalation_text
from bot.content.loader import Content
from bot.content.schema import CRISIS_CATEGORIES, GP_CATEGORIES
from bot.content.ui_texts import UI_TEXTS
from bot.core.rules import Exercise, Questionnaire

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


def all_ids(content: Content) -> list[str]:
    """Every id `content show` knows, in the order of the kinds above."""
    escalations = [
        f"{level}:{category}"
        for level in ESCALATION_LEVELS
        for category in getattr(content.escalations, level).openers
        if category != "default"
    ]
    return [
        *content.exercises,
        *(p.id for p in content.prompts),
        *(p.id for p in content.phases),
        *content.questionnaires,
        *ESCALATION_LEVELS,
        *escalations,
        GP_FOLLOWUP,
        *sorted(content.texts),
    ]


def closest_ids(content: Content, item_id: str, n: int = 5) -> list[str]:
    return difflib.get_close_matches(item_id, all_ids(content), n=n, cutoff=0.5)


def render_item(content: Content, item_id: str, lang: str = "nl", country: str = "BE") -> str:
    """The item as the coachee sees it; UnknownItem (with the closest ids) if there is none."""
    shown = []
    if item_id in content.exercises:
        shown.append(render_exercise(content, content.exercises[item_id], lang))
    prompt = next((p for p in content.prompts if p.id == item_id), None)
    if prompt is not None:
        shown.append(render_prompt(content, item_id, lang))
    if any(p.id == item_id for p in content.phases):
        shown.append(render_phase(content, item_id, lang))
    if item_id in content.questionnaires:
        shown.append(render_questionnaire(content, content.questionnaires[item_id], lang))
    level, _, category = item_id.partition(":")
    if level in ESCALATION_LEVELS and _is_opener(content, level, category):
        shown.append(render_escalation(content, level, category or "default", lang, country))
    if item_id == GP_FOLLOWUP:
        shown.append(render_gp_followup(content, lang))
    if item_id in content.texts:
        shown.append(render_ui_text(content, item_id, lang))
    if not shown:
        raise UnknownItem(item_id, closest_ids(content, item_id))
    return f"\n{RULE}\n".join(shown)


def _is_opener(content: Content, level: str, category: str) -> bool:
    if not category:
        return True
    known = CRISIS_CATEGORIES if level == "crisis" else GP_CATEGORIES
    openers = getattr(content.escalations, level).openers
    return category in openers or category in known or category in SOURCE_OPENERS


# --- pieces -------------------------------------------------------------------------------


def _ui(content: Content, text_id: str, lang: str, **values: object) -> str:
    """A UI text as the bot fills it; a visible marker instead of a crash when it is broken."""
    if text_id not in content.texts:
        return f"[missing UI text {text_id!r}: run `python -m bot content check`]"
    try:
        return content.text(text_id, lang, **values)
    except (KeyError, IndexError, ValueError):
        return f"[UI text {text_id!r} cannot be filled: run `python -m bot content check`]"


def _buttons(*rows: Sequence[str]) -> str:
    return "\n".join(" ".join(f"[ {label} ]" for label in row) for row in rows)


def _note(text: str) -> str:
    return f"-- {text}"


def render_exercise(content: Content, exercise: Exercise, lang: str) -> str:
    total = len(exercise.steps)
    seconds = sum(step.seconds for step in exercise.steps)
    lines = [
        _note(
            f"exercise {exercise.id} ({exercise.kind}), {exercise.duration_minutes} min, "
            f"steps {seconds} s in all; phases: {', '.join(exercise.phases)}"
            + (f"; energy: {exercise.energy}" if exercise.energy else "")
        ),
        _ui(
            content,
            "exercise.intro",
            lang,
            title=exercise.title.get(lang),
            minutes=exercise.duration_minutes,
            intro=exercise.intro.get(lang),
        ),
        _buttons(
            [_ui(content, "exercise.start", lang)],
            [_ui(content, "exercise.later", lang), _ui(content, "exercise.skip", lang)],
        ),
    ]
    for number, step in enumerate(exercise.steps, start=1):
        lines += [
            "",
            _note(f"step {number} of {total}: {step.seconds} s until the next message"),
            _ui(content, "exercise.step", lang, number=number, total=total),
            step.text.get(lang),
            _buttons([_ui(content, "exercise.next", lang), _ui(content, "exercise.stop", lang)]),
        ]
    lines += [
        "",
        _note("after the last step"),
        exercise.outro.get(lang),
        _buttons([_ui(content, "exercise.done", lang), _ui(content, "exercise.again_later", lang)]),
    ]
    if exercise.source:
        lines += ["", _note(f"source: {exercise.source}")]
    return "\n".join(lines)


def render_prompt(content: Content, prompt_id: str, lang: str) -> str:
    prompt = next(p for p in content.prompts if p.id == prompt_id)
    phase = content.phase(prompt.phase).title.get(lang)
    return "\n".join(
        [
            _note(f"reflection prompt {prompt.id}, phase {prompt.phase}"),
            _ui(content, "reflect.prompt", lang, phase=phase, prompt=prompt.text.get(lang)),
            _buttons([_ui(content, "reflect.other", lang), _ui(content, "reflect.later", lang)]),
        ]
    )


def render_phase(content: Content, phase_id: str, lang: str) -> str:
    phase = content.phase(phase_id)
    prompts = [p.id for p in content.prompts_for(phase_id)]
    exercises = [e.id for e in content.exercises.values() if phase_id in e.phases]
    return "\n".join(
        [
            _note(f"phase {phase.id}, number {phase.number} of 8"),
            phase.title.get(lang),
            phase.summary.get(lang),
            "",
            _note(f"{len(prompts)} prompts: {', '.join(prompts) or 'none'}"),
            _note(f"{len(exercises)} exercises: {', '.join(exercises) or 'none'}"),
        ]
    )


def render_questionnaire(content: Content, questionnaire: Questionnaire, lang: str) -> str:
    q = questionnaire
    total = len(q.items)
    lines = [_note(f"questionnaire {q.id}: {q.title.get(lang)}"), q.title.get(lang), ""]
    for number, item in enumerate(q.items, start=1):
        if number == 1:
            lines += [q.intro.get(lang), ""]
        lines += [
            _note(f"item {item.id}"),
            _ui(content, "questionnaire.counter", lang, number=number, total=total),
            item.text.get(lang),
            _buttons(
                *([f"{option.text.get(lang)} ({option.value})"] for option in q.options_for(item))
            ),
            "",
        ]
    score = "the sum of the answers" if q.scoring.method == "sum" else "the mean of the answers"
    lines.append(_note(f"scoring: {score}"))
    for band in sorted(q.scoring.bands, key=lambda band: band.min):
        lines.append(_note(f"from {band.min:g}: {band.label.get(lang)}"))
    for rule in q.scoring.rules:
        what = "score" if rule.when == "total" else f"answer to {rule.item}"
        lines.append(
            _note(f"rule {rule.id}: {what} >= {rule.min:g} -> {rule.level} ({rule.category})")
        )
    for name, subscale in q.subscales.items():
        lines.append(
            _note(f"subscale {name} ({subscale.label.get(lang)}): {', '.join(subscale.items)}")
        )
    lines += [
        "",
        _note("the result message:"),
        _ui(
            content, "questionnaire.result", lang, title=q.title.get(lang), band="<the band's text>"
        ),
    ]
    return "\n".join(lines)


def render_escalation(content: Content, level: str, category: str, lang: str, country: str) -> str:
    message = escalation_text(content, level, category, lang, country)
    openers = getattr(content.escalations, level).openers
    opener = category if category in openers else "default"
    lines = [
        _note(
            f"{level} escalation, opener {opener!r}, help lines of {country}, "
            f"{len(message)} characters"
        ),
        message,
    ]
    if level == "crisis":
        lines.append(
            _buttons(
                [_ui(content, "crisis.ground_button", lang)],
                [_ui(content, "crisis.ok_button", lang)],
            )
        )
    return "\n".join(lines)


def render_gp_followup(content: Content, lang: str) -> str:
    followup = content.escalations.gp_followup
    lines = [
        _note("a day after GP advice"),
        followup.question.get(lang),
        _buttons(
            *(
                [_ui(content, f"gp_followup.{choice}", lang)]
                for choice in ("reached", "not_yet", "prepare")
            )
        ),
    ]
    for choice in ("reached", "not_yet", "prepare"):
        lines += [
            "",
            _note(f"after {_ui(content, f'gp_followup.{choice}', lang)!r}"),
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
        note = "the bot does not use this id"
    elif filled:
        note = "the bot fills " + ", ".join("{" + name + "}" for name in filled)
    else:
        note = "the bot fills no placeholders here"
    if used:
        note += "; this text uses " + ", ".join("{" + name + "}" for name in used)
    return "\n".join([_note(f"UI text {text_id} ({note})"), template])
