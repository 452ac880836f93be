"""Settings, onboarding's "Aanpassen", pause and the reminder's "Later" through the real
Application: what the coachee is told is what will happen (issue 9)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import time, timedelta
from typing import Any

import pytest
from rig import NOW

from bot.core.models import Moments, Snooze

USER = 41
TODAY = "20260330"


def said(rig) -> list[str]:
    return [
        c.params.get("text", "")
        for c in rig.api.calls
        if c.method in ("sendMessage", "editMessageText")
    ]


def buttons(rig) -> list[tuple[str, str]]:
    """The buttons of the last message sent or edited, as (label, payload)."""
    for call in reversed(rig.api.calls):
        if call.method not in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            continue
        markup: Any = call.params.get("reply_markup") or {"inline_keyboard": []}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]
    return []


def payloads(rig) -> list[str]:
    return [data for _, data in buttons(rig)]


def t(content, text_id: str, **values) -> str:
    return content.text(text_id, "nl", **values)


def stored(rig):
    return rig.repo.load_profile(USER)


def set_profile(rig, **changes):
    profile = replace(rig.consent(USER), **changes)
    rig.repo.save_profile(profile)
    return profile


# --- 1. "Later" promises only what comes ---


async def test_later_promises_a_reminder_when_one_comes(rig, content):
    set_profile(rig)
    await rig.process(rig.update(USER, data=f"v1:rem:exercise:{TODAY}:later"))

    assert t(content, "reminder.snoozed", minutes=30) in said(rig)
    assert len(rig.repo.records(USER, Snooze)) == 1


async def test_later_with_the_moment_switched_off_promises_nothing(rig, content):
    set_profile(rig, moments=Moments(exercise=None))
    await rig.process(rig.update(USER, data=f"v1:rem:exercise:{TODAY}:later"))

    assert t(content, "reminder.snoozed", minutes=30) not in said(rig)
    assert t(content, "reminder.later_none") in said(rig)
    assert rig.repo.records(USER, Snooze) == []


async def test_later_into_the_quiet_hours_names_the_next_moment(rig, content):
    # 16:00 local; quiet hours from 16:15: the snooze at 16:30 would never come.
    set_profile(rig, quiet_start=time(16, 15), quiet_end=time(7, 30))
    await rig.process(rig.update(USER, data=f"v1:rem:exercise:{TODAY}:later"))

    assert t(content, "reminder.snoozed", minutes=30) not in said(rig)
    assert t(content, "reminder.later_next", day="morgen", time="13:00") in said(rig)
    assert rig.repo.records(USER, Snooze) == []


async def test_later_without_consent_promises_nothing(rig, content):
    await rig.process(rig.update(USER, data=f"v1:rem:exercise:{TODAY}:later"))

    assert t(content, "reminder.snoozed", minutes=30) not in said(rig)
    assert t(content, "consent.needed") in said(rig)


# --- 2. a moment inside the quiet hours ---


async def test_a_moment_in_the_quiet_hours_is_said_and_can_be_moved(rig, content):
    set_profile(rig)  # quiet hours 22:00-07:30
    await rig.process(rig.update(USER, data="v1:set:reflection:2200"))

    body = said(rig)[-1]
    assert "22:00" in body and "stille uren" in body
    assert "v1:set:fix:reflection:moment" in payloads(rig)
    assert "v1:set:fix:reflection:quiet" in payloads(rig)

    await rig.process(rig.update(USER, data="v1:set:fix:reflection:quiet"))
    profile = stored(rig)
    assert (profile.quiet_start, profile.quiet_end) == (time(22, 30), time(7, 30))
    assert profile.moments.reflection == time(22, 0)


async def test_moving_the_moment_out_of_the_quiet_hours(rig, content):
    set_profile(rig, moments=Moments(reflection=time(22, 0)))
    await rig.process(rig.update(USER, data="v1:set:fix:reflection:moment"))

    assert stored(rig).moments.reflection == time(21, 30)


async def test_the_overview_shows_when_a_moment_really_comes(rig, content):
    set_profile(
        rig, moments=Moments(checkin=time(7, 30)), quiet_start=time(23, 0), quiet_end=time(8, 0)
    )
    await rig.process(rig.update(USER, text="/settings"))

    body = said(rig)[-1]
    assert "- 07:30:" not in body
    assert "08:00" in body


# --- 3. time zones ---


async def test_the_zone_choice_offers_the_countrys_zone_and_another(rig, content):
    set_profile(rig, country="NL", timezone="Europe/Amsterdam")
    await rig.process(rig.update(USER, data="v1:set:tz"))

    assert payloads(rig) == ["v1:set:tz:Europe.Amsterdam", "v1:set:tz:other"]


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("Spanje", "Europe/Madrid"), ("Brussels", "Europe/Brussels"), ("CET", "Europe/Brussels")],
)
async def test_a_typed_city_country_or_cet_is_accepted(rig, content, typed, zone):
    set_profile(rig, timezone="Europe/Amsterdam")
    await rig.process(rig.update(USER, data="v1:set:tz:other"))
    await rig.process(rig.update(USER, text=typed))

    assert stored(rig).timezone == zone
    assert t(content, "onboarding.timezone_unknown") not in said(rig)


# --- 4. sharing, closing, staying in the menu ---


async def test_sharing_is_hidden_until_a_coach_is_linked(rig, content):
    set_profile(rig)
    await rig.process(rig.update(USER, text="/settings"))
    assert "v1:set:share" not in payloads(rig)

    await rig.process(rig.update(USER, data="v1:set:share:share_checkins:1"))
    assert stored(rig).consent.share_checkins is False


async def test_with_a_coach_a_share_toggle_stays_in_the_sharing_menu(rig, content):
    set_profile(rig, coach_id=9)
    await rig.process(rig.update(USER, text="/settings"))
    assert "v1:set:share" in payloads(rig)
    assert (
        t(content, "settings.sharing", shared=t(content, "settings.shared.none")) in said(rig)[-1]
    )

    await rig.process(rig.update(USER, data="v1:set:share:share_checkins:1"))

    assert stored(rig).consent.share_checkins is True
    assert "v1:set:share:share_checkins:0" in payloads(rig)
    assert "v1:set:share:share_alerts:1" in payloads(rig)


async def test_the_menu_has_a_done_button_that_closes_it(rig, content):
    set_profile(rig)
    await rig.process(rig.update(USER, text="/settings"))
    assert "v1:set:done" in payloads(rig)

    await rig.process(rig.update(USER, data="v1:set:done"))
    assert said(rig)[-1] == t(content, "settings.closed")
    assert payloads(rig) == []


async def test_change_in_onboarding_ends_with_the_closing_message(rig, content):
    set_profile(rig)
    await rig.process(rig.update(USER, data="v1:moments:change"))
    assert "v1:set:done" in payloads(rig)

    await rig.process(rig.update(USER, data="v1:set:checkin:0800"))
    assert "v1:set:done" in payloads(rig)
    await rig.process(rig.update(USER, data="v1:set:done"))

    phase = content.phase("analysis").title.get("nl")
    assert said(rig)[-1] == t(content, "onboarding.done", phase=phase)


# --- 5. pause and resume ---


async def test_resume_when_not_paused_says_so(rig, content):
    set_profile(rig)
    await rig.process(rig.update(USER, text="/resume"))

    assert said(rig)[-1] == t(content, "pause.not_paused")


async def test_resume_after_a_pause_welcomes_back(rig, content):
    set_profile(rig, paused_until=NOW + timedelta(days=2))
    await rig.process(rig.update(USER, text="/resume"))

    assert said(rig)[-1] == t(content, "pause.resumed")


async def test_pause_writes_the_day_in_words(rig, content):
    set_profile(rig)
    await rig.process(rig.update(USER, text="/pause 3"))

    body = said(rig)[-1]
    assert "2026-04-02" not in body
    assert "tot 2 april." in body


async def test_a_new_country_offers_its_zone(rig, content):
    set_profile(rig)  # BE, Europe/Brussels
    await rig.process(rig.update(USER, data="v1:set:country:NL"))

    assert stored(rig).country == "NL"
    assert payloads(rig)[:2] == ["v1:set:tz:Europe.Amsterdam", "v1:set:tz:other"]
    assert t(content, "settings.ask.tz") in said(rig)[-1]


async def test_settings_opened_later_close_with_their_own_word(rig, content):
    set_profile(rig)
    await rig.process(rig.update(USER, data="v1:moments:change"))
    await rig.process(rig.update(USER, text="/settings"))
    await rig.process(rig.update(USER, data="v1:set:done"))

    assert said(rig)[-1] == t(content, "settings.closed")


# --- 5. a time typed while the time buttons are open ---


async def test_a_time_typed_while_the_time_buttons_are_open_is_taken(rig, content):
    set_profile(rig)
    await rig.process(rig.update(USER, data="v1:set:checkin"))  # the time buttons
    await rig.process(rig.update(USER, text="8.30"))

    assert stored(rig).moments.checkin == time(8, 30)
    assert t(content, "input.unexpected") not in said(rig)
    assert said(rig)[-1].startswith(t(content, "settings.saved"))


async def test_after_a_time_button_a_typed_text_is_itself_again(rig, content):
    set_profile(rig)
    await rig.process(rig.update(USER, data="v1:set:checkin"))
    await rig.process(rig.update(USER, data="v1:set:checkin:0900"))
    await rig.process(rig.update(USER, text="10:00"))

    assert stored(rig).moments.checkin == time(9, 0)
    assert said(rig)[-1] == t(content, "input.unexpected")


async def test_a_text_that_is_no_time_while_the_time_buttons_are_open_is_read_as_itself(
    rig, content
):
    set_profile(rig)
    await rig.process(rig.update(USER, data="v1:set:checkin"))
    await rig.process(rig.update(USER, text="ik ben moe vandaag"))

    assert said(rig)[-1] == t(content, "input.unexpected")
    assert stored(rig).moments.checkin == time(9, 0)


async def test_after_other_time_a_text_that_is_no_time_is_asked_again(rig, content):
    set_profile(rig)
    await rig.process(rig.update(USER, data="v1:set:checkin:other"))
    await rig.process(rig.update(USER, text="straks"))

    assert said(rig)[-1] == t(content, "settings.time_unknown")


# --- 6. buttons under an old settings message after "Klaar" ---


async def test_an_old_settings_message_changes_nothing_after_done_on_a_newer_one(rig, content):
    set_profile(rig)
    await rig.process(rig.update(USER, text="/settings"))
    await rig.process(rig.update(USER, text="/settings"))
    await rig.process(rig.press(USER, "v1:set:done", message_id=20))
    assert said(rig)[-1] == t(content, "settings.closed")

    await rig.process(rig.press(USER, "v1:set:checkin:0700", message_id=19))

    assert said(rig)[-1] == t(content, "settings.stale")
    assert payloads(rig) == []
    assert stored(rig).moments.checkin == time(9, 0)
    await rig.process(rig.press(USER, "v1:set:checkin:0700", message_id=25))
    assert stored(rig).moments.checkin == time(7, 0), "a newer settings message still works"


async def test_pause_for_one_day_says_one_day_in_english(rig, content):
    set_profile(rig, lang="en")
    await rig.process(rig.update(USER, text="/pause 1"))

    body = said(rig)[-1]
    assert body.startswith("I'll send you nothing for 1 day,"), body
