"""The safety net against the real bot: crisis first, in every state, and GP advice."""

from __future__ import annotations

import time

import pytest
from conversations import check_in, eventually, onboard, user_file

# Every test talks to the bot as new users of its own: one bot serves them all.
SHARED_BOT = True


def test_a_brand_new_users_first_message_in_crisis_gets_the_crisis_line_within_2s(
    bot, chat, bot_data_dir
):
    stranger = chat()
    started = time.monotonic()
    stranger.say("ik wil gewoon niet meer wakker worden")
    answer = stranger.wait_for(timeout=5)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"crisis answer took {elapsed:.2f}s"
    first_lines = "\n".join(answer.text.splitlines()[:6])
    assert "1813" in first_lines and "112" in first_lines
    assert answer.text.startswith("Je schreef dat")  # names what they said, warmly
    assert any("grondingsoefening" in label for label, _ in answer.buttons)
    # Nothing is stored for someone who never consented, not even the escalation.
    assert not (bot_data_dir / "users" / f"{stranger.user_id}").exists()


def test_the_crisis_answer_offers_to_stay_with_a_grounding_exercise(bot, chat):
    stranger = chat(language_code="en")
    stranger.say("I want to kill myself")
    answer = stranger.wait_for(timeout=5)
    assert "1813" in answer.text and "112" in answer.text
    stranger.press(answer.buttons[0][0], answer)
    step = stranger.wait_for_text("Step 1 of", timeout=5)
    assert step.buttons  # next / stop


@pytest.mark.parametrize(
    ("crisis", "typed", "expect"),
    [
        ("ik wil niet meer leven", "ja", "Stap 1 van"),
        ("/sos", "ja graag", "Stap 1 van"),
        ("ik wil niet meer leven", "nee", "Fijn dat je het laat weten"),
    ],
)
def test_a_reply_typed_to_the_crisis_answers_offer_counts_as_its_button(
    bot, chat, crisis, typed, expect
):
    """ "Zal ik nu bij je blijven met een korte oefening?" answered "ja" by typing: the
    exercise starts, it is not read as small talk ("ik begrijp vrije tekst niet altijd")."""
    stranger = chat()
    if crisis.startswith("/"):
        stranger.command(crisis[1:])
    else:
        stranger.say(crisis)
    answer = stranger.wait_for(timeout=5)
    assert "1813" in answer.text and answer.buttons
    stranger.say(typed)
    stranger.wait_for_text(expect, timeout=5)
    assert not stranger.wait_for_edit(answer).buttons  # answered: its buttons are gone


def test_sos_works_in_the_middle_of_a_check_in_and_the_check_in_goes_on(bot, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    coachee.command("checkin")
    question = coachee.wait_for_text("Hoeveel energie heb je nu?")
    coachee.press("5", question)
    question = coachee.wait_for_edit(question)
    coachee.command("sos")
    crisis = coachee.wait_for(timeout=5)
    assert "1813" in crisis.text and "112" in crisis.text
    coachee.press("4", question)
    question = coachee.wait_for_edit(question)
    coachee.press("3", question)
    coachee.wait_for_text("notitie")
    escalations = eventually(lambda: user_file(bot_data_dir, coachee.user_id)["escalation"])
    assert [(e["level"], e["source"]) for e in escalations.values()] == [("crisis", "sos")]


def test_crisis_words_typed_as_a_check_in_note_are_answered_before_anything_else(
    bot, chat, bot_data_dir
):
    coachee = chat()
    onboard(coachee)
    check_in(coachee, energy=1, stress=9, sleep=1)
    coachee.say("iedereen is beter af zonder mij")
    crisis = coachee.wait_for(timeout=5)
    assert "1813" in crisis.text
    stored = eventually(lambda: user_file(bot_data_dir, coachee.user_id)["escalation"])
    assert [e["level"] for e in stored.values()] == ["crisis"]
    assert "beter af" not in str(stored)  # the words are not stored with it


def test_gp_advice_and_the_note_is_still_saved(bot, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    check_in(coachee, energy=4, stress=6, sleep=2)
    coachee.say("ik drink elke avond een fles wijn om te kunnen slapen")
    advice = coachee.wait_for(timeout=5)
    assert "huisarts" in advice.text and "1813" not in advice.text
    coachee.wait_for_text("Notitie bewaard")
    stored = eventually(lambda: user_file(bot_data_dir, coachee.user_id))
    assert [e["level"] for e in stored["escalation"].values()] == ["gp"]
    assert next(iter(stored["checkin"].values()))["note"].startswith("ik drink")


def test_phq9_item_9_escalates_at_once(bot, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee, country="Nederland")
    coachee.command("questionnaire")
    menu = coachee.wait_for_text("vragenlijst")
    coachee.press("PHQ-9: vragenlijst over je stemming", menu)
    item = coachee.wait_for_edit(menu)
    for number in range(1, 9):
        assert f"Vraag {number} van 9" in item.text
        coachee.press("Helemaal niet", item)
        item = coachee.wait_for_edit(item)
    assert "Vraag 9 van 9" in item.text
    coachee.press("Meerdere dagen", item)
    crisis = coachee.wait_for(timeout=5)
    assert "113" in crisis.text and "112" in crisis.text
    stored = eventually(lambda: user_file(bot_data_dir, coachee.user_id)["escalation"])
    assert [(e["level"], e["source"]) for e in stored.values()] == [("crisis", "questionnaire")]


def test_logs_hold_no_message_text_and_no_token(bot, chat):
    coachee = chat()
    onboard(coachee)
    check_in(coachee, energy=3, stress=8, sleep=2)
    coachee.say("mijn geheime notitie over mijn baas")
    coachee.wait_for_text("Notitie bewaard")
    escalations_before = bot.output(lines=10_000).count("safety.escalation level=crisis")
    coachee.say("ik wil dood")
    coachee.wait_for(timeout=5)

    def logged() -> str:
        output = bot.output(lines=10_000)
        assert output.count("safety.escalation level=crisis") > escalations_before
        return output

    output = eventually(logged)
    assert "geheime notitie" not in output and "ik wil dood" not in output
    assert bot.token not in output
