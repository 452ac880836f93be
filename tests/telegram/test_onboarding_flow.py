"""Onboarding and /export through the real Application: the handlers carry out what the
services decide (bot.services.onboarding, bot.services.privacy)."""

from __future__ import annotations

from bot.services import actions
from bot.telegram import callbacks

USER = 52


def press(rig, action: str, *args: object):
    return rig.update(USER, data=callbacks.encode(action, *args))


def t(content, text_id: str, lang: str = "nl", **values) -> str:
    return content.text(text_id, lang, **values)


async def test_a_new_coachee_goes_from_start_to_the_end_of_onboarding(rig, content):
    await rig.process(rig.update(USER, "/start"))
    assert rig.repo.load_profile(USER) is None
    assert t(content, "consent.ask") in rig.api.sent(USER)[-1]

    await rig.process(press(rig, actions.CONSENT, "yes"))
    assert rig.repo.load_profile(USER) is not None
    assert rig.api.edited()[-1] == t(content, "consent.thanks")
    assert rig.api.sent(USER)[-1] == t(content, "onboarding.country")

    await rig.process(press(rig, actions.COUNTRY, "NL"))
    assert rig.repo.load_profile(USER).country == "NL"

    await rig.process(press(rig, actions.TIMEZONE, "Europe.Amsterdam"))
    assert rig.repo.load_profile(USER).timezone == "Europe/Amsterdam"
    assert rig.api.sent(USER)[-1].startswith(t(content, "onboarding.moments"))

    await rig.process(press(rig, actions.MOMENTS, "ok"))
    phase = content.phase("analysis").title.get("nl")
    assert rig.api.edited()[-1] == t(content, "onboarding.done", phase=phase)


async def test_start_halfway_asks_the_open_question_even_after_a_restart(rig, content):
    await rig.process(press(rig, actions.CONSENT, "yes"))
    rig.application.drop_user_data(USER)  # a restart keeps only what is stored
    await rig.process(rig.update(USER, "/settings"))
    assert rig.api.sent(USER)[-1] == t(content, "onboarding.country"), "no default country"

    await rig.process(press(rig, actions.COUNTRY, "NL"))
    await rig.process(rig.update(USER, "/start"))
    assert rig.api.sent(USER)[-1] == t(content, "onboarding.timezone", timezone="Europe/Amsterdam")

    await rig.process(press(rig, actions.TIMEZONE, "Europe.Amsterdam"))
    await rig.process(rig.update(USER, "/start"))
    assert rig.api.sent(USER)[-1].startswith(t(content, "onboarding.moments"))

    await rig.process(press(rig, actions.MOMENTS, "change"))
    rig.application.drop_user_data(USER)  # the session's "Aanpassen" mark is gone
    await rig.process(press(rig, actions.SETTINGS, "done"))
    phase = content.phase("analysis").title.get("nl")
    assert rig.api.edited()[-1] == t(content, "onboarding.done", phase=phase)
    await rig.process(rig.update(USER, "/start"))
    assert rig.api.sent(USER)[-1].startswith(t(content, "start.welcome_back", name="")[:10])


async def test_a_typed_zone_during_onboarding_leads_to_the_moments(rig, content):
    await rig.process(press(rig, actions.CONSENT, "yes"))
    await rig.process(press(rig, actions.TIMEZONE, "other"))
    await rig.process(rig.update(USER, "Lissabon"))

    assert rig.repo.load_profile(USER).timezone == "Europe/Lisbon"
    assert rig.api.sent(USER)[-1].startswith(t(content, "onboarding.moments"))


async def test_a_language_switch_stores_nothing_and_the_yes_keeps_it(rig, content):
    await rig.process(rig.update(USER, "/start"))
    await rig.process(press(rig, actions.CONSENT, "lang-en"))

    assert t(content, "consent.ask", "en") in rig.api.edited()[-1]
    assert rig.repo.load_profile(USER) is None and rig.repo.user_ids() == []

    await rig.process(press(rig, actions.CONSENT, "yes"))
    assert rig.repo.load_profile(USER).lang == "en"
    assert rig.api.sent(USER)[-1] == t(content, "onboarding.country", "en")


async def test_no_keeps_only_the_no(rig, content):
    await rig.process(press(rig, actions.CONSENT, "no"))

    assert rig.repo.load_profile(USER) is None
    assert rig.repo.refused_at(USER) is not None
    assert rig.api.edited()[-1] == t(content, "consent.refused")


async def test_export_sends_one_file_and_a_stranger_is_told_there_is_nothing(rig, content):
    await rig.process(rig.update(USER, "/export"))
    assert rig.api.sent(USER)[-1] == t(content, "export.nothing")

    rig.consent(USER)
    await rig.process(rig.update(USER, "/export"))

    (document,) = rig.api.calls_of("sendDocument")
    assert document.params["caption"] == t(content, "export.caption")
