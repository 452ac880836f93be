"""/reflect's "Not now" in-process: the real Application and handlers over a recording Bot
API. It promises to ask again only when the reminder plan will really ask (issue 9)."""

from __future__ import annotations

import json
from typing import Any

from rig import Rig

from bot.core.models import Moments, Snooze
from bot.telegram import callbacks

USER = 41


def later_button(rig: Rig) -> str:
    (prompt,) = rig.api.calls_of("sendMessage")
    markup = prompt.params["reply_markup"]
    rows: Any = json.loads(markup) if isinstance(markup, str) else markup
    (later,) = [
        b["callback_data"]
        for row in rows["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("v1:rf:later:")
    ]
    return later


async def test_not_now_with_the_reminder_on_promises_to_ask_again(rig, content):
    rig.consent(USER)
    await rig.process(rig.update(USER, "/reflect"))

    await rig.process(rig.update(USER, data=later_button(rig)))

    assert rig.api.sent(USER)[-1] == content.text("reflect.later_ok", "nl")
    assert [s.kind for s in rig.repo.records(USER, Snooze)] == ["reflection"]
    assert rig.api.calls_of("editMessageReplyMarkup")


async def test_not_now_with_the_reflection_moment_off_promises_nothing(rig, content):
    rig.consent(USER, moments=Moments(reflection=None))
    await rig.process(rig.update(USER, "/reflect"))

    await rig.process(rig.update(USER, data=later_button(rig)))

    said = rig.api.sent(USER)
    assert content.text("reflect.later_ok", "nl") not in said
    assert said[-1] == content.text("reminder.later_none", "nl")
    assert rig.repo.records(USER, Snooze) == []


async def test_not_now_without_consent_promises_nothing(rig, content):
    prompt = content.prompts[0].id

    await rig.process(rig.update(USER, data=callbacks.encode(callbacks.REFLECT, "later", prompt)))

    said = rig.api.sent(USER)
    assert content.text("reflect.later_ok", "nl") not in said
    assert said == [content.text("consent.needed", "nl")]
    assert rig.repo.user_ids() == []
