"""Reminders against the real bot: a reminder missed during a restart is sent once after it,
never twice, and its button starts the check-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from conversations import onboard


def _afternoon_zone() -> str:
    """A fixed-offset zone where it is mid-afternoon now, clear of the default quiet hours
    and of the other default moments, whenever CI runs."""
    offset = (15 - datetime.now(UTC).hour) % 24
    offset = offset - 24 if offset > 14 else offset
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


def _set_via_settings(coachee, menu_label: str, other_label: str, typed: str) -> None:
    coachee.command("settings")
    menu = coachee.wait_for_text("Je instellingen")
    coachee.press(menu_label, menu)
    options = coachee.wait_for_edit(menu)
    coachee.press(other_label, options)
    coachee.wait_for_edit(options)
    coachee.say(typed)
    coachee.wait_for_text("Aangepast" if "uur" in other_label else "Tijdzone")


def test_a_reminder_missed_by_a_restart_is_sent_once_never_twice(bot, bot_factory, chat):
    coachee = chat()
    onboard(coachee)
    zone = _afternoon_zone()
    _set_via_settings(coachee, "Tijdzone", "Andere tijdzone", zone)
    five_minutes_ago = datetime.now(ZoneInfo(zone)) - timedelta(minutes=5)
    _set_via_settings(
        coachee, "Moment van de check-in", "Ander uur", five_minutes_ago.strftime("%H:%M")
    )
    coachee.assert_silent(1.5)  # changing the time does not fire a reminder in the past

    bot.stop()
    second = bot_factory()
    reminder = coachee.wait_for_text("Tijd voor je check-in", timeout=15)

    second.stop()
    third = bot_factory()
    third.wait_until_polling(after_polls=1)
    coachee.assert_silent(3.0)

    coachee.press("Check-in", reminder)
    coachee.wait_for_text("Hoeveel energie heb je nu?")
