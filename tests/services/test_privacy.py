"""bot.services.privacy against the in-memory repository: /export and /delete decide; the
file and the erasure are effects the chat layer carries out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from servicerig import ALICE, NOW, coachee_profile

from bot.core import profiles
from bot.core.awaiting import Awaiting, awaiting, still_awaited
from bot.core.models import Consent
from bot.services import actions
from bot.services import privacy as service
from bot.services.outcome import AwaitReplyTo, EraseEverything, SendExport, say


def run(repo, use_case, *args):
    with repo.unit_of_work(ALICE) as coachee:
        return use_case(coachee, *args)


def ids(message) -> list[str]:
    return [t.id for t in message.body]


def test_export_for_a_stranger_says_there_is_nothing(repo):
    result = run(repo, service.export, None)

    assert ids(result.messages[0]) == ["export.nothing"]
    assert result.effects == ()


def test_export_sends_the_file_with_its_caption(repo):
    repo.save_profile(coachee_profile(lang="en"))

    result = run(repo, service.export, None)

    assert result.messages == ()
    assert result.effects == (SendExport(say("export.caption")),)
    assert result.lang == "en"


def test_someone_who_said_no_gets_that_no(repo):
    result = run(repo, service.export, NOW)

    assert result.effects == (SendExport(say("export.caption"), NOW),)


def test_the_delete_question_carries_the_consent_it_covers(repo):
    profile = coachee_profile()
    repo.save_profile(profile)

    (question,) = run(repo, service.ask_delete).messages

    assert ids(question) == ["delete.confirm"]
    yes, no = question.choices[0]
    assert (yes.action, yes.args) == (actions.DELETE, ("confirm", profiles.erasure_stamp(profile)))
    assert no.args == ("cancel",)


def test_the_delete_question_waits_for_its_buttons_only_with_a_profile(repo):
    assert run(repo, service.ask_delete).effects == ()

    repo.save_profile(coachee_profile())

    assert run(repo, service.ask_delete).effects == (AwaitReplyTo("delete"),)


@pytest.mark.parametrize("choice", ["cancel", "confirm"])
def test_no_or_an_old_yes_ends_the_wait_for_the_buttons(repo, choice):
    repo.save_profile(coachee_profile())
    repo.replace(ALICE, awaiting("delete", "100", ALICE, NOW))

    run(repo, service.answer_delete, choice, "an-older-stamp", NOW + timedelta(minutes=1))

    assert not still_awaited(repo.records(ALICE, Awaiting)[-1], NOW + timedelta(minutes=1))


def test_yes_under_the_same_consent_erases_stopping_everything_first(repo):
    profile = coachee_profile()
    repo.save_profile(profile)
    stamp = str(profiles.erasure_stamp(profile))

    result = run(repo, service.answer_delete, "confirm", stamp, NOW)

    assert ids(result.messages[0]) == ["delete.done"] and result.messages[0].edit
    assert result.effects == (EraseEverything(),)
    assert result.lang == "nl"


def test_an_old_question_erases_nothing(repo):
    old = coachee_profile()
    stamp = str(profiles.erasure_stamp(old))
    # Erased and started again since the question was asked.
    repo.save_profile(replace(old, consent=Consent(given_at=NOW + timedelta(minutes=5))))

    result = run(repo, service.answer_delete, "confirm", stamp, NOW)

    assert ids(result.messages[0]) == ["delete.expired"]
    assert result.effects == ()


def test_no_keeps_everything(repo):
    repo.save_profile(coachee_profile())

    result = run(repo, service.answer_delete, "cancel", "", NOW)

    assert ids(result.messages[0]) == ["delete.cancelled"]
    assert result.effects == ()
    assert repo.load_profile(ALICE) is not None
