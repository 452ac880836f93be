"""A coachee's day against the real bot: onboarding, check-in, exercise, reflection, pause,
history, and bad input."""

from __future__ import annotations

import json

import pytest
from conversations import check_in, onboard, user_file

# Every test talks to the bot as new users of its own: one bot serves them all.
SHARED_BOT = True


@pytest.fixture(scope="module")
def bot_env() -> dict[str, str]:
    return {"BOT_EXERCISE_PACE": "0.01"}


def test_onboarding_stores_nothing_before_yes(bot, chat, bot_data_dir):
    coachee = chat(first_name="An")
    coachee.command("start")
    coachee.wait_for_text("Mag ik je antwoorden bewaren?", timeout=10)
    assert not (bot_data_dir / "users" / f"{coachee.user_id}").exists()
    coachee.press("Ja, bewaar mijn antwoorden")
    coachee.wait_for_text("In welk land woon je?")
    profile = user_file(bot_data_dir, coachee.user_id)["profile"]["1"]
    assert profile["consent"]["given_at"]
    assert profile["consent"]["share_checkins"] is False


def test_a_no_keeps_only_that_no(bot, chat, bot_data_dir):
    coachee = chat()
    coachee.command("start")
    coachee.wait_for_text("Mag ik je antwoorden bewaren?", timeout=10)
    coachee.press("Nee, liever niet")
    coachee.wait_for_edit(coachee.messages()[-1])
    assert not (bot_data_dir / "users" / f"{coachee.user_id}").exists()
    index = json.loads((bot_data_dir / "index.json").read_text())
    mine = [r for r in index["refusals"].values() if r["user_id"] == coachee.user_id]
    assert len(mine) == 1  # the bot is shared with this module's other tests and their users
    coachee.command("checkin")
    assert "toestemming" in coachee.wait_for().text or "instemt" in coachee.messages()[-1].text


def test_onboarding_in_full(bot, chat, bot_data_dir):
    coachee = chat(first_name="Bram")
    done = onboard(coachee, country="Nederland")
    assert "Klaar" in done.text
    profile = user_file(bot_data_dir, coachee.user_id)["profile"]["1"]
    assert profile["country"] == "NL" and profile["timezone"] == "Europe/Amsterdam"


def test_low_energy_check_in_is_acknowledged_and_offers_an_exercise(bot, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    ack = check_in(coachee, energy=2, stress=7, sleep=2)
    assert "Weinig energie" in ack.text
    assert any(text.startswith("Probeer:") for text, _ in ack.buttons)
    stored = list(user_file(bot_data_dir, coachee.user_id)["checkin"].values())
    assert [(c["energy"], c["stress"], c["sleep"]) for c in stored] == [(2, 7, 2)]
    coachee.say("drukke dag op het werk")
    coachee.wait_for_text("Notitie bewaard")
    stored = list(user_file(bot_data_dir, coachee.user_id)["checkin"].values())
    assert stored[0]["note"] == "drukke dag op het werk"


def test_a_whole_exercise_step_by_step(bot, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    coachee.command("exercise")
    menu = coachee.wait_for_text("Welke oefening past nu?")
    coachee.press(menu.buttons[0][0], menu)
    intro = coachee.wait_for_text("min)")
    coachee.press("Start", intro)
    first = coachee.wait_for_text("Stap 1 van")
    total = int(first.text.split("Stap 1 van ")[1].split()[0])
    for number in range(2, total + 1):
        coachee.wait_for_text(f"Stap {number} van {total}", timeout=10)
    outro = coachee.wait_for(lambda m: ("Gedaan", m.buttons[0][1]) in m.buttons, timeout=10)
    coachee.press("Gedaan", outro)
    coachee.wait_for_text("Goed gedaan")
    logs = list(user_file(bot_data_dir, coachee.user_id)["exerciselog"].values())
    assert [log["outcome"] for log in logs] == ["done"]


def test_a_reflection_is_stored_private_and_no_share_question_without_a_coach(
    bot, chat, bot_data_dir
):
    """Sharing with a coach is offered only once a coach is linked (tests/telegram/
    test_typed_text.py covers the question and the press with a coach)."""
    coachee = chat()
    onboard(coachee)
    coachee.command("reflect")
    coachee.wait_for_text("Reflectie")
    coachee.say("Ik merk dat vergaderingen na drie uur me leegzuigen.")
    saved = coachee.wait_for_text("Dit antwoord blijft bij jou")
    assert not saved.buttons
    stored = list(user_file(bot_data_dir, coachee.user_id)["reflection"].values())
    assert stored[0]["shared"] is False


def test_pause_and_resume(bot, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    coachee.command("pause", "3")
    assert "3 dagen" in coachee.wait_for_text("niets").text
    assert user_file(bot_data_dir, coachee.user_id)["profile"]["1"]["paused_until"]
    coachee.command("resume")
    coachee.wait_for_text("Welkom terug")
    assert user_file(bot_data_dir, coachee.user_id)["profile"]["1"]["paused_until"] is None


def test_history_sends_a_chart_and_four_lines(bot, chat):
    coachee = chat()
    onboard(coachee)
    check_in(coachee, energy=6, stress=4, sleep=3)
    coachee.command("history")
    chart = coachee.wait_for(lambda m: m.media == "photo", timeout=15)
    assert chart.photo_path is not None
    assert chart.photo_path.read_bytes().startswith(b"\x89PNG")
    assert "Gemiddeld over 14 dagen (1 check-in): energie 6,0" in chart.text
    lines = chart.text.splitlines()
    assert len(lines) == 4
    assert lines[-1] == "Energie en slaap: hoger is beter; spanning: lager is beter."


def test_bad_input_gets_a_kind_reply_and_the_flow_continues(bot, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    coachee.command("checkin")
    question = coachee.wait_for_text("Hoeveel energie heb je nu?")
    coachee.send_sticker()  # pointed at the open check-in's buttons, as a typed text is
    coachee.wait_for_text("Je check-in loopt nog")
    coachee.say("zeven")  # not the generic reply either
    coachee.wait_for_text("Je check-in loopt nog")
    coachee.press("7", question)
    assert "spanning" in coachee.wait_for_edit(question).text
    assert "checkin" not in user_file(bot_data_dir, coachee.user_id)


def test_a_stale_button_from_another_day_is_refused(bot, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    coachee.command("checkin")
    question = coachee.wait_for_text("Hoeveel energie heb je nu?")
    stale = question.raw["message"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    old = stale.replace(stale.split(":")[2], "20200101")
    coachee._press(question, old)
    assert "andere dag" in coachee.wait_for_edit(question).text
    assert "checkin" not in user_file(bot_data_dir, coachee.user_id)


def test_a_questionnaire_is_offered_after_a_check_in_on_the_chosen_schedule(bot, chat):
    coachee = chat()
    onboard(coachee)
    coachee.command("settings")
    menu = coachee.wait_for_text("Je instellingen")
    coachee.press("Vragenlijsten", menu)
    options = coachee.wait_for_edit(menu)
    coachee.press("elke 4 weken", options)
    assert "elke 4 weken" in coachee.wait_for_edit(options).text
    ack = check_in(coachee, energy=6, stress=4, sleep=4)
    coachee.press("Vragenlijst invullen (2 min)", ack)
    offered = coachee.wait_for_text("Welke vragenlijst")
    assert any(label.startswith("PHQ-9") for label, _ in offered.buttons)
    second = check_in(coachee, energy=6, stress=4, sleep=4)
    assert not any("Vragenlijst" in label for label, _ in second.buttons)  # once a day
