"""Ordinary sends when Telegram fails, in-process: the real Application and handlers with the
fake Bot API of rig.py, failing the calls a test chooses.

What must hold: replies, edits, button answers and reminders ride out network errors,
timeouts, 5xx and flood control; an edit that changes nothing is no error; a check-in whose
'saved' edit failed shows it saved when tapped again; a coachee who blocked the bot is
marked inactive once and gets nothing more until they come back; a reminder that certainly
did not arrive is sent again, once.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from rig import BLOCKED as BLOCKED_TEXT
from rig import FakeBotApi, moment_a_minute_ago, raises, status, wait_for
from telegram.error import NetworkError, TimedOut

from bot.core import schedule
from bot.core.models import CheckIn, Escalation, ReminderMark
from bot.telegram import callbacks, jobs, outbox

NOT_MODIFIED = status(
    400,
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message",
)
BLOCKED = status(403, BLOCKED_TEXT)
CONNECT_ERROR = raises(NetworkError("httpx.ConnectError: All connection attempts failed"))


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox, "FIRST_BACKOFF", 0.01, raising=False)
    monkeypatch.setattr(outbox, "MAX_BACKOFF", 0.02, raising=False)


def apologies(content) -> list[str]:
    return [content.text(i, "nl") for i in ("input.error", "input.unexpected")]


def delivered(api: FakeBotApi, method: str) -> list[dict]:
    return [c.params for c in api.calls_of(method) if c.delivered]


# --- 1. replies, edits and button answers ride out the fault ------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        status(502, "Bad Gateway"),
        status(500, "Internal Server Error"),
        raises(TimedOut()),
        CONNECT_ERROR,
    ],
    ids=["502", "500", "timeout", "connection"],
)
async def test_a_reply_is_retried_through_network_faults_and_sent_once(rig, content, fault):
    rig.api.faults["sendMessage"] = [fault] * 3
    await rig.process(rig.update(10, "/help"))

    assert rig.api.sent(10) == [content.text("help.commands", "nl")]


async def test_flood_control_is_waited_out_past_three_retries(rig, content):
    rig.api.faults["sendMessage"] = [
        status(429, "Too Many Requests: retry after 1", retry_after=1)
    ] * 4
    await rig.process(rig.update(10, "/help"))

    assert rig.api.sent(10) == [content.text("help.commands", "nl")]


async def test_ordinary_sends_wait_long_enough_for_a_slow_delivery(rig):
    await rig.process(rig.update(10, "/help"))

    (call,) = rig.api.calls_of("sendMessage")
    assert call.read_timeout == 10.0 > rig.api.read_timeout


async def test_a_button_press_is_answered_and_its_edit_made_through_faults(rig, content):
    rig.consent(10)
    day = schedule.local_today(rig.repo.load_profile(10), rig.clock[0]).strftime("%Y%m%d")
    rig.api.faults["answerCallbackQuery"] = [status(502, "Bad Gateway")]
    rig.api.faults["editMessageText"] = [raises(TimedOut()), status(500, "Internal Server Error")]
    await rig.process(rig.update(10, data=callbacks.encode(callbacks.CHECKIN, day, 5)))

    assert len(delivered(rig.api, "answerCallbackQuery")) == 1
    (edit,) = delivered(rig.api, "editMessageText")
    assert edit["text"] == content.text("checkin.stress", "nl")
    assert not set(rig.api.sent(10)) & set(apologies(content))


@pytest.mark.parametrize(
    "data",
    [
        callbacks.encode(callbacks.CHECKIN_NOTE, "x", "skip"),  # "No note"
        callbacks.encode(callbacks.REMINDER, "checkin", "today", "start"),  # "Check-in"
    ],
    ids=["no-note", "start"],
)
async def test_a_double_tap_whose_edit_changes_nothing_is_no_error(rig, content, data):
    rig.consent(10)
    rig.api.faults["editMessageReplyMarkup"] = [NOT_MODIFIED]
    await rig.process(rig.update(10, data=data))

    sent = rig.api.sent(10)
    assert sent and not set(sent) & set(apologies(content))


# --- 2. a check-in stored whose 'saved' edit failed ----------------------------------------------


async def test_a_check_in_whose_saved_edit_failed_shows_it_saved_when_tapped_again(rig, content):
    rig.consent(10)
    day = schedule.local_today(rig.repo.load_profile(10), rig.clock[0]).strftime("%Y%m%d")
    sleep_tap = callbacks.encode(callbacks.CHECKIN, day, 4, 6, 3)
    rig.api.faults["editMessageText"] = [status(400, "Bad Request: message can't be edited")]
    await rig.process(rig.update(10, data=sleep_tap))
    assert len(rig.repo.records(10, CheckIn)) == 1

    await rig.process(rig.update(10, data=sleep_tap))

    saved = content.text("checkin.recorded", "nl", energy=4, stress=6, sleep=3)
    assert delivered(rig.api, "editMessageText")[-1]["text"] == saved
    assert len(rig.repo.records(10, CheckIn)) == 1


# --- 3 and 4. reminders: a blocked coachee, a send that never arrived -----------------------------


def due_now(rig, user_id: int = 10) -> None:
    """A check-in reminder due a minute ago, on the wall clock (jobs run on it)."""
    now = datetime.now(UTC).replace(microsecond=0)
    rig.clock[0] = now
    rig.consent(user_id)
    moment_a_minute_ago(rig.repo, user_id, "checkin", now)


def reminders_job(rig, user_id: int = 10) -> list:
    return rig.application.job_queue.get_jobs_by_name(f"reminders:{user_id}")


def reminder_texts(rig, content) -> list[str]:
    first = content.text("reminder.checkin.first", "nl")
    return [t for t in rig.api.sent(10) if t == first]


async def test_a_blocked_coachee_is_marked_inactive_once_and_gets_nothing_more(rig):
    due_now(rig)
    rig.api.faults["sendMessage"] = [BLOCKED] * 10
    await jobs.reminder_tick(rig.job_context(10))

    profile = rig.repo.load_profile(10)
    assert profile.inactive_since == rig.clock[0]
    assert len(rig.repo.records(10, ReminderMark)) == 1
    assert not reminders_job(rig)

    # A job that was already planned finds nothing to send and writes nothing.
    rig.clock[0] += timedelta(minutes=5)
    await jobs.reminder_tick(rig.job_context(10))
    assert len(rig.api.calls_of("sendMessage")) == 1
    assert len(rig.repo.records(10, ReminderMark)) == 1
    assert rig.repo.load_profile(10) == profile


async def test_a_blocked_coachee_who_writes_again_is_active_and_reminded_again(rig, content):
    due_now(rig)
    rig.api.faults["sendMessage"] = [BLOCKED]
    await jobs.reminder_tick(rig.job_context(10))
    assert rig.repo.load_profile(10).inactive_since is not None

    await rig.process(rig.update(10, "/help"))

    assert rig.repo.load_profile(10).inactive_since is None
    assert content.text("help.commands", "nl") in rig.api.sent(10)
    assert reminders_job(rig)  # the follow-up of the day is planned again


async def test_an_active_coachee_is_read_from_disk_once_not_at_every_message(rig, monkeypatch):
    from telegram.ext import CallbackContext

    update = rig.update(10, "/help")
    context = CallbackContext.from_update(update, rig.application)
    await jobs.coachee_returned(update, context)  # learns that coachee 10 is active
    reads: list[int] = []
    real = rig.repo.load_profile
    monkeypatch.setattr(rig.repo, "load_profile", lambda uid: reads.append(uid) or real(uid))

    for _ in range(3):
        await jobs.coachee_returned(rig.update(10, "hoi"), context)

    assert reads == []


async def test_a_coachee_seen_active_who_then_blocks_the_bot_is_noticed_coming_back(rig, content):
    await rig.process(rig.update(10, "/help"))  # seen active in this process
    due_now(rig)
    rig.api.faults["sendMessage"] = [BLOCKED]
    await jobs.reminder_tick(rig.job_context(10))
    assert rig.repo.load_profile(10).inactive_since is not None

    await rig.process(rig.update(10, "/help"))

    assert rig.repo.load_profile(10).inactive_since is None
    assert reminders_job(rig)


async def test_a_blocked_coachee_who_presses_a_button_is_active_again(rig):
    due_now(rig)
    rig.api.faults["sendMessage"] = [BLOCKED]
    await jobs.reminder_tick(rig.job_context(10))

    await rig.process(rig.update(10, data=callbacks.encode(callbacks.HISTORY, 14)))

    assert rig.repo.load_profile(10).inactive_since is None


async def test_a_reminder_survives_a_short_outage_and_is_sent_once(rig, content):
    due_now(rig)
    rig.api.faults["sendMessage"] = [CONNECT_ERROR, status(502, "Bad Gateway"), CONNECT_ERROR]
    await jobs.reminder_tick(rig.job_context(10))

    assert len(reminder_texts(rig, content)) == 1
    (mark,) = rig.repo.records(10, ReminderMark)
    assert not mark.failed


async def test_a_reminder_that_certainly_failed_is_sent_again_later_once(rig, content, monkeypatch):
    monkeypatch.setattr(outbox, "SEND_DEADLINE", 0.2, raising=False)
    due_now(rig)
    rig.api.faults["sendMessage"] = [CONNECT_ERROR] * 1000
    await jobs.reminder_tick(rig.job_context(10))
    assert reminder_texts(rig, content) == []
    (job,) = reminders_job(rig)
    assert job.next_t == rig.clock[0] + schedule.RESEND_AFTER

    rig.api.faults["sendMessage"] = []
    rig.clock[0] += schedule.RESEND_AFTER
    await jobs.reminder_tick(rig.job_context(10))
    await jobs.reminder_tick(rig.job_context(10))

    assert len(reminder_texts(rig, content)) == 1
    (mark,) = rig.repo.records(10, ReminderMark)  # the failed try's record, reused
    assert not mark.failed


async def test_a_reminder_whose_send_timed_out_is_never_sent_again(rig, content):
    """It may have arrived: counted as sent (the day's follow-up still comes)."""
    due_now(rig)
    rig.api.faults["sendMessage"] = [raises(TimedOut())]
    await jobs.reminder_tick(rig.job_context(10))
    rig.clock[0] += schedule.RESEND_AFTER
    await jobs.reminder_tick(rig.job_context(10))

    assert len(rig.api.calls_of("sendMessage")) == 1
    (mark,) = rig.repo.records(10, ReminderMark)
    assert not mark.failed


# --- the question the day after an escalation ------------------------------------------------


def crisis_followup_due(rig, user_id: int = 10) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    rig.clock[0] = now
    rig.consent(user_id)
    # Noon the day before in the coachee's zone, whatever the wall clock says: the question
    # then says "yesterday" (asked later, it names the day).
    zone = ZoneInfo("Europe/Brussels")
    yesterday = now.astimezone(zone).date() - timedelta(days=1)
    day_before = datetime.combine(yesterday, time(12), zone).astimezone(UTC)
    rig.repo.add(
        user_id,
        Escalation(
            "crisis", "text", "r", "suicidal_ideation", day_before, now - timedelta(minutes=1)
        ),
    )


def followup_job(rig, user_id: int = 10) -> list:
    return rig.application.job_queue.get_jobs_by_name(f"followup:{user_id}")


async def test_a_followup_that_certainly_failed_is_asked_again_later(rig, content, monkeypatch):
    monkeypatch.setattr(outbox, "SEND_DEADLINE", 0.2, raising=False)
    crisis_followup_due(rig)
    rig.api.faults["sendMessage"] = [CONNECT_ERROR] * 1000
    await jobs.followup_tick(rig.job_context(10))

    (escalation,) = rig.repo.records(10, Escalation)
    assert not escalation.followup_sent
    (job,) = followup_job(rig)
    assert job.next_t == rig.clock[0] + schedule.RESEND_AFTER

    rig.api.faults["sendMessage"] = []
    rig.clock[0] += schedule.RESEND_AFTER
    await jobs.followup_tick(rig.job_context(10))
    await jobs.followup_tick(rig.job_context(10))

    question = content.escalations.crisis_followup.question.get("nl")
    assert rig.api.sent(10).count(question) == 1
    assert rig.repo.records(10, Escalation)[0].followup_sent


async def test_a_followup_refused_by_a_blocked_coachee_is_asked_when_they_come_back(rig, content):
    crisis_followup_due(rig)
    rig.api.faults["sendMessage"] = [BLOCKED]
    await jobs.followup_tick(rig.job_context(10))
    assert rig.repo.load_profile(10).inactive_since is not None
    assert not rig.repo.records(10, Escalation)[0].followup_sent
    assert not followup_job(rig)

    await rig.process(rig.update(10, "/help"))

    # Planned anew, due at once: the job queue asks within a second, or (on a loaded machine,
    # where that second has already passed) right away. Asked once either way.
    question = content.escalations.crisis_followup.question.get("nl")
    await wait_for(lambda: question in rig.api.sent(10))
    assert rig.api.sent(10).count(question) == 1
    assert rig.repo.records(10, Escalation)[0].followup_sent
