"""bot.services.privacy against the in-memory repository: /export and /delete decide; the
file and the erasure are effects the chat layer carries out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from servicerig import ALICE, NOW, coachee_profile

from bot.core import coaching, profiles
from bot.core.awaiting import Awaiting, awaiting, still_awaited
from bot.core.models import Consent
from bot.services import actions
from bot.services import privacy as service
from bot.services.outcome import AwaitReplyTo, EraseEverything, SendExport, say
from bot.storage.coaches import InMemoryCoachStore


def run(repo, use_case, *args):
    with repo.unit_of_work(ALICE) as coachee:
        return use_case(coachee, *args)


def ids(message) -> list[str]:
    return [t.id for t in message.body]


def test_export_for_a_stranger_says_there_is_nothing(repo):
    result = run(repo, service.export, None, InMemoryCoachStore())

    assert ids(result.messages[0]) == ["export.nothing"]
    assert result.effects == ()


def test_export_sends_the_file_with_its_caption(repo):
    repo.save_profile(coachee_profile(lang="en"))

    result = run(repo, service.export, None, InMemoryCoachStore())

    assert result.messages == ()
    ((send),) = result.effects
    assert isinstance(send, SendExport) and send.caption == say("export.caption")
    assert send.refused_at is None and send.coaching["coach"] is None  # no coach: none named
    assert not any(send.switches.values())
    assert result.lang == "en"


def test_someone_who_said_no_gets_that_no(repo):
    result = run(repo, service.export, NOW, InMemoryCoachStore())

    ((send),) = result.effects
    assert (send.caption, send.refused_at) == (say("export.caption"), NOW)


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


def test_a_yes_after_its_own_erasure_says_all_is_gone(repo):
    stamp = str(profiles.erasure_stamp(coachee_profile()))  # the question; erased since

    result = run(repo, service.answer_delete, "confirm", stamp, NOW)

    assert ids(result.messages[0]) == ["delete.done"] and result.messages[0].edit
    assert result.effects == ()  # erases nothing again


def test_no_keeps_everything(repo):
    repo.save_profile(coachee_profile())

    result = run(repo, service.answer_delete, "cancel", "", NOW)

    assert ids(result.messages[0]) == ["delete.cancelled"]
    assert result.effects == ()
    assert repo.load_profile(ALICE) is not None


COACH = 500


def coached_store() -> InMemoryCoachStore:
    """Alice linked to Carla, sharing exercises and questionnaires, with homework, a phase
    set by Carla and one report Carla read."""
    store = InMemoryCoachStore()
    store.save_coach(coaching.Coach(COACH, "Carla", "approved", NOW - timedelta(days=9)))
    store.save_link(coaching.Link(COACH, ALICE, "Anna", NOW - timedelta(days=5)))
    sharing = coaching.Sharing(COACH, ALICE)
    for item in ("exercises", "questionnaires"):
        sharing = coaching.share(sharing, item, True, NOW - timedelta(days=5))
    store.save_sharing(sharing)
    store.save_phase(coaching.PhaseSetting(ALICE, "recovery", NOW - timedelta(days=4), COACH))
    store.save_homework(
        coaching.Homework(
            "hw1", COACH, ALICE, "body-scan", "daily", NOW.date(), 7, NOW - timedelta(days=1)
        )
    )
    store.log_read(coaching.CoachRead(COACH, ALICE, ("exercises",), NOW, "report"))
    return store


def test_export_holds_what_the_coaching_file_keeps_about_the_coachee(repo):
    repo.save_profile(coachee_profile())

    (send,) = run(repo, service.export, None, coached_store()).effects

    assert isinstance(send, SendExport) and send.coaching is not None
    file = send.coaching
    assert file["coach"] == {"name": "Carla", "since": (NOW - timedelta(days=5)).isoformat()}
    assert [s["item"] for s in file["shared"]] == ["exercises", "questionnaires"]
    assert file["phase"]["phase"] == "recovery" and file["phase"]["set_by"] == "coach"
    assert [h["exercise"] for h in file["homework"]] == ["body-scan"]
    assert file["reads"] == [
        {"coach": "Carla", "items": ["exercises"], "at": NOW.isoformat(), "purpose": "report"}
    ]
    assert file["as_coach"] is None
    assert "500" not in str(file)  # coaches are named, never numbered


def test_the_exported_share_switches_are_the_coach_stores(repo):
    repo.save_profile(coachee_profile())  # its consent says nothing is shared
    store = coached_store()
    store.save_sharing(coaching.share(store.sharing(ALICE), "checkins", True, NOW))

    (send,) = run(repo, service.export, None, store).effects

    assert send.switches == {
        "share_checkins": True,
        "share_alerts": False,
        "share_reflections_default": False,
    }


def test_export_without_a_coach_has_an_empty_coaching_file(repo):
    repo.save_profile(coachee_profile())

    (send,) = run(repo, service.export, None, InMemoryCoachStore()).effects

    assert send.coaching == {
        "coach": None,
        "shared": [],
        "phase": None,
        "homework": [],
        "reads": [],
        "as_coach": None,
    }
    assert not any(send.switches.values())
