"""When a questionnaire is offered after a check-in: on the coachee's schedule, once a day."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.core.models import QuestionnaireResult, ReminderMark
from bot.core.profiles import new_profile
from bot.core.questionnaires import questionnaire_offer_due

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


def _profile(weeks):
    profile = new_profile(1, 1, "nl", "BE", "Europe/Brussels", NOW - timedelta(days=60))
    return replace(profile, questionnaire_weeks=weeks)


def _result(days_ago: int) -> QuestionnaireResult:
    return QuestionnaireResult("phq9", NOW - timedelta(days=days_ago), (), 3.0, "none")


def test_never_offered_when_switched_off():
    assert not questionnaire_offer_due(_profile(None), [], [], TODAY, NOW)


def test_offered_when_never_filled_in():
    assert questionnaire_offer_due(_profile(4), [], [], TODAY, NOW)


def test_not_again_before_the_chosen_weeks_have_passed():
    assert not questionnaire_offer_due(_profile(4), [_result(27)], [], TODAY, NOW)
    assert questionnaire_offer_due(_profile(4), [_result(28)], [], TODAY, NOW)


def test_at_most_once_a_day():
    offered = ReminderMark("questionnaire", TODAY, 0, NOW - timedelta(hours=1))
    assert not questionnaire_offer_due(_profile(2), [], [offered], TODAY, NOW)
    yesterday = ReminderMark("questionnaire", TODAY - timedelta(days=1), 0, NOW)
    other_kind = ReminderMark("checkin", TODAY, 0, NOW)
    assert questionnaire_offer_due(_profile(2), [], [yesterday, other_kind], TODAY, NOW)
