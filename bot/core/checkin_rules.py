"""The time rule on daily check-ins: when lasting complaints or stalled coaching mean the GP.

SAFETY.md: complaints that last more than one to two weeks go to the GP first; when coaching
brings no progress after three to four sessions, the coach refers via the GP. The numbers
(windows, thresholds, shares) are content in content/safety/checkin_rules.yaml; this module
owns how a series of check-ins is read against them and how often one rule may speak: each
rule at most once per its own window, and after any check-in rule has spoken, no check-in
rule speaks again within the shortest rule window unless it calls for a more serious level
(the rules share one GP advice; it is not repeated the next day by the next rule).

Every rule works on day means, as bot.core.history does: a coachee who checks in three
times on one bad day does not outweigh the other days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import fmean

from bot.core.models import CheckIn, Escalation, utc
from bot.core.rules import CheckinRule, CheckinRules

# Stress is the one metric where a high value is the bad one.
HIGHER_IS_WORSE = frozenset({"stress"})
# A period mean of one or two days is that day's mood, not a level: compare only periods
# with at least this many check-in days.
MIN_DAYS_PER_PERIOD = 3
# Day means are floats; keep 3.0 + 1e-15 from falling on the wrong side of a threshold.
_EPSILON = 1e-9


def evaluate_checkin_rules(
    rules: CheckinRules, checkins: Sequence[CheckIn], today: date, coaching_started: date
) -> CheckinRule | None:
    """The first rule, in content order, that the check-ins up to `today` fire."""
    return next(iter(fired_checkin_rules(rules, checkins, today, coaching_started)), None)


def fired_checkin_rules(
    rules: CheckinRules, checkins: Sequence[CheckIn], today: date, coaching_started: date
) -> tuple[CheckinRule, ...]:
    """Every rule that fires, in content order."""
    return tuple(
        rule for rule in rules.rules if checkin_rule_fires(rule, checkins, today, coaching_started)
    )


def checkin_rule_fires(
    rule: CheckinRule, checkins: Iterable[CheckIn], today: date, coaching_started: date
) -> bool:
    """Whether this one rule fires on the check-ins, `today` being the coachee's local date."""
    if (today - coaching_started).days < rule.min_coaching_days:
        return False
    if rule.kind == "persistent_low":
        return _persistent_low(rule, checkins, today)
    return _no_progress(rule, checkins, today, coaching_started)


def should_escalate_again(
    last_escalation_at: datetime | None, now: datetime, rule: CheckinRule
) -> bool:
    """At most once per window_days per rule: a new message needs a fresh window of evidence,
    otherwise the same lasting complaint would bring the same GP advice every day."""
    if last_escalation_at is None:
        return True
    return utc(now) - utc(last_escalation_at) >= timedelta(days=rule.window_days)


# The daily acknowledgement looks back a week ("better than the week before") and names a
# run of low days; eight weeks covers both with room to spare.
ACKNOWLEDGEMENT_LOOKBACK = timedelta(weeks=8)


def checkin_lookback(rules: CheckinRules) -> timedelta:
    """How far back a check-in needs its history: the longest rule window (and the start of
    a no-progress window), or the acknowledgement's, whichever is longer. Reading only this
    keeps a check-in's cost flat however many years of history a coachee has."""
    longest = max(
        (max(rule.window_days, rule.min_coaching_days) for rule in rules.rules), default=0
    )
    return max(timedelta(days=longest + 1), ACKNOWLEDGEMENT_LOOKBACK)


def due_checkin_rule(
    rules: CheckinRules,
    checkins: Sequence[CheckIn],
    escalations: Iterable[Escalation],
    today: date,
    coaching_started: date,
    now: datetime,
) -> CheckinRule | None:
    """The first rule that fires and has not spoken within its own window: the one to send.

    A rule still quiet after its last message does not hide the rules after it. But the
    rules share one message: low energy, high stress and poor sleep often come together, and
    each rule sending the same GP advice a day after the other is one advice repeated. So
    after any check-in rule has spoken, every check-in rule stays quiet for `quiet_window`
    (the shortest rule window), unless it calls for a more serious level than the last one.
    """
    last_at: dict[str, datetime] = {}
    latest: Escalation | None = None
    for escalation in escalations:
        if escalation.source != "checkins":
            continue
        if escalation.rule not in last_at or escalation.at > last_at[escalation.rule]:
            last_at[escalation.rule] = escalation.at
        if latest is None or escalation.at > latest.at:
            latest = escalation
    quiet = quiet_window(rules)
    return next(
        (
            rule
            for rule in fired_checkin_rules(rules, checkins, today, coaching_started)
            if should_escalate_again(last_at.get(rule.id), now, rule)
            and (
                latest is None
                or utc(now) - utc(latest.at) >= quiet
                or _more_serious(rule.level, latest.level)
            )
        ),
        None,
    )


def quiet_window(rules: CheckinRules) -> timedelta:
    """How long every check-in rule keeps quiet after any of them spoke: the shortest rule
    window (7 days when there are no rules to read it from)."""
    return timedelta(days=min((rule.window_days for rule in rules.rules), default=7))


# The levels a check-in rule can call for, least serious first (as bot.core.safety orders
# them; not imported from there to keep this module light).
_LEVEL_ORDER = {"none": 0, "gp": 1, "crisis": 2}


def _more_serious(level: str, than: str) -> bool:
    return _LEVEL_ORDER.get(level, 0) > _LEVEL_ORDER.get(than, 0)


def escalation_for(rule: CheckinRule, now: datetime) -> Escalation:
    """The GP advice a fired rule leads to, stored so the rule does not repeat too soon."""
    from bot.core.escalation import FOLLOWUP_AFTER

    return Escalation(
        level="gp",
        source="checkins",
        rule=rule.id,
        category=rule.category,
        at=now,
        followup_due=now + FOLLOWUP_AFTER,
    )


# --- the two kinds ----------------------------------------------------------------------


def _persistent_low(rule: CheckinRule, checkins: Iterable[CheckIn], today: date) -> bool:
    # "Complaints that last more than one to two weeks" (SAFETY.md): most check-in days of
    # the window were low. Days before coaching count too: the complaint is there either way.
    first_day = today - timedelta(days=rule.window_days - 1)
    means = _day_means(checkins, rule.metric, first_day, today)
    if len(means) < rule.min_checkins:
        return False
    low_days = sum(1 for value in means.values() if _is_low(rule, value))
    return low_days > rule.share * len(means) + _EPSILON


def _no_progress(
    rule: CheckinRule, checkins: Iterable[CheckIn], today: date, coaching_started: date
) -> bool:
    # "No progress after three to four sessions" (SAFETY.md): what came before the start is
    # not coaching's to improve, so the window starts no earlier than the coachee did.
    first_day = max(today - timedelta(days=rule.window_days - 1), coaching_started)
    if (today - first_day).days + 1 < 2 * rule.compare_days:
        return False
    means = _day_means(checkins, rule.metric, first_day, today)
    if len(means) < rule.min_checkins:
        return False
    early_end = first_day + timedelta(days=rule.compare_days - 1)
    late_start = today - timedelta(days=rule.compare_days - 1)
    early = [value for day, value in means.items() if day <= early_end]
    late = [value for day, value in means.items() if day >= late_start]
    if len(early) < MIN_DAYS_PER_PERIOD or len(late) < MIN_DAYS_PER_PERIOD:
        return False
    improvement = fmean(late) - fmean(early)
    if rule.metric in HIGHER_IS_WORSE:
        improvement = -improvement
    # Only a complaint that is still there: steady and well is not "no progress".
    return improvement < rule.min_improvement - _EPSILON and _is_low(rule, fmean(late))


def _is_low(rule: CheckinRule, value: float) -> bool:
    """Low energy or sleep, or high stress: the bad side of the rule's threshold."""
    if rule.metric in HIGHER_IS_WORSE:
        return value >= rule.threshold - _EPSILON
    return value <= rule.threshold + _EPSILON


def _day_means(
    checkins: Iterable[CheckIn], metric: str, first_day: date, last_day: date
) -> dict[date, float]:
    by_day: dict[date, list[int]] = defaultdict(list)
    for checkin in checkins:
        if first_day <= checkin.local_date <= last_day:
            by_day[checkin.local_date].append(getattr(checkin, metric))
    return {day: fmean(values) for day, values in by_day.items()}


# --- the examples in content ------------------------------------------------------------

# Any fixed day works: an example is a series that ends "today".
EXAMPLE_TODAY = date(2026, 1, 31)
# What an example check-in holds on the metrics its rule does not read.
_NEUTRAL = {"energy": 5, "stress": 5, "sleep": 3}


@dataclass(frozen=True)
class ExampleMismatch:
    """An example in content whose rule no longer does what the example says."""

    rule_index: int
    example_index: int
    message: str


def example_mismatches(rules: CheckinRules) -> list[ExampleMismatch]:
    """Run every rule on its own examples; `content check` reports each mismatch."""
    mismatches = []
    for rule_index, rule in enumerate(rules.rules):
        for example_index, example in enumerate(rule.examples):
            first_day = EXAMPLE_TODAY - timedelta(days=len(example.days) - 1)
            started = (
                first_day
                if example.coaching_days is None
                else EXAMPLE_TODAY - timedelta(days=example.coaching_days)
            )
            checkins = [
                _example_checkin(rule.metric, first_day + timedelta(days=offset), value)
                for offset, value in enumerate(example.days)
                if value is not None
            ]
            fires = checkin_rule_fires(rule, checkins, EXAMPLE_TODAY, started)
            if fires != example.fires:
                does = "fires" if fires else "does not fire"
                mismatches.append(
                    ExampleMismatch(
                        rule_index,
                        example_index,
                        f"rule {rule.id!r} {does} on its example {example_index + 1}, which says "
                        f"fires: {str(example.fires).lower()}; fix the rule's numbers or the "
                        "example",
                    )
                )
    return mismatches


def _example_checkin(metric: str, day: date, value: int) -> CheckIn:
    values = {**_NEUTRAL, metric: value}
    return CheckIn(
        at=datetime.combine(day, time(9), tzinfo=UTC),
        local_date=day,
        energy=values["energy"],
        stress=values["stress"],
        sleep=values["sleep"],
    )
