"""Scoring a questionnaire: the score, its band, and the level its rules call for.

A pure function of (questionnaire from content, answers). Content says what counts (the
scoring method, the bands and the rules, e.g. PHQ-9 item 9 above 0 is crisis); this module
owns how answers become a score and which rules fire. A result is a screening aid, never a
diagnosis: the words that present it are content too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import fmean

from bot.core.models import Profile, QuestionnaireResult, ReminderMark, utc
from bot.core.rules import Questionnaire, QuestionnaireItem, ScoreBand, ScoreRule
from bot.core.safety import LEVEL_ORDER

# A mean moves in steps such as 1/12: keep 31/12 >= 2.54-style comparisons, and a mean that
# lands exactly on a cut-off, from falling on the wrong side through float rounding.
_EPSILON = 1e-9


@dataclass(frozen=True)
class QuestionnaireOutcome:
    questionnaire_id: str
    score: float  # sum or mean of the item answers, per scoring.method
    band: ScoreBand | None  # the highest band whose min <= score
    level: str  # "none" | "gp" | "crisis": the highest level of any rule that fired
    fired: tuple[ScoreRule, ...]  # every rule that fired, highest level first
    subscales: dict[str, float]  # subscale id -> score, same method as the total


def score_answers(questionnaire: Questionnaire, answers: Mapping[str, int]) -> QuestionnaireOutcome:
    """Score a finished questionnaire; ValueError when an answer is missing or not an option."""
    items = {item.id: item for item in questionnaire.items}
    unknown = sorted(set(answers) - set(items))
    if unknown:
        raise ValueError(f"{questionnaire.id}: answers for items it does not have: {unknown}")
    missing = [item_id for item_id in items if item_id not in answers]
    if missing:
        raise ValueError(f"{questionnaire.id}: no answer for {missing}")
    for item in questionnaire.items:
        _check_answer(questionnaire, item, answers[item.id])

    score = _combine(questionnaire, answers.values())
    fired = [
        rule
        for rule in questionnaire.scoring.rules
        if _at_least(
            score if rule.when == "total" else answers[_item(items, rule.item).id], rule.min
        )
    ]
    # Highest level first; within a level, the order the maintainer wrote them in.
    fired.sort(key=lambda rule: -LEVEL_ORDER[rule.level])
    return QuestionnaireOutcome(
        questionnaire_id=questionnaire.id,
        score=score,
        band=band_for(questionnaire, score),
        level=fired[0].level if fired else "none",
        fired=tuple(fired),
        subscales={
            name: _combine(
                questionnaire, (answers[_item(items, item_id).id] for item_id in subscale.items)
            )
            for name, subscale in questionnaire.subscales.items()
        },
    )


def first_crisis_item(questionnaire: Questionnaire, item_id: str, value: int) -> ScoreRule | None:
    """The crisis rule this single answer fires, if any, so the chat can answer at once.

    PHQ-9 item 9 above 0 is crisis at once, whatever the total (SAFETY.md): the coachee must
    not first answer the remaining items, or walk away from them, before seeing the help line.
    """
    item = _item({item.id: item for item in questionnaire.items}, item_id)
    _check_answer(questionnaire, item, value)
    return next(
        (
            rule
            for rule in questionnaire.scoring.rules
            if rule.when == "item"
            and rule.item == item_id
            and rule.level == "crisis"
            and _at_least(value, rule.min)
        ),
        None,
    )


QUESTIONNAIRE_WEEKS_CHOICES = (2, 4, 8)


def questionnaire_offer_due(
    profile: Profile,
    results: Iterable[QuestionnaireResult],
    offers: Iterable[ReminderMark],
    today: date,
    now: datetime,
) -> bool:
    """Whether to offer a questionnaire after today's check-in: on the schedule the coachee
    set, at most once a day, and not again until the chosen number of weeks has passed since
    the last one filled in."""
    if profile.questionnaire_weeks is None:
        return False
    if any(o.kind == "questionnaire" and o.local_date == today for o in offers):
        return False
    last = max((r.at for r in results), default=None)
    return last is None or utc(now) - utc(last) >= timedelta(weeks=profile.questionnaire_weeks)


def band_for(questionnaire: Questionnaire, score: float) -> ScoreBand | None:
    """The band with the highest min that the score reaches; None below every band."""
    reached = [band for band in questionnaire.scoring.bands if _at_least(score, band.min)]
    return max(reached, key=lambda band: band.min, default=None)


def questionnaire_result(
    questionnaire: Questionnaire,
    answers: Mapping[str, int],
    outcome: QuestionnaireOutcome,
    at: datetime,
) -> QuestionnaireResult:
    """The record to store: answers in the questionnaire's own item order."""
    return QuestionnaireResult(
        questionnaire_id=questionnaire.id,
        at=utc(at),
        answers=tuple((item.id, answers[item.id]) for item in questionnaire.items),
        score=outcome.score,
        level=outcome.level,
    )


def _check_answer(questionnaire: Questionnaire, item: QuestionnaireItem, value: int) -> None:
    allowed = [option.value for option in questionnaire.options_for(item)]
    # bool is an int in Python; True must not pass as the answer 1.
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise ValueError(
            f"{questionnaire.id}: {value!r} is not an answer to {item.id}; allowed: {allowed}"
        )


def _item(items: Mapping[str, QuestionnaireItem], item_id: str | None) -> QuestionnaireItem:
    if item_id is None or item_id not in items:
        raise ValueError(f"there is no item {item_id!r}; items: {', '.join(items)}")
    return items[item_id]


def _combine(questionnaire: Questionnaire, values: Iterable[int]) -> float:
    values = list(values)
    if questionnaire.scoring.method == "mean":
        return fmean(values)
    return float(sum(values))


def _at_least(value: float, minimum: float) -> bool:
    return value >= minimum - _EPSILON
