"""/summary (for the GP) and /history in-process: the real Application and handlers, the
in-memory repository and a fake Bot API that records every call.

What must hold: a low moment is never averaged away (a day with any low check-in is a low
day); notes reach the summary only when the coachee chooses them; counts and dates read as
people write them; the chart says in words which way is better, and is drawn off the loop.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from rig import Rig
from rig import profile as coachee_profile

from bot.core.models import CheckIn, ExerciseLog, Profile
from bot.reports import chart

NOW = datetime(2026, 3, 30, 14, 0, tzinfo=UTC)  # 16:00 in Brussels, Monday 30 March
TODAY = date(2026, 3, 30)
USER = 31
NOTE = "Slecht geslapen na de vergadering"


def checkin(day: date, energy: int, hour: int = 9, note: str | None = None) -> CheckIn:
    return CheckIn(
        at=datetime(day.year, day.month, day.day, hour - 2, tzinfo=UTC),
        local_date=day,
        energy=energy,
        stress=5,
        sleep=3,
        note=note,
    )


def coachee(rig: Rig, lang: str = "nl") -> Profile:
    profile = coachee_profile(USER, lang=lang, days=20)
    rig.repo.save_profile(profile)
    return profile


def buttons(call: Any) -> list[tuple[str, str]]:
    markup = call.params.get("reply_markup")
    if not markup:
        return []
    rows = json.loads(markup) if isinstance(markup, str) else markup
    return [(b["text"], b["callback_data"]) for row in rows["inline_keyboard"] for b in row]


def shown(rig: Rig) -> str:
    """Everything the coachee reads: messages, edits and photo captions."""
    return "\n".join(
        c.params.get("text", "") or c.params.get("caption", "")
        for c in rig.api.calls
        if c.method in ("sendMessage", "editMessageText", "sendPhoto")
    )


def line_with(body: str, words: str) -> str:
    (line,) = [line for line in body.splitlines() if words in line]
    return line


# --- /summary: low days per check-in ------------------------------------------------------------


async def test_energy_2_and_9_on_one_day_is_a_low_day(rig):
    coachee(rig)
    rig.repo.add(USER, checkin(TODAY - timedelta(days=1), 2, hour=8))
    rig.repo.add(USER, checkin(TODAY - timedelta(days=1), 9, hour=19))
    rig.repo.add(USER, checkin(TODAY, 6))

    await rig.process(rig.update(USER, "/summary"))

    (body,) = rig.api.sent(USER)
    assert line_with(body, "weinig energie").endswith(": 1")
    assert "3 of minder" in line_with(body, "weinig energie")


# --- /summary: notes only by choice --------------------------------------------------------------


async def test_with_notes_in_the_window_the_coachee_chooses_first(rig, content):
    coachee(rig)
    rig.repo.add(USER, checkin(TODAY - timedelta(days=2), 4, note=NOTE))
    rig.repo.add(USER, checkin(TODAY, 6))

    await rig.process(rig.update(USER, "/summary"))

    (question,) = rig.api.calls_of("sendMessage")
    assert question.params["text"] == content.text("summary.ask_notes", "nl")
    assert [text for text, _ in buttons(question)] == [
        content.text("summary.with_notes", "nl"),
        content.text("summary.without_notes", "nl"),
    ]
    assert NOTE not in shown(rig)
    assert "Samenvatting" not in shown(rig)


async def test_without_my_notes_the_summary_holds_no_note(rig, content):
    coachee(rig)
    rig.repo.add(USER, checkin(TODAY - timedelta(days=2), 4, note=NOTE))
    await rig.process(rig.update(USER, "/summary"))
    (question,) = rig.api.calls_of("sendMessage")
    without = dict(buttons(question))[content.text("summary.without_notes", "nl")]

    await rig.process(rig.update(USER, data=without))

    body = shown(rig)
    assert "Samenvatting van mijn check-ins" in body
    assert NOTE not in body
    assert content.text("summary.notes", "nl") not in body


async def test_with_my_notes_the_summary_lists_them_by_day(rig, content):
    coachee(rig)
    rig.repo.add(USER, checkin(TODAY - timedelta(days=2), 4, note=NOTE))
    rig.repo.add(USER, checkin(TODAY, 6, note="Beter"))
    await rig.process(rig.update(USER, "/summary"))
    (question,) = rig.api.calls_of("sendMessage")
    with_notes = dict(buttons(question))[content.text("summary.with_notes", "nl")]

    await rig.process(rig.update(USER, data=with_notes))

    body = shown(rig)
    assert "Samenvatting van mijn check-ins" in body
    assert f"28 maart: {NOTE}" in body
    assert body.index(f"28 maart: {NOTE}") < body.index("30 maart: Beter")


async def test_without_notes_in_the_window_there_is_nothing_to_choose(rig):
    coachee(rig)
    rig.repo.add(USER, checkin(TODAY, 6))
    rig.repo.add(USER, checkin(TODAY - timedelta(days=20), 6, note="te oud"))

    await rig.process(rig.update(USER, "/summary"))

    (message,) = rig.api.calls_of("sendMessage")
    assert "Samenvatting van mijn check-ins" in message.params["text"]
    assert buttons(message) == []
    assert "te oud" not in shown(rig)


async def test_a_long_list_of_notes_is_sent_in_messages_telegram_accepts(rig, content):
    coachee(rig)
    for ago in range(14):
        rig.repo.add(USER, checkin(TODAY - timedelta(days=ago), 5, note="x" * 4000))
    await rig.process(rig.update(USER, "/summary"))
    (question,) = rig.api.calls_of("sendMessage")

    await rig.process(rig.update(USER, data=dict(buttons(question))["Met mijn notities"]))

    parts = [c.params["text"] for c in rig.api.calls[1:] if "text" in c.params]
    assert all(len(p) <= 4096 for p in parts)
    assert "".join(parts).count("x") == 14 * 4000


# --- texts: counts and dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "one", "three"),
    [
        ("nl", "1 check-in op 1 dag", "3 check-ins op 2 dagen"),
        ("en", "1 check-in on 1 day", "3 check-ins on 2 days"),
    ],
)
async def test_check_ins_are_counted_in_singular_and_plural(rig, lang, one, three):
    coachee(rig, lang)
    rig.repo.add(USER, checkin(TODAY, 6))
    await rig.process(rig.update(USER, "/summary"))
    rig.repo.add(USER, checkin(TODAY, 7, hour=12))
    rig.repo.add(USER, checkin(TODAY - timedelta(days=1), 7))
    await rig.process(rig.update(USER, "/summary"))

    first, second = rig.api.sent(USER)
    assert one in first and "1 check-ins" not in first
    assert three in second


async def test_the_summary_dates_are_written_for_people(rig):
    coachee(rig)
    rig.repo.add(USER, checkin(TODAY, 6))

    await rig.process(rig.update(USER, "/summary"))

    (body,) = rig.api.sent(USER)
    assert "17 maart tot en met 30 maart 2026" in body
    assert "2026-03" not in body and "17-03" not in body


async def test_the_english_summary_dates_are_written_for_people(rig):
    coachee(rig, "en")
    rig.repo.add(USER, checkin(TODAY, 6))

    await rig.process(rig.update(USER, "/summary"))

    (body,) = rig.api.sent(USER)
    assert "17 March to 30 March 2026" in body


# --- /history ------------------------------------------------------------------------------------


async def test_the_history_caption_says_which_way_is_better(rig, content):
    coachee(rig)
    rig.repo.add(USER, checkin(TODAY, 6))

    await rig.process(rig.update(USER, "/history"))

    (photo,) = rig.api.calls_of("sendPhoto")
    caption = photo.params["caption"]
    assert content.text("history.better", "nl") in caption.splitlines()
    assert "hoger is beter" in caption and "lager is beter" in caption
    assert "(1 check-in)" in caption


async def test_the_chart_is_drawn_off_the_event_loop(rig, monkeypatch):
    coachee(rig)
    rig.repo.add(USER, checkin(TODAY, 6))
    rig.repo.add(USER, ExerciseLog("box-breathing", NOW, TODAY, "done"))
    drawn_in: list[threading.Thread] = []
    real = chart.render_history_chart

    def recording(*args: Any) -> bytes:
        drawn_in.append(threading.current_thread())
        return real(*args)

    monkeypatch.setattr(chart, "render_history_chart", recording)

    await rig.process(rig.update(USER, "/history"))

    (thread,) = drawn_in
    assert thread is not threading.main_thread()
    assert rig.api.calls_of("sendPhoto")


@pytest.mark.parametrize("data", ["v1:gps:both", "v1:gps", "v1:gps:with:extra", "v1:gps:"])
async def test_a_forged_notes_choice_is_stale_and_shows_nothing(rig, content, data):
    coachee(rig)
    rig.repo.add(USER, checkin(TODAY, 4, note=NOTE))

    await rig.process(rig.update(USER, data=data))

    (answer,) = rig.api.calls_of("answerCallbackQuery")
    assert answer.params.get("text") == content.text("input.stale_button", "nl")
    assert NOTE not in shown(rig)
    assert not rig.api.calls_of("sendMessage") and not rig.api.calls_of("editMessageText")
