"""A crisis against the real bot: it stops every flow in that chat, asks plainly when the
evidence is weaker, plans the next day's question, and names the right help for danger."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from client import BotMessage, ChatClient
from conversations import check_in, eventually, onboard, unclear_sentence, user_file

# Every test talks to the bot as new users of its own: one bot serves them all.
SHARED_BOT = True

# Steps of about a second: a step that was not stopped shows up within the silence below.
PACE = "0.03"
SILENCE = 3.0


@pytest.fixture(scope="module")
def bot_env() -> dict[str, str]:
    return {"BOT_EXERCISE_PACE": PACE}


def is_crisis_answer(message: BotMessage) -> bool:
    return "112" in message.text and "1813" in message.text


def start_exercise(coachee: ChatClient) -> BotMessage:
    coachee.command("exercise")
    menu = coachee.wait_for_text("Welke oefening past nu?")
    coachee.press(menu.buttons[0][0], menu)
    intro = coachee.wait_for_text("min)")
    coachee.press("Start", intro)
    return coachee.wait_for_text("Stap 1 van")


def start_questionnaire(coachee: ChatClient) -> BotMessage:
    coachee.command("questionnaire")
    menu = coachee.wait_for_text("vragenlijst")
    coachee.press("PHQ-9: vragenlijst over je stemming", menu)
    item = coachee.wait_for_edit(menu)
    coachee.press("Helemaal niet", item)
    return coachee.wait_for_edit(item)


@pytest.mark.parametrize("crisis", ["/sos", "ik wil niet meer leven"])
def test_a_crisis_in_the_middle_of_an_exercise_stops_its_steps(bot, chat, crisis):
    coachee = chat()
    onboard(coachee)
    start_exercise(coachee)
    if crisis == "/sos":
        coachee.command("sos")
    else:
        coachee.say(crisis)
    coachee.wait_for(is_crisis_answer, timeout=5)
    coachee.assert_silent(SILENCE)  # no step 2, 3, ... pushing the help lines away


@pytest.mark.parametrize("crisis", ["/sos", "ik wil niet meer leven"])
def test_a_crisis_in_the_middle_of_a_questionnaire_takes_its_buttons_away(bot, chat, crisis):
    coachee = chat()
    onboard(coachee)
    item = start_questionnaire(coachee)
    assert "Vraag 2 van 9" in item.text and item.buttons
    if crisis == "/sos":
        coachee.command("sos")
    else:
        coachee.say(crisis)
    coachee.wait_for(is_crisis_answer, timeout=5)
    paused = eventually(lambda: _edited_without_buttons(coachee, item))
    assert "vragenlijst" in paused.text.lower()
    coachee.assert_silent(SILENCE)


def _edited_without_buttons(coachee: ChatClient, item: BotMessage) -> BotMessage:
    now = next(m for m in coachee.messages() if m.message_id == item.message_id)
    assert not now.buttons
    return now


@pytest.mark.parametrize("crisis", ["/sos", "ik wil niet meer leven"])
def test_after_a_crisis_the_next_text_is_not_taken_as_the_note(bot, chat, bot_data_dir, crisis):
    coachee = chat()
    onboard(coachee)
    check_in(coachee, energy=3, stress=7, sleep=3)  # the note prompt is open
    if crisis == "/sos":
        coachee.command("sos")
    else:
        coachee.say(crisis)
    coachee.wait_for(is_crisis_answer, timeout=5)
    coachee.assert_silent(SILENCE)

    coachee.say("drukke dag gehad")  # what the coachee asks for comes: a reply, not a note
    reply = coachee.wait_for(timeout=5)
    assert "Notitie bewaard" not in reply.text
    stored = user_file(bot_data_dir, coachee.user_id)
    assert not any(c.get("note") for c in stored["checkin"].values())


@pytest.mark.parametrize(
    ("pressed", "answer", "expect", "recorded"),
    [
        (True, "Ja", "Dank je dat je het me zegt", True),
        (True, "Ik weet het niet", "Dat is een eerlijk antwoord", True),
        (True, "Nee", "Dank je dat je het laat weten", False),
        # people type "ja" instead of pressing Ja: that must not be read as small talk
        (False, "ja", "Dank je dat je het me zegt", True),
        (False, "Ja, die gedachten heb ik bijna elke avond", "Dank je dat je het me zegt", True),
        (False, "weet ik niet", "Dat is een eerlijk antwoord", True),
        (False, "nee, maar soms wel", "Dat is een eerlijk antwoord", True),
        (False, "nee hoor", "Dank je dat je het laat weten", False),
    ],
)
def test_an_unclear_message_gets_the_crisis_answer_then_a_plain_question(
    bot, chat, bot_data_dir, pressed, answer, expect, recorded
):
    coachee = chat()
    onboard(coachee)
    coachee.say(unclear_sentence())
    assert is_crisis_answer(coachee.wait_for(timeout=5))  # numbers first
    question = coachee.wait_for_text("denk je eraan om een einde aan je leven te maken", 5)
    assert [label for label, _ in question.buttons] == ["Ja", "Ik weet het niet", "Nee"]

    if pressed:
        coachee.press(answer, question)
    else:
        coachee.say(answer)
    reply = coachee.wait_for_text(expect, timeout=5)
    assert "1813" in reply.text and "{" not in reply.text
    assert not coachee.wait_for_edit(question).buttons  # answered: its buttons are gone

    def sources() -> list[tuple[str, str]]:
        stored = user_file(bot_data_dir, coachee.user_id)["escalation"].values()
        found = [(e["level"], e["source"]) for e in stored]
        assert len(found) == (2 if recorded else 1)
        return found

    expected = [("crisis", "text"), ("crisis", "ask")] if recorded else [("crisis", "text")]
    assert sorted(eventually(sources)) == sorted(expected)
    stored = user_file(bot_data_dir, coachee.user_id)
    assert not any(c.get("note") for c in stored.get("checkin", {}).values())

    coachee.say("ja")  # answered once: a later "ja" is read as itself, not as a crisis
    later = coachee.wait_for(timeout=5)
    assert "1813" not in later.text


@pytest.mark.parametrize("crisis", ["/sos", "ik wil niet meer leven"])
def test_the_day_after_a_crisis_answer_a_gentle_question_is_planned(
    bot, chat, bot_data_dir, crisis
):
    coachee = chat()
    onboard(coachee)
    if crisis == "/sos":
        coachee.command("sos")
    else:
        coachee.say(crisis)
    coachee.wait_for(is_crisis_answer, timeout=5)

    def planned() -> dict:
        (escalation,) = user_file(bot_data_dir, coachee.user_id)["escalation"].values()
        return escalation

    escalation = eventually(planned)
    at = datetime.fromisoformat(escalation["at"])
    assert datetime.fromisoformat(escalation["followup_due"]) - at == timedelta(days=1)
    assert not escalation["followup_sent"]


@pytest.mark.parametrize(
    ("country", "violence_line"), [("België", "1712"), ("Nederland", "0800-2000")]
)
def test_fear_of_hurting_ones_baby_gets_112_and_the_violence_line(
    bot, chat, country, violence_line
):
    coachee = chat()
    onboard(coachee, country=country)
    coachee.say("ik ben bang dat ik mijn baby iets aandoe")
    answer = coachee.wait_for(timeout=5)
    assert "112" in answer.text
    assert violence_line in answer.text
    first_lines = "\n".join(answer.text.splitlines()[:3])
    assert "112" in first_lines
