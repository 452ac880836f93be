"""The check-in time rule: lasting complaints and stalled coaching mean GP advice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from bot.content import schema
from bot.content.loader import core_checkin_rule, core_checkin_rules
from bot.core.checkin_rules import (
    checkin_rule_fires,
    due_checkin_rule,
    evaluate_checkin_rules,
    example_mismatches,
    fired_checkin_rules,
    quiet_window,
    should_escalate_again,
)
from bot.core.models import CheckIn, Escalation
from bot.core.rules import CheckinRule, CheckinRules

ROOT = Path(__file__).resolve().parents[2]
RULES_FILE = ROOT / "content/safety/checkin_rules.yaml"
TODAY = date(2026, 3, 30)
LONG_AGO = TODAY - timedelta(days=365)
NOW = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def valid_rule(**fields: object) -> CheckinRule:
    """A rule as the loader hands it to core, after the schema has accepted it."""
    return core_checkin_rule(schema.CheckinRule(**fields))  # type: ignore[arg-type]


# Rules written here, not read from content, so tuning the shipped numbers does not break
# the tests of how a rule is read. They match the shipped numbers at the time of writing.
ENERGY_LOW = valid_rule(
    id="energy-low",
    kind="persistent_low",
    metric="energy",
    window_days=14,
    min_checkins=7,
    threshold=3,
    level="gp",
    category="persistent_complaints",
)
STRESS_HIGH = valid_rule(
    id="stress-high",
    kind="persistent_low",
    metric="stress",
    window_days=14,
    min_checkins=7,
    threshold=8,
    level="gp",
    category="persistent_complaints",
)
SLEEP_POOR = valid_rule(
    id="sleep-poor",
    kind="persistent_low",
    metric="sleep",
    window_days=14,
    min_checkins=7,
    threshold=2,
    level="gp",
    category="persistent_complaints",
)
NO_PROGRESS = valid_rule(
    id="energy-no-progress",
    kind="no_progress",
    metric="energy",
    window_days=28,
    min_checkins=10,
    threshold=5,
    min_coaching_days=21,
    min_improvement=1.0,
    level="gp",
    category="persistent_complaints",
)
STRESS_NO_PROGRESS = replace(NO_PROGRESS, id="stress-no-progress", metric="stress", threshold=6)
ALL_RULES = CheckinRules(rules=(ENERGY_LOW, STRESS_HIGH, SLEEP_POOR, NO_PROGRESS))


def checkin(day: date, energy: int = 6, stress: int = 4, sleep: int = 4, hour: int = 9) -> CheckIn:
    return CheckIn(
        at=datetime.combine(day, time(hour), tzinfo=UTC),
        local_date=day,
        energy=energy,
        stress=stress,
        sleep=sleep,
    )


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def series(metric: str, values: list[int | None], end: date = TODAY) -> list[CheckIn]:
    """One check-in per value, oldest first, the last on `end`; None is a day without one."""
    first = end - timedelta(days=len(values) - 1)
    return [
        checkin(first + timedelta(days=i), **{metric: value})
        for i, value in enumerate(values)
        if value is not None
    ]


def fires(rule: CheckinRule, checkins: list[CheckIn], started: date = LONG_AGO) -> bool:
    return checkin_rule_fires(rule, checkins, TODAY, started)


# --- persistent_low ---------------------------------------------------------------------


def test_energy_low_on_most_days_of_two_weeks_fires():
    assert fires(ENERGY_LOW, series("energy", [3] * 8 + [6] * 6))


def test_exactly_half_the_days_low_does_not_fire():
    assert not fires(ENERGY_LOW, series("energy", [3] * 7 + [6] * 7))


def test_the_threshold_itself_counts_as_low_and_one_above_does_not():
    assert fires(ENERGY_LOW, series("energy", [3] * 14))
    assert not fires(ENERGY_LOW, series("energy", [4] * 14))


def test_too_few_checkin_days_do_not_fire_however_low():
    six_days = series("energy", [1, None] * 6 + [None, None])

    assert len(six_days) == 6
    assert not fires(ENERGY_LOW, six_days)
    assert fires(ENERGY_LOW, series("energy", [1, None] * 7))


def test_share_is_of_the_checkin_days_not_of_the_calendar_days():
    # 4 of 7 check-in days low is "most days", though 10 calendar days were not low.
    assert fires(
        ENERGY_LOW,
        series("energy", [2, None, 2, None, 2, None, 2, None, 7, None, 7, None, 7, None]),
    )


def test_window_edges_first_day_in_and_the_day_before_out():
    # 8 low days: days 13..6 ago. The window of 14 days ends today and starts 13 days ago.
    low_inside = [checkin(days_ago(n), energy=2) for n in range(6, 14)]
    fine_recent = [checkin(days_ago(n), energy=7) for n in range(0, 6)]
    assert fires(ENERGY_LOW, low_inside + fine_recent)

    # Shift the low days one day back: the oldest falls out of the window, 7 of 13 remain.
    shifted = [checkin(days_ago(n), energy=2) for n in range(7, 15)]
    fine_recent = [checkin(days_ago(n), energy=7) for n in range(0, 7)]
    assert not fires(ENERGY_LOW, shifted + fine_recent)


def test_checkins_after_today_are_ignored():
    future = [checkin(TODAY + timedelta(days=n), energy=1) for n in range(1, 15)]

    assert not fires(ENERGY_LOW, future + series("energy", [7] * 14))


def test_several_checkins_on_one_day_count_as_that_days_mean():
    # Bad check-ins piling up on one day count as one day: one low day of eight.
    checkins = series("energy", [6] * 8) + [checkin(TODAY, energy=1, hour=h) for h in (12, 15)]

    assert not fires(ENERGY_LOW, checkins)
    # A day of 2 and 5 averages 3.5: not low.
    mixed = [
        c
        for d in range(8)
        for c in (checkin(days_ago(d), energy=2), checkin(days_ago(d), energy=5, hour=18))
    ]
    assert not fires(ENERGY_LOW, mixed)


def test_stress_is_inverted_high_is_the_bad_side():
    assert fires(STRESS_HIGH, series("stress", [8] * 8 + [3] * 6))
    assert fires(STRESS_HIGH, series("stress", [10] * 14))
    assert not fires(STRESS_HIGH, series("stress", [7] * 14))
    assert not fires(STRESS_HIGH, series("stress", [0] * 14))


def test_sleep_reads_its_own_scale():
    assert fires(SLEEP_POOR, series("sleep", [2] * 8 + [4] * 6))
    assert not fires(SLEEP_POOR, series("sleep", [3] * 14))


def test_a_rule_reads_only_its_own_metric():
    low_energy_only = series("energy", [1] * 14)

    assert not fires(STRESS_HIGH, low_energy_only)
    assert not fires(SLEEP_POOR, low_energy_only)


# --- no_progress ------------------------------------------------------------------------


def test_no_progress_fires_after_min_coaching_days_and_not_before():
    flat = series("energy", [4] * 28)

    assert fires(NO_PROGRESS, flat, started=days_ago(27))
    assert fires(NO_PROGRESS, flat, started=days_ago(21))
    assert not fires(NO_PROGRESS, flat, started=days_ago(20))


def test_no_progress_compares_from_the_start_of_coaching_not_before():
    # Coaching started 21 days ago; the low days before it are not coaching's to improve.
    before = series("energy", [1] * 7, end=days_ago(22))
    during = series("energy", [4] * 7 + [5] * 8 + [4] * 7)

    assert fires(NO_PROGRESS, before + during, started=days_ago(21))
    # Counting the days before the start would have made it look like progress:
    assert not fires(NO_PROGRESS, before + during, started=days_ago(28))


def test_no_progress_exactly_the_minimum_improvement_is_progress():
    assert not fires(
        NO_PROGRESS, series("energy", [4] * 7 + [4] * 14 + [5] * 7), started=days_ago(27)
    )
    # A last week just under one point better (4.86 against 4) is still no progress.
    last_week = [5] * 6 + [4]
    assert fires(
        NO_PROGRESS, series("energy", [4] * 7 + [4] * 14 + last_week), started=days_ago(27)
    )


def test_no_progress_fires_when_things_got_worse():
    assert fires(NO_PROGRESS, series("energy", [5] * 14 + [2] * 14), started=days_ago(27))


def test_no_progress_leaves_a_coachee_who_is_steady_and_well_alone():
    assert not fires(NO_PROGRESS, series("energy", [7] * 28), started=days_ago(27))
    # The last week is the one that must still be low: 5 is the threshold, 6 is not low.
    assert fires(NO_PROGRESS, series("energy", [5] * 28), started=days_ago(27))
    assert not fires(NO_PROGRESS, series("energy", [6] * 28), started=days_ago(27))


def test_no_progress_needs_enough_checkins_in_the_window_and_in_each_week():
    sparse = series("energy", [4, None, None] * 9 + [4])
    assert len(sparse) == 10
    assert fires(NO_PROGRESS, sparse, started=days_ago(27))

    nine = series("energy", [4, None, None] * 9 + [None])
    assert not fires(NO_PROGRESS, nine, started=days_ago(27))

    # Plenty of days, but only two in the first week: no fair comparison.
    first_week_thin = series("energy", [4, None, None, None, None, None, 4] + [4] * 21)
    assert not fires(NO_PROGRESS, first_week_thin, started=days_ago(27))


def test_no_progress_on_stress_wants_stress_to_go_down():
    assert fires(STRESS_NO_PROGRESS, series("stress", [8] * 28), started=days_ago(27))
    assert not fires(STRESS_NO_PROGRESS, series("stress", [8] * 21 + [7] * 7), started=days_ago(27))
    # Stress going up is no progress either.
    assert fires(STRESS_NO_PROGRESS, series("stress", [6] * 21 + [8] * 7), started=days_ago(27))
    # Low stress that stays low is fine.
    assert not fires(STRESS_NO_PROGRESS, series("stress", [3] * 28), started=days_ago(27))


# --- several rules ----------------------------------------------------------------------


def test_evaluate_returns_the_first_rule_that_fires_in_content_order():
    bad_everything = [checkin(days_ago(n), energy=2, stress=9, sleep=1) for n in range(28)]

    assert evaluate_checkin_rules(ALL_RULES, bad_everything, TODAY, days_ago(27)) is ENERGY_LOW
    assert fired_checkin_rules(ALL_RULES, bad_everything, TODAY, days_ago(27)) == ALL_RULES.rules


def test_evaluate_returns_none_for_a_good_or_empty_history():
    good = [checkin(days_ago(n)) for n in range(28)]

    assert evaluate_checkin_rules(ALL_RULES, good, TODAY, days_ago(27)) is None
    assert evaluate_checkin_rules(ALL_RULES, [], TODAY, days_ago(27)) is None


def test_evaluate_skips_to_the_rule_that_fires():
    stressed = [checkin(days_ago(n), stress=9) for n in range(14)]

    assert evaluate_checkin_rules(ALL_RULES, stressed, TODAY, days_ago(13)) is STRESS_HIGH


# --- not nagging ------------------------------------------------------------------------


def test_should_escalate_again_at_most_once_per_window():
    assert should_escalate_again(None, NOW, ENERGY_LOW)
    assert not should_escalate_again(NOW - timedelta(days=13, hours=23), NOW, ENERGY_LOW)
    assert should_escalate_again(NOW - timedelta(days=14), NOW, ENERGY_LOW)
    assert not should_escalate_again(NOW - timedelta(days=27), NOW, NO_PROGRESS)
    assert should_escalate_again(NOW - timedelta(days=28), NOW, NO_PROGRESS)


def test_should_escalate_again_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="naive"):
        should_escalate_again(datetime(2026, 3, 1), NOW, ENERGY_LOW)


def escalation(rule_id: str, at: datetime, source: str = "checkins") -> Escalation:
    return Escalation(
        level="gp",
        source=source,
        rule=rule_id,  # type: ignore[arg-type]
        category="persistent_complaints",
        at=at,
    )


def test_due_checkin_rule_holds_back_every_rule_after_one_spoke_within_the_shortest_window():
    # Low energy, high stress and poor sleep together: one GP advice, not one per rule on
    # three days running.
    bad_everything = [checkin(days_ago(n), energy=2, stress=9, sleep=1) for n in range(14)]
    for days in (1, 3, 13):
        spoke = [escalation("energy-low", NOW - timedelta(days=days))]
        assert due_checkin_rule(ALL_RULES, bad_everything, spoke, TODAY, days_ago(13), NOW) is None

    # Once the shortest window (14 days) has passed, the rules speak again, in content order,
    # each still held to its own window.
    no_progress_spoke = [escalation("energy-no-progress", NOW - timedelta(days=14))]
    due = due_checkin_rule(ALL_RULES, bad_everything, no_progress_spoke, TODAY, days_ago(13), NOW)
    assert due is ENERGY_LOW


def test_due_checkin_rule_lets_a_more_serious_level_speak_within_the_quiet_window():
    urgent = replace(STRESS_HIGH, id="stress-urgent", level="crisis")
    rules = CheckinRules(rules=(ENERGY_LOW, urgent))
    bad_everything = [checkin(days_ago(n), energy=2, stress=9, sleep=1) for n in range(14)]
    spoke = [escalation("energy-low", NOW - timedelta(days=1))]

    assert due_checkin_rule(rules, bad_everything, spoke, TODAY, days_ago(13), NOW) is urgent


def test_quiet_window_is_the_shortest_rule_window():
    assert quiet_window(ALL_RULES) == timedelta(days=14)
    assert quiet_window(CheckinRules(rules=(NO_PROGRESS,))) == timedelta(days=28)
    assert quiet_window(CheckinRules(rules=())) == timedelta(days=7)


def test_due_checkin_rule_uses_the_latest_message_per_rule_and_only_checkin_ones():
    low_energy = [checkin(days_ago(n), energy=2) for n in range(14)]
    history = [
        escalation("energy-low", NOW - timedelta(days=3)),
        escalation("energy-low", NOW - timedelta(days=30)),
    ]
    assert due_checkin_rule(ALL_RULES, low_energy, history, TODAY, days_ago(13), NOW) is None

    from_text = [escalation("energy-low", NOW - timedelta(days=3), source="text")]
    assert (
        due_checkin_rule(ALL_RULES, low_energy, from_text, TODAY, days_ago(13), NOW) is ENERGY_LOW
    )

    long_ago = [escalation("energy-low", NOW - timedelta(days=14))]
    assert due_checkin_rule(ALL_RULES, low_energy, long_ago, TODAY, days_ago(13), NOW) is ENERGY_LOW


# --- the schema -------------------------------------------------------------------------


def rule_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "r",
        "kind": "persistent_low",
        "metric": "energy",
        "window_days": 14,
        "min_checkins": 7,
        "threshold": 3,
        "level": "gp",
        "category": "persistent_complaints",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"threshold": None}, "threshold"),
        ({"threshold": 11}, "outside the energy scale"),
        ({"metric": "sleep", "threshold": 0}, "outside the sleep scale"),
        ({"min_checkins": 15}, "cannot exceed window_days"),
        ({"min_improvement": 2}, "no effect on a persistent_low rule"),
        ({"kind": "no_progress", "share": 0.6}, "no effect on a no_progress rule"),
        ({"kind": "no_progress", "window_days": 13, "min_checkins": 7}, "two periods"),
        ({"share": 1}, "less than 1"),
        ({"level": "crisis"}, "gp"),
        ({"examples": [{"days": [12], "fires": True}]}, "outside the energy scale"),
    ],
)
def test_the_schema_refuses_rules_that_cannot_mean_what_they_say(changes, message):
    with pytest.raises(ValidationError, match=message):
        schema.CheckinRule.model_validate(rule_data(**changes))


def test_the_schema_refuses_duplicate_rule_ids():
    with pytest.raises(ValidationError, match="energy-low"):
        schema.CheckinRules.model_validate(
            {"rules": [rule_data(id="energy-low"), rule_data(id="energy-low")]}
        )


# --- the shipped rules and their examples -----------------------------------------------


def shipped_rules() -> CheckinRules:
    return core_checkin_rules(
        schema.CheckinRules.model_validate(yaml.safe_load(RULES_FILE.read_text(encoding="utf-8")))
    )


def test_the_shipped_rules_follow_every_metric_and_progress():
    # SAFETY.md: complaints lasting one to two weeks, and no progress after three to four
    # sessions, mean the GP; the burn-out picture must be followable from check-ins alone.
    rules = shipped_rules().rules

    assert {r.metric for r in rules if r.kind == "persistent_low"} == {"energy", "stress", "sleep"}
    assert all(r.window_days <= 14 for r in rules if r.kind == "persistent_low")
    assert any(r.kind == "no_progress" and r.window_days <= 28 for r in rules)
    assert all(r.examples for r in rules)


def test_the_shipped_examples_agree_with_their_rules():
    assert example_mismatches(shipped_rules()) == []


def test_a_broken_example_is_reported_with_its_place():
    rules = shipped_rules()
    first = rules.rules[0]
    wrong = replace(first.examples[0], fires=not first.examples[0].fires)
    broken = replace(
        rules, rules=(replace(first, examples=(first.examples[0], wrong)), *rules.rules[1:])
    )

    mismatches = example_mismatches(broken)

    assert [(m.rule_index, m.example_index) for m in mismatches] == [(0, 1)]
    assert first.id in mismatches[0].message
