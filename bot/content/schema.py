"""The content schema: what a maintainer may write under content/, as immutable pydantic models.

Every user-facing text carries Dutch and English. Ids are stable: history points at them.
"""

from __future__ import annotations

import re
import string
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.core.rules import PHASE_IDS

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")

PhaseId = Literal[PHASE_IDS]  # type: ignore[valid-type]  (the phases, named in core)

Level = Literal["none", "gp", "crisis"]
CountryCode = Literal["BE", "NL"]

_ID = r"^[a-z0-9][a-z0-9_.-]*$"


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(Model):
    """One user-facing text in both languages."""

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl

    def placeholders(self) -> set[str]:
        return {
            name
            for value in (self.nl, self.en)
            for _, name, _, _ in string.Formatter().parse(value)
            if name
        }


class Phase(Model):
    id: PhaseId
    number: int = Field(ge=1, le=8)
    title: Text
    summary: Text


ExerciseKind = Literal[
    "breathing",
    "muscle_relaxation",
    "body_scan",
    "grounding",
    "mindful_walk",
    "recovery_break",
    "visualisation",
    "self_compassion",
    "stretching",
]


class ExerciseStep(Model):
    seconds: int = Field(ge=5, le=300)
    text: Text


class Exercise(Model):
    id: str = Field(pattern=_ID)
    kind: ExerciseKind
    duration_minutes: int = Field(ge=1, le=30)
    phases: tuple[PhaseId, ...] = Field(min_length=1)
    energy: Literal["low"] | None = None
    source: str = ""
    title: Text
    intro: Text
    steps: tuple[ExerciseStep, ...] = Field(min_length=1)
    outro: Text


class Prompt(Model):
    id: str = Field(pattern=_ID)
    phase: PhaseId
    text: Text


# --- safety -----------------------------------------------------------------------------

CrisisCategory = Literal[
    "suicidal_ideation",
    "suicide_plan",
    "self_harm",
    "overdose",
    "acute_danger",
    # SAFETY.md: acute danger whoever is in it, and someone else in crisis.
    "danger_to_others",
    "danger_from_others",
    "other_person_crisis",
    "medical_emergency",
]
GpCategory = Literal[
    "depressive_signs",
    "trauma",
    "eating",
    "alcohol",
    "drugs",
    "medication",
    "gambling",
    "perception",
    "medical",
    "persistent_complaints",
    "compulsions",
    "sleep_mania",
    # thoughts of ending one's life or an attempt, told as the past (round 11)
    "past_suicidal",
]
CRISIS_CATEGORIES: tuple[str, ...] = CrisisCategory.__args__  # type: ignore[attr-defined]
GP_CATEGORIES: tuple[str, ...] = GpCategory.__args__  # type: ignore[attr-defined]


class SafetyRule(Model):
    """A family of phrases that signal one category. Matching logic lives in bot.core.safety."""

    id: str = Field(pattern=_ID)
    level: Literal["gp", "crisis"]
    category: str
    lang: Lang
    patterns: tuple[str, ...] = Field(min_length=1)
    # Sentences the rule must match and must not match: `content check` runs them.
    examples: tuple[str, ...] = Field(min_length=1)
    counter_examples: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _category_fits_level(self) -> SafetyRule:
        allowed = CRISIS_CATEGORIES if self.level == "crisis" else GP_CATEGORIES
        if self.category not in allowed:
            raise ValueError(
                f"category {self.category!r} does not belong to level {self.level!r}; "
                f"use one of: {', '.join(allowed)}"
            )
        return self


class SafetyLexicon(Model):
    """Words and phrases the matcher needs per language, kept as data for maintainers.

    `weakeners`, `negation_cancellers`, `present_markers`, `relapse`, `first_person`, `also`,
    `own` and `self_subject` are lists of single words, looked for in a text after
    `spellings` are applied (a spoken form listed in one counts as what it stands for). Every
    language's words serve every text, like the rest of the lexicon.
    """

    negations: tuple[str, ...]
    # After a negation these words mean "not so much" or "not only", not "not at all": "ik
    # denk niet zo vaak aan ..." still says the thought is there.
    weakeners: tuple[str, ...] = ()
    # A negation followed by one of these verbs negates the stopping, not what follows it:
    # "I can't stop thinking about killing myself", "ik kan niet stoppen met krassen", "ik
    # kan het niet laten", "I can't help crying" say the thing goes on ("meer"/"more" may
    # stand between). When the verb is part of the match itself, the negation is the
    # match's again: "ik wil niet stoppen met leven" is no wish to stop living.
    negation_cancellers: tuple[str, ...] = ()
    # Phrases that turn a negated statement back into an affirmed one ("but lately I do").
    reaffirmations: tuple[str, ...] = ()
    # Phrases that put a statement in the past ("vroeger"): crisis becomes gp advice.
    past_markers: tuple[str, ...] = ()
    # Words that put a clause in the present, so history told in it is current again: "I
    # used to be happy now I want to die". After a story's match they bring the story home.
    present_markers: tuple[str, ...] = ()
    # A question someone asked the writer, answered no ("ze vroeg of ik aan zelfmoord denk.
    # Nee."): a match inside it is not the writer's statement. May reach into the first words
    # of the next sentence, where the answer stands.
    answered_no: tuple[str, ...] = ()
    # Phrases that say a gp matter of the past is over ("nu gaat het al jaren goed met hem",
    # "ik ben nu drie jaar droog"): a gp rule's match told as the past (a past marker in its
    # sentence) that one follows, in its sentence or the next, is dropped. A crisis rule's
    # only when it is someone else's (see `self_subject`).
    resolved: tuple[str, ...] = ()
    # A gp matter said to be back ("ik gebruik weer"): `resolved` phrases do not clear it,
    # and after a story's match it brings the story home.
    relapse: tuple[str, ...] = ()
    # Phrases that explain a gp signal away ("bleek de radio van de buren", "turned out to
    # be heartburn"): a gp rule's match one follows, in its sentence or the next, is dropped.
    explained: tuple[str, ...] = ()
    # Phrases that say a sentence tells of a film, book, series, podcast or the news ("in de
    # serie die ik kijk", "on the news"): a match after it in that sentence is someone's
    # story, not the writer's, and is dropped, unless the message brings it home after the
    # match ("... en nu denk ik er zelf weer aan") or affirms it after all.
    stories: tuple[str, ...] = ()
    # A match that holds one of these is the writer's own, whatever story the sentence
    # began with.
    first_person: tuple[str, ...] = ()
    # With a first-person word after a story's match, these bring it home ("en ik wil dat
    # ook").
    also: tuple[str, ...] = ()
    # The writer's own self or thought after a story's match brings the story home ("ik
    # denk er zelf ook aan", "mijn eigen gedachten", "ik dacht: zo moet het"): it stands.
    own: tuple[str, ...] = ()
    # The writer as the subject of a sentence ("ik", "I"; not "mijn" or "me": "my sister told
    # me"): a crisis of the past told in a sentence without one, and called over after it
    # (`resolved`), is someone else's history and is dropped, unless brought home after.
    self_subject: tuple[str, ...] = ()
    # Everyday non-answers that are the whole message ("ik weet het niet", "nog iets", "I
    # don't know"): the learned layer does not read them (the rules still do). Blind writers
    # wrote such words into despair far more often than into a shrug, and the learned layer
    # sent GP advice, and an alert to the coach, for a plain "ik weet het niet". Only whole
    # messages: "ik weet het niet meer" is read as always.
    plain_answers: tuple[str, ...] = ()
    # Everyday idioms whose words must never count toward a match ("ik ben doodop").
    idioms: tuple[str, ...] = ()
    # Phrases that say a thing was done on purpose ("expres", "met opzet"): a sentence that
    # holds one is read without its idioms, so "expres verbrand aan het strijkijzer" is no
    # accident and "ik heb me bewust gesneden" is not blanked as a kitchen cut.
    on_purpose: tuple[str, ...] = ()
    # Spoken or regional spellings rewritten before matching ("nie" -> "niet").
    spellings: dict[str, str] = {}
    clause_breaks: tuple[str, ...] = ()


class SafetyRules(Model):
    lexicon: dict[Lang, SafetyLexicon]
    rules: tuple[SafetyRule, ...]


class Helpline(Model):
    name: str | Text
    phone: str | None = None
    phone_alt: str | None = None
    web: str | None = None


class CountryHelplines(Model):
    crisis: Helpline
    talk: Helpline
    emergency: Helpline
    gp_after_hours: Helpline
    # Violence at home and abuse: for victims and for people who fear they will use it.
    violence: Helpline


class Helplines(Model):
    countries: dict[CountryCode, CountryHelplines]
    verified: str


class EscalationTexts(Model):
    openers: dict[str, Text]
    body: Text
    # A category whose first help differs (112 and the violence line for danger, what to
    # do now for someone else in crisis) has a body of its own; the rest share `body`.
    bodies: dict[str, Text] = {}

    @field_validator("openers")
    @classmethod
    def _has_default(cls, openers: dict[str, Text]) -> dict[str, Text]:
        if "default" not in openers:
            raise ValueError("openers need a 'default' entry for categories without their own")
        return openers


class GpFollowup(Model):
    question: Text
    reached: Text
    not_yet: Text
    prepare: Text


class CrisisAsk(Model):
    """Asked after a crisis answer given on weaker evidence: plainly, with buttons."""

    question: Text
    # (Not `yes` and `no`: YAML 1.1 reads those keys as booleans.)
    answered_yes: Text
    answered_unsure: Text
    answered_no: Text


class CrisisFollowup(Model):
    """Asked the day after any crisis answer."""

    question: Text
    # Asked later than the day after (downtime, a coachee away): names the day ({day}).
    question_later: Text
    better: Text
    hard: Text
    help_now: Text


class Escalations(Model):
    crisis: EscalationTexts
    gp: EscalationTexts
    gp_followup: GpFollowup
    crisis_ask: CrisisAsk
    crisis_followup: CrisisFollowup


# --- questionnaires ---------------------------------------------------------------------


class AnswerOption(Model):
    value: int
    text: Text


class QuestionnaireItem(Model):
    id: str = Field(pattern=_ID)
    text: Text
    options: tuple[AnswerOption, ...] | None = None


class ScoreBand(Model):
    min: float
    label: Text


class ScoreRule(Model):
    id: str = Field(pattern=_ID)
    when: Literal["total", "item"]
    item: str | None = None
    min: float
    level: Level
    category: str

    @model_validator(mode="after")
    def _item_rule_names_item(self) -> ScoreRule:
        if self.when == "item" and not self.item:
            raise ValueError("a rule with when: item needs `item:` naming the item id")
        return self


class Subscale(Model):
    label: Text
    items: tuple[str, ...] = Field(min_length=1)


class Scoring(Model):
    method: Literal["sum", "mean"]
    bands: tuple[ScoreBand, ...] = ()
    rules: tuple[ScoreRule, ...] = ()


class Questionnaire(Model):
    id: str = Field(pattern=_ID)
    title: Text
    source: str = Field(min_length=1)
    licence: str = Field(min_length=1)
    intro: Text
    options: tuple[AnswerOption, ...] = ()
    items: tuple[QuestionnaireItem, ...] = Field(min_length=1)
    subscales: dict[str, Subscale] = {}
    scoring: Scoring

    def options_for(self, item: QuestionnaireItem) -> tuple[AnswerOption, ...]:
        return item.options or self.options


PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


# --- check-in rules ---------------------------------------------------------------------

CheckinMetric = Literal["energy", "stress", "sleep"]
# The scales of the daily check-in (bot.core.checkins): a threshold outside them is a typo.
CHECKIN_SCALES: dict[str, tuple[int, int]] = {"energy": (0, 10), "stress": (0, 10), "sleep": (1, 5)}
_PERSISTENT_LOW_ONLY = ("share",)
_NO_PROGRESS_ONLY = ("min_improvement", "compare_days")


class CheckinRuleExample(Model):
    """A made-up series of one metric that the rule must (or must not) fire on.

    `days` holds one value per calendar day, oldest first, the last one being today; a null
    (~) is a day without a check-in. `content check` runs every example.
    """

    days: tuple[int | None, ...] = Field(min_length=1)
    # Days since the coachee started; by default they started on the first day of `days`.
    coaching_days: int | None = Field(default=None, ge=0)
    fires: bool


class CheckinRule(Model):
    """A time rule on the daily check-ins. Evaluation lives in bot.core.checkin_rules.

    persistent_low: more than `share` of the check-in days in the last `window_days` were
      low (energy or sleep <= threshold; stress >= threshold).
    no_progress: after `min_coaching_days`, the mean of the last `compare_days` of the window
      improved by less than `min_improvement` on the first `compare_days` (for stress: went
      down by less) and is still low (<= threshold; stress >= threshold), so a coachee who
      is steady and well is left alone. The window never reaches back before the start.
    """

    id: str = Field(pattern=_ID)
    kind: Literal["persistent_low", "no_progress"]
    metric: CheckinMetric
    window_days: int = Field(ge=1, le=366)
    min_checkins: int = Field(ge=1)
    threshold: float
    share: float = Field(default=0.5, ge=0, lt=1)
    min_coaching_days: int = Field(default=0, ge=0)
    min_improvement: float = Field(default=1.0, gt=0)
    compare_days: int = Field(default=7, ge=1)
    level: Literal["gp"]
    category: Literal["persistent_complaints"]
    examples: tuple[CheckinRuleExample, ...] = ()

    @model_validator(mode="after")
    def _fits_its_kind(self) -> CheckinRule:
        low, high = CHECKIN_SCALES[self.metric]
        if self.min_checkins > self.window_days:
            raise ValueError(
                f"min_checkins ({self.min_checkins}) cannot exceed window_days "
                f"({self.window_days}): a window of N days holds at most N "
                "check-in days"
            )
        if not low <= self.threshold <= high:
            raise ValueError(
                f"threshold {self.threshold} is outside the {self.metric} scale of {low} to {high}"
            )
        if self.kind == "persistent_low":
            unused = [name for name in _NO_PROGRESS_ONLY if name in self.model_fields_set]
        else:
            unused = [name for name in _PERSISTENT_LOW_ONLY if name in self.model_fields_set]
            if 2 * self.compare_days > self.window_days:
                raise ValueError(
                    f"window_days ({self.window_days}) must hold two periods of "
                    f"compare_days ({self.compare_days}) to compare"
                )
        if unused:
            raise ValueError(f"{', '.join(unused)} has no effect on a {self.kind} rule; remove it")
        for example in self.examples:
            outside = [v for v in example.days if v is not None and not low <= v <= high]
            if outside:
                raise ValueError(
                    f"example values {outside} are outside the {self.metric} "
                    f"scale of {low} to {high}"
                )
        return self


class CheckinRules(Model):
    rules: tuple[CheckinRule, ...]

    @field_validator("rules")
    @classmethod
    def _unique_ids(cls, rules: tuple[CheckinRule, ...]) -> tuple[CheckinRule, ...]:
        ids = [rule.id for rule in rules]
        twice = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
        if twice:
            raise ValueError(f"rule ids must be unique; used more than once: {', '.join(twice)}")
        return rules
