"""`python -m bot demo`: chat with the bot in a terminal, without a Telegram account or token.

Owns: starting the bundled Bot API emulator and the bot on 127.0.0.1 with a throwaway data
folder, and a line-based chat with the bot: typed lines go in as messages, commands or button
presses; the bot's messages come out as they arrive (edits marked, inline buttons numbered,
photos and documents as file paths). After each line it waits until the bot has answered, so a
script piped to stdin cannot race ahead of the bot.

The demo user is an admin of the demo bot (BOT_ADMIN_IDS), so /reload puts edited content live
and a refused reload lists every problem; and the bot runs with the demo clock
(BOT_DEMO_CLOCK, bot/telegram/demo_clock.py), so `/time +1d` or `/time 08:59` moves the bot's
time forward: the reminders of the skipped time arrive, a week can be previewed in minutes.

Does not own: processes, npm installs or speaking the emulator's protocol: bot/devtools
(harness.py, client.py, emulator.js), which the e2e tests use too. This is a developer and
maintainer tool, so its own words are plain English here rather than content/.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, TextIO

CHECKOUT = Path(__file__).resolve().parents[1]
RIG_DIR = Path(__file__).resolve().parent / "devtools"
RIG_FILES = ("harness.py", "client.py", "emulator.js", "package.json", "package-lock.json")
DEMO_TOKEN = "123456:DEMO"
DEMO_USER_ID = 4242
# --coach: a second chat, a coachee, beside the demo user (then a coach, and the admin).
DEMO_COACHEE_ID = 4243
DEMO_COACHEE_NAME = "Sam"
FAST_PACE = 0.1
INDENT = "     "

# A handler answers within milliseconds of taking its update; one that sends several messages
# sends them back to back. So once something visible changed, a second without any bot activity
# means "answered"; the first-answer timeout only bites for input the bot ignores.
QUIET_SECONDS = 1.0
FIRST_ANSWER_SECONDS = 15.0
ANSWER_LIMIT_SECONDS = 30.0
# /time +7d sends a week of reminders (about five a day) at Telegram's pace for one chat.
TIME_JUMP_LIMIT_SECONDS = 600.0
POLL_SECONDS = 0.1
# Generous: on a busy laptop the bot's imports alone can take half a minute.
START_TIMEOUT_SECONDS = 120.0


class DemoError(Exception):
    """Why the demo cannot go on; the message is for the terminal, ``code`` the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# --- the command line --------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang", default="nl", help="Telegram language_code of the demo user: nl (default) or en"
    )
    parser.add_argument("--name", default="Demo", help="first name of the demo user")
    parser.add_argument(
        "--content",
        metavar="DIR",
        help="content folder (default: BOT_CONTENT_DIR, else the checkout's)",
    )
    parser.add_argument(
        "--pace",
        type=float,
        nargs="?",
        const=FAST_PACE,
        metavar="FACTOR",
        help=f"multiply exercise step times by FACTOR (BOT_EXERCISE_PACE); "
        f"--pace alone is {FAST_PACE}, ten times faster",
    )
    parser.add_argument(
        "--coach",
        action="store_true",
        help=f"play a coach and a coachee ({DEMO_COACHEE_NAME}) side by side: two chats; "
        "`>coach` and `>coachee` switch who types",
    )
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="keep the temporary folder (bot data, logs, files) at exit",
    )


@dataclass(frozen=True)
class DemoOptions:
    lang: str
    name: str
    content_dir: Path
    pace: float | None
    keep_data: bool
    coach: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> DemoOptions:
        content = args.content or os.environ.get("BOT_CONTENT_DIR") or CHECKOUT / "content"
        content_dir = Path(content).resolve()
        if not content_dir.is_dir():
            raise DemoError(f"content folder {content_dir} does not exist", code=2)
        if args.pace is not None and not 0 < args.pace <= 10:
            raise DemoError(f"--pace must be above 0 and at most 10, got {args.pace}", code=2)
        return cls(
            lang=args.lang,
            name=args.name,
            content_dir=content_dir,
            pace=args.pace,
            keep_data=args.keep_data,
            coach=getattr(args, "coach", False),
        )


def run(args: argparse.Namespace) -> int:
    """The `demo` subcommand: returns the exit status."""
    try:
        options = DemoOptions.from_args(args)
        for tool in ("node", "npm"):
            if shutil.which(tool) is None:
                raise DemoError(
                    f"`{tool}` is not on PATH; the demo needs Node.js and npm to run "
                    "the Telegram emulator (e.g. `apt-get install nodejs npm`)",
                    code=2,
                )
        harness, client_module = load_rig()
    except DemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    return Demo(options, harness, client_module, sys.stdout).run()


def load_rig() -> tuple[ModuleType, ModuleType]:
    """bot.devtools.harness and bot.devtools.client, once their files are known to be there."""
    missing = [name for name in RIG_FILES if not (RIG_DIR / name).is_file()]
    if missing:
        raise DemoError(
            f"the demo needs the bundled Telegram emulator, but {RIG_DIR} lacks "
            f"{', '.join(missing)}",
            code=2,
        )
    from bot.devtools import client, harness

    return harness, client


# --- what the user typed -----------------------------------------------------------------------


@dataclass(frozen=True)
class Quit:
    pass


@dataclass(frozen=True)
class Press:
    number: int


@dataclass(frozen=True)
class Command:
    name: str
    args: str


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Switch:
    """`>coachee`: from now on, type as that person (the demo's coach mode)."""

    who: str


UserInput = Quit | Press | Command | Say | Switch


def parse_line(line: str) -> UserInput | None:
    """One typed line: None for a blank line; a backslash sends the rest as plain text."""
    line = line.strip()
    if not line:
        return None
    if line.startswith("\\"):
        return Say(line[1:]) if line[1:] else None
    if line == "/quit":
        return Quit()
    if line.startswith(">") and line[1:].strip():
        return Switch(line[1:].strip().lower())
    if line.isdigit() and line.isascii():
        return Press(int(line))
    if line.startswith("/") and len(line) > 1:
        name, _, args = line[1:].partition(" ")
        return Command(name, args.strip())
    return Say(line)


# --- what the bot sent -------------------------------------------------------------------------


class ShownMessage(Protocol):
    """What the transcript reads of a bot message (bot/devtools/client.py's BotMessage)."""

    @property
    def message_id(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def buttons(self) -> list[tuple[str, str | None]]: ...
    @property
    def photo_path(self) -> Path | None: ...
    @property
    def raw(self) -> dict[str, Any]: ...
    @property
    def media(self) -> str | None: ...
    @property
    def reply_keyboard(self) -> list[list[str]] | None: ...


def button_rows(message: ShownMessage) -> list[list[tuple[int, str]]]:
    """The inline keyboard as rows of (number, label); numbers count from 1 across the rows."""
    markup = message.raw.get("reply_markup") or {}
    rows: list[list[tuple[int, str]]] = []
    number = 0
    for row in markup.get("inline_keyboard") or []:
        labels = []
        for button in row:
            number += 1
            label = str(button.get("text", ""))
            if button.get("url"):
                label += f" (link: {button['url']})"
            labels.append((number, label))
        rows.append(labels)
    return rows


def render_message(message: ShownMessage, note: str = "") -> list[str]:
    """A bot message as transcript lines: text, numbered buttons, where a file was saved."""
    head = "bot" + (f" ({note})" if note else "") + (f" [{message.media}]" if message.media else "")
    text_lines = message.text.splitlines() or [""]
    lines = [f"{head}: {text_lines[0]}".rstrip()]
    lines += [f"{INDENT}{line}".rstrip() for line in text_lines[1:]]
    lines += _attachment_lines(message)
    return lines


def _attachment_lines(message: ShownMessage) -> list[str]:
    lines = [
        INDENT + "   ".join(f"[{n}] {label}" for n, label in row)
        for row in button_rows(message)
        if row
    ]
    keyboard = message.reply_keyboard
    if keyboard:
        keys = "   ".join(f"<{key}>" for row in keyboard for key in row)
        lines.append(f"{INDENT}keyboard (type the text): {keys}")
    if message.media:
        where = str(message.photo_path) if message.photo_path else "(no file was uploaded)"
        lines.append(f"{INDENT}file: {where}")
    return lines


def render_change(old: ShownMessage | None, new: ShownMessage | None) -> list[str]:
    """What changed in one message between two looks: new, edited or deleted."""
    if old is None and new is not None:
        return render_message(new)
    if new is None and old is not None:
        return [f"bot (deleted): {_excerpt(old.text)}"]
    if old is None or new is None or new.raw.get("message") == old.raw.get("message"):
        return []
    if new.text == old.text and new.media == old.media:
        if not new.buttons:
            return [f"bot (edited): buttons removed from {_excerpt(new.text)}"]
        return [f"bot (edited): new buttons on {_excerpt(new.text)}", *_attachment_lines(new)]
    return render_message(new, "edited")


def _excerpt(text: str, length: int = 60) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= length else flat[: length - 1] + "…")


def render_callback_answer(answer: dict[str, Any]) -> list[str]:
    """The short notice Telegram pops up after a button press, if the bot gave it a text."""
    if not answer.get("text"):
        return []
    return [f"bot ({'alert' if answer.get('show_alert') else 'pop-up'}): {answer['text']}"]


class ChatView:
    """The chat as last seen; each look reports what changed since the previous one."""

    def __init__(self, client: Any, label: str = "", answers: bool = True) -> None:
        self._client = client
        self._seen: dict[int, ShownMessage] = {}
        self._answers_seen = 0
        # Coach mode: each line says whose chat it is in; the pop-ups (one list per bot, not
        # per chat) are shown in one chat only.
        self._label = label
        self._answers = answers

    def look(self) -> list[str]:
        lines: list[str] = []
        if self._answers:
            answers = self._client.callback_answers()
            for answer in answers[self._answers_seen :]:
                lines += render_callback_answer(answer)
            self._answers_seen = len(answers)
        current = {message.message_id: message for message in self._client.messages()}
        for message_id in sorted(current.keys() | self._seen.keys()):
            lines += render_change(self._seen.get(message_id), current.get(message_id))
        self._seen = current
        return [f"[{self._label}] {line}" for line in lines] if self._label else lines

    def latest_with_buttons(self) -> ShownMessage | None:
        with_buttons = [m for m in self._seen.values() if m.buttons]
        return max(with_buttons, key=lambda m: m.message_id, default=None)


# --- reading stdin without blocking the chat ---------------------------------------------------


class LineReader:
    """Lines from a file descriptor, with a timeout, so the chat can update while we wait.

    Reads the descriptor directly (not sys.stdin) so no line sits unseen in a Python buffer
    while select() says there is nothing to read.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""
        self._eof = False

    def read_line(self, timeout: float) -> str | None:
        """The next line without its newline, or None if none came in time; EOFError at end."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            if self._eof:
                if not self._buffer:
                    raise EOFError
                rest, self._buffer = self._buffer, b""
                return rest.decode(errors="replace")
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._fd], [], [], remaining)[0]:
                return None
            try:
                chunk = os.read(self._fd, 4096)
            except OSError:
                chunk = b""
            if chunk:
                self._buffer += chunk
            else:
                self._eof = True
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode(errors="replace").rstrip("\r")


# --- the session -------------------------------------------------------------------------------


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: handled like Ctrl-C, so the cleanup always runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _termination_as_interrupt() -> Iterator[None]:
    def interrupt(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _uninterruptible() -> Iterator[None]:
    """A second Ctrl-C must not cut the cleanup short and leave the children running."""
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class Demo:
    """One demo run: start the emulator and the bot, chat, stop both, tidy up."""

    def __init__(
        self, options: DemoOptions, harness: ModuleType, client_module: ModuleType, out: TextIO
    ) -> None:
        self.options = options
        self.harness = harness
        self.client_module = client_module
        self.out = out
        self.interactive = os.isatty(0)
        self.workdir = Path(tempfile.mkdtemp(prefix="bot-demo-"))
        self.emulator: Any = None
        self.bot: Any = None
        self.client: Any = None
        self.view: ChatView | None = None
        # Coach mode: who is who (label -> client and view); `client` and `view` are the
        # one typing now.
        self.chats: dict[str, tuple[Any, ChatView]] = {}
        self._prompt_shown = False
        self.failed = False  # then the folder is kept: its logs say what went wrong
        import httpx  # here, not at the top: the other subcommands import this module too

        # What a dead or refusing emulator raises, through httpx, harness.py or client.py.
        self._emulator_errors: tuple[type[Exception], ...] = (
            httpx.HTTPError,
            RuntimeError,
            AssertionError,
        )

    def say(self, *lines: str) -> None:
        """Print transcript lines, below the prompt if one is waiting for input."""
        if self._prompt_shown:
            self.out.write("\n")
            self._prompt_shown = False
        for line in lines:
            self.out.write(line + "\n")
        self.out.flush()

    def run(self) -> int:
        try:
            with _termination_as_interrupt():
                self.start()
                return self.chat()
        except KeyboardInterrupt as exc:
            self.say("demo: interrupted")
            return 128 + (exc.signum if isinstance(exc, Terminated) else signal.SIGINT)
        except DemoError as exc:
            self.say()
            print(f"error: {exc}", file=sys.stderr, flush=True)
            self.failed = True
            return exc.code
        finally:
            with _uninterruptible():
                self.stop()

    # --- start and stop ----------------------------------------------------------------------

    def start(self) -> None:
        harness = self.harness
        if not (RIG_DIR / "node_modules" / "telegram-test-api" / "package.json").is_file():
            self.say(
                f"demo: installing the emulator's npm packages (`npm ci` in {RIG_DIR}); "
                "the first time this can take a minute ..."
            )
        self.say(
            f"demo: starting the Telegram emulator and the bot on 127.0.0.1 "
            f"(data in {self.workdir}) ..."
        )
        try:
            self.emulator = harness.start_emulator(
                self.workdir / "emulator", startup_timeout=START_TIMEOUT_SECONDS
            )
        except RuntimeError as exc:
            raise DemoError(f"the Telegram emulator did not start: {exc}") from None
        # The demo user may /reload and move the demo clock (/time); the bot refuses
        # BOT_DEMO_CLOCK unless its Bot API is on this machine, as the emulator is.
        env: dict[str, str] = {"BOT_ADMIN_IDS": str(DEMO_USER_ID), "BOT_DEMO_CLOCK": "1"}
        if self.options.pace is not None:
            env["BOT_EXERCISE_PACE"] = str(self.options.pace)
        try:
            self.bot = harness.start_bot(
                self.emulator,
                self.workdir / "data",
                self.options.content_dir,
                env,
                token=DEMO_TOKEN,
                log_dir=self.workdir / "logs",
                ready_timeout=START_TIMEOUT_SECONDS,
            )
        except RuntimeError as exc:
            raise DemoError(f"the bot did not start: {exc}") from None
        self.client = self.client_module.ChatClient(
            self.emulator.base_url,
            DEMO_TOKEN,
            DEMO_USER_ID,
            self.options.name,
            self.options.lang,
        )
        if self.options.coach:
            coachee = self.client_module.ChatClient(
                self.emulator.base_url,
                DEMO_TOKEN,
                DEMO_COACHEE_ID,
                DEMO_COACHEE_NAME,
                self.options.lang,
            )
            self.chats = {
                "coach": (self.client, ChatView(self.client, "coach")),
                "coachee": (coachee, ChatView(coachee, "coachee", answers=False)),
            }
            self.view = self.chats["coach"][1]
        else:
            self.view = ChatView(self.client)
        self.banner()

    def banner(self) -> None:
        kept = "kept at exit" if self.options.keep_data else "removed at exit unless --keep-data"
        self.say(
            f"demo: ready. You are {self.options.name} (Telegram language "
            f"{self.options.lang!r}) in a private chat with the bot.",
            "  - Type a message and press Enter to send it.",
            "  - A line starting with / is a command: /start, /checkin, /help ...",
            "  - A number N presses button [N] of the latest message with buttons "
            "(\\N sends the text N).",
            "  - /time +1d, /time +2h, /time 08:59 move the bot's clock forward (reminders "
            "of the skipped time arrive); /time alone shows it.",
            "  - /reload puts edited content live, or lists every problem in it.",
            "  - /quit or Ctrl-D ends the demo.",
            *(
                (
                    f"  - Coach mode: you type as the coach ({self.options.name}, also the "
                    f"admin) until `>coachee` switches to {DEMO_COACHEE_NAME}; `>coach` "
                    "switches back. Lines start with the chat they are in.",
                    "    Try: /coach, press Approve, /invite; then >coachee, /start, 1 "
                    "(consent), and /start <the code after start= in the link>.",
                )
                if self.options.coach
                else ()
            ),
            f"  Content: {self.options.content_dir}",
            f"  Data, logs and files: {self.workdir} ({kept})",
            "",
        )

    def stop(self) -> None:
        for client, _ in self.chats.values():
            if client is not self.client:
                client.close()
        if self.client is not None:
            self.client.close()
        if self.bot is not None:
            self.bot.stop()
        if self.emulator is not None:
            self.emulator.stop()
        if self.options.keep_data or self.failed:
            self.say(f"demo: stopped; kept {self.workdir} (data, logs, files)")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.say("demo: stopped")

    # --- the chat ----------------------------------------------------------------------------

    def chat(self) -> int:
        reader = LineReader(0)
        while True:
            if self.interactive and not self._prompt_shown:
                self.out.write("you: ")
                self.out.flush()
                self._prompt_shown = True
            try:
                line = reader.read_line(timeout=POLL_SECONDS * 2)
            except EOFError:
                return 0
            if line is None:  # nothing typed: show what the bot sent on its own meanwhile
                self.show_changes()
                continue
            self._prompt_shown = False
            if not self.interactive:
                self.say(f"you: {line}")
            entered = parse_line(line)
            if isinstance(entered, Quit):
                return 0
            if entered is not None:
                self.handle(entered)

    def handle(self, entered: UserInput) -> None:
        client = self.client
        if isinstance(entered, Command):
            limit = TIME_JUMP_LIMIT_SECONDS if entered.name == "time" else ANSWER_LIMIT_SECONDS
            self.send_and_wait(lambda: client.command(entered.name, entered.args), limit)
        elif isinstance(entered, Say):
            self.send_and_wait(lambda: client.say(entered.text))
        elif isinstance(entered, Press):
            self.press(entered.number)
        elif isinstance(entered, Switch):
            self.switch(entered.who)

    def switch(self, who: str) -> None:
        if who not in self.chats:
            known = " or ".join(f">{name}" for name in self.chats) or "nothing (no --coach)"
            self.say(f"demo: there is no {who!r} to type as; try {known}")
            return
        self.show_changes()
        self.client, self.view = self.chats[who]
        name = self.options.name if who == "coach" else DEMO_COACHEE_NAME
        self.say(f"demo: you type as the {who} ({name}) now")

    def press(self, number: int) -> None:
        self.show_changes()
        assert self.view is not None
        message = self.view.latest_with_buttons()
        if message is None:
            self.say(f"demo: no message has buttons; to send {number} as text, type \\{number}")
            return
        if not 1 <= number <= len(message.buttons):
            self.say(
                f"demo: there is no button [{number}]; the latest message with buttons "
                f"has {len(message.buttons)}"
            )
            return
        label, data = message.buttons[number - 1]
        if data is None:
            self.say(f"demo: [{number}] {label} is a link; it opens a web page, not a chat step")
            return
        self.say(f"demo: pressed [{number}] {label}")
        self.send_and_wait(lambda: self.client.press(data, message))

    def send_and_wait(
        self, send: Callable[[], object], limit: float = ANSWER_LIMIT_SECONDS
    ) -> None:
        """Send, then show the bot's answer until it has gone quiet, so scripts stay in step."""
        calls_before, _ = self.bot_activity()
        try:
            send()
        except self._emulator_errors as exc:
            raise DemoError(f"the Telegram emulator did not take that: {exc}") from None
        start = last_change = time.monotonic()
        answered = False
        last_calls = calls_before
        while True:
            changed = self.show_changes()
            calls, pending = self.bot_activity()
            now = time.monotonic()
            # Only something the user sees counts as the answer; any API call the bot makes
            # (a silent callback answer, a chat action) shows it is still busy.
            answered = answered or changed
            if changed or calls != last_calls:
                last_change, last_calls = now, calls
            if answered and not pending and now - last_change >= QUIET_SECONDS:
                return
            if not answered and now - start >= FIRST_ANSWER_SECONDS:
                self.say(f"demo: (no answer from the bot within {FIRST_ANSWER_SECONDS:.0f} s)")
                return
            if now - start >= limit:
                return
            time.sleep(POLL_SECONDS)

    def bot_activity(self) -> tuple[int, int]:
        """(Bot API calls other than getUpdates so far, updates the bot has not taken yet)."""
        self.check_alive()
        try:
            status = self.emulator.bot_status(DEMO_TOKEN)
        except self._emulator_errors as exc:
            raise DemoError(f"lost the Telegram emulator: {exc}") from None
        calls = sum(n for method, n in status["calls"].items() if method != "getUpdates")
        return calls, int(status["pending_updates"])

    def show_changes(self) -> bool:
        assert self.view is not None
        self.check_alive()
        views = [view for _, view in self.chats.values()] or [self.view]
        try:
            lines = [line for view in views for line in view.look()]
        except self._emulator_errors as exc:
            raise DemoError(f"lost the Telegram emulator: {exc}") from None
        if lines:
            self.say(*lines)
        return bool(lines)

    def check_alive(self) -> None:
        if not self.emulator.is_running():
            raise DemoError(
                "the Telegram emulator stopped unexpectedly; its log:\n" + self.emulator.log(30)
            )
        if not self.bot.is_running():
            raise DemoError(
                f"the bot stopped unexpectedly (exit code "
                f"{self.bot.process.returncode}); its last output:\n" + self.bot.output(30)
            )
