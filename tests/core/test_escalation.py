"""After the assessment: which escalation to answer with, when to follow up, what a coach sees."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.escalation import (
    ASK_EPISODE,
    FOLLOWUP_AFTER,
    GP_REPEAT_AFTER,
    alerts_coach,
    already_recorded,
    ask_escalation,
    followup_escalation,
    followups_due,
    mark_followup_sent,
    next_followup,
    plan_escalation,
    plan_followup,
    sos_escalation,
    typed_ask_answer,
    typed_followup_answer,
)
from bot.core.models import Consent, Escalation, Profile
from bot.core.safety import NONE, Assessment

NOW = datetime(2026, 3, 30, 14, 0, tzinfo=UTC)
DRINKING = Assessment("gp", ("alcohol",), "en-alcohol")
LOW_MOOD = Assessment("gp", ("depressive_signs",), "nl-depressive-signs")
CRISIS = Assessment("crisis", ("suicidal_ideation",), "nl-suicidal-ideation")


def planned(assessment: Assessment, history: list[Escalation], at: datetime = NOW) -> Escalation:
    escalation = plan_escalation(assessment, "text", history, at)
    assert escalation is not None
    return escalation


def profile(coach_id: int | None = 77, share_alerts: bool = True) -> Profile:
    return Profile(
        user_id=1,
        chat_id=1,
        lang="nl",
        country="BE",
        timezone="Europe/Brussels",
        consent=Consent(given_at=NOW - timedelta(days=30), share_alerts=share_alerts),
        created_at=NOW - timedelta(days=30),
        coach_id=coach_id,
    )


# --- plan_escalation ---------------------------------------------------------------------


def test_nothing_to_say_when_the_assessment_found_nothing():
    assert plan_escalation(NONE, "text", [], NOW) is None


def test_gp_escalation_carries_level_category_rule_source_and_time():
    escalation = planned(DRINKING, [])

    assert escalation.level == "gp"
    assert escalation.category == "alcohol"
    assert escalation.rule == "en-alcohol"
    assert escalation.source == "text"
    assert escalation.at == NOW


def test_gp_escalation_asks_for_a_followup_one_period_later():
    escalation = planned(DRINKING, [])

    assert escalation.followup_due == NOW + FOLLOWUP_AFTER
    assert not escalation.followup_sent


def test_crisis_asks_the_next_day_how_they_are():
    escalation = planned(CRISIS, [])

    assert escalation.level == "crisis"
    assert escalation.category == "suicidal_ideation"
    assert escalation.followup_due == NOW + FOLLOWUP_AFTER


def test_no_to_the_plain_question_is_heard_and_escalates_nothing():
    assert ask_escalation("no", NOW) is None
    assert ask_escalation("forged", NOW) is None


def test_crisis_is_answered_every_time_even_right_after_another():
    first = planned(CRISIS, [])
    second = planned(CRISIS, [first], NOW + timedelta(seconds=5))

    assert second.level == "crisis"
    assert second.id != first.id
    assert second.at == NOW + timedelta(seconds=5)


def test_crisis_is_answered_right_after_gp_advice_for_anything():
    gp = planned(DRINKING, [])

    assert planned(CRISIS, [gp], NOW + timedelta(minutes=1)).level == "crisis"


def test_same_gp_advice_is_not_repeated_within_the_repeat_window():
    first = planned(DRINKING, [])

    assert plan_escalation(DRINKING, "text", [first], NOW + timedelta(minutes=1)) is None
    just_before = NOW + GP_REPEAT_AFTER - timedelta(seconds=1)
    assert plan_escalation(DRINKING, "text", [first], just_before) is None


def test_same_gp_advice_comes_again_once_the_repeat_window_has_passed():
    first = planned(DRINKING, [])

    again = planned(DRINKING, [first], NOW + GP_REPEAT_AFTER)

    assert again.level == "gp"
    assert again.followup_due == NOW + GP_REPEAT_AFTER + FOLLOWUP_AFTER


def test_gp_advice_for_another_category_is_not_held_back():
    first = planned(DRINKING, [])

    other = planned(LOW_MOOD, [first], NOW + timedelta(minutes=1))

    assert other.category == "depressive_signs"


def test_gp_advice_is_not_held_back_by_a_crisis_of_another_category():
    crisis = planned(CRISIS, [])

    assert planned(DRINKING, [crisis], NOW + timedelta(minutes=1)).level == "gp"


def test_repeat_window_counts_from_the_latest_gp_advice_in_history():
    old = planned(DRINKING, [], NOW - GP_REPEAT_AFTER - timedelta(days=1))
    recent = planned(DRINKING, [old], NOW - timedelta(hours=1))

    assert plan_escalation(DRINKING, "text", [old, recent], NOW) is None


def test_assessment_without_category_or_rule_gets_defaults():
    escalation = planned(Assessment("gp"), [])

    assert escalation.category == "default"
    assert escalation.rule == "text"


def test_sos_is_a_crisis_with_the_next_days_question():
    escalation = sos_escalation(NOW)

    assert (escalation.level, escalation.source, escalation.category) == ("crisis", "sos", "sos")
    assert escalation.followup_due == NOW + FOLLOWUP_AFTER


@pytest.mark.parametrize("answer", ["yes", "unsure"])
def test_yes_or_not_sure_to_the_plain_question_is_a_crisis_with_a_followup(answer):
    escalation = ask_escalation(answer, NOW)

    assert (escalation.level, escalation.source, escalation.rule) == (
        "crisis",
        "ask",
        f"ask-{answer}",
    )
    assert escalation.followup_due == NOW + FOLLOWUP_AFTER


def test_help_now_the_next_day_is_a_crisis_with_its_own_opener():
    escalation = followup_escalation(NOW)

    assert (escalation.level, escalation.source, escalation.category) == (
        "crisis",
        "followup",
        "followup",
    )


# --- follow-ups ----------------------------------------------------------------------------


def test_followup_is_due_from_its_moment_on_not_before():
    gp = planned(DRINKING, [])

    assert followups_due([gp], NOW + FOLLOWUP_AFTER - timedelta(seconds=1)) == []
    assert followups_due([gp], NOW + FOLLOWUP_AFTER) == [gp]
    assert followups_due([gp], NOW + FOLLOWUP_AFTER + timedelta(days=3)) == [gp]


def test_followup_sent_is_no_longer_due_nor_next():
    gp = planned(DRINKING, [])
    sent = mark_followup_sent(gp)

    assert sent.followup_sent
    assert sent.id == gp.id
    assert not gp.followup_sent  # the original value is untouched
    assert followups_due([sent], NOW + timedelta(days=10)) == []
    assert next_followup([sent]) is None


def test_crisis_followup_is_due_the_next_day():
    crisis = planned(CRISIS, [])

    assert followups_due([crisis], NOW + FOLLOWUP_AFTER - timedelta(seconds=1)) == []
    assert followups_due([crisis], NOW + FOLLOWUP_AFTER) == [crisis]
    assert next_followup([crisis]) == NOW + FOLLOWUP_AFTER


def test_plan_followup_nothing_before_it_is_due():
    assert plan_followup([planned(CRISIS, [])], NOW) is None
    assert plan_followup([], NOW) is None


def test_plan_followup_asks_about_gp_advice_and_marks_it_sent():
    gp = planned(DRINKING, [])

    plan = plan_followup([gp], NOW + FOLLOWUP_AFTER)

    assert plan is not None
    assert plan.ask == gp
    assert plan.updated == (mark_followup_sent(gp),)


def test_plan_followup_asks_how_they_are_after_a_crisis_and_the_gp_question_waits_a_day():
    gp = planned(DRINKING, [])
    first = planned(CRISIS, [gp], NOW + timedelta(hours=1))
    second = planned(CRISIS, [gp, first], NOW + timedelta(hours=2))
    at = NOW + FOLLOWUP_AFTER + timedelta(hours=3)

    plan = plan_followup([gp, first, second], at)

    assert plan is not None
    assert plan.ask == second  # one question for the latest crisis, not one per crisis
    by_id = {e.id: e for e in plan.updated}
    assert by_id[first.id].followup_sent and by_id[second.id].followup_sent
    assert not by_id[gp.id].followup_sent
    assert by_id[gp.id].followup_due == at + FOLLOWUP_AFTER


def test_next_followup_is_the_earliest_pending_one():
    early = planned(DRINKING, [])
    late = planned(LOW_MOOD, [early], NOW + timedelta(hours=5))
    sent_earlier = mark_followup_sent(planned(DRINKING, [], NOW - timedelta(days=5)))

    assert next_followup([late, sent_earlier, early]) == NOW + FOLLOWUP_AFTER
    assert next_followup([]) is None


def test_only_due_followups_are_returned():
    early = planned(DRINKING, [])
    late = planned(LOW_MOOD, [early], NOW + timedelta(hours=5))

    assert followups_due([early, late], NOW + FOLLOWUP_AFTER + timedelta(hours=1)) == [early]


# --- the same message edited, and one crisis episode -------------------------------------


def test_an_edit_of_a_message_escalated_at_that_level_or_higher_is_already_recorded():
    crisis = replace(planned(CRISIS, []), message=12)
    gp = replace(planned(DRINKING, []), message=12)

    assert already_recorded([crisis], replace(planned(CRISIS, []), message=12))
    assert already_recorded([crisis], gp)  # lower after an edit: nothing again
    assert not already_recorded([gp], replace(planned(CRISIS, []), message=12))  # worse
    assert not already_recorded([crisis], replace(planned(CRISIS, []), message=13))
    assert not already_recorded([crisis], planned(CRISIS, []))  # no message: /sos, buttons


def test_yes_to_the_question_after_a_crisis_answer_alerts_no_coach_again():
    crisis = planned(CRISIS, [], NOW - timedelta(minutes=5))
    yes = ask_escalation("yes", NOW)
    assert yes is not None

    assert not alerts_coach([crisis], yes)
    assert alerts_coach([], yes)  # the crisis itself was not recorded: the coach hears now
    assert alerts_coach([planned(CRISIS, [], NOW - ASK_EPISODE - timedelta(minutes=1))], yes)
    assert alerts_coach([crisis], planned(CRISIS, []))  # a new crisis message alerts


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("ja", "yes"),
        ("JA!", "yes"),
        ("jaaaa", "yes"),
        ("Ja, die gedachten heb ik bijna elke avond", "yes"),
        ("soms", "yes"),
        ("eigenlijk wel", "yes"),
        ("yeah", "yes"),
        ("misschien", "unsure"),
        ("ik weet het niet", "unsure"),
        ("I don't know", "unsure"),
        ("no idea", "unsure"),  # the longest opening phrase decides
        ("nee, maar soms wel", "unsure"),  # a no that goes on with "but" is not a plain no
        ("Nee hoor, gewoon moe", "no"),
        ("nope", "no"),
        ("not really", "no"),
        ("hoi", None),
        ("ik ben moe", None),
        ("", None),
    ],
)
def test_a_typed_reply_to_the_plain_question_reads_as_its_button(typed, answer):
    assert typed_ask_answer(typed) == answer


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("beter", "better"),
        ("Iets beter vandaag", "better"),
        ("het gaat wel", "better"),
        ("oké", "better"),
        ("beter, maar nog zwaar", "hard"),  # a better that goes on with "but" is not better
        ("slecht", "hard"),
        ("niet goed", "hard"),
        ("het gaat niet", "hard"),
        ("still hard", "hard"),
        ("ik heb hulp nodig", "help_now"),
        ("help", "help_now"),
        ("hoi", None),
        ("ik ben naar de huisarts geweest", None),
    ],
)
def test_a_typed_reply_to_the_next_days_question_reads_as_its_button(typed, answer):
    assert typed_followup_answer(typed) == answer
