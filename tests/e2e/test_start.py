"""The first conversation: /start and /help against the real bot process."""

from __future__ import annotations

# Every test talks to the bot as new users of its own: one bot serves them all.
SHARED_BOT = True


def test_start_greets_in_dutch_and_says_what_the_bot_is_and_is_not(bot, chat):
    coachee = chat(first_name="An", language_code="nl")
    coachee.command("start")
    greeting = coachee.wait_for(timeout=10)
    assert "Hallo An" in greeting.text
    assert "geen therapie" in greeting.text and "huisarts" in greeting.text


def test_start_greets_in_english_when_telegram_says_english(bot, chat):
    coachee = chat(first_name="Sam", language_code="en")
    coachee.command("start")
    greeting = coachee.wait_for(timeout=10)
    assert "Hello Sam" in greeting.text
    assert "not therapy" in greeting.text and "GP" in greeting.text
