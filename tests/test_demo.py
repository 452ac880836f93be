"""`python -m bot demo`: a script on stdin onboards and checks in; nothing is left behind.

The session tests run the real command as a subprocess (emulator and bot included), the way a
maintainer runs it, so they are marked e2e. The content is the bot's own default (shipped
content) unless BOT_CONTENT_DIR says otherwise, just as for the demo itself.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest
from demo_session import ROOT, SCRIPT, assert_in_order, processes_using, run_demo, workdir_of

from bot.demo import (
    DEMO_USER_ID,
    ChatView,
    Command,
    Press,
    Quit,
    Say,
    Switch,
    load_rig,
    parse_line,
)

# --- scripted sessions (subprocess, emulator and bot) -------------------------------------------


@pytest.mark.e2e
def test_a_scripted_session_onboards_and_checks_in_and_leaves_nothing_behind():
    result = run_demo(stdin=SCRIPT)

    transcript = result.stdout
    assert result.returncode == 0, transcript + result.stderr
    assert_in_order(
        transcript,
        [
            "demo: ready",
            "you: /start",
            "Mag ik je antwoorden bewaren?",
            "[1] Ja, bewaar mijn antwoorden",
            "demo: pressed [1] Ja, bewaar mijn antwoorden",
            "bot (edited): Dank je.",
            "demo: pressed [1] België",
            "demo: pressed [1] Europe/Brussels",
            "demo: pressed [1] Prima zo",
            "bot (edited): Klaar. We starten in de fase",
            "you: /checkin",
            "bot: Hoeveel energie heb je nu?",
            "demo: pressed [6] 5",
            "bot (edited): Hoeveel spanning voel je?",
            "demo: pressed [4] 3",
            "bot (edited): Hoe heb je geslapen?",
            "demo: pressed [3] 3",
            "bot (edited): Check-in bewaard: energie 5, spanning 3, slaap 3/5.",
            "[1] Geen notitie",
            "demo: stopped",
        ],
    )
    workdir = workdir_of(transcript)
    assert not workdir.exists()
    assert processes_using(workdir) == []


@pytest.mark.e2e
def test_coach_mode_plays_a_coach_and_a_coachee_side_by_side():
    result = run_demo("--coach", stdin="/coach\n1\n/invite\n>coachee\n/start\n")

    transcript = result.stdout
    assert result.returncode == 0, transcript + result.stderr
    assert_in_order(
        transcript,
        [
            "demo: ready",
            "Coach mode",
            "you: /coach",
            "[coach] bot: Demo (id 4242) vraagt om coach te worden.",
            "demo: pressed [1] Goedkeuren",
            "[coach] bot: Je bent nu coach.",
            "you: /invite",
            "[coach] bot: Stuur deze link",
            "demo: you type as the coachee (Sam) now",
            "you: /start",
            "[coachee] bot: Hallo Sam",
        ],
    )


@pytest.mark.e2e
def test_a_scripted_session_in_english_keeps_its_data_when_asked():
    result = run_demo("--lang", "en", "--keep-data", stdin=SCRIPT)

    transcript = result.stdout
    assert result.returncode == 0, transcript + result.stderr
    workdir = workdir_of(transcript)
    try:
        assert_in_order(
            transcript,
            [
                "May I store your answers?",
                "[1] Yes, store my answers",
                "bot (edited): All set.",
                "bot: How much energy do you have now?",
                "bot (edited): How much tension do you feel?",
                "bot (edited): How did you sleep?",
                "bot (edited): Check-in saved: energy 5, tension 3, sleep 3/5.",
                f"demo: stopped; kept {workdir}",
            ],
        )
        assert (workdir / "data" / "users" / f"{DEMO_USER_ID}" / "profile.json").is_file()
        assert processes_using(workdir) == []
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _ctrl_c_as_in_a_terminal() -> None:
    # A terminal's Ctrl-C reaches a foreground demo whose SIGINT is at its default. A test run
    # started in the background by a script (`./scripts/test &`) hands every child SIGINT
    # ignored, and then the demo never hears it: restore the default in the child.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.e2e
def test_ctrl_c_stops_the_bot_and_the_emulator():
    demo = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo"],
        cwd=ROOT,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    try:
        assert demo.stdout is not None
        started = ""
        for line in demo.stdout:
            started += line
            if line.startswith("demo: ready"):
                break
        assert "demo: ready" in started, started + demo.stderr.read()
        workdir = workdir_of(started)
        assert len(processes_using(workdir)) == 2  # the emulator and the bot

        demo.send_signal(signal.SIGINT)  # to the demo alone, unlike a terminal's Ctrl-C
        demo.wait(timeout=30)
        rest = demo.stdout.read()  # the same reader as above: it may hold lines already read
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()

    assert demo.returncode == 130
    assert rest.rstrip().endswith("demo: stopped")
    assert processes_using(workdir) == []
    assert not workdir.exists()


def test_without_node_it_says_so_in_one_line_and_exits_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        input="",
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PATH": str(tmp_path)},
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "`node` is not on PATH" in result.stderr


# --- what a typed line means ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "meant"),
    [
        ("/start", Command("start", "")),
        ("/start  invite-42 ", Command("start", "invite-42")),
        ("3", Press(3)),
        ("\\3", Say("3")),
        ("\\/start", Say("/start")),
        ("ik ben moe", Say("ik ben moe")),
        ("/quit", Quit()),
        (">coachee", Switch("coachee")),
        (">", Say(">")),
        ("   ", None),
    ],
)
def test_a_typed_line_is_a_command_a_press_or_a_message(line, meant):
    assert parse_line(line) == meant


# --- how the chat is shown -----------------------------------------------------------------------


class FakeChat:
    """Stands in for client.ChatClient.messages(): the emulator's views, as BotMessages."""

    def __init__(self) -> None:
        self.views: list[dict] = []
        self.bot_message = load_rig()[1].BotMessage

        self.answers: list[dict] = []

    def messages(self):
        return [self.bot_message.from_view(view) for view in self.views]

    def callback_answers(self):
        return list(self.answers)


def view(
    message_id: int,
    text: str | None,
    rows: list[list[str]] | None = None,
    edit_date: int | None = None,
    **extra,
) -> dict:
    markup = (
        {
            "inline_keyboard": [
                [{"text": t, "callback_data": f"cb:{t}"} for t in row] for row in rows
            ]
        }
        if rows
        else None
    )
    message = {
        "message_id": message_id,
        "text": text,
        "edit_date": edit_date,
        "reply_markup": markup,
    }
    return {
        "message_id": message_id,
        "text": text,
        "reply_markup": markup,
        "edited": edit_date is not None,
        "edit_date": edit_date,
        "message": message,
        **extra,
    }


def test_new_messages_show_their_buttons_numbered_across_rows():
    chat = FakeChat()
    shown = ChatView(chat)
    chat.views = [view(1, "Hoe heb je geslapen?\nEerlijk.", [["1", "2"], ["3"]])]

    assert shown.look() == [
        "bot: Hoe heb je geslapen?",
        "     Eerlijk.",
        "     [1] 1   [2] 2",
        "     [3] 3",
    ]
    assert shown.look() == []
    assert shown.latest_with_buttons().message_id == 1


def test_in_coach_mode_each_line_names_its_chat():
    chat = FakeChat()
    shown = ChatView(chat, "coachee", answers=False)
    chat.views = [view(1, "Hallo Sam.")]
    chat.answers = [{"text": "a pop-up of the other chat", "show_alert": True}]

    assert shown.look() == ["[coachee] bot: Hallo Sam."]


def test_edits_are_marked_and_a_removed_keyboard_is_said_in_one_line():
    chat = FakeChat()
    shown = ChatView(chat)
    chat.views = [view(1, "Energie?", [["0", "1"]])]
    shown.look()

    chat.views = [view(1, "Spanning?", [["0", "1"]], edit_date=2)]
    assert shown.look() == ["bot (edited): Spanning?", "     [1] 0   [2] 1"]

    chat.views = [view(1, "Spanning?", edit_date=3)]
    assert shown.look() == ["bot (edited): buttons removed from 'Spanning?'"]
    assert shown.latest_with_buttons() is None


def test_a_photo_is_shown_with_the_file_it_was_saved_to():
    chat = FakeChat()
    shown = ChatView(chat)
    chat.views = [
        view(4, None, media="photo", caption="Je week", local_path="/tmp/files/0001-chart.png")
    ]

    assert shown.look() == ["bot [photo]: Je week", "     file: /tmp/files/0001-chart.png"]


def test_a_pop_up_after_a_press_is_shown_once_and_a_silent_one_not_at_all():
    chat = FakeChat()
    shown = ChatView(chat)
    chat.answers = [{"text": None, "show_alert": False}]
    assert shown.look() == []

    chat.answers.append({"text": "Die knop is verlopen.", "show_alert": False})
    assert shown.look() == ["bot (pop-up): Die knop is verlopen."]
    assert shown.look() == []


def test_a_real_bot_with_the_demo_clock_flag_refuses_to_start_in_one_line(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TELEGRAM_API_URL", "BOT_ADMIN_IDS")
    }
    env.update(
        TELEGRAM_BOT_TOKEN="123456789:AAE-secret_Token-xyz",
        BOT_DATA_DIR=str(tmp_path / "data"),
        BOT_DEMO_CLOCK="1",
        BOT_STARTUP_TRIES="1",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )

    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "error: BOT_DEMO_CLOCK is for `python -m bot demo` only: it needs BOT_DEMO_CLOCK=1 and "
        "TELEGRAM_API_URL on this machine (127.0.0.1); unset it for a real bot"
    ]
