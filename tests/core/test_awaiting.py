"""Waiting for typed text: a question is open in its own chat until it expires or ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.awaiting import (
    EXPIRY,
    NOTE_MORE,
    awaited_in,
    awaiting,
    ended,
    is_question,
    open_for_more,
    still_awaited,
    takes_text,
)

NOW = datetime(2026, 3, 30, 20, 0, tzinfo=UTC)
CHAT = 10


def test_a_note_prompt_is_open_for_an_hour_and_not_the_next_morning():
    state = awaiting("note", "20260330-5", CHAT, NOW)

    assert still_awaited(state, NOW + timedelta(minutes=59))
    assert not still_awaited(state, NOW + timedelta(hours=1))
    assert not still_awaited(state, NOW + timedelta(hours=12))  # "hoi" the next morning


def test_a_reflection_prompt_may_be_answered_the_next_morning_but_not_the_day_after():
    state = awaiting("reflection", "p1", CHAT, NOW)

    assert still_awaited(state, NOW + timedelta(hours=13))
    assert not still_awaited(state, NOW + timedelta(days=1, minutes=1))


@pytest.mark.parametrize("kind", sorted(EXPIRY))
def test_every_kind_expires(kind):
    state = awaiting(kind, "r", CHAT, NOW)  # type: ignore[arg-type]

    assert state.until == NOW + EXPIRY[kind]
    assert EXPIRY[kind] <= timedelta(days=1)


def test_nothing_asked_is_nothing_awaited():
    assert not still_awaited(None, NOW)
    assert awaited_in(None, CHAT, NOW) is None


def test_only_a_text_in_the_chat_where_it_was_asked_answers_it():
    state = awaiting("note", "c1", CHAT, NOW)

    assert awaited_in(state, CHAT, NOW) == state
    assert awaited_in(state, -100, NOW) is None


def test_an_ended_question_is_no_longer_awaited():
    state = awaiting("reflection", "p1", CHAT, NOW)

    done = ended(state, NOW + timedelta(minutes=1))

    assert not still_awaited(done, NOW + timedelta(minutes=1))
    assert (done.kind, done.reference, done.at) == (state.kind, state.reference, state.at)


def test_ending_an_expired_question_keeps_its_expiry():
    state = awaiting("note", "c1", CHAT, NOW)

    assert ended(state, NOW + timedelta(days=2)).until == state.until


def test_no_note_or_later_ends_only_its_own_question():
    note = awaiting("note", "c1", CHAT, NOW)

    assert is_question(note, "note", "c1", now=NOW)
    assert not is_question(note, "note", "c2", now=NOW)  # an older check-in's button
    assert not is_question(note, "reflection", now=NOW)
    assert not is_question(note, "note", "c1", now=NOW + timedelta(hours=2))


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        awaiting("note", "c1", CHAT, datetime(2026, 3, 30, 20, 0))


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("note", True),
        ("reflection", True),
        ("timezone", True),
        ("moment", True),
        ("checkin", False),
        ("onboarding", False),
        ("delete", False),
    ],
)
def test_a_question_on_buttons_takes_no_text(kind, text):
    assert takes_text(awaiting(kind, "r", CHAT, NOW)) is text


def test_after_a_part_of_a_note_the_next_part_may_follow_shortly():
    note = awaiting("note", "c1", CHAT, NOW)

    more = open_for_more(note, NOW + timedelta(minutes=50))

    assert (more.kind, more.reference, more.at) == (note.kind, note.reference, note.at)
    assert still_awaited(more, NOW + timedelta(minutes=50) + NOTE_MORE - timedelta(seconds=1))
    assert not still_awaited(more, NOW + timedelta(minutes=50) + NOTE_MORE)
