"""The safety service against the in-memory repository: what each escalation says, and what
is stored (with consent only) after the answer went out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from servicerig import ALICE, NOW, coachee_profile

from bot.content.schema import CRISIS_CATEGORIES
from bot.core.awaiting import Awaiting, awaiting, still_awaited
from bot.core.escalation import crisis_escalation
from bot.core.models import Escalation
from bot.core.safety import Assessment
from bot.services import actions, safety
from bot.services.outcome import AlertCoach, Escalate, FollowUp
from bot.services.wording import render_body

CRISIS = Assessment("crisis", ("suicidal_ideation",), "nl-suicidal-ideation")
GP = Assessment("gp", ("alcohol",), "nl-alcohol")


def test_a_crisis_answer_holds_the_countrys_line_and_112_and_two_choices(content):
    escalation = safety.crisis_escalation_for(CRISIS, NOW)
    assert escalation is not None
    for country, line in (("BE", "1813"), ("NL", "113")):
        message = safety.crisis_answer(content, escalation, "nl", country)
        (body,) = message.body
        assert line in (body.raw or "") and "112" in (body.raw or "")
    assert [c.args for row in message.choices for c in row] == [("ground",), ("ok",)]
    assert {c.action for row in message.choices for c in row} == {actions.CRISIS}


@pytest.mark.parametrize("category", [*CRISIS_CATEGORIES, "sos"])
@pytest.mark.parametrize("country", ["BE", "NL"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_crisis_answer_in_a_group_keeps_every_line_but_asks_nothing(
    content, category, country, lang
):
    # Found in a user test: in a group (the bot leaves it, so no buttons) the answer ended
    # with "shall I stay with you for a short exercise?", which nobody could answer there.
    escalation = crisis_escalation("sos" if category == "sos" else "text", "r", category, NOW)
    private = safety.crisis_answer(content, escalation, lang, country)
    message = safety.group_crisis_answer(content, escalation, lang, country)
    private_text, group = (render_body(content, m.body, lang) for m in (private, message))

    assert "?" not in group and message.choices == ()
    *kept, last = private_text.split("\n")
    for line in kept:
        assert line in group
    if last.endswith("?"):
        assert group.endswith(content.text("crisis.group_offer", lang))
    else:
        assert group == private_text


def test_only_a_crisis_level_is_answered_as_a_crisis():
    assert safety.crisis_escalation_for(GP, NOW) is None
    assert safety.crisis_escalation_for(Assessment("none"), NOW) is None


def test_the_plain_question_offers_yes_not_sure_and_no(content):
    message = safety.crisis_question(content, "en")
    assert message.body[0].raw == content.escalations.crisis_ask.question.get("en")
    assert [c.args[0] for c in message.choices[0]] == ["yes", "unsure", "no"]


def test_yes_and_not_sure_are_a_crisis_no_is_heard_with_the_lines_in_reach(content):
    for choice in ("yes", "unsure"):
        escalation, message = safety.ask_answered(content, choice, "nl", "BE", NOW)
        assert escalation is not None and escalation.level == "crisis"
        assert "1813" in (message.body[0].raw or "")
    escalation, message = safety.ask_answered(content, "no", "nl", "BE", NOW)
    assert escalation is None
    assert "1813" in (message.body[0].raw or "") and "{" not in (message.body[0].raw or "")


def test_help_now_the_next_day_is_a_crisis_better_is_a_kind_line(content):
    escalation, message = safety.followup_answered(content, "help_now", "nl", "BE", NOW)
    assert escalation is not None and escalation.source == "followup"
    assert message.edit
    escalation, message = safety.followup_answered(content, "better", "nl", "BE", NOW)
    assert escalation is None and "{" not in (message.body[0].raw or "")


def test_the_next_days_question_says_yesterday_only_when_it_was_yesterday(content):
    # Found in a user test: asked eight days later (the demo clock moved on; after downtime
    # too), the question still began "Yesterday you wrote...".
    crisis = crisis_escalation("text", "r", "suicidal_ideation", NOW)
    texts = content.escalations.crisis_followup

    def asked(lang: str, later: timedelta, zone: str = "Europe/Brussels") -> str:
        return safety.followup_question(content, crisis, lang, "BE", zone, NOW + later)

    assert asked("nl", timedelta(days=1, minutes=1)) == texts.question.get("nl")
    assert asked("en", timedelta(days=1, hours=7)) == texts.question.get("en")  # 23:00
    for lang, written in (("nl", "Op 30 maart gaf ik je"), ("en", "On 30 March I gave you")):
        for later in (timedelta(days=2), timedelta(days=8)):
            question = asked(lang, later)
            assert question.startswith(written) and "{" not in question
            assert question != texts.question.get(lang)


def test_yesterday_is_the_day_before_in_the_coachees_own_time_zone(content):
    at = datetime(2026, 3, 30, 22, 30, tzinfo=UTC)  # 00:30 on 31 March in Brussels
    crisis = crisis_escalation("text", "r", "suicidal_ideation", at)
    evening = datetime(2026, 4, 1, 20, 0, tzinfo=UTC)  # 22:00 on 1 April in Brussels

    brussels = safety.followup_question(content, crisis, "en", "BE", "Europe/Brussels", evening)
    utc = safety.followup_question(content, crisis, "en", "BE", "UTC", evening)

    assert brussels == content.escalations.crisis_followup.question.get("en")
    assert utc.startswith("On 30 March I gave you")


def test_after_a_crisis_the_escalation_is_stored_and_the_question_ends(repo):
    repo.save_profile(coachee_profile())
    repo.replace(ALICE, awaiting("note", "x", ALICE, NOW))
    escalation = safety.sos(NOW)

    with repo.unit_of_work(ALICE) as coachee:
        result = safety.after_crisis(coachee, escalation, NOW)

    assert repo.records(ALICE, Escalation) == [escalation]
    assert not still_awaited(repo.records(ALICE, Awaiting)[0], NOW)
    assert result.effects == (
        FollowUp(escalation.followup_due),
        AlertCoach(ALICE, escalation),  # the coach store decides whether anyone is told
    )


def test_a_crisis_leaves_a_question_on_buttons_pointed_at(repo):
    repo.save_profile(coachee_profile())
    open_checkin = awaiting("checkin", "100", ALICE, NOW)
    repo.replace(ALICE, open_checkin)

    with repo.unit_of_work(ALICE) as coachee:
        safety.after_crisis(coachee, safety.sos(NOW), NOW)

    assert repo.records(ALICE, Awaiting) == [open_checkin]  # its buttons still work


def test_without_consent_nothing_is_stored(repo):
    with repo.unit_of_work(ALICE) as coachee:
        result = safety.after_crisis(coachee, safety.sos(NOW), NOW)

    assert not result.consented and result.effects == ()
    assert repo.records(ALICE, Escalation) == []
    assert repo.load_profile(ALICE) is None


def test_a_stored_escalation_asks_the_coach_side_to_alert_and_carries_no_words(repo):
    """Whether a coach is told is the coach store's decision (links and consent per item:
    tests/services/test_coaching_use_cases.py); the effect carries the id and the record."""
    repo.save_profile(coachee_profile())
    escalation = safety.sos(NOW)
    with repo.unit_of_work(ALICE) as coachee:
        result = safety.record_escalation(coachee, escalation)

    alerts = [e for e in result.effects if isinstance(e, AlertCoach)]
    assert alerts == [AlertCoach(ALICE, escalation)]


def test_gp_advice_is_planned_once_then_not_repeated_while_stored(repo):
    repo.save_profile(coachee_profile())
    with repo.unit_of_work(ALICE) as coachee:
        first = safety.advise(coachee, GP, NOW)
    (effect,) = first.effects
    assert isinstance(effect, Escalate) and effect.escalation.level == "gp"
    assert repo.records(ALICE, Escalation) == []  # said first, stored after

    with repo.unit_of_work(ALICE) as coachee:
        safety.record_escalation(coachee, effect.escalation)
    with repo.unit_of_work(ALICE) as coachee:
        assert safety.advise(coachee, GP, NOW).effects == ()


def test_gp_advice_without_consent_is_given_but_never_stored(repo):
    with repo.unit_of_work(ALICE) as coachee:
        advice = safety.advise(coachee, GP, NOW)
        (effect,) = advice.effects
        assert isinstance(effect, Escalate)
        assert not safety.record_escalation(coachee, effect.escalation).consented
    assert repo.records(ALICE, Escalation) == []


def test_an_edited_message_is_stored_and_alerted_once_unless_it_got_worse(repo):
    repo.save_profile(coachee_profile())

    def record(assessment, minutes):
        at = NOW + timedelta(minutes=minutes)
        if assessment.level == "crisis":
            escalation = safety.crisis_escalation_for(assessment, at, 7)
        else:
            with repo.unit_of_work(ALICE) as coachee:
                (effect,) = safety.advise(coachee, assessment, at, 7).effects
            escalation = effect.escalation
        with repo.unit_of_work(ALICE) as coachee:
            return safety.record_escalation(coachee, escalation).effects

    first = record(GP, 0)
    worse = record(CRISIS, 1)
    again = record(CRISIS, 2)

    assert any(isinstance(e, AlertCoach) for e in first)
    assert any(isinstance(e, AlertCoach) for e in worse)  # the edit made it worse
    assert again == ()  # the same message again: nothing stored, no second alert
    assert [e.level for e in repo.records(ALICE, Escalation)] == ["gp", "crisis"]


def test_yes_after_the_crisis_answer_is_stored_without_a_second_alert(repo, content):
    repo.save_profile(coachee_profile())
    crisis = safety.crisis_escalation_for(CRISIS, NOW, 3)
    yes, _ = safety.ask_answered(content, "yes", "nl", "BE", NOW + timedelta(minutes=1))

    with repo.unit_of_work(ALICE) as coachee:
        first = safety.after_crisis(coachee, crisis, NOW)
    with repo.unit_of_work(ALICE) as coachee:
        second = safety.after_crisis(coachee, yes, NOW + timedelta(minutes=1))

    assert [type(e) for e in first.effects] == [FollowUp, AlertCoach]
    assert [type(e) for e in second.effects] == [FollowUp]
    assert [e.source for e in repo.records(ALICE, Escalation)] == ["text", "ask"]


def test_gp_advice_for_past_suicidal_thoughts_keeps_the_countrys_line_in_reach(content):
    from bot.content.escalation_texts import escalation_text

    for country, line in (("BE", "1813"), ("NL", "113")):
        for lang in ("nl", "en"):
            text = escalation_text(content, "gp", "past_suicidal", lang, country)
            opener = text.split("\n\n")[0]
            assert line in opener  # if the thoughts come back, the line is right there
            assert "huisarts" in text or "GP" in text


@pytest.mark.parametrize("category", sorted(CRISIS_CATEGORIES))
def test_the_crisis_answer_offers_an_exercise_only_where_its_body_asks(content, category):
    # A stranger read "Bel nu meteen 112" for chest pain with "do a grounding exercise" under
    # it: the buttons answer the body's closing offer, and a body without one has none.
    crisis = crisis_escalation("text", "r", category, NOW)
    answer = safety.crisis_answer(content, crisis, "nl", "BE")
    body = answer.body[0].raw or ""
    asks = body.rstrip().endswith("?")
    assert bool(answer.choices) == asks, category
    if category in ("medical_emergency", "other_person_crisis"):
        assert not answer.choices
    if category == "suicidal_ideation":
        assert [c.args for row in answer.choices for c in row] == [("ground",), ("ok",)]
