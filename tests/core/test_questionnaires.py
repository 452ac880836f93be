"""Questionnaire scoring against the shipped PHQ-9 and AUDIT-C and the BAT-12 test fixture."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from bot.content import schema
from bot.content.loader import core_questionnaire
from bot.core.questionnaires import (
    band_for,
    first_crisis_item,
    questionnaire_result,
    score_answers,
)
from bot.core.rules import Questionnaire

ROOT = Path(__file__).resolve().parents[2]


def load(path: Path) -> Questionnaire:
    # Each file on its own: the rest of content/ may be mid-edit by someone else. Validated
    # as the loader does, and handed over as core's own type, as the loader does.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return core_questionnaire(schema.Questionnaire.model_validate(data))


PHQ9 = load(ROOT / "content/questionnaires/phq9.yaml")
AUDITC = load(ROOT / "content/questionnaires/auditc.yaml")
BAT12 = load(ROOT / "tests/fixtures/questionnaires/bat12-fixture.yaml")


def phq9(*values: int) -> dict[str, int]:
    """Answers to PHQ-9 items 1 to 9 in order; missing trailing items answer 0."""
    padded = list(values) + [0] * (9 - len(values))
    return {f"phq9-{number}": value for number, value in enumerate(padded, start=1)}


def bat12_with_sum(total: int) -> dict[str, int]:
    """BAT-12 answers (1 to 5 each) that add up to `total`, filled from item 1 on."""
    assert 12 <= total <= 60
    answers, extra = {}, total - 12
    for number in range(1, 13):
        step = min(4, extra)
        answers[f"bat12-{number}"] = 1 + step
        extra -= step
    assert sum(answers.values()) == total
    return answers


# --- PHQ-9 ------------------------------------------------------------------------------


def test_phq9_no_complaints_scores_zero_with_no_rule_and_the_lowest_band():
    outcome = score_answers(PHQ9, phq9())

    assert outcome.questionnaire_id == "phq9"
    assert outcome.score == 0
    assert outcome.band is not None and outcome.band.min == 0
    assert outcome.level == "none"
    assert outcome.fired == ()
    assert outcome.subscales == {}


def test_phq9_total_of_10_is_gp_advice_and_9_is_not():
    nine = score_answers(PHQ9, phq9(3, 3, 3))
    ten = score_answers(PHQ9, phq9(3, 3, 3, 1))

    assert (nine.score, nine.level, nine.fired) == (9, "none", ())
    assert ten.score == 10
    assert ten.level == "gp"
    assert [rule.id for rule in ten.fired] == ["phq9-total-10"]


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_above_zero_is_crisis_whatever_the_total(item9):
    outcome = score_answers(PHQ9, phq9(0, 0, 0, 0, 0, 0, 0, 0, item9))

    assert outcome.score == item9
    assert outcome.level == "crisis"
    assert [rule.id for rule in outcome.fired] == ["phq9-item9"]


def test_phq9_item9_at_zero_is_not_crisis_even_with_the_highest_other_answers():
    outcome = score_answers(PHQ9, phq9(3, 3, 3, 3, 3, 3, 3, 3, 0))

    assert outcome.score == 24
    assert outcome.level == "gp"


def test_phq9_every_fired_rule_is_listed_highest_level_first():
    outcome = score_answers(PHQ9, phq9(3, 3, 3, 3, 3, 3, 3, 3, 3))

    assert outcome.score == 27
    assert outcome.level == "crisis"
    assert [(rule.id, rule.level) for rule in outcome.fired] == [
        ("phq9-item9", "crisis"),
        ("phq9-total-10", "gp"),
    ]


@pytest.mark.parametrize(
    ("total", "band_min"),
    [(0, 0), (4, 0), (5, 5), (9, 5), (10, 10), (14, 10), (15, 15), (19, 15), (20, 20), (27, 20)],
)
def test_phq9_bands_start_at_5_10_15_20(total, band_min):
    # Fill from item 1 on: item 9 stays 0 below the maximum of 27.
    threes, rest = divmod(total, 3)
    answers = phq9(*([3] * threes + ([rest] if rest else [])))
    assert answers["phq9-9"] == 0 or total == 27
    outcome = score_answers(PHQ9, answers)

    assert outcome.score == total
    assert outcome.band is not None and outcome.band.min == band_min


def test_a_missing_answer_is_refused():
    answers = phq9()
    del answers["phq9-9"]

    with pytest.raises(ValueError, match=r"no answer for.*phq9-9"):
        score_answers(PHQ9, answers)


@pytest.mark.parametrize("value", [4, -1, True, "1", 1.0])
def test_an_answer_that_is_not_an_option_is_refused(value):
    answers = phq9()
    answers["phq9-3"] = value

    with pytest.raises(ValueError, match="phq9-3"):
        score_answers(PHQ9, answers)


def test_an_answer_to_an_item_the_questionnaire_does_not_have_is_refused():
    with pytest.raises(ValueError, match="phq9-10"):
        score_answers(PHQ9, {**phq9(), "phq9-10": 0})


# --- the crisis item, answered on its own -----------------------------------------------


@pytest.mark.parametrize("value", [1, 2, 3])
def test_first_crisis_item_escalates_the_moment_item9_is_answered_above_zero(value):
    rule = first_crisis_item(PHQ9, "phq9-9", value)

    assert rule is not None
    assert (rule.id, rule.level) == ("phq9-item9", "crisis")


def test_first_crisis_item_is_quiet_for_item9_at_zero_and_for_other_items():
    assert first_crisis_item(PHQ9, "phq9-9", 0) is None
    assert first_crisis_item(PHQ9, "phq9-2", 3) is None
    assert first_crisis_item(AUDITC, "auditc-3", 4) is None


def test_first_crisis_item_refuses_unknown_items_and_values():
    with pytest.raises(ValueError, match="phq9-99"):
        first_crisis_item(PHQ9, "phq9-99", 1)
    with pytest.raises(ValueError, match="phq9-9"):
        first_crisis_item(PHQ9, "phq9-9", 7)


def test_first_crisis_item_agrees_with_the_full_score():
    for value in (0, 1, 2, 3):
        outcome = score_answers(PHQ9, phq9(0, 0, 0, 0, 0, 0, 0, 0, value))
        early = first_crisis_item(PHQ9, "phq9-9", value)

        assert (early is not None) == (outcome.level == "crisis")


# --- AUDIT-C ----------------------------------------------------------------------------


def test_auditc_from_4_is_gp_advice_about_alcohol_for_everyone():
    three = score_answers(AUDITC, {"auditc-1": 2, "auditc-2": 1, "auditc-3": 0})
    four = score_answers(AUDITC, {"auditc-1": 2, "auditc-2": 1, "auditc-3": 1})

    assert (three.score, three.level) == (3, "none")
    assert three.band is not None and three.band.min == 0
    assert (four.score, four.level) == (4, "gp")
    assert [rule.category for rule in four.fired] == ["alcohol"]
    assert four.band is not None and four.band.min == 4


def test_auditc_uses_each_items_own_options():
    highest = score_answers(AUDITC, {"auditc-1": 4, "auditc-2": 4, "auditc-3": 4})

    assert highest.score == 12
    with pytest.raises(ValueError, match="auditc-2"):
        score_answers(AUDITC, {"auditc-1": 0, "auditc-2": 5, "auditc-3": 0})


# --- BAT-12 fixture: mean scoring, subscales, cut-offs ----------------------------------


def test_bat12_scores_the_mean_of_twelve_items():
    lowest = score_answers(BAT12, bat12_with_sum(12))
    highest = score_answers(BAT12, bat12_with_sum(60))

    assert lowest.score == 1.0
    assert highest.score == 5.0
    assert score_answers(BAT12, bat12_with_sum(30)).score == pytest.approx(2.5)


def test_bat12_subscales_are_the_mean_of_their_own_items():
    answers = {f"bat12-{number}": 1 for number in range(1, 13)}
    answers.update({"bat12-1": 5, "bat12-2": 4, "bat12-3": 3})  # exhaustion
    answers.update({"bat12-7": 2, "bat12-8": 2, "bat12-9": 3})  # cognitive impairment

    outcome = score_answers(BAT12, answers)

    assert outcome.subscales == pytest.approx(
        {
            "exhaustion": 4.0,
            "mental_distance": 1.0,
            "cognitive_impairment": 7 / 3,
            "emotional_impairment": 1.0,
        }
    )
    assert outcome.score == pytest.approx(25 / 12)  # (12 + 3 + 7 + 3) / 12


@pytest.mark.parametrize(
    ("item_sum", "band_min", "level"),
    [
        (30, 1, "none"),  # 2.5: below "at risk"
        (31, 2.54, "none"),  # 2.583: the first "at risk" score
        (35, 2.54, "none"),  # 2.917: still below "severe"
        (36, 2.96, "gp"),  # 3.0: the first "severe" score
    ],
)
def test_bat12_bands_and_rule_at_the_fixture_cut_offs(item_sum, band_min, level):
    outcome = score_answers(BAT12, bat12_with_sum(item_sum))

    assert outcome.band is not None and outcome.band.min == band_min
    assert outcome.level == level
    assert [rule.id for rule in outcome.fired] == (["bat12-severe"] if level == "gp" else [])


def test_bat12_an_item_sum_of_31_is_the_first_at_risk_score_and_36_the_first_severe():
    # The mean moves in steps of 1/12, so the cut-offs 2.54 and 2.96 fall between sums.
    bands = {
        item_sum: score_answers(BAT12, bat12_with_sum(item_sum)).band for item_sum in range(12, 61)
    }

    first_at_risk = min(s for s, band in bands.items() if band and band.min >= 2.54)
    first_severe = min(s for s, band in bands.items() if band and band.min >= 2.96)

    assert (first_at_risk, first_severe) == (31, 36)
    assert 30 / 12 < 2.54 <= 31 / 12
    assert 35 / 12 < 2.96 <= 36 / 12


def test_a_score_exactly_on_a_cut_off_reaches_that_band():
    # 33/12 = 2.75 exactly; float rounding must not drop it below a cut-off of 2.75.
    bands = (*BAT12.scoring.bands[:1], replace(BAT12.scoring.bands[1], min=33 / 12))
    moved = replace(BAT12, scoring=replace(BAT12.scoring, bands=bands))

    assert band_for(moved, score_answers(moved, bat12_with_sum(33)).score).min == 33 / 12
    assert band_for(moved, score_answers(moved, bat12_with_sum(32)).score).min == 1


def test_a_score_below_every_band_has_no_band():
    assert band_for(BAT12, 0.5) is None


# --- the record to store ----------------------------------------------------------------


def test_questionnaire_result_keeps_answers_in_item_order_and_the_outcome():
    answers = dict(reversed(list(phq9(1, 2, 3, 1, 0, 0, 0, 0, 1).items())))
    outcome = score_answers(PHQ9, answers)
    at = datetime(2026, 3, 30, 10, 0, tzinfo=timezone(timedelta(hours=2)))

    result = questionnaire_result(PHQ9, answers, outcome, at)

    assert result.questionnaire_id == "phq9"
    assert [item_id for item_id, _ in result.answers] == [f"phq9-{n}" for n in range(1, 10)]
    assert result.answers[8] == ("phq9-9", 1)
    assert (result.score, result.level) == (8, "crisis")
    assert result.at == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
