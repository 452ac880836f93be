"""`python -m bot demo`: a script on stdin onboards and checks in; nothing is left behind.

The session tests run the real command as a subprocess (emulator and bot included), the way a
maintainer runs it, so they are marked e2e. The content is the bot's own default (shipped
content) unless BOT_CONTENT_DIR says otherwise, just as for the demo itself.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

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

ROOT = Path(__file__).resolve().parent.parent
# /start, consent yes, Belgium, the suggested time zone, the default moments; then /checkin
# with the 6th, 4th and 3rd buttons: energy 5 (the scale starts at 0), tension 3, sleep 3.
SCRIPT = "/start\n1\n1\n1\n1\n/checkin\n6\n4\n3\n"


def run_demo(*args: str, stdin: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", *args],
        input=stdin,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def workdir_of(transcript: str) -> Path:
    found = re.search(r"\(data in (\S+)\) \.\.\.", transcript)
    assert found, f"the demo did not say where its data is:\n{transcript}"
    return Path(found.group(1))


def processes_using(workdir: Path) -> list[int]:
    """Our processes whose command line or environment names the demo's folder.

    The emulator gets it in its arguments, the bot in BOT_DATA_DIR.
    """
    needle = str(workdir).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            blob = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in blob:
            found.append(int(entry.name))
    return found


def assert_in_order(transcript: str, expected: list[str]) -> None:
    position = 0
    for fragment in expected:
        found = transcript.find(fragment, position)
        assert found >= 0, f"{fragment!r} missing (after position {position}) in:\n{transcript}"
        position = found + len(fragment)


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


@pytest.mark.e2e
def test_ctrl_c_stops_the_bot_and_the_emulator():
    demo = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo"],
        cwd=ROOT,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
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


@pytest.mark.e2e
def test_time_plus_one_day_brings_the_next_days_checkin_reminder():
    # The check-in moment is 09:00 (the default). From 12:00 on some day, +1d passes 09:00 on
    # a day without a check-in: its reminder arrives, then the clock says where it stands.
    result = run_demo(stdin="/start\n1\n1\n1\n1\n/time 12:00\n/time +1d\n/time\n")

    transcript = result.stdout
    assert result.returncode == 0, transcript + result.stderr
    assert_in_order(
        transcript,
        [
            "/time +1d, /time +2h, /time 08:59 move the bot's clock forward",
            "bot (edited): Klaar. We starten in de fase",
            "you: /time 12:00",
            "bot: Demo clock: ",
            " 12:00 (Europe/Brussels)",
            "you: /time +1d",
            "bot: Goeiemorgen. Tijd voor je check-in van tien seconden?",
            "[1] Check-in   [2] Later",
            "bot: Demo clock: ",
            " 12:00 (Europe/Brussels), 1 d ",
            "you: /time\n",
            "bot: Demo clock: ",
            "demo: stopped",
        ],
    )
    after_jump = transcript[transcript.index("you: /time +1d") : transcript.index("you: /time\n")]
    assert after_jump.count("Tijd voor je check-in") == 1


@pytest.mark.e2e
def test_time_never_goes_back_and_explains_itself():
    result = run_demo(stdin="/time -1d\n/time morgen\n")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("Demo clock: give +1d, +2h, +30m") == 2


class LiveDemo:
    """`python -m bot demo` with lines written as the test goes, its output read by a thread."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "demo", *args],
            cwd=ROOT,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.transcript = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, fragment: str, timeout: float = 120) -> str:
        """The transcript from now until a line holding `fragment` and the lines after it
        that arrive within a second (a message's listing)."""
        deadline = time.monotonic() + timeout
        seen = ""
        while fragment not in seen:
            remaining = deadline - time.monotonic()
            try:
                seen += self.lines.get(timeout=max(0.1, remaining))
            except queue.Empty:
                if remaining <= 0:
                    raise AssertionError(
                        f"{fragment!r} not seen in:\n{self.transcript + seen}"
                    ) from None
        with contextlib.suppress(queue.Empty):
            while True:
                seen += self.lines.get(timeout=1.5)
        self.transcript += seen
        return seen

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def close(self) -> int:
        if self.process.poll() is None and self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


@pytest.mark.e2e
def test_reload_in_the_demo_puts_content_live_and_lists_every_problem(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    demo = LiveDemo("--content", str(content))
    try:
        demo.wait_for("demo: ready")
        demo.type("/reload")
        assert "bot: Inhoud herladen:" in demo.wait_for("Inhoud herladen")

        ui = content / "ui.yaml"
        text = ui.read_text(encoding="utf-8")
        for key, nl, en in (
            ("exercise.next", "Verder", "Next"),
            ("reminder.later", "Later", "Later"),
        ):
            entry = f'  {key}:\n    nl: "{nl}"\n    en: "{en}"\n'
            assert entry in text, f"{key} changed in the shipped content"
            text = text.replace(entry, f'  {key}:\n    nl: "{nl}"\n')
        ui.write_text(text, encoding="utf-8")
        demo.type("/reload")
        refused = demo.wait_for("Nieuwe inhoud geweigerd")
    finally:
        code = demo.close()

    assert "(2 problemen)" in refused
    assert "texts.exercise.next.en: the English (en) text is missing" in refused
    assert "texts.reminder.later.en: the English (en) text is missing" in refused
    assert code == 0


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
