"""The crisis path in-process: the real Application, handlers and update processor, with the
fake Bot API of rig.py (it records calls and fails the ones a test chooses).

What must hold: the crisis answer is retried until delivered, never followed by the apology
or the generic reply, whatever the send or the storage does; a crisis stops the chat's
flows; a crisis skips every queue.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from rig import CRISIS_TEXT, NOW, UNSURE_TEXT, raises, status
from telegram.error import Forbidden, NetworkError, TimedOut

from bot.core.awaiting import Awaiting, awaiting, still_awaited
from bot.core.models import Escalation
from bot.core.safety import Assessment
from bot.storage.memory import InMemoryRepository
from bot.telegram import callbacks, exercise, jobs, safety_net

pytestmark = pytest.mark.usefixtures("quick_crisis_retries")


class FailingRepository(InMemoryRepository):
    """Storage whose writes fail: the answer must not depend on the record of it."""

    def add(self, user_id: int, record: object) -> None:
        raise OSError("disk full")


def apologies(content) -> list[str]:
    return [content.text(i, "nl") for i in ("input.error", "input.unexpected")]


def is_crisis_answer(body: str) -> bool:
    return "1813" in body and "112" in body


# --- the crisis answer always arrives, and the text never falls through -----------------------


@pytest.mark.parametrize(
    "fault",
    [
        status(502, "Bad Gateway"),
        status(500, "Internal Server Error"),
        raises(TimedOut()),
        raises(NetworkError("connection reset")),
        status(429, "Too Many Requests: retry after 1", retry_after=1),
    ],
    ids=["502", "500", "timeout", "reset", "429"],
)
async def test_a_failed_crisis_send_is_retried_and_nothing_else_is_said(rig, content, fault):
    rig.api.faults["sendMessage"] = [fault] * 4  # AIORateLimiter retries a 429 three times
    await rig.process(rig.update(10, CRISIS_TEXT))

    sent = rig.api.sent(10)
    assert [is_crisis_answer(s) for s in sent] == [True]
    assert not set(sent) & set(apologies(content))


async def test_the_crisis_send_waits_long_enough_for_a_slow_delivery(rig):
    await rig.process(rig.update(10, CRISIS_TEXT))

    (call,) = rig.api.calls_of("sendMessage")
    assert call.read_timeout == safety_net.CRISIS_READ_TIMEOUT


async def test_a_blocked_chat_is_tried_once_and_nothing_else_is_said(rig):
    rig.api.faults["sendMessage"] = [status(403, "Forbidden: bot was blocked by the user")]
    await rig.process(rig.update(10, CRISIS_TEXT))

    assert len(rig.api.calls_of("sendMessage")) == 1


async def test_the_crisis_answer_gives_up_after_the_deadline(rig, monkeypatch):
    monkeypatch.setattr(safety_net, "CRISIS_DEADLINE", 0.2)
    rig.api.faults["sendMessage"] = [raises(TimedOut())] * 1000
    await rig.process(rig.update(10, CRISIS_TEXT))

    assert 2 < len(rig.api.calls_of("sendMessage")) < 1000
    assert rig.api.faults["sendMessage"]  # stopped trying, did not hang


@pytest.mark.parametrize("repo", [FailingRepository()])
async def test_a_storage_failure_does_not_block_the_crisis_answer_nor_let_the_text_through(
    rig, content
):
    rig.consent(10)
    rig.repo.replace(10, awaiting("note", "x", 10, NOW))
    await rig.process(rig.update(10, CRISIS_TEXT))

    sent = rig.api.sent(10)
    assert [is_crisis_answer(s) for s in sent] == [True]
    assert content.text("checkin.note_saved", "nl") not in sent


async def test_sos_is_retried_too(rig):
    rig.api.faults["sendMessage"] = [status(502, "Bad Gateway")]
    await rig.process(rig.update(10, "/sos"))

    assert [is_crisis_answer(s) for s in rig.api.sent(10)] == [True]


async def test_crisis_is_stored_with_consent_and_asked_about_the_next_day(rig, content):
    rig.consent(10)
    await rig.process(rig.update(10, CRISIS_TEXT))
    (stored,) = rig.repo.records(10, Escalation)
    assert stored.followup_due == NOW + timedelta(days=1)

    rig.clock[0] = NOW + timedelta(days=1, minutes=1)
    await jobs.followup_tick(rig.job_context(10))

    question = rig.api.calls_of("sendMessage")[-1]
    assert question.params["text"] == content.escalations.crisis_followup.question.get("nl")
    buttons = [b["callback_data"] for b in question.params["reply_markup"]["inline_keyboard"][0]]
    buttons += [
        row[0]["callback_data"] for row in question.params["reply_markup"]["inline_keyboard"][1:]
    ]
    assert buttons == [
        callbacks.encode(callbacks.CRISIS_FOLLOWUP, stored.id, choice)
        for choice in ("better", "hard", "help_now")
    ]
    assert rig.repo.records(10, Escalation)[0].followup_sent

    await rig.process(rig.update(10, data=buttons[2]))  # "I need help now"
    help_now = rig.api.sent(10)[-1]
    assert is_crisis_answer(help_now)
    assert help_now.startswith(content.escalations.crisis.openers["followup"].get("nl"))


async def test_the_question_asked_days_later_does_not_say_yesterday(rig, content):
    # Found in a user test: with the demo clock moved 8 days (or after downtime) the
    # question still began "Gisteren schreef je".
    rig.consent(10)
    await rig.process(rig.update(10, CRISIS_TEXT))

    rig.clock[0] = NOW + timedelta(days=8)
    await jobs.followup_tick(rig.job_context(10))

    question = rig.api.calls_of("sendMessage")[-1].params["text"]
    assert question != content.escalations.crisis_followup.question.get("nl")
    assert question.startswith("Op 30 maart gaf ik je")


async def test_better_the_next_day_gets_its_own_text_with_the_lines_filled(rig, content):
    rig.consent(10)
    await rig.process(
        rig.update(10, data=callbacks.encode(callbacks.CRISIS_FOLLOWUP, "e1", "better"))
    )

    (edit,) = rig.api.calls_of("editMessageText")
    assert "1813" in edit.params["text"] and "{" not in edit.params["text"]


# --- ask when unsure ---------------------------------------------------------------------------


async def test_unsure_crisis_answers_first_then_asks_plainly_with_three_buttons(rig, content):
    await rig.process(rig.update(10, UNSURE_TEXT))

    answer, question = rig.api.calls_of("sendMessage")
    assert is_crisis_answer(answer.params["text"])
    assert answer.params["text"].startswith(content.escalations.crisis.openers["unsure"].get("nl"))
    assert question.params["text"] == content.escalations.crisis_ask.question.get("nl")
    (row,) = question.params["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for b in row] == [
        callbacks.encode(callbacks.CRISIS_ASK, c) for c in ("yes", "unsure", "no")
    ]


@pytest.mark.parametrize("choice", ["yes", "unsure"])
async def test_yes_or_not_sure_is_a_crisis_recorded_with_consent(rig, choice):
    rig.consent(10)
    await rig.process(rig.update(10, data=callbacks.encode(callbacks.CRISIS_ASK, choice)))

    assert is_crisis_answer(rig.api.sent(10)[-1])
    (stored,) = rig.repo.records(10, Escalation)
    assert (stored.level, stored.source) == ("crisis", "ask")
    assert stored.followup_due is not None


async def test_a_typed_yes_that_is_itself_worrying_answers_the_question_once(rig, table, content):
    yes = "Ja, die gedachten heb ik bijna elke avond"
    table[yes] = Assessment("crisis", ("unsure",), "learned", "learned", 0.3, ask=True)
    rig.consent(10)
    await rig.process(rig.update(10, UNSURE_TEXT))
    await rig.process(rig.update(10, yes))

    question = content.escalations.crisis_ask.question.get("nl")
    sent = rig.api.sent(10)
    assert sent.count(question) == 1  # heard as the answer, not asked again
    assert is_crisis_answer(sent[-1]) and sent[-1] != question
    assert [e.source for e in rig.repo.records(10, Escalation)] == ["text", "ask"]


async def test_no_is_heard_kindly_and_the_door_stays_open(rig, content):
    rig.consent(10)
    await rig.process(rig.update(10, data=callbacks.encode(callbacks.CRISIS_ASK, "no")))

    answer = rig.api.sent(10)[-1]
    assert "1813" in answer and "{" not in answer
    assert rig.repo.records(10, Escalation) == []
    await rig.process(rig.update(10, "hallo"))  # the bot keeps answering
    assert rig.api.sent(10)[-1] == content.text("input.unexpected", "nl")


# --- a crisis stops everything else in that chat ------------------------------------------------


async def test_a_crisis_stops_the_exercise_the_note_prompt_and_the_questionnaire(rig, content):
    rig.consent(10)
    app = rig.application
    grounding = next(iter(content.exercises.values()))
    context = rig.context(10)
    await exercise.send_step(context, 10, 10, "nl", grounding, 0)
    assert app.job_queue.get_jobs_by_name("exercise:10")
    rig.repo.replace(10, awaiting("note", "x", 10, NOW))
    app.chat_data[10][safety_net.OPEN_QUESTIONNAIRE] = 55

    await rig.process(rig.update(10, "/sos"))
    await asyncio.sleep(0.3)  # longer than the exercise's next step would take

    assert not [j for j in app.job_queue.get_jobs_by_name("exercise:10") if j.enabled]
    assert exercise.SENT not in app.chat_data[10]
    assert not still_awaited(rig.repo.records(10, Awaiting)[0], NOW)
    closed = rig.api.calls_of("editMessageText")
    assert [c.params["message_id"] for c in closed] == [55]
    assert closed[0].params["text"] == content.text("questionnaire.paused", "nl")
    after_crisis = rig.api.sent(10)[2:]  # the step, the crisis answer, then nothing
    assert after_crisis == [], after_crisis

    await rig.process(rig.update(10, "gewoon een notitie"))  # not taken as a note
    assert rig.api.sent(10)[-1] == content.text("input.unexpected", "nl")


# --- a crisis ahead of every queue --------------------------------------------------------------


async def test_one_chats_backlog_does_not_delay_another_chats_crisis(rig):
    rig.api.slow[20] = 0.2  # every send to chat 20 takes a while
    backlog = [
        asyncio.create_task(rig.process(rig.update(20, "/help")))
        for _ in range(rig.application.update_processor.max_concurrent_updates + 10)
    ]
    await asyncio.sleep(0.05)

    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(rig.process(rig.update(10, CRISIS_TEXT)), 1.0)
    assert asyncio.get_running_loop().time() - started < 0.5
    assert is_crisis_answer(rig.api.sent(10)[0])
    for task in backlog:
        task.cancel()
    await asyncio.gather(*backlog, return_exceptions=True)


async def test_one_chats_backlog_holds_no_slots_that_others_need(rig):
    """The chat lock before the semaphore: other chats' ordinary updates go on."""
    rig.api.slow[20] = 0.2
    backlog = [
        asyncio.create_task(rig.process(rig.update(20, "/help")))
        for _ in range(rig.application.update_processor.max_concurrent_updates + 10)
    ]
    await asyncio.sleep(0.05)

    await asyncio.wait_for(rig.process(rig.update(30, "/help")), 1.0)
    assert rig.api.sent(30)
    for task in backlog:
        task.cancel()
    await asyncio.gather(*backlog, return_exceptions=True)


async def test_a_crisis_skips_its_own_chats_queue(rig):
    rig.api.slow[10] = 0.5
    first = asyncio.create_task(rig.process(rig.update(10, "/help")))
    await asyncio.sleep(0.05)

    await asyncio.wait_for(rig.process(rig.update(10, CRISIS_TEXT)), 2.0)
    assert not first.done()  # answered while the earlier update still held the chat
    await first


async def test_a_failing_assessment_in_the_processor_loses_no_update():
    from bot.telegram.updates import PerChatUpdateProcessor

    def broken(_update: object) -> bool:
        raise RuntimeError("model not loaded")

    processor = PerChatUpdateProcessor(urgent=broken)
    done = []

    async def work() -> None:
        done.append(True)

    await processor.process_update(object(), work())
    assert done == [True]


async def test_forbidden_and_network_errors_are_what_ptb_raises():
    """The retry loop relies on this hierarchy: 5xx and timeouts are NetworkError."""
    assert issubclass(TimedOut, NetworkError)
    assert not issubclass(Forbidden, NetworkError)


# --- what of a command the safety net reads ----------------------------------------------------


async def test_a_command_is_read_for_what_follows_it_not_for_its_name(rig):
    # Found by a stranger in the demo: "/time 20:15" got a crisis answer (the learned layer
    # read the command's name with the time). A command of this bot counts for its words only.
    app = rig.application
    assert safety_net.assessed_words(app, "/pause 3") == "3"
    assert safety_net.assessed_words(app, "/history@SomeBot ik wil dood") == "ik wil dood"
    assert safety_net.assessed_words(app, "/ik wil dood") == "/ik wil dood"  # not a command
    assert safety_net.assessed_words(app, "ik wil dood /pause") == "ik wil dood /pause"
    # An invitation code after /start is not words; /start typed with words is read, one
    # word too, in capitals as well.
    code = "aB3-_x9Qz0LkPq1WsE4rT2"  # secrets.token_urlsafe(16), as invitations are made
    assert safety_net.assessed_words(app, f"/start {code}") == ""
    assert safety_net.assessed_words(app, "/start ik wil dood") == "ik wil dood"
    for word in ("zelfmoord", "Zelfmoord", "ZELFMOORD"):
        assert safety_net.assessed_words(app, f"/start {word}") == word

    await rig.process(rig.update(10, "/history " + CRISIS_TEXT))
    assert is_crisis_answer(rig.api.sent(10)[0])
