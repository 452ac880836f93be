"""Which question a typed text answers, against the in-memory repository."""

from __future__ import annotations

from datetime import timedelta

from servicerig import ALICE, NOW, coachee_profile

from bot.core.awaiting import Awaiting, awaiting, ended
from bot.services import actions, conversation


def answered(repo, chat=ALICE, own_chat=True, crisis=False, now=NOW):
    with repo.unit_of_work(ALICE) as coachee:
        return conversation.awaited_answer(coachee, chat, own_chat, crisis, now)


def test_a_text_in_the_chat_asked_answers_the_open_question(repo):
    repo.save_profile(coachee_profile())
    repo.replace(ALICE, awaiting("note", "c1", ALICE, NOW))

    state = answered(repo)

    assert state is not None and (state.kind, state.reference) == ("note", "c1")


def test_nothing_is_answered_elsewhere_after_expiry_once_ended_or_during_a_crisis(repo):
    repo.save_profile(coachee_profile())
    asked = awaiting("note", "c1", ALICE, NOW)
    repo.replace(ALICE, asked)

    assert answered(repo, chat=-1001) is None
    assert answered(repo, own_chat=False) is None
    assert answered(repo, crisis=True) is None
    assert answered(repo, now=NOW + timedelta(days=1)) is None
    repo.replace(ALICE, ended(asked, NOW))
    assert answered(repo) is None


def test_a_kind_from_a_later_version_is_read_as_text(repo):
    repo.replace(ALICE, Awaiting("dream", "x", ALICE, NOW, NOW + timedelta(hours=1)))
    assert answered(repo) is None


def test_nothing_awaited_nothing_answered(repo):
    assert answered(repo) is None


def test_the_unexpected_reply_offers_a_check_in_and_an_exercise():
    (message,) = conversation.unexpected().messages
    assert [t.id for t in message.body] == ["input.unexpected"]
    assert [(c.action, c.args) for c in message.choices[0]] == [
        (actions.REMINDER, ("checkin", "today", "start")),
        (actions.REMINDER, ("exercise", "today", "start")),
    ]
