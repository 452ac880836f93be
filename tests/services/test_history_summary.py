"""bot.services.history against the in-memory repository: /history, /summary and the GP
follow-up, no chat."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from servicerig import ALICE, NOW, coachee_profile

from bot.core.models import CheckIn, ExerciseLog
from bot.services import actions
from bot.services import history as service

TODAY = date(2026, 3, 30)
NOTE = "Slecht geslapen na de vergadering"


def run(repo, use_case, *args):
    with repo.unit_of_work(ALICE) as coachee:
        return use_case(coachee, *args)


def checkin(day: date, energy: int, hour: int = 9, note: str | None = None) -> CheckIn:
    at = datetime(day.year, day.month, day.day, hour - 2, tzinfo=UTC)
    return CheckIn(at, day, energy=energy, stress=5, sleep=3, note=note)


def words(result) -> list[str]:
    return [t.raw for m in result.messages for t in m.body]


# --- /history ------------------------------------------------------------------------------


def test_history_needs_consent(repo, content):
    result = run(repo, service.history, 14, NOW, content)

    assert not result.consented
    assert result.messages[0].body[0].id == "consent.needed"


@pytest.mark.parametrize(("asked", "days", "other"), [(14, 14, 30), (30, 30, 14), (7, 14, 30)])
def test_history_is_a_chart_of_the_period_with_a_button_for_the_other(
    repo, content, asked, days, other
):
    repo.save_profile(coachee_profile(days=40))
    repo.add(ALICE, checkin(TODAY, 6))
    repo.add(ALICE, ExerciseLog("box-breathing", NOW, TODAY, "done"))

    result = run(repo, service.history, asked, NOW, content)

    (shown,) = result.messages
    assert shown.chart is not None
    assert shown.chart.summary.days == days
    assert shown.chart.title.values == {"days": days}
    assert shown.choices[0][0].action == actions.HISTORY
    assert shown.choices[0][0].args == (other,)


def test_the_caption_says_which_way_is_better_and_counts_in_words(repo, content):
    repo.save_profile(coachee_profile())
    repo.add(ALICE, checkin(TODAY, 6))

    (caption,) = words(run(repo, service.history, 14, NOW, content))

    lines = caption.splitlines()
    assert content.text("history.better", "nl") in lines
    assert "(1 check-in)" in lines[0]
    assert content.text("history.exercises", "nl", count=0) in lines


def test_without_check_ins_the_caption_says_so(repo, content):
    repo.save_profile(coachee_profile())

    (caption,) = words(run(repo, service.history, 30, NOW, content))

    assert caption == content.text("history.empty", "nl", days=30)


def test_numbers_are_written_the_way_each_language_writes_them():
    assert service.number(5.3, "nl") == "5,3"
    assert service.number(6.5, "en") == "6.5"
    assert service.number(None, "nl") == "-"


# --- /summary ------------------------------------------------------------------------------


def test_summary_needs_consent(repo, content):
    result = run(repo, service.gp_summary, NOW, content)

    assert not result.consented
    assert repo.user_ids() == []


def test_a_low_moment_is_never_averaged_away(repo, content):
    repo.save_profile(coachee_profile(days=20))
    repo.add(ALICE, checkin(TODAY - timedelta(days=1), 2, hour=8))
    repo.add(ALICE, checkin(TODAY - timedelta(days=1), 9, hour=19))
    repo.add(ALICE, checkin(TODAY, 6))

    (body,) = words(run(repo, service.gp_summary, NOW, content))

    (low,) = [line for line in body.splitlines() if "weinig energie" in line]
    assert low.endswith(": 1")
    assert "17 maart tot en met 30 maart 2026" in body


def test_with_notes_in_the_window_the_coachee_chooses_first(repo, content):
    repo.save_profile(coachee_profile(days=20))
    repo.add(ALICE, checkin(TODAY - timedelta(days=2), 4, note=NOTE))

    result = run(repo, service.gp_summary, NOW, content)

    (question,) = result.messages
    assert question.body[0].id == "summary.ask_notes"
    assert [row[0].args for row in question.choices] == [("with",), ("without",)]
    assert {row[0].action for row in question.choices} == {actions.GP_SUMMARY}
    assert NOTE not in str(result)


@pytest.mark.parametrize("with_notes", [True, False])
def test_notes_reach_the_summary_only_when_chosen(repo, content, with_notes):
    repo.save_profile(coachee_profile(days=20))
    repo.add(ALICE, checkin(TODAY - timedelta(days=2), 4, note=NOTE))

    result = run(repo, service.summary_with, with_notes, NOW, content)

    (body,) = words(result)
    assert result.messages[0].edit  # the summary takes the question's place
    assert (f"28 maart: {NOTE}" in body) is with_notes


def test_a_long_summary_is_cut_between_lines_into_messages_telegram_takes(repo, content):
    repo.save_profile(coachee_profile(days=20))
    for ago in range(14):
        repo.add(ALICE, checkin(TODAY - timedelta(days=ago), 5, note="x" * 4000))

    result = run(repo, service.summary_with, True, NOW, content)

    parts = words(result)
    assert len(parts) > 1
    assert all(len(p) <= service.MAX_MESSAGE_CHARS for p in parts)
    assert "".join(parts).count("x") == 14 * 4000
    assert result.messages[0].edit and not any(m.edit for m in result.messages[1:])


def test_split_message_cuts_only_between_lines_and_leaves_nothing_out():
    assert service.split_message(["ab", "cd", "ef"], limit=5) == ["ab\ncd", "ef"]
    assert service.split_message(["abcdefg"], limit=3) == ["abc", "def", "g"]
    assert service.split_message([]) == [""]


# --- the GP follow-up ------------------------------------------------------------------------


@pytest.mark.parametrize("choice", ["reached", "not_yet"])
def test_the_follow_up_answer_takes_the_questions_place(repo, content, choice):
    repo.save_profile(coachee_profile())
    texts = content.escalations.gp_followup

    result = run(repo, service.gp_followup, choice, NOW, content)

    (answer,) = result.messages
    assert answer.edit
    assert answer.body[0].raw == getattr(texts, choice).get("nl")


def test_help_me_prepare_brings_the_summary_too(repo, content):
    repo.save_profile(coachee_profile(days=20))
    repo.add(ALICE, checkin(TODAY, 6))

    result = run(repo, service.gp_followup, "prepare", NOW, content)

    tips, summary = words(result)
    assert tips == content.escalations.gp_followup.prepare.get("nl")
    assert "Samenvatting van mijn check-ins" in summary
    assert [m.edit for m in result.messages] == [True, False]


def test_the_follow_up_needs_consent(repo, content):
    result = run(repo, service.gp_followup, "prepare", NOW, content)

    assert not result.consented and result.messages[0].edit


# --- /history's argument ---------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["365", "abc", "7", "30 dagen"])
def test_a_period_we_do_not_have_gets_the_periods_there_are(repo, content, typed):
    repo.save_profile(coachee_profile())

    result = run(repo, service.history_asked, typed, NOW, content)

    (said,) = result.messages
    assert said.body[0].id == "history.periods" and said.chart is None
    assert [(c.action, c.args) for row in said.choices for c in row] == [
        (actions.HISTORY, (14,)),
        (actions.HISTORY, (30,)),
    ]


@pytest.mark.parametrize(("typed", "days"), [(None, 14), ("", 14), ("14", 14), (" 30 ", 30)])
def test_no_period_or_one_we_have_draws_the_chart(repo, content, typed, days):
    repo.save_profile(coachee_profile())

    (said,) = run(repo, service.history_asked, typed, NOW, content).messages

    assert said.chart is not None and said.chart.title.values == {"days": days}


def test_a_period_we_do_not_have_needs_consent_first(repo, content):
    result = run(repo, service.history_asked, "365", NOW, content)

    assert not result.consented and repo.user_ids() == []
