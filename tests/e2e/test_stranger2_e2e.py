"""An outside tester's second round against the real bot process (stranger2): crisis text in
shapes other than a plain message, odd input, and restarts in the middle of a question.

Each test is written as the coachee would do it; defects are strict xfails naming what the
user sees."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from client import BotMessage, ChatClient
from conversations import (
    check_in,
    eventually,
    onboard,
    start_typing_a_zone,
    unclear_sentence,
    user_file,
)
from faults import FaultProxy, deliver_slowly, text_contains

CRISIS_NL = "ik wil niet meer leven"
ADMIN = 700_999_001
# The question after a crisis answer, whichever day it names.
FOLLOW_UP = "gaf ik je de hulplijnen"
NEW_YORK, BRUSSELS = ZoneInfo("America/New_York"), ZoneInfo("Europe/Brussels")


@pytest.fixture(scope="module")
def bot_env() -> dict[str, str]:
    return {"BOT_ADMIN_IDS": str(ADMIN), "BOT_DEMO_CLOCK": "1"}


def is_crisis_answer(message: BotMessage) -> bool:
    return "112" in message.text and "1813" in message.text


def test_a_crisis_written_as_a_photo_caption_gets_the_crisis_answer(bot, chat):
    coachee = chat()
    onboard(coachee)
    coachee.skip_pending()
    coachee.send_photo(caption=CRISIS_NL)
    coachee.wait_for(is_crisis_answer, timeout=5)
    log = bot.output(2000)
    assert "leven" not in log and bot.token not in log


def test_a_forwarded_crisis_message_gets_the_crisis_answer(bot, chat):
    coachee = chat()
    onboard(coachee)
    coachee.skip_pending()
    coachee.send_raw(
        text=CRISIS_NL,
        forward_origin={"type": "hidden_user", "sender_user_name": "Vriend", "date": 1},
        forward_date=1,
        forward_sender_name="Vriend",
    )
    coachee.wait_for(is_crisis_answer, timeout=5)
    # ... as a reply to the bot's own message, and in bold with a spoiler
    last = coachee.messages()[-1]
    coachee.send_raw(
        text="echt, ik wil niet meer leven",
        reply_to_message={
            "message_id": last.message_id,
            "date": 1,
            "chat": {"id": coachee.chat_id, "type": "private"},
            "text": last.text,
        },
    )
    coachee.wait_for(is_crisis_answer, timeout=5)
    coachee.send_raw(
        text=CRISIS_NL,
        entities=[
            {"type": "bold", "offset": 0, "length": 2},
            {"type": "spoiler", "offset": 3, "length": 19},
        ],
    )
    coachee.wait_for(is_crisis_answer, timeout=5)


def test_a_crisis_at_the_end_of_a_4096_character_message_gets_the_crisis_answer(bot, chat):
    coachee = chat()
    onboard(coachee)
    coachee.skip_pending()
    work = "Vandaag weer een lange dag op het werk met veel vergaderingen en mails. "
    tail = " Eerlijk gezegd wil ik niet meer leven."
    text = (work * 80)[: 4096 - len(tail)] + tail
    assert len(text) == 4096
    coachee.say(text)
    coachee.wait_for(is_crisis_answer, timeout=8)
    log = bot.output(2000)
    assert "vergaderingen" not in log and "leven" not in log


def test_a_flemish_crisis_gets_the_crisis_answer_before_consent(bot, chat):
    stranger = chat()
    stranger.say("ge gaat mij nie meer terugzien, ik ben er morgen nie meer")
    stranger.wait_for(is_crisis_answer, timeout=5)


def test_voice_sticker_and_emoji_only_get_a_kind_reply_and_store_nothing(bot, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    before = user_file(bot_data_dir, coachee.user_id)
    coachee.skip_pending()
    coachee.send_voice()
    voice = coachee.wait_for(timeout=5)
    coachee.send_sticker("😢")
    sticker = coachee.wait_for(timeout=5)
    coachee.say("😢😢😢")
    emoji = coachee.wait_for(timeout=5)
    for reply in (voice, sticker, emoji):
        assert reply.text and "{" not in reply.text
        assert "Er ging iets mis" not in reply.text
    stored = user_file(bot_data_dir, coachee.user_id)
    stored.pop("activity", None)
    before.pop("activity", None)
    assert stored.keys() == before.keys()


def test_start_with_a_garbage_payload_starts_as_usual(bot, chat):
    # Letters only ("x" * 64) are read like typed words, as "xxxx..." typed alone is: the
    # learned layer answers that with the crisis line and the plain question.
    for payload in ["Xx" * 32, "<script>", "../../etc/passwd", "🙂", "1 2 3"]:
        stranger = chat()
        stranger.command("start", payload)
        stranger.wait_for_text("Mag ik je antwoorden bewaren?", timeout=8)
        stranger.wait_for_text("uitnodiging", timeout=5)
        for message in stranger.messages():
            assert "{" not in message.text and "Er ging iets mis" not in message.text


def test_export_then_delete_then_start_keeps_nothing_of_the_old_person(bot, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    check_in(coachee, 4, 6, 3)
    coachee.say("een notitie over mijn baas Jan")
    coachee.wait_for_text("Notitie", timeout=5)
    coachee.command("export")
    first = coachee.wait_for(lambda m: m.media == "document", timeout=8)
    assert first.photo_path is not None and "baas Jan" in first.photo_path.read_text()
    coachee.command("delete")
    question = coachee.wait_for(lambda m: bool(m.buttons), timeout=5)
    coachee.press("Ja, wis alles", question)
    assert "Alles is gewist" in coachee.wait_for_edit(question).text
    coachee.command("start")
    coachee.wait_for_text("Mag ik je antwoorden bewaren?", timeout=8)
    coachee.press("Ja, bewaar mijn antwoorden")
    coachee.wait_for_text("In welk land woon je?")
    stored = eventually(lambda: user_file(bot_data_dir, coachee.user_id))
    text = repr(stored)
    assert "Jan" not in text and "checkin" not in stored
    coachee.command("history")
    reply = coachee.wait_for(timeout=8)
    assert "Nog geen check-ins" in reply.text
    coachee.command("export")
    export = coachee.wait_for(lambda m: m.media == "document", timeout=8)
    assert export.photo_path is not None
    exported = export.photo_path.read_text()
    assert "baas Jan" not in exported and '"energy": 4' not in exported
    logs = bot.output(2000)
    assert "baas Jan" not in logs and "niet meer leven" not in logs


# --- restarts in the middle of a question ------------------------------------------------------


def test_a_check_in_between_taps_and_its_note_go_on_after_crashes(
    bot, bot_factory, chat, bot_data_dir
):
    coachee = chat()
    onboard(coachee)
    coachee.command("checkin")
    question = coachee.wait_for_text("Hoeveel energie heb je nu?")
    coachee.press("3", question)
    question = coachee.wait_for_edit(question)
    bot.kill()
    second = bot_factory()
    coachee.press("7", question)
    question = coachee.wait_for_edit(question, timeout=8)
    coachee.press("2", question)
    coachee.wait_for_text("notitie", timeout=8)
    # Another crash while the note is awaited; the note and a stranger's crisis are typed
    # while the bot is still starting.
    second.kill()
    bot_factory(wait_ready=False)
    stranger = chat()
    stranger.say(CRISIS_NL)
    coachee.say("moe maar tevreden na een drukke dag")
    stranger.wait_for(is_crisis_answer, timeout=60)
    coachee.wait_for_text("Notitie", timeout=30)

    def stored() -> dict:
        rows = list(user_file(bot_data_dir, coachee.user_id).get("checkin", {}).values())
        assert len(rows) == 1
        return rows[0]

    row = eventually(stored)
    assert (row["energy"], row["stress"], row["sleep"]) == (3, 7, 2)
    assert "drukke dag" in repr(row)


def test_delete_confirmation_and_onboarding_survive_a_restart(bot, bot_factory, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    coachee.command("delete")
    question = coachee.wait_for(lambda m: bool(m.buttons), timeout=5)
    halfway = chat()
    halfway.command("start")
    halfway.wait_for_text("Mag ik je antwoorden bewaren?", timeout=8)
    halfway.press("Ja, bewaar mijn antwoorden")
    country = halfway.wait_for_text("In welk land woon je?")
    bot.stop()
    bot_factory()
    coachee.press("Ja, wis alles", question)
    assert "Alles is gewist" in coachee.wait_for_edit(question, timeout=8).text
    assert not (bot_data_dir / "users" / str(coachee.user_id)).exists()
    halfway.press("Nederland", country)
    halfway.wait_for_text("Je tijdzone is waarschijnlijk", timeout=8)


def asked_after_an_unclear_crisis(chat) -> tuple[ChatClient, BotMessage]:
    """A new coachee whose unclear message got the crisis answer and the plain question."""
    coachee = chat()
    onboard(coachee)
    coachee.say(unclear_sentence())
    coachee.wait_for(is_crisis_answer, timeout=5)
    return coachee, coachee.wait_for_text("denk je eraan om een einde aan je leven te maken", 5)


def escalation_sources(bot_data_dir, coachee: ChatClient) -> list[tuple[str, str]]:
    """The coachee's stored escalations, once both (the text's and the answer's) are there."""

    def sources() -> list[tuple[str, str]]:
        stored = user_file(bot_data_dir, coachee.user_id)["escalation"].values()
        found = sorted((e["level"], e["source"]) for e in stored)
        assert len(found) == 2
        return found

    return eventually(sources)


def test_a_typed_yes_to_the_question_after_an_unclear_crisis_is_a_crisis_after_a_restart(
    bot, bot_factory, chat, bot_data_dir
):
    coachee, _ = asked_after_an_unclear_crisis(chat)
    says_no, question = asked_after_an_unclear_crisis(chat)
    says_no.press("Nee", question)
    says_no.wait_for_text("Dank je dat je het laat weten", timeout=5)
    bot.stop()
    bot_factory()
    coachee.say("ja")
    reply = coachee.wait_for_text("Dank je dat je het me zegt", timeout=8)
    assert "1813" in reply.text
    assert escalation_sources(bot_data_dir, coachee) == [("crisis", "ask"), ("crisis", "text")]
    says_no.say("ja")  # answered with its button before the restart: read as itself
    assert "1813" not in says_no.wait_for(timeout=8).text


def test_the_question_after_an_unclear_crisis_and_the_next_days_follow_up_survive_restarts(
    bot, bot_factory, chat, bot_data_dir
):
    coachee, question = asked_after_an_unclear_crisis(chat)
    says_no, asked_no = asked_after_an_unclear_crisis(chat)
    says_no.press("Nee", asked_no)
    says_no.wait_for_text("Dank je dat je het laat weten", timeout=5)
    bot.stop()
    second = bot_factory()
    coachee.press("Ik weet het niet", question)
    reply = coachee.wait_for_text("Dat is een eerlijk antwoord", timeout=8)
    assert "1813" in reply.text
    assert escalation_sources(bot_data_dir, coachee) == [("crisis", "ask"), ("crisis", "text")]

    admin = chat(user_id=ADMIN)
    admin.command("time", "+2d")
    admin.wait_for_text("Demo clock:", timeout=30)
    # Two days on, the question names the day of the crisis answer: not "yesterday".
    follow_up = coachee.wait_for_text(FOLLOW_UP, timeout=15)
    assert not follow_up.text.startswith("Gisteren")
    # A "no" is heard, but the next day the bot asks again, gently (SAFETY.md).
    says_no.wait_for_text(FOLLOW_UP, timeout=15)
    second.stop()
    bot_factory()
    admin.command("time")
    admin.wait_for_text("Demo clock:", timeout=10)
    coachee.assert_silent(3.0)  # not a second follow-up, nor the day's reminders again
    follow_ups = [m for m in coachee.messages() if FOLLOW_UP in m.text]
    assert len(follow_ups) == 1
    coachee.press("Iets beter", follow_up)
    answered = coachee.wait_for_edit(follow_up, timeout=8)
    assert "Er ging iets mis" not in answered.text


def test_a_flemish_no_goesting_in_living_gets_the_crisis_line(bot, chat):
    stranger = chat()
    stranger.say("ik heb nergens nog goesting in, ook niet in leven")
    stranger.wait_for(is_crisis_answer, timeout=5)


def test_a_fast_double_tap_stores_one_check_in_and_erases_once(bot, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    coachee.command("checkin")
    question = coachee.wait_for_text("Hoeveel energie heb je nu?")
    coachee.press("5", question)
    question = coachee.wait_for_edit(question)
    coachee.press("5", question)
    question = coachee.wait_for_edit(question)
    coachee.press("4", question)
    coachee.press("4", question)
    coachee.wait_for_text("notitie", timeout=8)
    coachee.assert_silent(1.5)

    def stored() -> int:
        rows = user_file(bot_data_dir, coachee.user_id).get("checkin", {})
        assert len(rows) == 1
        return len(rows)

    eventually(stored)
    coachee.command("delete")
    confirm = coachee.wait_for_text("Wil je echt alles wissen", timeout=5)
    coachee.press("Ja, wis alles", confirm)
    coachee.press("Ja, wis alles", confirm)
    assert "Alles is gewist" in coachee.wait_for_edit(confirm, timeout=8).text
    coachee.assert_silent(1.5)
    for message in coachee.messages():
        assert "Er ging iets mis" not in message.text


def test_a_reflection_answer_typed_after_a_crash_is_kept(bot, bot_factory, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    coachee.command("reflect")
    coachee.wait_for_text("Reflectie", timeout=5)
    bot.kill()
    bot_factory()
    coachee.say("Ik merk dat ik te veel hooi op mijn vork neem")
    coachee.wait_for_text("Bewaard", timeout=8)
    stored = eventually(lambda: user_file(bot_data_dir, coachee.user_id)["reflection"])
    assert "hooi op mijn vork" in repr(stored)


def test_pause_and_another_time_zone_across_days_on_the_demo_clock(bot, chat):
    admin = chat(user_id=ADMIN)
    paused = chat()
    onboard(paused)
    far = chat()
    start_typing_a_zone(far, "New York")
    far.wait_for_text("Zo stuur ik je elke dag iets", timeout=8)
    far.press("Prima zo")
    paused.command("pause", "2")
    paused.wait_for_text("tot", timeout=5)

    def reminders(coachee) -> int:
        return sum("Tijd voor je check-in" in m.text for m in coachee.messages())

    def jump(new_york_time: str) -> None:
        """/time to the next `new_york_time` in New York, said as the Brussels wall time."""
        clock = admin_clock[0]
        hour, minute = map(int, new_york_time.split(":"))
        local = clock.astimezone(NEW_YORK)
        target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if target <= local:
            target = (local + timedelta(days=1)).replace(hour=hour, minute=minute)
        admin.command("time", target.astimezone(BRUSSELS).strftime("%H:%M"))
        admin.wait_for_text("Demo clock:", timeout=40)
        admin_clock[0] = target
        time.sleep(1.0)

    admin_clock = [datetime.now(UTC)]
    jump("09:30")  # whatever came before, the next check-in in New York is a day away
    before = reminders(far)
    jump("08:50")  # 23 h 20 min later: the day's 09:00 in New York is still ahead
    assert reminders(far) == before
    jump("09:10")  # ... and now it came, once
    eventually(lambda: _equal(reminders(far), before + 1), timeout=5)
    # The two days' pause (under 48 h so far) sent the paused coachee nothing.
    assert reminders(paused) == 0
    # Three days on the pause is over (the first two days' check-ins do not come late) and
    # New York got one check-in a day.
    admin.command("time", "+3d")
    admin.wait_for_text("Demo clock:", timeout=60)
    eventually(lambda: _equal(reminders(far), before + 4), timeout=8)
    assert 2 <= reminders(paused) <= 3  # from the end of the pause: 47 h 40 min to 71 h 40 min


def _equal(actual, expected) -> None:
    assert actual == expected


def test_a_reminder_whose_send_was_slow_but_arrived_comes_once_and_its_follow_up_too(
    bot_factory, chat, emulator
):
    with FaultProxy(emulator.base_url) as proxy:
        bot_factory(
            env_extra={
                "BOT_ADMIN_IDS": str(ADMIN),
                "BOT_DEMO_CLOCK": "1",
                "TELEGRAM_API_URL": proxy.api_url_for_bot,
            }
        )
        admin = chat(user_id=ADMIN)
        coachee = chat()
        onboard(coachee)
        rule = proxy.inject(
            "sendMessage", deliver_slowly(14), match=text_contains("Tijd voor je check-in")
        )
        # The jump ends at the reminder's moment: the slow send is still going when the jump
        # ends (to 09:06 instead, the reminder goes mid-jump and the admin gets the new time).
        admin.command("time", "09:00")
        coachee.wait_for_text("Tijd voor je check-in", timeout=30)
        time.sleep(16)  # the slow answer, and a retry if the bot were to make one
        admin.command("time", "+3h")
        coachee.wait_for_text("Nog even je check-in", timeout=30)
        coachee.assert_silent(1.0)
        texts = [m.text for m in coachee.messages()]
        assert rule.hits >= 1
        assert sum("Tijd voor je check-in" in t for t in texts) == 1
        assert sum("Nog even je check-in" in t for t in texts) == 1
        # The admin who moved the clock is told where it stands, after each jump.
        said = [m.text for m in admin.messages()]
        assert not [t for t in said if "Er ging iets mis" in t], said
        assert sum("Demo clock:" in t for t in said) == 2, said


def test_an_english_stranger_in_crisis_gets_the_lines_in_english_before_consent(bot, chat):
    stranger = chat(language_code="en")
    stranger.say("nobody would notice if I was gone")
    answer = stranger.wait_for(is_crisis_answer, timeout=5)
    assert "Call" in answer.text or "call" in answer.text
    stranger.say("i wanna kms")
    stranger.wait_for(is_crisis_answer, timeout=5)


def test_a_dutch_country_name_typed_as_the_time_zone_is_understood(bot, chat):
    coachee = chat()
    start_typing_a_zone(coachee, "Nieuw-Zeeland")
    coachee.wait_for_text("Tijdzone: Pacific/Auckland", timeout=5)


def test_no_daily_reminders_before_the_moments_were_shown(bot, chat):
    admin = chat(user_id=ADMIN)
    halfway = chat()
    halfway.command("start")
    halfway.wait_for_text("Mag ik je antwoorden bewaren?", timeout=10)
    halfway.press("Ja, bewaar mijn antwoorden")
    halfway.wait_for_text("In welk land woon je?")
    # The same after /delete and a new yes.
    again = chat()
    onboard(again)
    again.command("delete")
    confirm = again.wait_for_text("Wil je echt alles wissen")
    again.press("Ja, wis alles", confirm)
    again.wait_for_edit(confirm)
    again.command("start")
    again.wait_for_text("Mag ik je antwoorden bewaren?", timeout=10)
    again.press("Ja, bewaar mijn antwoorden")
    again.wait_for_text("In welk land woon je?")
    admin.command("time", "+1d")
    admin.wait_for_text("Demo clock:", timeout=30)
    time.sleep(1.0)
    for coachee in (halfway, again):
        reminders = [m.text for m in coachee.messages() if "Tijd voor" in m.text]
        assert reminders == []


@pytest.mark.parametrize(
    ("typed", "expect"),
    [
        ("slecht", "Dank je dat je het eerlijk zegt"),
        ("beter, maar nog zwaar", "Dank je dat je het eerlijk zegt"),
        ("iets beter", "Fijn om te horen"),
        ("ik heb hulp nodig", "1813"),
    ],
)
def test_a_reply_typed_to_the_next_days_question_counts_as_its_button(bot, chat, typed, expect):
    """ "Hoe gaat het nu met je?" answered "slecht" by typing, the day after a crisis answer:
    heard as "still hard", not as small talk ("ik begrijp vrije tekst niet altijd")."""
    coachee = chat()
    onboard(coachee)
    coachee.say(CRISIS_NL)
    coachee.wait_for(is_crisis_answer, timeout=5)
    admin = chat(user_id=ADMIN)
    admin.command("time", "+2d")
    admin.wait_for_text("Demo clock:", timeout=30)
    follow_up = coachee.wait_for_text(FOLLOW_UP, timeout=15)
    coachee.say(typed)
    reply = coachee.wait_for_text(expect, timeout=8)
    assert "eenvoudige hulp" not in reply.text
    assert not coachee.wait_for_edit(follow_up).buttons  # answered: its buttons are gone
