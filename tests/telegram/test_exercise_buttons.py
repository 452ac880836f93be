"""An exercise's buttons through the real Application (issue 9): once an exercise has ended
(done, stopped, later), every button it left in the chat is inert and answered as a stale
button; its end is stored once, under a double tap, after a restart, and when the step timer
and a press race. And what the coachee reads: the duration once, one step number per step.

The presses use the payloads the bot itself sent, read back from the fake Bot API.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

import pytest
from rig import Call, RecordingRepository, Rig, moment_a_minute_ago

from bot.core.models import ExerciseLog
from bot.telegram import callbacks

USER = 31
EXERCISE = "box-breathing"  # six steps


@dataclass
class ExerciseRig(Rig):
    def tap(self, data: str) -> Any:
        return self.process(self.update(USER, data=data))

    def buttons(self, call: Call) -> dict[str, str]:
        """Label -> payload of the buttons under a sent message."""
        markup = call.params.get("reply_markup") or {"inline_keyboard": []}
        return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}

    def sends(self) -> list[Call]:
        return self.api.calls_of("sendMessage")

    def last_with(self, label: str) -> Call:
        return next(c for c in reversed(self.sends()) if label in self.buttons(c))

    def logs(self) -> list[ExerciseLog]:
        return self.repo.records(USER, ExerciseLog)


@pytest.fixture
def rig_class() -> type[ExerciseRig]:
    return ExerciseRig


@pytest.fixture
def repo() -> RecordingRepository:
    return RecordingRepository()


@pytest.fixture
def exercise_pace() -> float:
    return 1000.0  # a slow pace: no step arrives by itself unless a test runs the step's job


async def open_intro(rig: ExerciseRig, exercise_id: str = EXERCISE) -> Call:
    await rig.process(rig.update(USER, "/exercise"))
    await rig.tap(callbacks.encode(callbacks.EXERCISE_PICK, exercise_id))
    return rig.sends()[-1]


async def through_to_the_outro(rig: ExerciseRig, exercise_id: str = EXERCISE) -> list[Call]:
    """Start and press 'Verder' on every step: the step messages, then the outro."""
    intro = await open_intro(rig, exercise_id)
    await rig.tap(rig.buttons(intro)["Start"])
    shown = [rig.sends()[-1]]
    while "Verder" in rig.buttons(shown[-1]):
        await rig.tap(rig.buttons(shown[-1])["Verder"])
        shown.append(rig.sends()[-1])
    assert "Gedaan" in rig.buttons(shown[-1])
    return shown


def stale(content) -> str:
    return content.text("input.stale_button", "nl")


# --- a finished exercise's buttons are inert ---------------------------------------------------


async def test_next_on_an_old_step_of_a_finished_exercise_does_not_restart_it(rig, content):
    rig.consent(USER)
    *steps, outro = await through_to_the_outro(rig)
    await rig.tap(rig.buttons(outro)["Gedaan"])
    sent_before = len(rig.sends())

    await rig.tap(rig.buttons(steps[4])["Verder"])  # step 5's 'Verder': it would send step 6

    assert len(rig.sends()) == sent_before
    assert rig.callback_answers()[-1] == stale(content)
    assert [log.outcome for log in rig.logs()] == ["done"]


async def test_next_on_a_step_of_an_exercise_a_crisis_stopped_does_not_restart_it(rig, content):
    # Found by a stranger: /sos (or a crisis typed) in the middle of an exercise stopped the
    # steps, but the old step's 'Verder' started them again, and they came by themselves.
    rig.consent(USER)
    intro = await open_intro(rig)
    await rig.tap(rig.buttons(intro)["Start"])
    step = rig.sends()[-1]
    await rig.process(rig.update(USER, "/sos"))
    sent_before = len(rig.sends())

    await rig.tap(rig.buttons(step)["Verder"])

    assert len(rig.sends()) == sent_before
    assert rig.callback_answers()[-1] == stale(content)
    assert not rig.application.job_queue.get_jobs_by_name(f"exercise:{USER}")


async def test_stop_on_an_old_step_of_a_finished_exercise_says_and_stores_nothing(rig, content):
    rig.consent(USER)
    *steps, outro = await through_to_the_outro(rig)
    await rig.tap(rig.buttons(outro)["Gedaan"])
    sent_before = len(rig.sends())

    await rig.tap(rig.buttons(steps[1])["Stoppen"])

    assert len(rig.sends()) == sent_before
    assert content.text("exercise.ended.skipped", "nl") not in rig.api.sent()
    assert rig.callback_answers()[-1] == stale(content)
    assert [log.outcome for log in rig.logs()] == ["done"]


async def test_done_tapped_twice_is_stored_once(rig, content):
    rig.consent(USER)
    *_, outro = await through_to_the_outro(rig)

    await rig.tap(rig.buttons(outro)["Gedaan"])
    await rig.tap(rig.buttons(outro)["Gedaan"])

    assert [log.outcome for log in rig.logs()] == ["done"]
    assert rig.api.sent().count(content.text("exercise.ended.done", "nl")) == 1
    assert rig.callback_answers()[-1] == stale(content)


async def test_stop_then_done_on_the_same_exercise_keeps_the_first_end(rig, content):
    rig.consent(USER)
    *steps, outro = await through_to_the_outro(rig)

    await rig.tap(rig.buttons(steps[-1])["Stoppen"])
    await rig.tap(rig.buttons(outro)["Gedaan"])

    assert [log.outcome for log in rig.logs()] == ["skipped"]
    assert rig.callback_answers()[-1] == stale(content)


async def test_after_a_restart_the_stored_end_keeps_old_buttons_inert(rig, content):
    rig.consent(USER)
    *steps, outro = await through_to_the_outro(rig)
    await rig.tap(rig.buttons(outro)["Gedaan"])
    rig.application.chat_data[USER].clear()  # what a restart forgets
    sent_before = len(rig.sends())

    await rig.tap(rig.buttons(steps[2])["Verder"])
    await rig.tap(rig.buttons(outro)["Gedaan"])

    assert len(rig.sends()) == sent_before
    assert rig.callback_answers()[-2:] == [stale(content), stale(content)]
    assert len(rig.logs()) == 1


async def test_without_consent_nothing_is_stored_and_old_buttons_are_inert_too(rig, content):
    *steps, outro = await through_to_the_outro(rig)  # no profile: nothing is stored
    await rig.tap(rig.buttons(outro)["Gedaan"])
    sent_before = len(rig.sends())

    await rig.tap(rig.buttons(steps[4])["Verder"])
    await rig.tap(rig.buttons(outro)["Gedaan"])

    assert len(rig.sends()) == sent_before
    assert rig.callback_answers()[-2:] == [stale(content), stale(content)]
    assert rig.repo.writes == []


async def test_start_on_an_intro_set_aside_is_inert(rig, content):
    rig.consent(USER)
    intro = await open_intro(rig)
    await rig.tap(rig.buttons(intro)["Vandaag niet"])
    sent_before = len(rig.sends())

    await rig.tap(rig.buttons(intro)["Start"])
    await rig.tap(rig.buttons(intro)["Vandaag niet"])

    assert len(rig.sends()) == sent_before
    assert [log.outcome for log in rig.logs()] == ["skipped"]


async def test_start_tapped_twice_sends_the_first_step_once(rig, content):
    intro = await open_intro(rig)

    await rig.tap(rig.buttons(intro)["Start"])
    await rig.tap(rig.buttons(intro)["Start"])

    firsts = [
        t
        for t in rig.api.sent()
        if t.startswith(content.text("exercise.step", "nl", number=1, total=6))
    ]
    assert len(firsts) == 1


async def test_a_new_run_of_the_same_exercise_has_live_buttons(rig, content):
    rig.consent(USER)
    *_, outro = await through_to_the_outro(rig)
    await rig.tap(rig.buttons(outro)["Gedaan"])

    *_, outro = await through_to_the_outro(rig)
    await rig.tap(rig.buttons(outro)["Gedaan"])

    assert [log.outcome for log in rig.logs()] == ["done", "done"]


async def test_the_end_is_stored_with_consent(rig, content):
    rig.consent(USER)
    *_, outro = await through_to_the_outro(rig)

    await rig.tap(rig.buttons(outro)["Gedaan"])
    await rig.tap(rig.buttons(outro)["Later nog eens"])

    assert [log.outcome for log in rig.logs()] == ["done"]


# --- the step timer and a press ---------------------------------------------------------------


def step_job(rig: ExerciseRig) -> Any:
    (job,) = [j for j in rig.application.job_queue.jobs() if j.name == f"exercise:{USER}"]
    return job


async def test_stop_while_the_outro_is_on_its_way_then_done_on_it_stores_one_end(rig, content):
    rig.consent(USER)
    intro = await open_intro(rig)
    await rig.tap(rig.buttons(intro)["Start"])
    for _ in range(5):
        await rig.tap(rig.buttons(rig.sends()[-1])["Verder"])
    last_step = rig.sends()[-1]
    assert content.text("exercise.step", "nl", number=6, total=6) in last_step.params["text"]
    rig.api.hold = {content.exercises[EXERCISE].outro.get("nl")}

    timer = asyncio.create_task(step_job(rig).run(rig.application))  # the last step's time is up
    await asyncio.wait_for(rig.api.holding.wait(), 5)
    await rig.tap(rig.buttons(last_step)["Stoppen"])  # while the outro is in flight
    rig.api.release.set()
    await timer
    outro = rig.sends()[-1]
    assert "Gedaan" in rig.buttons(outro)

    await rig.tap(rig.buttons(outro)["Gedaan"])

    assert [log.outcome for log in rig.logs()] == ["skipped"]
    assert rig.callback_answers()[-1] == stale(content)


async def test_a_step_timer_that_fires_after_stop_sends_nothing(rig, content):
    rig.consent(USER)
    intro = await open_intro(rig)
    await rig.tap(rig.buttons(intro)["Start"])
    step_one = rig.sends()[-1]
    job = step_job(rig)  # already due when the press arrives

    await rig.tap(rig.buttons(step_one)["Stoppen"])
    sent_before = len(rig.sends())
    await job.run(rig.application)

    assert len(rig.sends()) == sent_before
    assert [log.outcome for log in rig.logs()] == ["skipped"]


# --- what the coachee reads ------------------------------------------------------------------

_DURATION = re.compile(r"\(\s*\d+\s*(?:min|minuten|minuut|minutes|minute)\b[^)]*\)", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(?:stap|step)\s+\d+\b", re.IGNORECASE)


async def test_the_menu_and_every_intro_give_the_duration_once(rig, content):
    await rig.process(rig.update(USER, "/exercise"))
    menu = rig.sends()[-1]
    labels = list(rig.buttons(menu))
    bodies = []
    for exercise_id in content.exercises:
        bodies.append((await open_intro(rig, exercise_id)).params["text"].splitlines()[0])
        labels += list(rig.buttons(rig.sends()[-2]))  # the /exercise menu before it

    twice = [t for t in [*labels, *bodies] if len(_DURATION.findall(t)) > 1]
    assert twice == []


async def test_every_step_carries_one_step_number(rig, content):
    numbered = []
    for exercise_id in content.exercises:
        *steps, _ = await through_to_the_outro(rig, exercise_id)
        for number, step in enumerate(steps, start=1):
            counter, _, body = step.params["text"].partition("\n")
            assert counter == content.text("exercise.step", "nl", number=number, total=len(steps))
            if _NUMBERED.match(body):
                numbered.append((exercise_id, counter, body[:20]))

    assert numbered == []


def markup_removed(rig: ExerciseRig) -> list[int]:
    """The messages whose buttons were taken off (editMessageReplyMarkup without a markup)."""
    return [
        c.params["message_id"]
        for c in rig.api.calls_of("editMessageReplyMarkup")
        if not c.params.get("reply_markup")
    ]


async def test_a_step_that_comes_by_itself_takes_the_buttons_off_the_one_before(rig, content):
    # Stranger's list: steps that came by themselves kept their Verder/Stoppen buttons, so
    # several sets were on screen.
    rig.consent(USER)
    intro = await open_intro(rig)
    await rig.tap(rig.buttons(intro)["Start"])
    first = rig.sends()[-1]
    assert first.params["text"].startswith("Stap 1 van 6")

    await step_job(rig).run(rig.application)  # step 1's time is up

    assert rig.sends()[-1].params["text"].startswith("Stap 2 van 6")
    assert rig.api.calls_of("editMessageReplyMarkup"), "step 1's buttons stay on screen"
    assert len(markup_removed(rig)) == 2  # the intro's on 'Start', step 1's now
    await step_job(rig).run(rig.application)
    assert len(markup_removed(rig)) == 3 and len(set(markup_removed(rig))) == 3


async def test_a_second_exercise_closes_the_running_one_kindly(rig, content):
    # Stranger's list: a second /exercise while one ran stalled the first without closing
    # it, and its buttons stayed live.
    rig.consent(USER)
    intro = await open_intro(rig)
    await rig.tap(rig.buttons(intro)["Start"])
    step = rig.sends()[-1]
    removed_before = len(markup_removed(rig))

    await rig.process(rig.update(USER, "/exercise"))

    assert content.text("exercise.ended.skipped", "nl") in rig.api.sent(USER)
    assert rig.sends()[-1].params["text"] == content.text("exercise.choose", "nl")
    assert len(markup_removed(rig)) == removed_before + 1, "the running step keeps its buttons"
    assert [j for j in rig.application.job_queue.jobs() if j.name == f"exercise:{USER}"] == []
    assert [(log.exercise_id, log.outcome) for log in rig.logs()] == [(EXERCISE, "skipped")]
    sends = len(rig.sends())
    await rig.tap(rig.buttons(step)["Verder"])  # the old step's button: inert
    assert len(rig.sends()) == sends
    assert rig.callback_answers()[-1] == stale(content)

    await rig.process(rig.update(USER, "/exercise"))  # nothing runs: just the menu
    assert rig.api.sent(USER)[-1] == content.text("exercise.choose", "nl")
    assert len(rig.logs()) == 1


async def test_a_second_exercise_leaves_an_outro_alone(rig, content):
    rig.consent(USER)
    await through_to_the_outro(rig)

    await rig.process(rig.update(USER, "/exercise"))

    assert content.text("exercise.ended.skipped", "nl") not in rig.api.sent(USER)
    assert rig.logs() == []


# --- the exercise reminder and a running exercise ---------------------------------------------


def exercise_due_now(rig: ExerciseRig) -> None:
    """An exercise reminder due a minute ago (jobs run on the wall clock)."""
    from datetime import UTC, datetime

    rig.clock[0] = datetime.now(UTC).replace(microsecond=0)
    moment_a_minute_ago(rig.repo, USER, "exercise", rig.clock[0])


async def test_the_exercise_reminder_does_not_come_in_the_middle_of_an_exercise(rig, content):
    # Found by a stranger: "time for an exercise" arrived while the bodyscan ran.
    from bot.telegram import jobs

    rig.consent(USER)
    intro = await open_intro(rig)
    await rig.tap(rig.buttons(intro)["Start"])
    exercise_due_now(rig)
    sent_before = len(rig.sends())

    await jobs.reminder_tick(rig.job_context(USER))

    assert len(rig.sends()) == sent_before  # marked, not sent: it does not come after either
    await jobs.reminder_tick(rig.job_context(USER))
    assert len(rig.sends()) == sent_before


async def test_after_the_last_step_the_exercise_reminder_comes_again(rig, content):
    # The outro's 'Gedaan' is often never tapped: the exercise has ended all the same.
    from bot.telegram import jobs

    rig.consent(USER)
    await through_to_the_outro(rig)
    exercise_due_now(rig)

    await jobs.reminder_tick(rig.job_context(USER))

    assert rig.sends()[-1].params["text"].startswith(content.text("reminder.exercise.first", "nl"))
