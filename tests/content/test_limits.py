"""Content files that are too deep, too big or not text: a `file:line` problem on every path
(`content check`, /reload, SIGHUP, start-up), never a traceback or the generic apology.

Each test uses a copy of the fixture content (tests/fixtures/content: small, and without the
learned model, which these paths do not need) with one bad file in it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fixture_content import fixture_copy

from bot.config import Settings
from bot.content import loader
from bot.content.live import LiveContent
from bot.content.loader import ContentError, Problem, load_content
from bot.storage.memory import InMemoryRepository

ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = ROOT / "content"
ADMIN = 501
NOW = datetime(2026, 3, 30, 14, 0, tzinfo=UTC)

DEEP_LIST = "texts: " + "[" * 20_000 + "]" * 20_000 + "\n"
DEEP_MAP = "exercises:\n  - " + "{a: " * 20_000 + "1" + "}" * 20_000 + "\n"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    fixture_copy(target)
    return target


def problems(directory: Path) -> list[Problem]:
    started = time.monotonic()
    try:
        load_content(directory)
    except ContentError as exc:
        assert time.monotonic() - started < 10, "refused quickly"
        return list(exc.problems)
    return []


def only(found: list[Problem], file: str) -> Problem:
    mine = [p for p in found if p.file == file]
    assert len(mine) == 1, found
    return mine[0]


# --- the loader -------------------------------------------------------------------------------


def test_the_shipped_content_is_well_inside_the_limits():
    for path in CONTENT_DIR.rglob("*.yaml"):
        assert path.stat().st_size < loader.MAX_FILE_BYTES / 2, path


def test_a_list_nested_20000_deep_is_one_problem_at_its_line(copy):
    (copy / "ui.yaml").write_text(DEEP_LIST, encoding="utf-8")

    problem = only(problems(copy), "content/ui.yaml")

    assert problem.line == 1
    assert f"more than {loader.MAX_NESTING} levels" in problem.message


def test_a_mapping_nested_20000_deep_is_one_problem_at_its_line(copy):
    (copy / "exercises.yaml").write_text(DEEP_MAP, encoding="utf-8")

    problem = only(problems(copy), "content/exercises.yaml")

    assert problem.line == 2
    assert "levels" in problem.message


def test_a_deep_questionnaire_is_caught_too(copy):
    (copy / "questionnaires" / "deep.yaml").write_text(DEEP_LIST, encoding="utf-8")

    assert only(problems(copy), "content/questionnaires/deep.yaml").line == 1


def test_nesting_at_the_limit_is_fine_for_the_parser(copy):
    depth = loader.MAX_NESTING - 1  # the top-level mapping is one level
    (copy / "ui.yaml").write_text("texts: " + "[" * depth + "]" * depth, encoding="utf-8")

    found = problems(copy)

    assert not any("levels" in p.message for p in found)  # the schema refuses it, not the parser


def test_a_file_over_the_size_limit_is_refused_before_parsing(copy):
    with (copy / "ui.yaml").open("w", encoding="utf-8") as out:  # 31 MB, as once tried
        out.write("texts:\n")
        for n in range(420_000):
            out.write(
                f"  t{n}: {{nl: 'een tekst van enige lengte', en: 'some text of a length'}}\n"
            )
    assert (copy / "ui.yaml").stat().st_size > 30_000_000

    started = time.monotonic()
    problem = only(problems(copy), "content/ui.yaml")

    assert time.monotonic() - started < 5
    assert problem.line == 1
    assert "2 MB" in problem.message and "31" in problem.message


def test_a_file_that_is_not_utf8_is_one_problem(copy):
    (copy / "phases.yaml").write_bytes("phases: []\n# caf\u00e9\n".encode("latin-1"))

    problem = only(problems(copy), "content/phases.yaml")

    assert problem.line == 2
    assert "UTF-8" in problem.message


# --- content check and start-up: real subprocesses ---------------------------------------------


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        text=True,
        capture_output=True,
        cwd=ROOT,
        env={**base, **(env or {})},
        timeout=60,
    )


def test_content_check_lists_the_deep_file_without_a_traceback(copy):
    (copy / "ui.yaml").write_text(DEEP_LIST, encoding="utf-8")

    result = run("content", "check", str(copy))

    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "content/ui.yaml:1: " in result.stdout


def test_the_bot_does_not_start_and_says_where(copy, tmp_path):
    (copy / "ui.yaml").write_text(DEEP_LIST, encoding="utf-8")
    env = {
        "TELEGRAM_BOT_TOKEN": "987654321:AAH-secret",
        "TELEGRAM_API_URL": "http://127.0.0.1:9/bot",
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_CONTENT_DIR": str(copy),
    }

    result = run("run", env=env)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/ui.yaml:1: " in result.stderr
    assert "Bot API" not in result.stderr, "stopped before it tried Telegram"


# --- /reload and SIGHUP, in-process -----------------------------------------------------------


@dataclass
class ReloadRig:
    application: object
    api: object
    copy: Path


@pytest.fixture
async def rig(copy: Path, tmp_path: Path, monkeypatch) -> AsyncIterator[ReloadRig]:
    sys.path.insert(0, str(ROOT / "tests" / "telegram"))
    from rig import FakeBotApi

    from bot.telegram.app import build_application
    from bot.telegram.context import Services
    from bot.telegram.outbox import Outbox, PriorityLimiter

    monkeypatch.setenv("BOT_SAFETY_ENCODER", "off")
    api = FakeBotApi()
    settings = Settings("1:fake", None, tmp_path, copy, frozenset({ADMIN}), "BE", "Europe/Brussels")
    services = Services(
        settings,
        LiveContent(copy),
        InMemoryRepository(),
        lambda: NOW,
        Outbox(PriorityLimiter(rate=1000)),
    )
    application = build_application(services, request=api)
    async with application:
        await application.start()
        yield ReloadRig(application, api, copy)
        await application.stop()


def _command(rig: ReloadRig, text: str):
    from telegram import Update

    user = {"id": ADMIN, "is_bot": False, "first_name": "A", "language_code": "nl"}
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": ADMIN, "type": "private"},
        "from": user,
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }
    return Update.de_json({"update_id": 1, "message": message}, rig.application.bot)


async def test_reload_refuses_a_deep_file_with_file_and_line(rig, content):
    before = rig.application.bot_data["services"].content.current
    (rig.copy / "ui.yaml").write_text(DEEP_LIST, encoding="utf-8")

    await rig.application.process_update(_command(rig, "/reload"))

    sent = rig.api.sent(ADMIN)
    assert content.text("input.error", "nl") not in sent
    assert any("content/ui.yaml:1: " in s for s in sent), sent
    assert rig.application.bot_data["services"].content.current is before


async def test_sighup_tells_the_admins_and_the_log(rig, caplog):
    from bot.telegram import admin

    (rig.copy / "ui.yaml").write_text(DEEP_LIST, encoding="utf-8")

    await admin.reload_on_signal(rig.application)

    assert any("content/ui.yaml:1: " in s for s in rig.api.sent(ADMIN))
    assert "content/ui.yaml:1: " in caplog.text  # for an operator with no admin ids set


async def test_a_reload_that_fails_unforeseen_is_reported_not_apologised_for(
    rig, content, monkeypatch
):
    def broken() -> None:
        raise KeyError("a check that has a bug")

    services = rig.application.bot_data["services"]
    before = services.content.current
    monkeypatch.setattr(services.content, "reload", broken)

    await rig.application.process_update(_command(rig, "/reload"))

    sent = rig.api.sent(ADMIN)
    assert content.text("input.error", "nl") not in sent
    assert any(f"{rig.copy}:1: the reload failed (KeyError)" in s for s in sent), sent
    assert services.content.current is before
