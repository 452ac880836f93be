"""Ordinary sends against the real bot when Telegram fails: a burst of 5xx, a send that is never
answered, a send that arrived but is confirmed late, a coachee who blocked the bot and comes
back, and a minute without Telegram.

The bot reaches the emulator only through a FaultProxy (faults.py); users talk to the emulator
directly, so what a user sees is what was really delivered. The crisis answer under faults is
tested in test_crisis_faults.py; here it is everything else: replies, edits, reminders.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml
from client import ChatClient
from conversations import check_in, eventually, onboard, user_file
from faults import (
    FaultProxy,
    bad_gateway,
    chat_is,
    deliver_slowly,
    forbidden_blocked,
    hang,
    reset,
    server_error,
)
from harness import REPO_ROOT
from test_reminders import _afternoon_zone, _set_via_settings

TEXTS = yaml.safe_load((REPO_ROOT / "content" / "ui.yaml").read_text())["texts"]
HELP = TEXTS["help.commands"]["nl"].splitlines()[0]  # "Wat ik kan:"
APOLOGY = TEXTS["input.error"]["nl"]
REMINDER = "Tijd voor je check-in"


@pytest.fixture
def fault_proxy(emulator) -> Iterator[FaultProxy]:
    with FaultProxy(emulator.base_url) as proxy:
        yield proxy


@pytest.fixture
def bot_env(fault_proxy: FaultProxy) -> dict[str, str]:
    return {"TELEGRAM_API_URL": fault_proxy.api_url_for_bot}


def count(user: ChatClient, substring: str) -> int:
    return sum(1 for m in user.messages() if substring in m.text)


def _arrived(user: ChatClient, *substrings: str) -> None:
    missing = [s for s in substrings if count(user, s) == 0]
    assert not missing, f"not yet: {missing}"


def chat_of(user: ChatClient) -> str:
    return "\n  ".join(m.describe() for m in user.messages()) or "(nothing)"


def reminder_due_at_restart(coachee: ChatClient) -> None:
    """An onboarded coachee whose check-in moment was five minutes ago: the bot sends that
    reminder when it next starts (as in test_reminders.py)."""
    onboard(coachee)
    zone = _afternoon_zone()
    _set_via_settings(coachee, "Tijdzone", "Andere tijdzone", zone)
    five_minutes_ago = datetime.now(ZoneInfo(zone)) - timedelta(minutes=5)
    _set_via_settings(
        coachee, "Moment van de check-in", "Ander uur", five_minutes_ago.strftime("%H:%M")
    )
    coachee.skip_pending()


# --- replies ----------------------------------------------------------------------------------


def test_a_reply_gets_through_a_burst_of_5xx_once(bot, chat, fault_proxy):
    user = chat()
    rule = fault_proxy.inject("sendMessage", bad_gateway(), match=chat_is(user.user_id), times=2)
    html = fault_proxy.inject(
        "sendMessage", server_error(500, html=True), match=chat_is(user.user_id), times=2
    )
    user.command("help")
    user.wait_for_text(HELP, timeout=15)
    time.sleep(1.0)

    assert (rule.hits, html.hits) == (2, 2), fault_proxy.describe("sendMessage")
    assert count(user, HELP) == 1, chat_of(user)
    assert count(user, APOLOGY) == 0, chat_of(user)


def test_a_reply_whose_send_is_never_answered_is_sent_again(bot, chat, fault_proxy):
    user = chat()
    rule = fault_proxy.inject("sendMessage", hang(30), match=chat_is(user.user_id))
    started = time.monotonic()
    user.command("help")
    user.wait_for_text(HELP, timeout=25)
    took = time.monotonic() - started
    time.sleep(1.0)

    assert rule.hits == 1
    assert count(user, HELP) == 1, chat_of(user)
    print(f"reply after a send that was never answered: {took:.1f}s")


def test_a_reply_delivered_but_confirmed_late_is_not_sent_twice(bot, chat, fault_proxy):
    user = chat()
    rule = fault_proxy.inject("sendMessage", deliver_slowly(8), match=chat_is(user.user_id))
    user.command("help")
    user.wait_for_text(HELP, timeout=5)
    time.sleep(8 + 4)  # the slow answer, and any retry or apology, time to show

    assert rule.hits == 1
    assert count(user, HELP) == 1, chat_of(user) + "\n" + fault_proxy.describe("sendMessage")
    assert count(user, APOLOGY) == 0, chat_of(user)


def test_a_double_tap_on_no_note_is_no_error(bot, chat, fault_proxy):
    coachee = chat()
    onboard(coachee)
    ack = check_in(coachee, energy=6, stress=4, sleep=4)
    coachee.press("Geen notitie", ack)
    coachee.wait_for_text(TEXTS["checkin.done"]["nl"])
    coachee.press("Geen notitie", ack)  # the old buttons, pressed again
    time.sleep(1.5)

    assert count(coachee, APOLOGY) == 0, chat_of(coachee)


# --- a coachee who blocked the bot ------------------------------------------------------------


def test_a_blocked_coachee_is_marked_inactive_once_and_comes_back(
    bot, bot_factory, chat, fault_proxy, bot_data_dir
):
    coachee = chat()
    reminder_due_at_restart(coachee)
    earlier = len(fault_proxy.calls("sendMessage", chat_is(coachee.user_id)))
    blocked = fault_proxy.inject(
        "sendMessage", forbidden_blocked(), match=chat_is(coachee.user_id), for_seconds=600
    )
    bot.stop()
    second = bot_factory()
    second.wait_until_polling()
    fault_proxy.wait_for_call(
        "sendMessage", chat_is(coachee.user_id), timeout=15, where=lambda c: c.status == 403
    )

    assert eventually(lambda: _inactive(bot_data_dir, coachee.user_id))
    marks = user_file(bot_data_dir, coachee.user_id).get("remindermark", {})
    assert len(marks) == 1, marks

    # Unblocked: the next message makes them active again, and the reply arrives.
    blocked.cancel()
    coachee.command("help")
    coachee.wait_for_text(HELP, timeout=10)
    eventually(lambda: _active(bot_data_dir, coachee.user_id))

    # The refused reminder, then the reply: nothing was tried in between.
    def since_the_block() -> list[int | None]:
        calls = fault_proxy.calls("sendMessage", chat_is(coachee.user_id))[earlier:]
        assert all(c.status is not None for c in calls)
        return [c.status for c in calls]

    assert eventually(since_the_block) == [403, 200], fault_proxy.describe("sendMessage")


def _profile(data_dir, user_id: int) -> dict:
    return next(iter(user_file(data_dir, user_id)["profile"].values()))


def _inactive(data_dir, user_id: int) -> str:
    since = _profile(data_dir, user_id).get("inactive_since")
    assert since, "not marked inactive"
    return since


def _active(data_dir, user_id: int) -> None:
    assert _profile(data_dir, user_id).get("inactive_since") is None, "still inactive"


# --- a minute without Telegram ------------------------------------------------------------------


def test_a_minute_without_telegram_loses_no_reply_and_no_reminder(
    bot, bot_factory, chat, fault_proxy
):
    """Every send, edit and button answer fails (connection reset) for 60 s, counted from the
    first: the reminder due at start and a reply asked for during the outage both arrive once
    it is over, once each."""
    coachee = chat()
    reminder_due_at_restart(coachee)
    rules = [
        fault_proxy.inject(method, reset(), for_seconds=60)
        for method in ("sendMessage", "editMessageText", "answerCallbackQuery")
    ]
    bot.stop()
    second = bot_factory()
    second.wait_until_polling()
    fault_proxy.wait_for_call("sendMessage", chat_is(coachee.user_id), timeout=15)
    outage_began = time.monotonic()
    coachee.command("help")

    eventually(lambda: _arrived(coachee, REMINDER, HELP), timeout=90)
    after = time.monotonic() - outage_began
    time.sleep(2.0)

    assert rules[0].hits > 2, fault_proxy.describe("sendMessage")
    assert count(coachee, REMINDER) == 1, chat_of(coachee)
    assert count(coachee, HELP) == 1, chat_of(coachee)
    assert count(coachee, APOLOGY) == 0, chat_of(coachee)
    print(f"reminder and reply delivered {after:.1f}s after the outage began")
