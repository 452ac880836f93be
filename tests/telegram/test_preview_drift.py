"""`content show` cannot drift from the chat (issue 9): what the in-process bot sends for an
exercise, a reflection prompt, a questionnaire and the check-in (tapping the first button
each time) is in the preview, word for word, each message with its buttons right under it,
in the order the coachee gets them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from rig import Call, Rig

from bot.services.preview import render_item
from bot.storage.memory import InMemoryRepository
from bot.telegram import callbacks

USER = 51


@dataclass
class DriftRig(Rig):
    def tap(self, data: str) -> Any:
        return self.process(self.update(USER, data=data))

    def shown(self) -> list[Call]:
        """Every message the coachee got, new or edited, in order."""
        return [
            c
            for c in self.api.calls
            if c.method in ("sendMessage", "editMessageText") and c.delivered
        ]


@pytest.fixture
def rig_class() -> type[DriftRig]:
    return DriftRig


@pytest.fixture
def exercise_pace() -> float:
    return 1000.0  # no step comes by itself: the test taps 'next'


def preview(content: Any, item_id: str, lang: str = "nl", country: str = "BE") -> str:
    return render_item(content, item_id, lang, country, new_repository=InMemoryRepository)


def rows(call: Call) -> list[list[dict[str, str]]]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return markup["inline_keyboard"]


def as_previewed(call: Call) -> str:
    """A message as the preview prints it: its text, then a line per row of buttons."""
    buttons = [" ".join(f"[ {b['text']} ]" for b in row) for row in rows(call)]
    return "\n".join([call.params["text"], *buttons])


def first_button(call: Call, not_starting: str = "") -> str:
    return next(
        b["callback_data"]
        for row in rows(call)
        for b in row
        if not (not_starting and b["callback_data"].startswith(not_starting))
    )


def assert_previewed_in_order(preview: str, calls: list[Call]) -> None:
    assert calls
    at = 0
    for call in calls:
        shown = as_previewed(call)
        found = preview.find(shown, at)
        assert found >= 0, f"not in the preview (after {at}):\n{shown}\n--- preview:\n{preview}"
        at = found + len(shown)


async def test_an_exercise_reads_in_the_preview_as_the_bot_sends_it(rig, content):
    rig.consent(USER)
    await rig.tap(callbacks.encode(callbacks.EXERCISE_PICK, "box-breathing"))
    await rig.tap(first_button(rig.shown()[-1]))  # Start
    while "exstep" in json.dumps(rows(rig.shown()[-1])):
        await rig.tap(first_button(rig.shown()[-1]))  # Next

    sent = rig.shown()
    assert len(sent) == 2 + len(content.exercises["box-breathing"].steps)
    assert_previewed_in_order(preview(content, "box-breathing", "nl", "BE"), sent)


async def test_a_prompt_reads_in_the_preview_as_the_bot_sends_it(rig, content):
    rig.consent(USER, phase="recovery", lang="en", country="NL", timezone="Europe/Amsterdam")
    await rig.process(rig.update(USER, "/reflect"))

    (sent,) = rig.shown()
    prompt_id = first_button(sent).rsplit(":", 1)[-1]
    assert_previewed_in_order(preview(content, prompt_id, "en", "NL"), [sent])


async def test_a_questionnaire_reads_in_the_preview_as_the_bot_sends_it(rig, content):
    rig.consent(USER)
    await rig.tap(callbacks.encode(callbacks.QUESTIONNAIRE, "phq9", "start"))
    while "v1:q:" in json.dumps(rows(rig.shown()[-1])):
        await rig.tap(first_button(rig.shown()[-1]))

    sent = rig.shown()
    assert len(sent) == len(content.questionnaires["phq9"].items) + 1  # the items, the result
    assert_previewed_in_order(preview(content, "phq9", "nl", "BE"), sent)


async def test_the_checkin_reads_in_the_preview_as_the_bot_sends_it(rig, content):
    rig.consent(USER)
    await rig.process(rig.update(USER, "/checkin"))
    for _ in range(3):  # energy, stress, sleep
        await rig.tap(first_button(rig.shown()[-1]))

    sent = rig.shown()
    assert len(sent) == 5  # three questions, "recorded", the acknowledgement with the note
    assert_previewed_in_order(preview(content, "checkin", "nl", "BE"), sent)
