"""bot.services.reflection against the in-memory repository: the rules of /reflect, no chat."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from servicerig import ALICE, NOW, coachee_profile

from bot.core import coaching
from bot.core.awaiting import Awaiting
from bot.core.models import Moments, Reflection, Snooze
from bot.services import actions
from bot.services import reflection as service
from bot.services.outcome import ClearButtons, Reschedule
from bot.storage.coaches import InMemoryCoachStore

NO_COACH = InMemoryCoachStore()  # nobody is linked in it


def run(repo, use_case, *args, **kwargs):
    with repo.unit_of_work(ALICE) as coachee:
        return use_case(coachee, *args, **kwargs)


def ids(result):
    return [t.id for m in result.messages for t in m.body]


def ask(repo, content, **kwargs):
    return run(repo, service.ask, ALICE, NOW, content, **kwargs)


def prompt_of(result):
    (row,) = result.messages[0].choices
    return row[0].args[1]


def test_without_consent_nothing_is_asked_or_stored(repo, content):
    result = ask(repo, content)

    assert not result.consented
    assert ids(result) == ["consent.needed"]
    assert repo.user_ids() == []


def test_the_prompt_of_the_phase_is_asked_and_its_answer_awaited(repo, content):
    repo.save_profile(coachee_profile())

    result = ask(repo, content)

    prompt = prompt_of(result)
    profile = repo.load_profile(ALICE)
    assert prompt in {p.id for p in content.prompts_for(profile.phase)}
    assert ids(result) == ["reflect.prompt"]
    (row,) = result.messages[0].choices
    assert [(c.action, c.args) for c in row] == [
        (actions.REFLECT, ("other", prompt)),
        (actions.REFLECT, ("later", prompt)),
    ]
    waiting = repo.records(ALICE, Awaiting)[-1]
    assert (waiting.kind, waiting.reference, waiting.chat) == ("reflection", prompt, ALICE)


def test_another_question_skips_this_one_and_takes_its_buttons_away(repo, content):
    repo.save_profile(coachee_profile())
    first = prompt_of(ask(repo, content))

    result = run(repo, service.other_prompt, first, ALICE, NOW, content)

    assert prompt_of(result) != first
    assert result.effects[0] == ClearButtons()
    assert repo.records(ALICE, Awaiting)[-1].reference == prompt_of(result)


def test_the_answer_is_stored_private_without_a_coach_and_ends_the_question(repo, content):
    repo.save_profile(coachee_profile())
    prompt = prompt_of(ask(repo, content))

    result = run(repo, service.save_answer, prompt, "  Ik stop te laat.  ", NOW, NO_COACH)

    (stored,) = repo.records(ALICE, Reflection)
    assert (stored.prompt_id, stored.answer, stored.shared) == (prompt, "Ik stop te laat.", False)
    assert ids(result) == ["reflect.saved_private"]
    assert result.messages[0].choices == ()
    assert repo.records(ALICE, Awaiting)[-1].until == NOW


def test_an_answer_of_only_spaces_is_not_stored_and_the_question_stays(repo, content):
    repo.save_profile(coachee_profile())
    prompt = prompt_of(ask(repo, content))
    asked = repo.records(ALICE, Awaiting)[-1]

    result = run(repo, service.save_answer, prompt, "  \n ", NOW, NO_COACH)

    assert repo.records(ALICE, Reflection) == []
    assert ids(result) == ["input.blank"]
    assert repo.records(ALICE, Awaiting)[-1] == asked


def test_a_long_answer_is_kept_up_to_telegrams_limit(repo, content):
    repo.save_profile(coachee_profile())

    run(repo, service.save_answer, "p1", "x" * 5000, NOW, NO_COACH)

    (stored,) = repo.records(ALICE, Reflection)
    assert len(stored.answer) == service.ANSWER_MAX_CHARS


def test_with_a_coach_the_coachee_is_asked_whether_to_share(repo, content):
    repo.save_profile(coachee_profile(coach_id=77))

    result = run(repo, service.save_answer, "p1", "antwoord", NOW, coach_store())

    (stored,) = repo.records(ALICE, Reflection)
    assert ids(result) == ["reflect.saved"]
    assert [c.args for c in result.messages[0].choices[0]] == [
        (stored.id, "yes"),
        (stored.id, "no"),
    ]


def test_without_consent_an_answer_is_not_stored(repo):
    result = run(repo, service.save_answer, "p1", "antwoord", NOW, NO_COACH)

    assert result.messages == ()
    assert repo.user_ids() == []


def test_sharing_is_chosen_per_answer(repo):
    repo.save_profile(coachee_profile(coach_id=77))
    store = coach_store("reflections")
    run(repo, service.save_answer, "p1", "antwoord", NOW, store)
    (stored,) = repo.records(ALICE, Reflection)

    private = run(repo, service.share, stored.id, False, store)
    assert repo.records(ALICE, Reflection)[0].shared is False
    shared = run(repo, service.share, stored.id, True, store)
    assert repo.records(ALICE, Reflection)[0].shared is True
    private = run(repo, service.share, stored.id, False, store)

    assert repo.records(ALICE, Reflection)[0].shared is False
    assert ids(shared) == ["reflect.shared"] and ids(private) == ["reflect.private"]
    assert shared.messages[0].edit


def test_sharing_an_answer_that_is_gone_says_so(repo):
    repo.save_profile(coachee_profile(coach_id=77))

    result = run(repo, service.share, "nope", True, coach_store("reflections"))

    assert ids(result) == ["reflect.gone"]


def test_not_now_snoozes_when_the_reminder_will_come(repo, content):
    repo.save_profile(coachee_profile())
    prompt = prompt_of(ask(repo, content))

    result = run(repo, service.later, prompt, NOW)

    assert ids(result) == ["reflect.later_ok"]
    (snooze,) = repo.records(ALICE, Snooze)
    assert (snooze.kind, snooze.until) == ("reflection", NOW + timedelta(minutes=30))
    assert result.effects == (ClearButtons(), Reschedule())
    assert repo.records(ALICE, Awaiting)[-1].until == NOW


def test_not_now_with_the_reflection_moment_off_promises_nothing(repo, content):
    repo.save_profile(coachee_profile(moments=Moments(reflection=None)))
    prompt = prompt_of(ask(repo, content))

    result = run(repo, service.later, prompt, NOW)

    assert ids(result) == ["reminder.later_none"]
    assert repo.records(ALICE, Snooze) == []
    assert Reschedule() not in result.effects


def test_not_now_without_consent_promises_nothing(repo):
    result = run(repo, service.later, "p1", NOW)

    assert ids(result) == ["consent.needed"]
    assert result.effects == (ClearButtons(),)
    assert repo.user_ids() == []


def coach_store(*shared: str) -> InMemoryCoachStore:
    """Alice linked to coach 77, sharing `shared`."""
    store = InMemoryCoachStore()
    store.save_coach(coaching.Coach(77, "Carla", "approved", NOW - timedelta(days=9)))
    store.save_link(coaching.Link(77, ALICE, "Anna", NOW - timedelta(days=5)))
    sharing = coaching.Sharing(77, ALICE)
    for item in shared:
        sharing = coaching.share(sharing, item, True, NOW - timedelta(days=5))
    store.save_sharing(sharing)
    return store


def test_a_yes_while_reflections_are_not_shared_promises_nothing_and_offers_to_ask(repo):
    # The profile's switch says "shared by default"; the coach store says reflections are off.
    profile = coachee_profile(coach_id=77)
    repo.save_profile(
        replace(profile, consent=replace(profile.consent, share_reflections_default=True))
    )
    store = coach_store("checkins")
    run(repo, service.save_answer, "p1", "antwoord", NOW, store)
    (stored,) = repo.records(ALICE, Reflection)
    assert stored.shared is False  # the coach store decides, not the stale switch

    result = run(repo, service.share, stored.id, True, store)

    assert ids(result) == ["reflect.share_off"] and result.messages[0].edit
    ((turn_on,),) = result.messages[0].choices
    assert (turn_on.action, turn_on.args) == (actions.COACH_PRIVACY, ("ask", "reflections"))
    assert repo.records(ALICE, Reflection)[0].shared is False


def test_a_yes_while_reflections_are_shared_shares_that_answer(repo):
    repo.save_profile(coachee_profile(coach_id=77))
    store = coach_store("reflections")
    run(repo, service.save_answer, "p1", "antwoord", NOW, store)
    (stored,) = repo.records(ALICE, Reflection)
    assert stored.shared is True  # shared by default while reflections are shared

    private = run(repo, service.share, stored.id, False, store)
    shared = run(repo, service.share, stored.id, True, store)

    assert ids(private) == ["reflect.private"] and ids(shared) == ["reflect.shared"]
    assert repo.records(ALICE, Reflection)[0].shared is True
