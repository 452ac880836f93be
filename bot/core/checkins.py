"""The daily energy check-in: recording it and the tailored acknowledgement it earns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal

# What "low" is lives in bot.core.history, in one place; re-exported for this module's callers.
from bot.core.history import LOW_ENERGY as LOW_ENERGY
from bot.core.history import compare_to_recent, is_low_energy, low_energy_streak
from bot.core.models import CheckIn

# The longest text one message can carry (Telegram's limit): a note typed in one message is
# kept whole, never cut while the reply says "saved".
NOTE_MAX_CHARS = 4096
# A note typed in several messages is kept whole up to four full messages, each on a line of
# its own; a part that would go beyond it is not added (never cut while the reply says so).
NOTE_PARTS_MAX_CHARS = 4 * (NOTE_MAX_CHARS + 1)
ENERGY_RANGE = range(0, 11)
STRESS_RANGE = range(0, 11)
SLEEP_RANGE = range(1, 6)
# The check-in's questions in the order asked, each with the values of its buttons.
STEPS: tuple[range, ...] = (ENERGY_RANGE, STRESS_RANGE, SLEEP_RANGE)

Feedback = Literal["low_streak", "low", "better", "steady"]


class InvalidAnswer(ValueError):
    """A value outside the scale; nothing is stored."""


@dataclass(frozen=True)
class CheckinAcknowledgement:
    feedback: Feedback
    low_days_in_a_row: int
    offer_restorative_exercise: bool


def new_checkin(energy: int, stress: int, sleep: int, local_date: date, now: datetime) -> CheckIn:
    if energy not in ENERGY_RANGE or stress not in STRESS_RANGE or sleep not in SLEEP_RANGE:
        raise InvalidAnswer(f"{energy}/{stress}/{sleep}")
    return CheckIn(at=now, local_date=local_date, energy=energy, stress=stress, sleep=sleep)


def with_note(checkin: CheckIn, note: str) -> CheckIn:
    """The note, trimmed (at most NOTE_MAX_CHARS, all one message holds); empty is no note."""
    return replace(checkin, note=note.strip()[:NOTE_MAX_CHARS].rstrip() or None)


def with_more_note(checkin: CheckIn, part: str) -> CheckIn | None:
    """The note with one more part (the next message of the same note) on a line of its
    own; None when the note would grow beyond NOTE_PARTS_MAX_CHARS."""
    more = part.strip()[:NOTE_MAX_CHARS].rstrip()
    if not more:
        return checkin
    joined = f"{checkin.note}\n{more}" if checkin.note else more
    if len(joined) > NOTE_PARTS_MAX_CHARS:
        return None
    return replace(checkin, note=joined)


def low_energy_on(history: Iterable[CheckIn], day: date) -> bool:
    """Whether any check-in that day had low energy: then restorative exercises come first."""
    return any(c.local_date == day and is_low_energy(c) for c in history)


def acknowledge(checkin: CheckIn, history: list[CheckIn]) -> CheckinAcknowledgement:
    """Low energy offers a short restorative exercise; a third low day in a row is named
    gently; a clearly better day than the week before is noticed."""
    everything = [c for c in history if c.id != checkin.id] + [checkin]
    if is_low_energy(checkin):
        streak = low_energy_streak(everything, checkin.local_date)
        feedback: Feedback = "low_streak" if streak >= 3 else "low"
        return CheckinAcknowledgement(feedback, streak, offer_restorative_exercise=True)
    if compare_to_recent(everything, checkin.local_date) == "better":
        return CheckinAcknowledgement("better", 0, offer_restorative_exercise=False)
    return CheckinAcknowledgement("steady", 0, offer_restorative_exercise=False)
