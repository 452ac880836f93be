"""The emulator's per-chat wait (bench/interactive.py's 50 clients rely on it): a client that
follows one chat sleeps through bot messages to other chats and wakes on its own."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from bot.devtools.client import ChatClient
from bot.devtools.harness import make_token, start_emulator


@pytest.mark.e2e
def test_a_per_chat_wait_wakes_only_on_its_own_chat(tmp_path: Path) -> None:
    emulator = start_emulator(tmp_path, extra_args=["--quiet"])
    token = make_token()
    try:
        with (
            ChatClient(emulator.base_url, token, 1001, per_chat_version=True) as mine,
            httpx.Client(base_url=f"{emulator.api_url_for_bot}{token}/", trust_env=False) as bot,
        ):
            assert mine.messages() == []
            version = mine._version
            bot.post("sendMessage", json={"chat_id": 1002, "text": "for someone else"})
            started = time.monotonic()
            assert mine._fetch(version, timeout=1.0) == []
            assert time.monotonic() - started >= 0.9  # slept through the other chat's message
            assert mine._version == version
            bot.post("sendMessage", json={"chat_id": 1001, "text": "for me"})
            started = time.monotonic()
            assert [view["text"] for view in mine._fetch(version, timeout=5.0)] == ["for me"]
            assert time.monotonic() - started < 1.0
            assert mine._version > version
    finally:
        emulator.stop()
