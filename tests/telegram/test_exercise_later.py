"""'Later' on an exercise promises only what will come (issue 9: "Later" promised a reminder
that never came without consent or with the moment off), and "saved in your history" is
said only when it is."""

from __future__ import annotations

from datetime import time

import pytest
from rig import RecordingRepository
from test_exercise_buttons import USER, ExerciseRig, open_intro, through_to_the_outro

from bot.core.models import Moments, Snooze


@pytest.fixture
def rig_class() -> type[ExerciseRig]:
    return ExerciseRig


@pytest.fixture
def repo() -> RecordingRepository:
    return RecordingRepository()


@pytest.fixture
def exercise_pace() -> float:
    return 1000.0


def promised(content) -> str:
    return content.text("exercise.ended.later", "nl")


async def test_later_with_the_moment_on_stores_a_snooze_and_says_so(rig, content):
    rig.consent(USER)
    intro = await open_intro(rig)

    await rig.tap(rig.buttons(intro)["Later"])

    assert rig.api.sent(USER)[-1] == promised(content)
    assert len(rig.repo.records(USER, Snooze)) == 1
    assert [log.outcome for log in rig.logs()] == ["later"]


async def test_later_with_the_exercise_moment_off_promises_no_reminder(rig, content):
    rig.consent(USER, moments=Moments(exercise=None))
    intro = await open_intro(rig)

    await rig.tap(rig.buttons(intro)["Later"])

    assert rig.api.sent(USER)[-1] == content.text("reminder.later_none", "nl")
    assert rig.repo.records(USER, Snooze) == []


async def test_later_into_the_quiet_hours_names_the_next_reminder(rig, content):
    rig.consent(USER, quiet_start=time(16, 15), quiet_end=time(7, 30))  # 16:00 local now
    intro = await open_intro(rig)

    await rig.tap(rig.buttons(intro)["Later"])

    expected = content.text("reminder.later_next", "nl", day="morgen", time="13:00")
    assert rig.api.sent(USER)[-1] == expected
    assert rig.repo.records(USER, Snooze) == []


async def test_without_consent_later_and_done_promise_nothing_stored(rig, content):
    intro = await open_intro(rig)
    await rig.tap(rig.buttons(intro)["Later"])
    *_, outro = await through_to_the_outro(rig)
    await rig.tap(rig.buttons(outro)["Gedaan"])

    sent = rig.api.sent(USER)
    assert promised(content) not in sent
    assert content.text("exercise.ended.done", "nl") not in sent
    assert content.text("exercise.ended.later_unsaved", "nl") in sent
    assert content.text("exercise.ended.done_unsaved", "nl") in sent
    assert rig.repo.writes == []
