"""`python -m bot run` when the world around it is wrong: a real subprocess each time.

Whatever is wrong (a setting, the data folder, the Bot API, the token), the bot says so in
one line per event, never with a traceback, never with the token, and exits with code 2 soon
enough for a supervisor to restart it. Retry timings come from hidden variables here
(BOT_STARTUP_TRIES, BOT_STARTUP_BACKOFF) so the tests run in seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot import runner

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "987654321:AAH-very_secret-Token-do-not-print"
README_TOKEN = "123456789:your-token"  # the example in README.md
QUICK = {"BOT_STARTUP_TRIES": "3", "BOT_STARTUP_BACKOFF": "0.05"}


def bot_run(
    env: dict[str, str], timeout: float = 60, wrap: list[str] | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    started = time.monotonic()
    result = subprocess.run(
        [*(wrap or []), sys.executable, "-m", "bot", "run"],
        text=True,
        capture_output=True,
        cwd=ROOT,
        env={**base, **env},
        timeout=timeout,
    )
    return result, time.monotonic() - started


def our_lines(stderr: str) -> list[str]:
    """What the bot itself says (log lines carry a timestamp; ours start with a word)."""
    return [line for line in stderr.splitlines() if line.startswith(("error:", "warning:"))]


def assert_clean_exit_2(result: subprocess.CompletedProcess[str], secret: str = TOKEN) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    everything = result.stdout + result.stderr
    assert secret not in everything
    assert secret.split(":")[-1] not in everything
    assert our_lines(result.stderr)[-1].startswith("error: ")


def free_port() -> int:
    """A local port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeApi(BaseHTTPRequestHandler):
    """Answers every Bot API call with one status, as Telegram does for a bad token."""

    status = 401
    calls: list[str]

    def do_POST(self) -> None:  # PTB posts every call
        self.calls.append(self.path.rsplit("/", 1)[-1])
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        description = {401: "Unauthorized", 404: "Not Found", 502: "Bad Gateway"}[self.status]
        body = json.dumps(
            {"ok": False, "error_code": self.status, "description": description}
        ).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake_api(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[str]]]:
    calls: list[str] = []
    handler = type("Handler", (FakeApi,), {"status": request.param, "calls": calls})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bot", calls
    finally:
        server.shutdown()
        server.server_close()


def settings(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "BOT_DATA_DIR": str(tmp_path / "data"),
        **QUICK,
        **extra,
    }


# --- the Bot API --------------------------------------------------------------------------------


def test_an_unreachable_api_is_tried_again_with_one_line_each_then_exit_2(tmp_path):
    api = f"http://127.0.0.1:{free_port()}/bot"

    result, _ = bot_run(settings(tmp_path, TELEGRAM_API_URL=api))

    assert_clean_exit_2(result)
    lines = our_lines(result.stderr)
    assert len(lines) == 3, result.stderr  # two retries announced, then the give-up
    assert all(line.startswith("warning: ") and api in line for line in lines[:2])
    assert "try 2 of 3" in lines[0] and "try 3 of 3" in lines[1]
    assert "could not be reached after 3 tries" in lines[2]
    assert "TELEGRAM_API_URL" in lines[2]


def test_the_back_off_doubles(tmp_path):
    api = f"http://127.0.0.1:{free_port()}/bot"
    env = settings(tmp_path, TELEGRAM_API_URL=api, BOT_STARTUP_TRIES="4")
    env["BOT_STARTUP_BACKOFF"] = "0.5"

    result, took = bot_run(env)

    assert_clean_exit_2(result)
    waits = [line.rsplit(" in ", 1)[1] for line in our_lines(result.stderr)[:-1]]
    assert waits == ["0.5 s", "1 s", "2 s"]
    assert took >= 3.5


def test_by_default_the_bot_gives_up_within_a_minute():
    """Tries stop at the deadline; the last try can add a connect and a read timeout."""
    assert runner.STARTUP_DEADLINE + 2 * runner.STARTUP_TIMEOUT < 60
    assert runner.STARTUP_TRIES >= 3


@pytest.mark.parametrize("fake_api", [401, 404], indirect=True, ids=["401", "404"])
def test_an_invalid_token_is_one_line_and_exit_2(tmp_path, fake_api):
    api, calls = fake_api

    result, _ = bot_run(settings(tmp_path, TELEGRAM_API_URL=api))

    assert_clean_exit_2(result)
    (line,) = our_lines(result.stderr)
    assert "TELEGRAM_BOT_TOKEN" in line and "@BotFather" in line
    assert calls == ["getMe"], "a refused token is not tried again"


@pytest.mark.parametrize("fake_api", [401], indirect=True)
def test_the_readme_example_token_is_one_line_and_exit_2(tmp_path, fake_api):
    api, _ = fake_api
    env = settings(tmp_path, TELEGRAM_API_URL=api, TELEGRAM_BOT_TOKEN=README_TOKEN)

    result, _ = bot_run(env)

    assert_clean_exit_2(result, secret=README_TOKEN)
    assert len(our_lines(result.stderr)) == 1
    assert README_TOKEN in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("fake_api", [502], indirect=True)
def test_a_bad_gateway_counts_as_unreachable(tmp_path, fake_api):
    api, calls = fake_api

    result, _ = bot_run(settings(tmp_path, TELEGRAM_API_URL=api))

    assert_clean_exit_2(result)
    assert len(our_lines(result.stderr)) == 3
    assert calls == ["getMe"] * 3


# --- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api", "named"),
    [("http://", "host"), ("http://127.0.0.1:99999/bot", "port")],
    ids=["no host", "port 99999"],
)
def test_an_api_url_that_cannot_work_is_one_line_and_exit_2(tmp_path, api, named):
    result, took = bot_run(settings(tmp_path, TELEGRAM_API_URL=api))

    assert_clean_exit_2(result)
    (line,) = result.stderr.splitlines()
    assert "TELEGRAM_API_URL" in line and named in line
    assert took < 10


def test_a_data_dir_that_is_a_file_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "data").write_text("a file")

    result, _ = bot_run(settings(tmp_path, TELEGRAM_API_URL="http://127.0.0.1:9/bot"))

    assert_clean_exit_2(result)
    (line,) = result.stderr.splitlines()
    assert "BOT_DATA_DIR" in line


def _read_only(folder: Path) -> list[str] | None:
    """A wrapper that makes `folder` read-only for the bot: a read-only mount in a private
    mount namespace as root (root writes through permissions), else a 0555 folder."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    probe = subprocess.run(
        [unshare, "-m", "sh", "-c", 'mount -t tmpfs -o ro,size=1m tmpfs "$0"', str(folder)],
        capture_output=True,
    )
    if probe.returncode != 0:
        return None
    return [
        unshare,
        "-m",
        "sh",
        "-c",
        'mount -t tmpfs -o ro,size=1m tmpfs "$0" && shift && exec "$@"',
        str(folder),
        "--",
    ]


def test_a_read_only_data_dir_is_reported_at_start(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    wrap = _read_only(data)
    if wrap is None:
        pytest.skip("no way to make a read-only folder here")

    result, _ = bot_run(settings(tmp_path, TELEGRAM_API_URL="http://127.0.0.1:9/bot"), wrap=wrap)

    data.chmod(0o755)
    assert_clean_exit_2(result)
    (line,) = our_lines(result.stderr)
    assert "BOT_DATA_DIR" in line and "cannot be written" in line
    assert "Bot API" not in result.stderr, "stopped before it tried Telegram"


# --- .env ---------------------------------------------------------------------------------------


def test_git_ignores_dot_env():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".env"], cwd=ROOT, capture_output=True, check=False
    )
    assert ignored.returncode == 0
    kept = subprocess.run(
        ["git", "check-ignore", "-q", ".env.example"], cwd=ROOT, capture_output=True, check=False
    )
    assert kept.returncode == 1


def test_run_bot_reads_dot_env_without_printing_it(tmp_path):
    """scripts/run-bot in a copy of the project whose .venv python only reports what it got."""
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "run-bot", project / "scripts" / "run-bot")
    (project / "pyproject.toml").write_text("")
    python = project / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        "#!/bin/sh\n"
        'printf "%s\\n" "$*" > "$REPORT"\n'
        'printf "%s\\n" "$TELEGRAM_BOT_TOKEN" "$BOT_COUNTRY" "$BOT_TIMEZONE" "${BOT_X-unset}"'
        ' >> "$REPORT"\n'
    )
    python.chmod(0o755)
    time.sleep(0.01)
    (project / ".venv" / ".installed").touch()
    (project / ".env").write_text(
        "# a comment\n"
        f"TELEGRAM_BOT_TOKEN={TOKEN}\n"
        "\n"
        "export BOT_COUNTRY='NL'\r\n"
        'BOT_TIMEZONE="Europe/Amsterdam"\n'
        "not a setting\n"
    )
    report = tmp_path / "report"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "REPORT": str(report),
        "BOT_TIMEZONE": "Europe/Brussels",  # already set: wins over .env
    }

    result = subprocess.run(
        [str(project / "scripts" / "run-bot")], env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert report.read_text().splitlines() == [
        "-m bot run",
        TOKEN,
        "NL",
        "Europe/Brussels",
        "unset",
    ]
    assert TOKEN not in result.stdout + result.stderr
