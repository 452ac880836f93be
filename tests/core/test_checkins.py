"""The daily check-in: what is accepted, and how it is acknowledged."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.core.checkins import (
    LOW_ENERGY,
    NOTE_MAX_CHARS,
    NOTE_PARTS_MAX_CHARS,
    CheckinAcknowledgement,
    InvalidAnswer,
    acknowledge,
    new_checkin,
    with_more_note,
    with_note,
)
from bot.core.models import CheckIn

TODAY = date(2026, 3, 30)
NOW = datetime.combine(TODAY, time(8, 30), tzinfo=UTC)


def on(days_ago: int, energy: int, stress: int = 5, sleep: int = 3) -> CheckIn:
    day = TODAY - timedelta(days=days_ago)
    return new_checkin(energy, stress, sleep, day, datetime.combine(day, time(8), tzinfo=UTC))


# --- new_checkin ---------------------------------------------------------------------------


def test_new_checkin_keeps_the_answers_and_the_moment():
    checkin = new_checkin(6, 4, 2, TODAY, NOW)

    assert (checkin.energy, checkin.stress, checkin.sleep) == (6, 4, 2)
    assert checkin.local_date == TODAY
    assert checkin.at == NOW
    assert checkin.note is None
    assert checkin.id


@pytest.mark.parametrize(
    ("energy", "stress", "sleep"), [(0, 0, 1), (10, 10, 5), (0, 10, 3), (10, 0, 1)]
)
def test_scale_ends_are_accepted(energy, stress, sleep):
    assert new_checkin(energy, stress, sleep, TODAY, NOW).energy == energy


@pytest.mark.parametrize(
    ("energy", "stress", "sleep"),
    [(-1, 5, 3), (11, 5, 3), (5, -1, 3), (5, 11, 3), (5, 5, 0), (5, 5, 6), (5.5, 5, 3)],
)
def test_values_outside_the_scales_are_refused(energy, stress, sleep):
    with pytest.raises(InvalidAnswer):
        new_checkin(energy, stress, sleep, TODAY, NOW)


def test_invalid_answer_is_a_value_error():
    assert issubclass(InvalidAnswer, ValueError)


# --- with_note -----------------------------------------------------------------------------


def test_note_is_trimmed():
    checkin = with_note(new_checkin(5, 5, 3, TODAY, NOW), "  slecht geslapen \n")

    assert checkin.note == "slecht geslapen"


@pytest.mark.parametrize("empty", ["", "   ", "\n\t "])
def test_empty_note_is_no_note(empty):
    assert with_note(new_checkin(5, 5, 3, TODAY, NOW), empty).note is None


def test_a_note_as_long_as_one_message_is_kept_whole():
    typed = "slecht geslapen, " * 240 + "einde"

    assert len(typed) <= NOTE_MAX_CHARS == 4096
    assert with_note(new_checkin(5, 5, 3, TODAY, NOW), typed).note == typed


def test_long_note_is_cut_to_the_maximum():
    note = with_note(new_checkin(5, 5, 3, TODAY, NOW), "a" * (NOTE_MAX_CHARS + 100)).note

    assert note == "a" * NOTE_MAX_CHARS


def test_note_keeps_the_checkin_and_changes_nothing_else():
    checkin = new_checkin(5, 5, 3, TODAY, NOW)

    noted = with_note(checkin, "ok")

    assert noted.id == checkin.id
    assert (noted.energy, noted.at) == (checkin.energy, checkin.at)
    assert checkin.note is None


def test_the_next_part_of_a_note_comes_on_a_line_of_its_own():
    noted = with_note(new_checkin(5, 5, 3, TODAY, NOW), "moe")

    assert with_more_note(noted, "  en gespannen ").note == "moe\nen gespannen"
    assert with_more_note(noted, "   ") == noted


def test_a_note_in_parts_is_kept_whole_up_to_four_full_messages():
    noted = with_note(new_checkin(5, 5, 3, TODAY, NOW), "a" * NOTE_MAX_CHARS)
    for _ in range(3):
        more = with_more_note(noted, "b" * NOTE_MAX_CHARS)
        assert more is not None
        noted = more

    assert len(noted.note or "") <= NOTE_PARTS_MAX_CHARS
    assert with_more_note(noted, "c") is None  # not cut: not added


# --- acknowledge ---------------------------------------------------------------------------


def test_a_low_day_offers_a_restorative_exercise():
    today = on(0, LOW_ENERGY)

    ack = acknowledge(today, [])

    assert ack == CheckinAcknowledgement("low", 1, offer_restorative_exercise=True)


def test_two_low_days_are_still_just_low():
    history = [on(1, 2)]

    ack = acknowledge(on(0, 1), history)

    assert ack.feedback == "low"
    assert ack.low_days_in_a_row == 2
    assert ack.offer_restorative_exercise


def test_third_low_day_in_a_row_names_the_streak():
    history = [on(2, 3), on(1, 2)]

    ack = acknowledge(on(0, 1), history)

    assert ack.feedback == "low_streak"
    assert ack.low_days_in_a_row == 3
    assert ack.offer_restorative_exercise


def test_streak_counts_every_low_day_in_a_row():
    history = [on(n, 2) for n in range(1, 5)]

    assert acknowledge(on(0, 2), history).low_days_in_a_row == 5


def test_a_day_without_checkin_breaks_the_streak():
    history = [on(3, 2), on(2, 2)]  # nothing yesterday

    ack = acknowledge(on(0, 2), history)

    assert ack.feedback == "low"
    assert ack.low_days_in_a_row == 1


def test_a_good_day_in_between_breaks_the_streak():
    history = [on(3, 2), on(2, 2), on(1, 6)]

    assert acknowledge(on(0, 2), history).feedback == "low"


def test_the_checkin_itself_is_not_counted_twice():
    today = on(0, 2)
    history = [on(2, 2), on(1, 2), today]  # already stored before acknowledging

    ack = acknowledge(today, history)

    assert ack.low_days_in_a_row == 3


def test_energy_just_above_low_is_not_low():
    ack = acknowledge(on(0, LOW_ENERGY + 1), [on(2, 2), on(1, 2)])

    assert ack.feedback != "low"
    assert ack.feedback != "low_streak"
    assert not ack.offer_restorative_exercise


def test_a_clearly_better_day_is_noticed():
    history = [on(n, 4) for n in range(1, 8)]

    ack = acknowledge(on(0, 6), history)

    assert ack == CheckinAcknowledgement("better", 0, offer_restorative_exercise=False)


def test_a_little_better_is_steady():
    history = [on(n, 4) for n in range(1, 8)]

    assert acknowledge(on(0, 5), history).feedback == "steady"


def test_a_worse_but_not_low_day_is_steady():
    history = [on(n, 8) for n in range(1, 8)]

    ack = acknowledge(on(0, 5), history)

    assert ack == CheckinAcknowledgement("steady", 0, offer_restorative_exercise=False)


def test_without_history_a_good_day_is_steady():
    assert acknowledge(on(0, 8), []).feedback == "steady"


def test_better_compares_with_the_week_before_only():
    history = [on(10, 1), on(9, 1), on(1, 7)]  # the low days are more than a week ago

    assert acknowledge(on(0, 8), history).feedback == "steady"


def test_low_energy_on_a_day_looks_only_at_that_day():
    from datetime import UTC, date, datetime

    from bot.core.checkins import low_energy_on, new_checkin

    now = datetime(2026, 11, 25, 9, tzinfo=UTC)
    today, yesterday = date(2026, 11, 25), date(2026, 11, 24)
    low_yesterday = new_checkin(2, 5, 3, yesterday, now)
    fine_today = new_checkin(6, 5, 3, today, now)
    assert not low_energy_on([low_yesterday, fine_today], today)
    assert low_energy_on([fine_today, new_checkin(3, 5, 3, today, now)], today)
