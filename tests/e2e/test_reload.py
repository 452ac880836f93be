"""Content changes go live without a restart: /reload by an admin, or SIGHUP.

The bot runs on a copy of content/ that each test edits the way a maintainer would. A good
change is live at the next message; a bad one is refused with file:line problems while the
old content stays live; removing an item someone is using or has in their history breaks
nothing. The admin is the coachee here, so one chat sees both sides.
"""

from __future__ import annotations

import re
import shutil
import signal
from pathlib import Path

import pytest
from client import BotMessage, ChatClient
from conversations import check_in, eventually, onboard, user_file

from bot.telegram import callbacks

REPO_CONTENT = Path(__file__).resolve().parents[2] / "content"
ADMIN_ID = 880_000_001
EXERCISE = "box-breathing"
# With the pace at 0.05 the first step waits 300 s * 0.05 = 15 s, long enough to reload
# while the coachee is in it; the other steps (20 to 60 s) pass in 1 to 3 s.
PACE = "0.05"
STEP_TWO_NL = "Adem rustig in door je neus en tel in gedachten tot vier."


@pytest.fixture
def bot_content_dir(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(REPO_CONTENT, content)
    # `content check` holds the duration to the steps, so the maintainer changes both.
    edit(content / "exercises.yaml", "    duration_minutes: 4\n", "    duration_minutes: 9\n")
    edit(content / "exercises.yaml", "      - seconds: 30\n", "      - seconds: 300\n")
    return content


@pytest.fixture
def bot_env() -> dict[str, str]:
    return {"BOT_ADMIN_IDS": str(ADMIN_ID), "BOT_EXERCISE_PACE": PACE}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}: the shipped content changed"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text.count("\n", 0, text.index(needle)) + 1


def admin_coachee(chat) -> ChatClient:
    coachee = chat(first_name="Mieke", user_id=ADMIN_ID)
    onboard(coachee)
    return coachee


def start_exercise(coachee: ChatClient) -> tuple[BotMessage, BotMessage]:
    """/exercise, pick the exercise by its button payload, Start: the menu and step 1."""
    coachee.command("exercise")
    menu = coachee.wait_for_text("Welke oefening past nu?")
    coachee._press(menu, callbacks.encode(callbacks.EXERCISE_PICK, EXERCISE))
    intro = coachee.wait_for_text("min)")
    coachee.press("Start", intro)
    return menu, coachee.wait_for_text("Stap 1 van 6")


def reload(coachee: ChatClient, expect: str) -> BotMessage:
    coachee.command("reload")
    return coachee.wait_for_text(expect, timeout=20)


def finish(coachee: ChatClient, step: BotMessage, next_label: str = "Verder") -> None:
    """Press next on this step, let the rest run, press done: the exercise is logged."""
    coachee.press(next_label, step)
    outro = coachee.wait_for(lambda m: any(label == "Gedaan" for label, _ in m.buttons), timeout=30)
    coachee.press("Gedaan", outro)
    coachee.wait_for_text("Goed gedaan")


def test_a_good_change_is_live_at_the_next_step(bot, chat, bot_content_dir, bot_data_dir):
    coachee = admin_coachee(chat)
    _, step_one = start_exercise(coachee)
    assert [label for label, _ in step_one.buttons] == ["Verder", "Stoppen"]

    edit(bot_content_dir / "exercises.yaml", STEP_TWO_NL, "Nieuw: adem heel rustig in.")
    edit(bot_content_dir / "ui.yaml", 'nl: "Verder"', 'nl: "Volgende"')
    reloaded = reload(coachee, "Inhoud herladen")
    assert re.search(r"\d+ oefeningen, \d+ reflectievragen, \d+ veiligheidsregels", reloaded.text)

    coachee.press("Verder", step_one)  # the old button still works
    step_two = coachee.wait_for_text("Stap 2 van 6", timeout=10)
    assert "Nieuw: adem heel rustig in." in step_two.text
    assert [label for label, _ in step_two.buttons] == ["Volgende", "Stoppen"]
    finish(coachee, step_two, next_label="Volgende")
    logs = eventually(lambda: user_file(bot_data_dir, coachee.user_id)["exerciselog"])
    assert [log["outcome"] for log in logs.values()] == ["done"]


def test_a_bad_change_is_refused_with_file_and_line_and_the_old_content_stays(
    bot, chat, bot_content_dir, bot_data_dir
):
    coachee = admin_coachee(chat)
    _, step_one = start_exercise(coachee)

    ui = bot_content_dir / "ui.yaml"
    edit(
        ui,
        '  exercise.next:\n    nl: "Verder"\n    en: "Next"\n',
        '  exercise.next:\n    nl: "Volgende"\n',
    )
    edit(bot_content_dir / "exercises.yaml", STEP_TWO_NL, "Nieuw maar nooit live.")
    refused = reload(coachee, "Nieuwe inhoud geweigerd")
    assert "(1 problemen)" in refused.text and "vorige inhoud blijft actief" in refused.text
    listing = coachee.wait_for_text("content/ui.yaml:")
    line = line_of(ui, "  exercise.next:")
    expected = f"content/ui.yaml:{line}: texts.exercise.next.en: the English (en) text is missing"
    assert expected in listing.text

    coachee.press("Verder", step_one)
    step_two = coachee.wait_for_text("Stap 2 van 6", timeout=10)
    assert STEP_TWO_NL in step_two.text and "Nieuw" not in step_two.text
    assert [label for label, _ in step_two.buttons] == ["Verder", "Stoppen"]
    finish(coachee, step_two)
    logs = eventually(lambda: user_file(bot_data_dir, coachee.user_id)["exerciselog"])
    assert [log["outcome"] for log in logs.values()] == ["done"]


def test_a_change_that_breaks_a_safety_rule_is_refused_too(bot, chat, bot_content_dir):
    coachee = admin_coachee(chat)
    escalations = bot_content_dir / "safety" / "escalations.yaml"
    edit(escalations, "Bel nu {crisis_phones} ({crisis_name})", "Bel nu de zelfmoordlijn")
    reload(coachee, "Nieuwe inhoud geweigerd")
    listing = coachee.wait_for_text("content/safety/escalations.yaml:")
    line = line_of(escalations, "Bel nu de zelfmoordlijn") - 1
    assert f"content/safety/escalations.yaml:{line}: the crisis body in nl" in listing.text
    coachee.command("sos")  # the old crisis text is still the one sent
    crisis = coachee.wait_for_text("1813", timeout=10)
    assert "112" in crisis.text


def test_removing_an_exercise_in_use_and_in_history_breaks_nothing(
    bot, chat, bot_content_dir, bot_data_dir
):
    coachee = admin_coachee(chat)
    _, step_one = start_exercise(coachee)
    finish(coachee, step_one)  # now it is in the history
    menu, step_one = start_exercise(coachee)  # and in use

    exercises = bot_content_dir / "exercises.yaml"
    text = exercises.read_text(encoding="utf-8")
    removed = re.sub(
        rf"^  - id: {EXERCISE}\n.*?(?=^  - id: )", "", text, count=1, flags=re.DOTALL | re.MULTILINE
    )
    assert f"id: {EXERCISE}" not in removed
    exercises.write_text(removed, encoding="utf-8")
    reload(coachee, "Inhoud herladen")

    coachee.press("Verder", step_one)
    assert "bestaat niet meer" in coachee.wait_for_edit(step_one).text
    coachee._press(menu, callbacks.encode(callbacks.EXERCISE_PICK, EXERCISE))
    assert "bestaat niet meer" in coachee.wait_for_edit(menu, timeout=10).text

    check_in(coachee, energy=6, stress=4, sleep=3)
    coachee.command("history")
    chart = coachee.wait_for(lambda m: m.media == "photo", timeout=20)
    assert "Oefeningen gedaan: 1." in chart.text
    coachee.command("exercise")  # the menu no longer offers it, and still works
    menu = coachee.wait_for_text("Welke oefening past nu?")
    assert not any(EXERCISE in (data or "") for _, data in menu.buttons)
    assert bot.is_running()


def test_sighup_reloads_and_tells_the_admin_when_it_refuses(bot, chat, bot_content_dir):
    coachee = admin_coachee(chat)
    ui = bot_content_dir / "ui.yaml"
    edit(ui, '"Welke oefening past nu?"', '"Welke oefening wil je nu doen?"')
    bot.process.send_signal(signal.SIGHUP)

    def menu_is_new() -> BotMessage:
        coachee.command("exercise")
        return coachee.wait_for_text("Welke oefening", timeout=10)

    assert (
        "wil je nu doen"
        in eventually(lambda: _assert_text(menu_is_new(), "wil je nu doen"), timeout=20).text
    )

    edit(ui, '    en: "Which exercise fits now?"\n', "")
    bot.process.send_signal(signal.SIGHUP)
    listing = coachee.wait_for_text("content/ui.yaml:", timeout=20)
    assert (
        f"content/ui.yaml:{line_of(ui, '  exercise.choose:')}: texts.exercise.choose.en"
        in listing.text
    )
    coachee.command("exercise")  # the content from the first SIGHUP stays live
    assert "wil je nu doen" in coachee.wait_for_text("Welke oefening", timeout=10).text


def _assert_text(message: BotMessage, fragment: str) -> BotMessage:
    assert fragment in message.text, message.text
    return message


def test_reload_is_for_admins_only(bot, chat, bot_content_dir):
    stranger = chat(first_name="Jo")
    onboard(stranger)
    edit(bot_content_dir / "ui.yaml", '"Welke oefening past nu?"', '"Nooit live"')
    stranger.command("reload")
    assert "ken ik niet" in stranger.wait_for(timeout=10).text
    stranger.command("exercise")
    assert "Welke oefening past nu?" in stranger.wait_for(timeout=10).text
