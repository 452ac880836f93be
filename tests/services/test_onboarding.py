"""bot.services.onboarding against the in-memory repository: consent first, then country,
time zone and moments; nothing stored before the yes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from servicerig import ALICE, NOW, coachee_profile

from bot.core.awaiting import Awaiting, awaiting, still_awaited
from bot.core.ports import UserErased
from bot.services import actions
from bot.services import onboarding as service
from bot.services.outcome import (
    AwaitReplyTo,
    RecordRefusal,
    RememberLanguage,
    Reschedule,
    TrackConsentQuestion,
)


def run(repo, use_case, *args):
    with repo.unit_of_work(ALICE) as coachee:
        return use_case(coachee, *args)


def ids(message) -> list[str]:
    return [t.id for t in message.body]


def consent(repo, yes=True, lang="nl"):
    return run(repo, service.consent, yes, ALICE, lang, "BE", "Europe/Brussels", NOW)


def waiting(repo) -> Awaiting | None:
    found = [a for a in repo.records(ALICE, Awaiting) if still_awaited(a, NOW)]
    return found[-1] if found else None


# --- before consent: nothing stored ---


def test_a_stranger_gets_the_introduction_and_the_consent_question(repo, content):
    result = run(repo, service.start, "Alice", "en", content)

    (intro,) = result.messages
    assert ids(intro) == ["start.greeting", "start.what_we_are", "consent.ask"]
    assert intro.body[0].values == {"name": "Alice"}
    assert [row[0].args for row in intro.choices] == [("yes",), ("no",), ("lang-nl",)]
    assert {row[0].action for row in intro.choices} == {actions.CONSENT}
    assert result.lang == "en"
    assert repo.export(ALICE)["profile"] is None and repo.user_ids() == []


def test_an_invitation_opened_under_an_open_consent_question_does_not_ask_it_again(repo, content):
    # Found in a user test: /start, then the coach's link (/start <code>) before the yes
    # sent a second consent question; the invitation after it already points up at the first.
    asked = run(repo, service.start, "Alice", "nl", content)
    assert asked.effects == (TrackConsentQuestion(True),)

    invited = run(repo, service.start, "Alice", "nl", content, True, NOW, NOW)

    assert invited.messages == () and invited.effects == ()
    assert repo.user_ids() == []


def test_an_invitation_asks_for_consent_when_no_consent_question_is_open(repo, content):
    for shown in (None, NOW - timedelta(days=1)):  # never, or a day ago (onboarding's time)
        result = run(repo, service.start, "Alice", "nl", content, True, shown, NOW)
        (intro,) = result.messages
        assert ids(intro)[-1] == "consent.ask"


def test_a_known_coachee_is_welcomed_back_in_their_language(repo, content):
    repo.save_profile(coachee_profile(lang="en"))

    result = run(repo, service.start, "Alice", "nl", content)

    assert ids(result.messages[0]) == ["start.welcome_back"]
    assert result.lang == "en"


def test_a_language_switch_asks_again_and_stores_nothing(repo):
    result = run(repo, service.switch_language, "Alice", "en")

    assert result.lang == "en"
    assert result.effects == (RememberLanguage("en"),)
    assert result.messages[0].edit
    assert result.messages[0].choices[2][0].args == ("lang-nl",)
    assert repo.user_ids() == [] and repo.records(ALICE, Awaiting) == []


def test_no_keeps_only_the_refusal(repo):
    result = consent(repo, yes=False)

    assert ids(result.messages[0]) == ["consent.refused"]
    assert result.effects == (RecordRefusal(NOW), TrackConsentQuestion(False))
    assert not result.consented
    assert repo.load_profile(ALICE) is None


# --- the yes ---


def test_yes_makes_the_profile_and_asks_the_country(repo):
    result = consent(repo, lang="en")

    profile = repo.load_profile(ALICE)
    assert (profile.lang, profile.country, profile.timezone) == ("en", "BE", "Europe/Brussels")
    assert profile.consent.given_at == NOW
    thanks, country = result.messages
    assert ids(thanks) == ["consent.thanks"] and thanks.edit
    assert ids(country) == ["onboarding.country"]
    assert [(c.action, c.args) for c in country.choices[0]] == [
        (actions.COUNTRY, ("BE",)),
        (actions.COUNTRY, ("NL",)),
    ]
    # A typed text is pointed at the country; the consent question is answered.
    assert result.effects == (AwaitReplyTo("onboarding"), TrackConsentQuestion(False))


def test_yes_after_an_erasure_lifts_the_tombstone(repo):
    repo.save_profile(coachee_profile())
    repo.erase(ALICE)
    with pytest.raises(UserErased):
        repo.save_profile(coachee_profile())

    consent(repo)

    assert repo.load_profile(ALICE) is not None


def test_a_second_yes_changes_nothing(repo):
    before = coachee_profile(lang="en")
    repo.save_profile(before)

    result = consent(repo, lang="nl")

    assert ids(result.messages[0]) == ["consent.already"]
    assert repo.load_profile(ALICE) == before


def test_a_double_yes_during_onboarding_keeps_the_thanks(repo):
    consent(repo)
    stored = repo.load_profile(ALICE)

    result = consent(repo)

    (thanks,) = result.messages
    assert ids(thanks) == ["consent.thanks"] and thanks.edit
    assert repo.load_profile(ALICE) == stored


# --- /start halfway: the open question again ---


def test_yes_leaves_the_country_open_until_it_is_chosen(repo):
    consent(repo)

    assert repo.load_profile(ALICE).onboarding == "country"


def test_start_halfway_asks_each_open_question_again(repo, content):
    def start():
        (asked,) = run(repo, service.start, "Alice", "nl", content).messages
        return asked

    consent(repo)
    asked = start()
    assert ids(asked) == ["onboarding.country"]
    assert [c.args for c in asked.choices[0]] == [("BE",), ("NL",)]

    run(repo, service.choose_country, "NL")
    asked = start()
    assert ids(asked) == ["onboarding.timezone"]
    assert asked.body[0].values == {"timezone": "Europe/Amsterdam"}

    run(repo, service.choose_timezone, "Europe.Amsterdam", ALICE, NOW, content)
    asked = start()
    assert asked.body[0].raw.startswith(content.text("onboarding.moments", "nl"))

    run(repo, service.accept_moments, content, NOW)
    assert repo.load_profile(ALICE).onboarding is None
    assert ids(start()) == ["start.welcome_back"]


def test_a_typed_zone_in_onboarding_moves_on_to_the_moments(repo, content):
    consent(repo)
    run(repo, service.choose_country, "BE")
    run(repo, service.choose_timezone, "other", ALICE, NOW, content)

    run(repo, service.type_timezone, "Gent", NOW, content)

    assert repo.load_profile(ALICE).onboarding == "moments"


def test_old_moments_buttons_never_end_onboarding_without_a_country(repo, content):
    consent(repo)

    result = run(repo, service.accept_moments, content, NOW)

    assert ids(result.messages[0]) == ["onboarding.country"]
    assert repo.load_profile(ALICE).onboarding == "country"


# --- country and time zone ---


def test_the_country_is_saved_and_its_zone_suggested(repo):
    repo.save_profile(coachee_profile())

    result = run(repo, service.choose_country, "NL")

    assert repo.load_profile(ALICE).country == "NL"
    chosen, zone = result.messages
    assert ids(chosen) == ["country.NL"] and chosen.edit
    assert zone.body[0].values == {"timezone": "Europe/Amsterdam"}
    assert [row[0].args for row in zone.choices] == [("Europe.Amsterdam",), ("other",)]
    assert {row[0].action for row in zone.choices} == {actions.TIMEZONE}
    assert result.effects == (AwaitReplyTo("onboarding"),)


def test_a_country_without_consent_stores_nothing(repo):
    result = run(repo, service.choose_country, "NL")

    assert not result.consented and repo.user_ids() == []


def test_an_unknown_country_is_a_stale_button(repo):
    repo.save_profile(coachee_profile())

    result = run(repo, service.choose_country, "XX")

    assert ids(result.messages[0]) == ["input.stale_button"]
    assert repo.load_profile(ALICE).country == "BE"


def test_a_suggested_zone_is_taken_and_the_moments_come_next(repo, content):
    repo.save_profile(coachee_profile(timezone="Europe/Brussels"))

    result = run(repo, service.choose_timezone, "Europe.Amsterdam", ALICE, NOW, content)

    assert repo.load_profile(ALICE).timezone == "Europe/Amsterdam"
    saved, moments = result.messages
    assert ids(saved) == ["onboarding.timezone_saved"] and saved.edit
    assert moments.body[0].raw.startswith(content.text("onboarding.moments", "nl"))
    assert [c.args for c in moments.choices[0]] == [("ok",), ("change",)]
    assert Reschedule() in result.effects and AwaitReplyTo("onboarding") in result.effects


def test_other_waits_for_a_typed_zone_that_survives_a_restart(repo, content):
    repo.save_profile(coachee_profile())

    asked = run(repo, service.choose_timezone, "other", ALICE, NOW, content)
    state = waiting(repo)
    typed = run(repo, service.type_timezone, "Spanje", NOW, content)

    assert ids(asked.messages[0]) == ["onboarding.timezone_type"]
    assert (state.kind, state.reference) == ("timezone", service.ONBOARDING)
    assert repo.load_profile(ALICE).timezone == "Europe/Madrid"
    assert len(typed.messages) == 2  # the zone saved, then the moments
    assert waiting(repo) is None


def test_a_zone_typed_for_the_settings_asks_no_moments(repo, content):
    repo.save_profile(coachee_profile())
    run(repo, service.choose_timezone, "other", ALICE, NOW, content)
    with repo.unit_of_work(ALICE) as coachee:  # the settings' own question replaces it
        from bot.services.waiting import wait_for

        wait_for(coachee, "timezone", service.SETTINGS_ZONE, ALICE, NOW)

    typed = run(repo, service.type_timezone, "Brussels", NOW, content)

    assert [ids(m) for m in typed.messages] == [["onboarding.timezone_saved"]]


def test_an_unknown_zone_is_asked_again_and_the_question_stays(repo, content):
    repo.save_profile(coachee_profile())
    run(repo, service.choose_timezone, "other", ALICE, NOW, content)

    typed = run(repo, service.type_timezone, "Narnia", NOW, content)

    assert ids(typed.messages[0]) == ["onboarding.timezone_unknown"]
    assert typed.effects == ()
    assert repo.load_profile(ALICE).timezone == "Europe/Brussels"
    assert waiting(repo) is not None


# --- the moments ---


def test_the_moments_as_proposed_end_onboarding(repo, content):
    repo.save_profile(coachee_profile())
    repo.replace(ALICE, awaiting("onboarding", "100", ALICE, NOW))

    result = run(repo, service.accept_moments, content, NOW)

    (done,) = result.messages
    assert ids(done) == ["onboarding.done"] and done.edit
    assert done.body[0].values == {"phase": content.phase("analysis").title.get("nl")}
    assert result.effects == (Reschedule(),)
    assert waiting(repo) is None  # a typed text is no longer pointed at the question


def test_change_opens_the_settings_menu_in_place(repo, content):
    repo.save_profile(coachee_profile())
    repo.replace(ALICE, awaiting("onboarding", "100", ALICE, NOW))

    result = run(repo, service.change_moments, content, NOW)

    (menu,) = result.messages
    assert menu.edit
    assert menu.choices[-1][0].args == ("done",)
    assert ("checkin",) in [row[0].args for row in menu.choices]
    assert waiting(repo) is None


def test_a_moment_shows_when_it_really_comes(repo, content):
    from datetime import time

    from bot.core.models import Moments

    profile = coachee_profile(
        moments=Moments(checkin=time(7, 30)), quiet_start=time(23, 0), quiet_end=time(8, 0)
    )

    line = service.moment_line(profile, "checkin", content)

    assert "08:00" in line and "07:30" in line
