"""Child processes for the end-to-end tests and the demo: the Bot API emulator and the bot.

Lives in the bot package (bot/devtools, with emulator.js and its npm files beside it) so that
`python -m bot demo` imports it like any module; tests/e2e/harness.py re-exports it.

Owns: installing the emulator's npm dependencies (``npm ci``, once, under a file lock so
parallel runs do not clash), starting and stopping ``node emulator.js`` and ``python -m bot run``
with their output captured to files, and knowing when each is ready. Does not own: pytest
fixtures (conftest.py) or talking to the bot (client.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import itertools
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

__all__ = [
    "DEFAULT_TOKEN",
    "DEVTOOLS_DIR",
    "E2E_DIR",
    "REPO_ROOT",
    "BotProcess",
    "Emulator",
    "ensure_node_modules",
    "make_token",
    "start_bot",
    "start_emulator",
]

DEVTOOLS_DIR = Path(__file__).resolve().parent  # emulator.js, package(-lock).json, node_modules
REPO_ROOT = DEVTOOLS_DIR.parents[1]
E2E_DIR = DEVTOOLS_DIR  # the name the e2e tests knew it by
DEFAULT_TOKEN = "123456:TEST-abc"
_INSTALL_STAMP = ".e2e-installed"  # holds the sha256 of the package-lock.json it installed
_PR_SET_PDEATHSIG = 1
# What the bot logs when its background warm-up is over (bot.content.live.LiveContent.warm_up).
WARMED_UP = "safety.warmed_up"
WARM_UP_FAILED = "safety.warm_up_failed"
_token_ids = itertools.count(1)
_log_ids = itertools.count(1)


def make_token() -> str:
    """A fresh fake bot token, so tests sharing one emulator never see each other's updates."""
    return f"{100_000 + next(_token_ids)}:TEST-{os.getpid()}-{time.monotonic_ns() % 10**9}"


def _die_with_parent() -> None:
    """Runs in the child before exec: a crashed pytest must not leave emulators or bots behind."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(
            f"`{name}` is not on PATH; the end-to-end tests need Node.js and npm "
            "(e.g. `apt-get install -y nodejs npm`)"
        )
    return path


def _lock_digest() -> str:
    return hashlib.sha256((DEVTOOLS_DIR / "package-lock.json").read_bytes()).hexdigest()


def _installed_digest() -> str | None:
    stamp = DEVTOOLS_DIR / "node_modules" / _INSTALL_STAMP
    module = DEVTOOLS_DIR / "node_modules" / "telegram-test-api" / "package.json"
    if not module.exists() or not stamp.exists():
        return None
    return stamp.read_text().strip()


def ensure_node_modules(timeout: float = 600.0) -> None:
    """Run ``npm ci`` in bot/devtools unless node_modules already matches package-lock.json.

    A digest stamp rather than mtimes decides, because git checkouts set arbitrary mtimes.
    """
    npm = _require_tool("npm")
    _require_tool("node")
    if _installed_digest() == _lock_digest():
        return
    key = hashlib.sha1(str(DEVTOOLS_DIR).encode()).hexdigest()[:12]
    lock_path = Path(tempfile.gettempdir()) / f"tg-e2e-npm-ci-{key}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed_digest() == _lock_digest():  # another process installed while we waited
            return
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
            cwd=DEVTOOLS_DIR,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"`npm ci` in {DEVTOOLS_DIR} failed ({result.returncode}):\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        (DEVTOOLS_DIR / "node_modules" / _INSTALL_STAMP).write_text(_lock_digest())


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class Emulator:
    """A running ``node emulator.js``."""

    process: subprocess.Popen[bytes]
    port: int
    tmp_dir: Path
    files_dir: Path
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url_for_bot(self) -> str:
        """What the bot's TELEGRAM_API_URL must be: PTB appends the token to it."""
        return f"{self.base_url}/bot"

    def is_running(self) -> bool:
        return self.process.poll() is None

    def log(self, lines: int = 200, token: str | None = None) -> str:
        """The log's tail; with ``token``, only the lines about that bot."""
        if token is None:
            return _tail(self.log_path, lines)
        tag = f" bot={token.split(':')[0]} "
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join([line for line in text.splitlines() if tag in line][-lines:])

    def test_api(self, route: str, body: dict[str, Any], timeout: float = 10.0) -> Any:
        """POST to one of the emulator's ``/_test/*`` routes and return its ``result``."""
        with httpx.Client(base_url=self.base_url, timeout=timeout, trust_env=False) as http:
            response = http.post(route, json=body)
        payload = response.json()
        if response.status_code != 200 or not payload.get("ok"):
            raise RuntimeError(f"emulator refused {route}: {response.status_code} {payload}")
        return payload["result"]

    def bot_status(self, token: str) -> dict[str, Any]:
        """How a bot token has used the API: calls per method, polls, pending updates."""
        return dict(self.test_api("/_test/botStatus", {"token": token}))

    def stop(self, timeout: float = 5.0) -> None:
        _terminate(self.process, timeout)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _terminate(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM (a graceful shutdown), then SIGKILL after ``timeout`` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_emulator(
    tmp_dir: Path, startup_timeout: float = 30.0, extra_args: Sequence[str] = ()
) -> Emulator:
    """Install dependencies if needed, start the emulator on a free port and wait for READY.

    ``extra_args`` go to emulator.js, e.g. ``["--flood-limit", "30"]``."""
    ensure_node_modules()
    node = _require_tool("node")
    tmp_dir = Path(tmp_dir)
    files_dir = tmp_dir / "emulator-files"
    files_dir.mkdir(parents=True, exist_ok=True)
    log_path = tmp_dir / "emulator.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                node,
                str(DEVTOOLS_DIR / "emulator.js"),
                *("--port", "0", "--files", str(files_dir)),
                *extra_args,
            ],
            cwd=DEVTOOLS_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            preexec_fn=_die_with_parent,
        )
    assert process.stdout is not None
    line = _read_line(process.stdout, startup_timeout)
    if not line.startswith("READY "):
        process.kill()
        process.wait()
        raise RuntimeError(
            f"emulator did not report READY within {startup_timeout}s (got {line!r}); "
            f"log:\n{_tail(log_path, 50)}"
        )
    return Emulator(process, int(line.split()[1]), tmp_dir, files_dir, log_path)


def _read_line(stream: IO[bytes], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while b"\n" not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                break
            chunk = os.read(stream.fileno(), 4096)
            if not chunk:  # the process exited
                break
            buffer += chunk
    return buffer.decode(errors="replace").strip()


@dataclass
class BotProcess:
    """A running ``python -m bot run`` talking to an Emulator."""

    process: subprocess.Popen[bytes]
    emulator: Emulator
    token: str
    data_dir: Path
    stdout_path: Path
    stderr_path: Path
    _log_files: list[IO[bytes]] = field(default_factory=list, repr=False)

    def is_running(self) -> bool:
        return self.process.poll() is None

    def output(self, lines: int = 200) -> str:
        """The tails of the bot's stdout and stderr, for failure reports."""
        return (
            f"--- bot stdout ({self.stdout_path}) ---\n{_tail(self.stdout_path, lines)}\n"
            f"--- bot stderr ({self.stderr_path}) ---\n{_tail(self.stderr_path, lines)}"
        )

    def wait_until_polling(self, timeout: float = 30.0, *, after_polls: int = 0) -> None:
        """Block until the bot has asked for updates (more than ``after_polls`` times)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.is_running():
                raise RuntimeError(
                    f"bot exited with code {self.process.returncode} before polling\n"
                    f"{self.output()}"
                )
            if self.emulator.bot_status(self.token)["get_updates_calls"] > after_polls:
                return
            time.sleep(0.05)
        raise RuntimeError(f"bot did not poll for updates within {timeout}s\n{self.output()}")

    def wait_until_warm(self, timeout: float = 30.0) -> None:
        """Block until the bot has built the rest of its safety assessor (the sentence encoder
        and the rule patterns), which it does in the background once it polls: a test that
        measures an answer against a deadline measures the running bot, not its start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.stderr_path.read_text(errors="replace")
            if WARMED_UP in log or WARM_UP_FAILED in log:
                return
            if not self.is_running():
                raise RuntimeError(
                    f"bot exited with code {self.process.returncode} before it was warm\n"
                    f"{self.output()}"
                )
            time.sleep(0.05)
        raise RuntimeError(f"bot was not warm within {timeout}s\n{self.output()}")

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM (the bot's graceful shutdown), then SIGKILL after ``timeout`` seconds."""
        _terminate(self.process, timeout)
        self._close_logs()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL: a crash, for tests of what survives one."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close_logs()

    def _close_logs(self) -> None:
        for log in self._log_files:
            log.close()
        self._log_files.clear()


def start_bot(
    emulator: Emulator,
    data_dir: Path,
    content_dir: Path | None = None,
    env_extra: dict[str, str] | None = None,
    *,
    token: str = DEFAULT_TOKEN,
    log_dir: Path | None = None,
    wait_ready: bool = True,
    ready_timeout: float = 30.0,
    command: Sequence[str] | None = None,
) -> BotProcess:
    """Start ``python -m bot run`` from the repo root against ``emulator``.

    With ``wait_ready`` it returns once the bot polls for updates and has built its safety
    assessor (see ``wait_until_warm``; not for a stand-in ``command``), failing with the bot's
    output if it exits first. ``content_dir`` is passed as BOT_CONTENT_DIR. ``command`` replaces
    ``python -m bot run`` (e.g. to drive a stand-in bot); it still runs from the repo root.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    log_dir = Path(log_dir) if log_dir is not None else emulator.tmp_dir
    log_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_URL": emulator.api_url_for_bot,
            "BOT_DATA_DIR": str(data_dir),
            "PYTHONUNBUFFERED": "1",
            # A proxy from the environment must never see the emulator's traffic.
            "NO_PROXY": ",".join(filter(None, ["127.0.0.1", "localhost", env.get("NO_PROXY")])),
        }
    )
    env["no_proxy"] = env["NO_PROXY"]
    if content_dir is not None:
        env["BOT_CONTENT_DIR"] = str(content_dir)
    env.update(env_extra or {})

    polls_before = emulator.bot_status(token)["get_updates_calls"] if wait_ready else 0
    n = next(_log_ids)
    stdout_path = log_dir / f"bot-{n}.stdout.log"
    stderr_path = log_dir / f"bot-{n}.stderr.log"
    stdout = stdout_path.open("wb")
    stderr = stderr_path.open("wb")
    process = subprocess.Popen(
        list(command) if command is not None else [sys.executable, "-m", "bot", "run"],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        preexec_fn=_die_with_parent,
    )
    bot = BotProcess(process, emulator, token, data_dir, stdout_path, stderr_path, [stdout, stderr])
    if wait_ready:
        try:
            started = time.monotonic()
            bot.wait_until_polling(ready_timeout, after_polls=polls_before)
            if command is None:
                bot.wait_until_warm(max(1.0, ready_timeout - (time.monotonic() - started)))
        except BaseException:
            bot.stop()
            raise
    return bot
