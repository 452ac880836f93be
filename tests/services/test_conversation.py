"""Which question a typed text answers, against the in-memory repository."""

from __future__ import annotations

from datetime import timedelta

import pytest
from servicerig import ALICE, NOW, coachee_profile

from bot.core.awaiting import EXPIRY, Awaiting, awaiting, ended
from bot.services import actions, conversation
from bot.services.outcome import TrackConsentQuestion


def answered(repo, chat=ALICE, own_chat=True, crisis=False, now=NOW, questionnaire=None):
    with repo.unit_of_work(ALICE) as coachee:
        return conversation.awaited_answer(coachee, chat, own_chat, crisis, now, questionnaire)


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


# --- questions on buttons: a text is pointed at them -----------------------------------------


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("checkin", "checkin.use_buttons"),
        ("onboarding", "onboarding.use_buttons"),
        ("delete", "delete.use_buttons"),
    ],
)
def test_a_text_under_a_question_on_buttons_is_pointed_at_them(repo, kind, said):
    repo.save_profile(coachee_profile())
    repo.replace(ALICE, awaiting(kind, "105", ALICE, NOW))

    state = answered(repo)

    assert state is not None and state.kind == kind
    (message,) = conversation.point_at_buttons(state).messages
    assert [t.id for t in message.body] == [said]
    assert message.reply_to == 105 and message.choices == ()


def test_an_open_questionnaire_item_is_pointed_at_for_an_hour(repo):
    item = (107, NOW)

    state = answered(repo, questionnaire=item)

    assert state is not None and (state.kind, state.reference) == ("questionnaire", "107")
    (message,) = conversation.point_at_buttons(state).messages
    assert [t.id for t in message.body] == ["questionnaire.use_buttons"]
    assert message.reply_to == 107
    assert answered(repo, questionnaire=item, now=NOW + timedelta(hours=1)) is None
    assert answered(repo, questionnaire=item, crisis=True) is None


def test_a_question_that_takes_text_comes_before_an_open_questionnaire(repo):
    repo.save_profile(coachee_profile())
    repo.replace(ALICE, awaiting("note", "c1", ALICE, NOW))

    state = answered(repo, questionnaire=(107, NOW + timedelta(minutes=1)))

    assert state is not None and state.kind == "note"  # the text is kept, as the note


def test_of_two_questions_on_buttons_the_last_one_asked_is_pointed_at(repo):
    repo.save_profile(coachee_profile())
    repo.replace(ALICE, awaiting("checkin", "105", ALICE, NOW))

    later_item = answered(repo, questionnaire=(107, NOW + timedelta(minutes=1)))
    earlier_item = answered(repo, questionnaire=(103, NOW - timedelta(minutes=1)))

    assert later_item is not None and later_item.kind == "questionnaire"
    assert earlier_item is not None and earlier_item.kind == "checkin"


@pytest.mark.parametrize(
    ("kind", "said"),
    [("checkin", "checkin.use_buttons"), ("delete", "delete.use_buttons")],
)
def test_a_photo_under_a_question_on_buttons_is_pointed_at_them_as_a_text_is(kind, said):
    # Found in a user test: a photo during an open check-in was told "type what you want to
    # say", while a typed text is refused there.
    (message,) = conversation.media_reply(awaiting(kind, "105", ALICE, NOW)).messages
    assert [t.id for t in message.body] == [said]
    assert message.reply_to == 105 and message.choices == ()


@pytest.mark.parametrize("kind", [None, "note", "reflection"])
def test_a_photo_elsewhere_is_told_it_cannot_be_read(kind):
    state = awaiting(kind, "105", ALICE, NOW) if kind else None
    (message,) = conversation.media_reply(state).messages
    assert [t.id for t in message.body] == ["input.media"]
    assert message.reply_to is None


def test_before_consent_the_unexpected_reply_points_at_the_consent_question():
    # Found by a stranger driving the bot: "ja" typed to the consent question got the offer
    # of a check-in, which cannot be kept before consent.
    (message,) = conversation.unexpected(consented=False).messages
    assert [t.id for t in message.body] == ["input.before_consent"]
    assert message.choices == ()


def unexpected_reply(repo, consent_asked=None, now=NOW):
    with repo.unit_of_work(ALICE) as coachee:
        return conversation.answer_unexpected(coachee, "Anna", "en", consent_asked, now)


def test_before_consent_with_no_question_open_a_text_gets_the_consent_question(repo):
    # Found in a user test: "hallo" before any /start was told to tap "the buttons above",
    # and there were none.
    for asked in (None, NOW - EXPIRY["onboarding"]):  # never shown, or long ago
        result = unexpected_reply(repo, consent_asked=asked)

        (message,) = result.messages
        assert [t.id for t in message.body] == [
            "start.greeting",
            "start.what_we_are",
            "consent.ask",
        ]
        assert [c.args for (c,) in message.choices] == [("yes",), ("no",), ("lang-nl",)]
        assert result.effects == (TrackConsentQuestion(True),) and result.lang == "en"
    assert repo.load_profile(ALICE) is None


def test_before_consent_with_the_question_open_a_text_points_at_it(repo):
    result = unexpected_reply(repo, consent_asked=NOW - timedelta(minutes=5))

    (message,) = result.messages
    assert [t.id for t in message.body] == ["input.before_consent"]
    assert result.effects == ()


def test_after_consent_an_unexpected_text_gets_the_ordinary_reply(repo):
    repo.save_profile(coachee_profile())

    (message,) = unexpected_reply(repo).messages

    assert [t.id for t in message.body] == ["input.unexpected"]


def test_the_unexpected_reply_offers_a_check_in_and_an_exercise():
    (message,) = conversation.unexpected().messages
    assert [t.id for t in message.body] == ["input.unexpected"]
    assert [(c.action, c.args) for c in message.choices[0]] == [
        (actions.REMINDER, ("checkin", "today", "start")),
        (actions.REMINDER, ("exercise", "today", "start")),
    ]
