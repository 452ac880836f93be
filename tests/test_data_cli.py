"""`python -m bot data new-key | check | rotate-key`, and `run` with a data key, as an operator
runs them: a real subprocess, exit codes, stdout, stderr; never a key on the screen unasked."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot import runner
from bot.config import Settings
from bot.core.models import Consent, Profile, Reflection
from bot.storage.sealing import Sealer, new_key
from bot.storage.tinydb_store import TinyDbRepository

TOKEN = "987654321:AAH-very_secret-Token-do-not-print"
T0 = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
SECRET = "ik slaap al weken slecht"


def bot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=base | (env or {}),
        capture_output=True,
        text=True,
        timeout=60,
    )


def filled(data: Path, key: str | None = None) -> Path:
    repo = TinyDbRepository(data, Sealer.with_keys([key] if key else []))
    for user_id in (1, 2, 3):
        repo.save_profile(Profile(user_id, user_id, "nl", "BE", "Europe/Brussels", Consent(T0), T0))
        repo.add(user_id, Reflection("p", T0, T0.date(), SECRET))
    return data


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


def test_new_key_prints_a_fresh_key() -> None:
    first, second = bot("data", "new-key"), bot("data", "new-key")

    assert first.returncode == 0 and first.stderr == ""
    key = first.stdout.strip()
    Fernet(key)  # a valid key
    assert key != second.stdout.strip()


def test_encrypt_check_rotate_and_back_to_plain(tmp_path: Path) -> None:
    data = filled(tmp_path / "data")
    first, second = new_key(), new_key()
    env = {"BOT_DATA_DIR": str(data)}

    plain = bot("data", "check", env=env)
    assert (plain.returncode, plain.stdout) == (
        0,
        f"data ok: 7 files in {data} (plain, not encrypted)\n",
    )

    missing = bot("data", "rotate-key", env=env)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1

    encrypted = bot("data", "rotate-key", env=env | {"BOT_DATA_NEW_KEY": first})
    assert encrypted.returncode == 0, encrypted.stderr
    assert first not in encrypted.stdout + encrypted.stderr
    assert not [p for p in data.rglob("*.json") if SECRET.encode() in p.read_bytes()]

    unkeyed = bot("data", "check", env=env)
    assert unkeyed.returncode == 1
    assert len(unkeyed.stdout.splitlines()) == 7  # one line per file that does not open
    assert all(
        "encrypted but BOT_DATA_KEY is not set" in line for line in unkeyed.stdout.splitlines()
    )

    keyed = {"BOT_DATA_KEY": first} | env
    assert bot("data", "check", env=keyed).stdout.endswith("(encrypted)\n")
    rotated = bot("data", "rotate-key", env=keyed | {"BOT_DATA_NEW_KEY": second})
    assert rotated.returncode == 0, rotated.stderr
    assert bot("data", "check", env=keyed).returncode == 1
    assert bot("data", "check", env=env | {"BOT_DATA_KEY": second}).returncode == 0

    back = bot("data", "rotate-key", "--to-plain", env=env | {"BOT_DATA_KEY": second})
    assert back.returncode == 0, back.stderr
    assert bot("data", "check", env=env).returncode == 0
    assert SECRET in (data / "users" / "1" / "2026-03.json").read_text()


def test_rotate_key_with_the_wrong_old_key_changes_nothing(tmp_path: Path) -> None:
    data = filled(tmp_path / "data", new_key())
    before = snapshot(data)

    result = bot(
        "data",
        "rotate-key",
        env={"BOT_DATA_DIR": str(data), "BOT_DATA_KEY": new_key(), "BOT_DATA_NEW_KEY": new_key()},
    )

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "does not open" in result.stderr
    assert snapshot(data) == before


# --- `run` with a data key ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written_with", "started_with", "says"),
    [
        ("a", "b", "BOT_DATA_KEY does not open 4 of 4 data files"),
        ("a", None, "are encrypted but BOT_DATA_KEY is not set"),
        (None, "a", "BOT_DATA_KEY is set but 4 of 4 data files"),
        (None, "not-a-key", "BOT_DATA_KEY is not a data key"),
    ],
    ids=["wrong key", "missing key", "key on plain files", "not a key"],
)
def test_run_stops_with_one_line_and_exit_2_touching_no_file(
    tmp_path: Path, written_with: str | None, started_with: str | None, says: str
) -> None:
    keys = {"a": new_key(), "b": new_key(), "not-a-key": "not-a-key"}
    data = filled(tmp_path / "data", keys[written_with] if written_with else None)
    before = snapshot(data)
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": "http://127.0.0.1:9/bot",
        "BOT_DATA_DIR": str(data),
    }
    if started_with:
        env["BOT_DATA_KEY"] = keys[started_with]

    result = bot("run", env=env)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert says in result.stderr
    assert not any(k in result.stderr for k in keys.values() if k != "not-a-key")
    assert snapshot(data) == before


class StubApplication:
    def run_polling(self, **_kwargs: object) -> None:
        pass


class StubContent:
    def __init__(self, _dir: Path, lazy: bool = False) -> None:
        pass

    def warm_up(self) -> None:
        pass


@pytest.mark.parametrize("encrypted", [False, True])
def test_run_warns_once_when_data_is_not_encrypted(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    encrypted: bool,
) -> None:
    key = new_key()
    data = filled(tmp_path / "data", key if encrypted else None)
    if encrypted:
        monkeypatch.setenv("BOT_DATA_KEY", key)
    else:
        monkeypatch.delenv("BOT_DATA_KEY", raising=False)
    monkeypatch.setattr(runner, "configure_logging", lambda _token: None)
    monkeypatch.setattr(runner, "LiveContent", StubContent)

    async def bot_api_answers(*_args: object, **_kwargs: object) -> None:
        return None

    monkeypatch.setattr(runner, "check_bot_api", bot_api_answers)
    built = []
    monkeypatch.setattr(
        runner, "build_application", lambda services: built.append(services) or StubApplication()
    )
    caplog.set_level(logging.INFO)
    settings = Settings("1:x", None, data, tmp_path, frozenset(), "BE", "Europe/Brussels")

    assert runner.run_bot(settings) == 0

    warnings = [r.getMessage() for r in caplog.records if "not_encrypted" in r.getMessage()]
    assert len(warnings) == (0 if encrypted else 1)
    assert built[0].repo.records(2, Reflection)[0].answer == SECRET
