"""`python -m bot content show <id>`: one content item as the coachee will see it, in a terminal.

For maintainers previewing a change before they put it live. An exercise, a reflection
prompt, a questionnaire and the check-in (`checkin`) are not rebuilt here: the preview runs
the use cases the bot runs (bot.services.exercise, reflection, questionnaire, checkin) for a
coachee of its own in a fresh store, taps the first button each time as the coachee could,
and words every message through bot.services.wording, as the bot does. So the preview cannot
drift from the chat. Buttons show as [ ... ] (a line per row), and the bot's timing and other
details on lines starting with `--`.

The crisis and GP answers (`crisis`, `gp`, `crisis:self_harm`, `gp:alcohol`, ... for the
opener of one category or source) are the safety service's messages (bot.services.safety).
A phase, a UI text id and `gp_followup` (the question after GP advice) are shown from
content (bot.content.show).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from bot.content.escalation_texts import SOURCE_OPENERS, opener_key
from bot.content.loader import Content
from bot.content.show import (
    GP_FOLLOWUP,
    RULE,
    UnknownItem,
    broken,
    buttons,
    escalation_ids,
    is_opener,
    note,
    render_gp_followup,
    render_phase,
    render_ui_text,
    scoring_notes,
)
from bot.core.models import Consent, Escalation, EscalationSource, Profile
from bot.core.ports import Repository
from bot.core.profiles import COUNTRY_TIMEZONES
from bot.core.rules import Exercise, Prompt, Questionnaire
from bot.services import actions, checkin, exercise, questionnaire, reflection, safety
from bot.services.outcome import Choice, Choices, Escalate, Message, Outcome, Text
from bot.services.wording import render_text

__all__ = ["CHECKIN", "UnknownItem", "all_ids", "closest_ids", "render_item"]

CHECKIN = "checkin"
# The preview's coachee, alone in a store of its own; the message it taps is number 1.
PREVIEW_USER = 1
QUESTION_ID = 1
T = TypeVar("T")
NewRepository = Callable[[], Repository]
# What a use case may raise on content that loads but is not right (a UI text with a
# placeholder the bot does not fill, a prompt of a phase that is not there): the preview
# says so instead of a traceback.
BROKEN = (KeyError, IndexError, ValueError, StopIteration)


def all_ids(content: Content) -> list[str]:
    """Every id `content show` knows, in the order `render_item` looks for them."""
    return [
        *content.exercises,
        *(p.id for p in content.prompts),
        *(p.id for p in content.phases),
        *content.questionnaires,
        CHECKIN,
        *escalation_ids(content),
        GP_FOLLOWUP,
        *sorted(content.texts),
    ]


def closest_ids(content: Content, item_id: str, n: int = 5) -> list[str]:
    return difflib.get_close_matches(item_id, all_ids(content), n=n, cutoff=0.5)


def render_item(
    content: Content,
    item_id: str,
    lang: str = "nl",
    country: str = "BE",
    *,
    new_repository: NewRepository,
    now: datetime | None = None,
) -> str:
    """The item as the coachee sees it; UnknownItem (with the closest ids) if there is none.
    `new_repository` gives an empty store for each preview (the in-memory one)."""
    at = now or datetime.now(UTC)

    def coachee(phase: str = "analysis") -> Coachee:
        return Coachee.new(content, new_repository(), lang, country, at, phase)

    shown: list[str] = []
    if item_id in content.exercises:
        shown.append(coachee().shown(show_exercise, content.exercises[item_id]))
    prompt = next((p for p in content.prompts if p.id == item_id), None)
    if prompt is not None:
        shown.append(coachee(prompt.phase).shown(show_prompt, prompt))
    if any(p.id == item_id for p in content.phases):
        shown.append(render_phase(content, item_id, lang))
    if item_id in content.questionnaires:
        shown.append(coachee().shown(show_questionnaire, content.questionnaires[item_id]))
    if item_id == CHECKIN:
        shown.append(coachee().shown(show_checkin))
    level, _, category = item_id.partition(":")
    if is_opener(content, level, category):
        shown.append(coachee().shown(show_escalation, level, category or "default"))
    if item_id == GP_FOLLOWUP:
        shown.append(render_gp_followup(content, lang))
    if item_id in content.texts:
        shown.append(render_ui_text(content, item_id, lang))
    if not shown:
        raise UnknownItem(item_id, closest_ids(content, item_id))
    return f"\n{RULE}\n".join(shown)


# --- the preview's coachee --------------------------------------------------------------------


@dataclass
class Coachee:
    """A coachee who consented just now, in the preview's language and country, alone in a
    fresh store; and the lines of what they were told."""

    content: Content
    repository: Repository
    lang: str
    country: str
    now: datetime
    lines: list[str] = field(default_factory=list)
    messages: int = 0

    @classmethod
    def new(
        cls,
        content: Content,
        repository: Repository,
        lang: str,
        country: str,
        now: datetime,
        phase: str,
    ) -> Coachee:
        profile = Profile(
            user_id=PREVIEW_USER,
            chat_id=PREVIEW_USER,
            lang=lang,
            country=country,
            timezone=COUNTRY_TIMEZONES.get(country, "Europe/Brussels"),
            consent=Consent(given_at=now),
            created_at=now,
            phase=phase,
        )
        with repository.unit_of_work(PREVIEW_USER) as coachee:
            coachee.record_consent()
            coachee.save_profile(profile)
        return cls(content, repository, lang, country, now)

    def run(self, use_case: Callable[..., T], *args: Any) -> T:
        """A use case in one unit of work of this coachee, as the bot runs it."""
        with self.repository.unit_of_work(PREVIEW_USER) as coachee:
            return use_case(coachee, *args)

    def shown(self, preview: Callable[..., None], *args: Any) -> str:
        """The lines `preview` writes; where the content breaks a use case, what was shown
        so far and a line that says so."""
        try:
            preview(self, *args)
        except BROKEN as exc:
            self.lines.append(
                f"[the bot cannot go on here ({type(exc).__name__}: {exc}): "
                "run `python -m bot content check`]"
            )
        return "\n".join(self.lines)

    def note(self, *notes: str) -> None:
        self.lines += [note(text) for text in notes]

    def said(self, message: Message, *notes: str) -> None:
        """One message: its notes, its words, its buttons a row to a line."""
        if self.messages:
            self.lines.append("")
        self.messages += 1
        if message.edit:
            notes = (*notes, "in place of the message whose button was pressed")
        self.note(*notes)
        self.lines.append("\n\n".join(self.words(part) for part in message.body))
        if message.choices:
            self.lines.append(buttons(*self.labels(message.choices)))

    def said_all(self, outcome: Outcome, *notes: str) -> None:
        for number, message in enumerate(outcome.messages):
            self.said(message, *(notes if number == 0 else ()))
        for effect in outcome.effects:
            if isinstance(effect, Escalate):
                level, category = effect.escalation.level, effect.escalation.category
                self.note(f"then the {level} answer: `content show {level}:{category}`")

    def words(self, text: Text) -> str:
        try:
            return render_text(self.content, text, self.lang)
        except BROKEN:
            return broken(self.content, text.id)

    def labels(self, choices: Choices) -> list[list[str]]:
        return [[self.words(choice.label) for choice in row] for row in choices]


def first_choice(message: Message, action: str) -> Choice | None:
    return next((c for row in message.choices for c in row if c.action == action), None)


# --- what a use case says ---------------------------------------------------------------------


def show_exercise(coachee: Coachee, shown: Exercise) -> None:
    """The intro, then 'Start' and 'Next' on every step, as the bot sends them."""
    content, lang = coachee.content, coachee.lang
    total = len(shown.steps)
    seconds = sum(step.seconds for step in shown.steps)
    coachee.note(
        f"exercise {shown.id} ({shown.kind}), {shown.duration_minutes} min, "
        f"steps {seconds} s in all; phases: {', '.join(shown.phases)}"
        + (f"; energy: {shown.energy}" if shown.energy else "")
    )
    intro = exercise.pick(content, shown.id, lang)
    coachee.said_all(intro)
    start = first_choice(intro.messages[0], actions.EXERCISE_START)
    if start is None:
        return
    run, index = str(start.args[-1]), 0
    for _ in range(total + 1):
        step = coachee.run(exercise.step, shown.id, run, index, (), content, lang)
        if step is None:
            return
        if step.seconds is None:
            coachee.said(step.message, "after the last step")
        else:
            coachee.said(
                step.message,
                f"step {index + 1} of {total}: {step.seconds:g} s until the next message",
            )
        following = first_choice(step.message, actions.EXERCISE_STEP)
        if following is None:
            break
        index = int(cast(int, following.args[1]))
    if shown.source:
        coachee.lines += ["", note(f"source: {shown.source}")]


def show_prompt(coachee: Coachee, prompt: Prompt) -> None:
    """/reflect for a coachee in the prompt's phase, who has answered its other prompts."""
    others = tuple(p.id for p in coachee.content.prompts_for(prompt.phase) if p.id != prompt.id)
    coachee.note(f"reflection prompt {prompt.id}, phase {prompt.phase}")
    asked = coachee.run(reflection.ask, PREVIEW_USER, coachee.now, coachee.content, others)
    coachee.said_all(asked)


def show_questionnaire(coachee: Coachee, shown: Questionnaire) -> None:
    """Every item as the bot asks it, tapping the first answer that does not end it (a
    crisis answer does, at once), then the result."""
    content, lang = coachee.content, coachee.lang
    coachee.note(f"questionnaire {shown.id}: {shown.title.get(lang)}")
    answered = coachee.run(
        questionnaire.answer, shown.id, questionnaire.START, coachee.now, content, lang
    )
    for item in shown.items:
        if not answered.messages:
            break
        values = ", ".join(str(option.value) for option in shown.options_for(item))
        asked = answered.messages[-1]
        coachee.said_all(answered, f"item {item.id}; the buttons give {values}")
        for row in asked.choices:
            answered = coachee.run(
                questionnaire.answer, shown.id, str(row[0].args[1]), coachee.now, content, lang
            )
            if answered.messages:
                break
    if answered.messages:
        coachee.said_all(answered, "the result, after the first answer of every item")
    coachee.lines += ["", *scoring_notes(shown, lang)]


def show_checkin(coachee: Coachee) -> None:
    """/checkin, then the first button of energy, stress and sleep."""
    content = coachee.content
    feedback = sorted(text_id for text_id in content.texts if text_id.startswith("checkin.ack."))
    coachee.note(
        "the daily check-in: its buttons carry the answers so far; it is stored when sleep "
        "is given",
        "the acknowledgement's first line depends on the answers and the days before: "
        + ", ".join(feedback),
    )
    answered = coachee.run(checkin.start_checkin, coachee.now)
    coachee.said_all(answered)
    for _ in range(3):  # energy, stress, sleep
        tap = first_choice(answered.messages[-1], actions.CHECKIN) if answered.messages else None
        if tap is None:
            return
        day, *given = tap.args
        answered = coachee.run(
            checkin.answer_checkin,
            str(day),
            tuple(int(cast(int, value)) for value in given),
            QUESTION_ID,
            PREVIEW_USER,
            coachee.now,
            content,
        )
        coachee.said_all(answered, f"after [ {coachee.words(tap.label)} ]")


def show_escalation(coachee: Coachee, level: str, category: str) -> None:
    """The crisis answer or the GP advice, as the safety service says it."""
    content, lang, country = coachee.content, coachee.lang, coachee.country
    source = category if category in (*SOURCE_OPENERS, "followup") else "text"
    escalation = Escalation(
        level="crisis" if level == "crisis" else "gp",
        source=cast(EscalationSource, source),
        rule="preview",
        category=category,
        at=coachee.now,
    )
    if level == "crisis":
        answer = safety.crisis_answer(content, escalation, lang, country)
    else:
        answer = safety.gp_advice(content, escalation, lang, country)
    openers = getattr(content.escalations, level).openers
    opener = opener_key(source, category)
    opener = opener if opener in openers else "default"
    text = "\n\n".join(coachee.words(part) for part in answer.body)
    coachee.said(
        answer,
        f"{level} escalation, opener {opener!r}, help lines of {country}, {len(text)} characters",
    )
