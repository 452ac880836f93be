"""An old "Ja, wis alles" never erases what was stored after it was asked (found by a tester:
/delete twice, confirm the second, start again, check in, then confirm the first: the new
profile and check-in were gone without a new question)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.core.models import CheckIn, Consent
from bot.telegram import callbacks

USER = 10


def confirm_buttons(rig) -> list[str]:
    """The "yes, erase" payload of every /delete question sent so far, oldest first."""
    found = []
    for call in rig.api.calls_of("sendMessage"):
        markup = call.params.get("reply_markup") or {"inline_keyboard": []}
        for row in markup["inline_keyboard"]:
            for button in row:
                data = button.get("callback_data", "")
                if data.startswith(f"{callbacks.VERSION}:{callbacks.DELETE}:confirm"):
                    found.append(data)
    return found


async def test_an_old_confirmation_does_not_erase_what_came_after_a_new_start(rig, content):
    rig.consent(USER)
    await rig.process(rig.update(USER, "/delete"))  # question A
    await rig.process(rig.update(USER, "/delete"))  # question B
    first, second = confirm_buttons(rig)
    await rig.process(rig.update(USER, data=second))
    assert rig.repo.load_profile(USER) is None

    # They start again: a new consent, a new check-in.
    rig.clock[0] += timedelta(minutes=5)
    rig.repo.record_consent(USER)
    again = replace(rig.consent(USER), consent=Consent(given_at=rig.clock[0]))
    rig.repo.save_profile(again)
    rig.repo.add(USER, CheckIn(rig.clock[0], date(2026, 3, 30), 7, 2, 4))

    await rig.process(rig.update(USER, data=first))

    assert rig.repo.load_profile(USER) == again
    assert len(rig.repo.records(USER, CheckIn)) == 1
    assert (
        content.text("delete.done", "nl")
        not in [c.params.get("text") for c in rig.api.calls_of("editMessageText")][-1:]
    )


async def test_an_old_confirmation_after_the_erasure_says_all_is_gone_already(rig, content):
    rig.consent(USER)
    await rig.process(rig.update(USER, "/delete"))
    await rig.process(rig.update(USER, "/delete"))
    first, second = confirm_buttons(rig)
    await rig.process(rig.update(USER, data=second))

    await rig.process(rig.update(USER, data=first))

    assert content.text("input.error", "nl") not in rig.api.sent(USER)


async def test_the_current_confirmation_still_erases(rig, content):
    rig.consent(USER)
    rig.repo.add(USER, CheckIn(rig.clock[0], date(2026, 3, 30), 7, 2, 4))
    await rig.process(rig.update(USER, "/delete"))
    (yes,) = confirm_buttons(rig)

    await rig.process(rig.update(USER, data=yes))

    assert rig.repo.load_profile(USER) is None
    assert rig.repo.records(USER, CheckIn) == []


def edits(rig) -> list[str]:
    return [c.params.get("text") for c in rig.api.calls_of("editMessageText")]


async def test_a_double_tap_on_yes_ends_with_everything_erased(rig, content):
    rig.consent(USER)
    await rig.process(rig.update(USER, "/delete"))
    (yes,) = confirm_buttons(rig)

    await rig.process(rig.update(USER, data=yes))
    await rig.process(rig.update(USER, data=yes))  # before the first edit took the buttons

    assert rig.repo.load_profile(USER) is None
    assert edits(rig) == [content.text("delete.done", "nl")] * 2


async def test_a_second_tap_after_a_new_consent_erases_nothing(rig, content):
    rig.consent(USER)
    await rig.process(rig.update(USER, "/delete"))
    (yes,) = confirm_buttons(rig)
    await rig.process(rig.update(USER, data=yes))
    rig.clock[0] += timedelta(minutes=1)
    await rig.process(rig.update(USER, data=callbacks.encode(callbacks.CONSENT, "yes")))
    again = rig.repo.load_profile(USER)
    assert again is not None

    await rig.process(rig.update(USER, data=yes))

    assert rig.repo.load_profile(USER) == again
    assert edits(rig)[-1] == content.text("delete.expired", "nl")
