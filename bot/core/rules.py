"""What the domain reads from content: exercises, prompts, questionnaires and the safety and
check-in rules, as core's own frozen values.

bot.content validates what a maintainer wrote (pydantic, with line numbers for every problem)
and its loader turns the valid models into these, so the domain imports no framework and a
rule can be built in a test without any YAML. Names and methods are the content schema's
(bot/content/schema.py): what a maintainer writes there is what the code reads here. The
values were checked at the edge; these types check nothing again.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

# The eight phases of a coaching plan, in their order (the content schema takes them from
# here, so a phase is named in one place).
PHASE_IDS: tuple[str, ...] = (
    "orientation",
    "analysis",
    "recovery",
    "coping",
    "competencies",
    "drives",
    "environment",
    "return",
)

# --- texts ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalText:
    """One text a coachee reads, in Dutch and in English."""

    nl: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl

    def placeholders(self) -> set[str]:
        return {
            name
            for value in (self.nl, self.en)
            for _, name, _, _ in string.Formatter().parse(value)
            if name
        }


# --- exercises and prompts -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseStep:
    seconds: int
    text: LocalText


@dataclass(frozen=True, slots=True, kw_only=True)
class Exercise:
    id: str
    kind: str  # "breathing", "grounding", ...: the crisis answer offers a grounding one
    duration_minutes: int
    phases: tuple[str, ...]
    energy: str | None  # "low": restorative, offered first on a low-energy day
    source: str
    title: LocalText
    intro: LocalText
    steps: tuple[ExerciseStep, ...]
    outro: LocalText


@dataclass(frozen=True, slots=True, kw_only=True)
class Prompt:
    """A reflection question for one phase."""

    id: str
    phase: str
    text: LocalText


# --- safety rules --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyRule:
    """A family of phrases that signal one category; bot.core.safety owns how they match."""

    id: str
    level: str  # "gp" | "crisis"
    category: str
    lang: str
    patterns: tuple[str, ...]
    # Sentences the rule must match and must not match: `content check` runs them.
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyLexicon:
    """Words and phrases the matcher needs for one language (see the content schema)."""

    negations: tuple[str, ...]
    weakeners: tuple[str, ...] = ()
    negation_cancellers: tuple[str, ...] = ()
    reaffirmations: tuple[str, ...] = ()
    past_markers: tuple[str, ...] = ()
    present_markers: tuple[str, ...] = ()
    answered_no: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()
    relapse: tuple[str, ...] = ()
    explained: tuple[str, ...] = ()
    stories: tuple[str, ...] = ()
    first_person: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    own: tuple[str, ...] = ()
    self_subject: tuple[str, ...] = ()
    plain_answers: tuple[str, ...] = ()
    idioms: tuple[str, ...] = ()
    on_purpose: tuple[str, ...] = ()
    spellings: Mapping[str, str] = field(default_factory=dict)
    clause_breaks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyRules:
    lexicon: Mapping[str, SafetyLexicon]  # by language
    rules: tuple[SafetyRule, ...]  # in content order: the first one written decides a tie


# --- questionnaires ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerOption:
    value: int
    text: LocalText


@dataclass(frozen=True, slots=True, kw_only=True)
class QuestionnaireItem:
    id: str
    text: LocalText
    options: tuple[AnswerOption, ...] | None = None  # None: the questionnaire's own options


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreBand:
    min: float
    label: LocalText


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreRule:
    """A level a score calls for: on the total, or on one item (PHQ-9 item 9 above 0)."""

    id: str
    when: Literal["total", "item"]
    item: str | None
    min: float
    level: str  # "none" | "gp" | "crisis"
    category: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscale:
    label: LocalText
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Scoring:
    method: Literal["sum", "mean"]
    bands: tuple[ScoreBand, ...] = ()
    rules: tuple[ScoreRule, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Questionnaire:
    id: str
    title: LocalText
    source: str
    licence: str
    intro: LocalText
    options: tuple[AnswerOption, ...]
    items: tuple[QuestionnaireItem, ...]
    subscales: Mapping[str, Subscale]
    scoring: Scoring

    def options_for(self, item: QuestionnaireItem) -> tuple[AnswerOption, ...]:
        return item.options or self.options


# --- check-in rules ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckinRuleExample:
    """A made-up series of one metric, one value per day (None: no check-in), oldest first."""

    days: tuple[int | None, ...]
    coaching_days: int | None  # days since the start; None: the first day of `days`
    fires: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckinRule:
    """A time rule on the daily check-ins; what each number means is in the content schema,
    how a series is read against them in bot.core.checkin_rules."""

    id: str
    kind: Literal["persistent_low", "no_progress"]
    metric: str  # "energy" | "stress" | "sleep"
    window_days: int
    min_checkins: int
    threshold: float
    share: float
    min_coaching_days: int
    min_improvement: float
    compare_days: int
    level: str
    category: str
    examples: tuple[CheckinRuleExample, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckinRules:
    rules: tuple[CheckinRule, ...]
