"""bot.services.questionnaire against the in-memory repository: items, scoring, and PHQ-9
item 9, which escalates at once whatever the total (SAFETY.md)."""

from __future__ import annotations

import pytest
from servicerig import ALICE, NOW, coachee_profile

from bot.content.escalation_texts import escalation_text, opener_key
from bot.core.models import Escalation, QuestionnaireResult
from bot.services import actions
from bot.services import questionnaire as service
from bot.services.outcome import Escalate, KeepResult, TrackQuestionnaire


def run(repo, content, questionnaire_id, answers, lang="nl", run_id=""):
    with repo.unit_of_work(ALICE) as coachee:
        return service.answer(coachee, questionnaire_id, answers, NOW, content, lang, run_id)


def escalations(result):
    return [e.escalation for e in result.effects if isinstance(e, Escalate)]


def test_the_menu_offers_every_questionnaire_in_content(content):
    result = service.menu(content, "en")

    assert result.messages[0].body[0].id == "questionnaire.choose"
    offered = [row[0] for row in result.messages[0].choices]
    assert [c.args for c in offered] == [(q, "start") for q in content.questionnaires]
    assert {c.action for c in offered} == {actions.QUESTIONNAIRE}
    assert offered[0].label.raw == next(iter(content.questionnaires.values())).title.get("en")


def test_start_shows_the_intro_and_the_first_item_on_the_pressed_message(repo, content):
    phq9 = content.questionnaires["phq9"]

    result = run(repo, content, "phq9", "start")

    (shown,) = result.messages
    assert shown.edit
    intro, item = (t.raw for t in shown.body)
    assert intro == phq9.intro.get("nl")
    assert item.endswith(phq9.items[0].text.get("nl"))
    assert content.text("questionnaire.counter", "nl", number=1, total=9) in item
    run_id = shown.choices[0][0].args[2]  # a new run, carried by every answer's button
    assert len(run_id) == 12
    assert [row[0].args for row in shown.choices] == [
        ("phq9", str(o.value), run_id) for o in phq9.options_for(phq9.items[0])
    ]
    assert result.effects == (TrackQuestionnaire(open=True),)
    assert run(repo, content, "phq9", "start").messages[0].choices[0][0].args[2] != run_id


def test_each_answer_is_carried_by_the_buttons_and_nothing_is_stored(repo, content):
    repo.save_profile(coachee_profile())

    result = run(repo, content, "phq9", "01")

    (shown,) = result.messages
    assert len(shown.body) == 1  # the intro only above the first item
    assert shown.choices[0][0].args == ("phq9", "010")
    assert repo.records(ALICE, QuestionnaireResult) == []


@pytest.mark.parametrize("value", ["1", "2", "3"])
def test_phq9_item_9_above_0_escalates_at_once_whatever_the_total(repo, content, value):
    repo.save_profile(coachee_profile())

    result = run(repo, content, "phq9", "00000000" + value)

    assert result.messages == ()  # no result, no further item: the crisis answer only
    (escalation,) = escalations(result)
    assert (escalation.level, escalation.source) == ("crisis", "questionnaire")
    # The item stays known as open until the crisis answer takes its buttons away.
    assert result.effects[0] == TrackQuestionnaire(open=True)
    # Nothing is written before the crisis answer went out: the result comes as an effect.
    assert repo.records(ALICE, QuestionnaireResult) == []


def test_a_crisis_answer_that_completes_the_questionnaire_keeps_its_result_after_it(repo, content):
    repo.save_profile(coachee_profile())

    result = run(repo, content, "phq9", "222222221", run_id="0123456789ab")

    effects = [type(e) for e in result.effects]
    assert effects == [TrackQuestionnaire, Escalate, KeepResult]  # the crisis answer first
    (kept,) = [e.result for e in result.effects if isinstance(e, KeepResult)]
    assert (kept.id, kept.score, kept.level) == ("0123456789ab", 17.0, "crisis")
    for _ in range(2):  # a second tap keeps one result
        with repo.unit_of_work(ALICE) as coachee:
            service.keep(coachee, kept)
    assert repo.records(ALICE, QuestionnaireResult) == [kept]


def test_a_crisis_answer_without_consent_keeps_nothing(repo, content):
    result = run(repo, content, "phq9", "222222221", run_id="0123456789ab")

    assert not [e for e in result.effects if isinstance(e, KeepResult)]
    assert repo.user_ids() == []


def test_a_run_stores_one_result_whatever_is_pressed_twice_or_late(repo, content):
    repo.save_profile(coachee_profile())

    first = run(repo, content, "phq9", "222220000", run_id="0123456789ab")
    repo.add(ALICE, escalations(first)[0])
    again = run(repo, content, "phq9", "222220000", run_id="0123456789ab")
    other = run(repo, content, "phq9", "111111110", run_id="ba9876543210")

    assert [r.id for r in repo.records(ALICE, QuestionnaireResult)] == [
        "0123456789ab",
        "ba9876543210",
    ]
    assert again.messages == first.messages  # the result again, nothing stored or escalated
    assert escalations(again) == []
    assert other.messages[0].body[0].id == "questionnaire.result"


def test_phq9_item_9_escalates_without_consent_too(repo, content):
    result = run(repo, content, "phq9", "000000000")
    assert escalations(result) == []

    result = run(repo, content, "phq9", "000000001")

    assert [e.level for e in escalations(result)] == ["crisis"]
    assert repo.user_ids() == []


def test_a_finished_questionnaire_is_scored_stored_and_closed(repo, content):
    repo.save_profile(coachee_profile())
    phq9 = content.questionnaires["phq9"]

    result = run(repo, content, "phq9", "111111110")

    (stored,) = repo.records(ALICE, QuestionnaireResult)
    assert (stored.questionnaire_id, stored.score, stored.level) == ("phq9", 8, "none")
    (shown,) = result.messages
    assert shown.edit and shown.body[0].id == "questionnaire.result"
    assert shown.body[0].values["band"] == phq9.scoring.bands[1].label.get("nl")
    assert result.effects == (TrackQuestionnaire(open=False),)


def test_a_total_of_10_brings_gp_advice_once_a_while(repo, content):
    repo.save_profile(coachee_profile())

    first = run(repo, content, "phq9", "222220000")
    repo.add(ALICE, escalations(first)[0])  # the safety path stores it, with consent
    again = run(repo, content, "phq9", "222220000")

    assert [(e.level, e.category) for e in escalations(first)] == [("gp", "depressive_signs")]
    assert escalations(again) == []
    assert len(repo.records(ALICE, Escalation)) == 1


def test_without_consent_the_result_is_shown_and_nothing_stored(repo, content):
    result = run(repo, content, "auditc", "222", lang="en")

    assert result.messages[0].body[0].id == "questionnaire.result"
    assert [(e.level, e.category) for e in escalations(result)] == [("gp", "alcohol")]
    assert repo.user_ids() == []


@pytest.mark.parametrize(
    ("questionnaire_id", "answers"),
    [("nope", "start"), ("phq9", "9"), ("phq9", "0" * 10), ("auditc", "x1"), ("phq9", "")],
)
def test_an_unknown_or_forged_answer_is_stale_and_stores_nothing(
    repo, content, questionnaire_id, answers
):
    repo.save_profile(coachee_profile())

    result = run(repo, content, questionnaire_id, answers)

    assert result.messages[0].body[0].id == "input.stale_button"
    assert escalations(result) == []
    assert repo.records(ALICE, QuestionnaireResult) == []


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_audit_c_gp_advice_speaks_of_the_answers_not_of_mood(content, lang):
    """AUDIT-C asks about drinking: its GP advice must not say "how you feel"."""
    body = escalation_text(
        content, "gp", "alcohol", lang, "BE", opener=opener_key("questionnaire", "alcohol")
    )
    opener = body.split("\n\n")[0]

    assert "voelt" not in opener and "feel" not in opener
    assert ("vragenlijst" if lang == "nl" else "questionnaire") in opener
