"""The fixtures of the in-process rig (tests/telegram/rig.py). A test module overrides the
parts it needs by name: `table` (what the safety assessment says of a sentence), `repo`,
`api`, `clock`, `exercise_pace`, `rig_class` (a Rig with helpers of its own)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from rig import CRISIS_TABLE, NOW, FakeBotApi, Rig, running

from bot.core.safety import Assessment
from bot.storage.memory import InMemoryRepository
from bot.telegram import safety_net


@pytest.fixture
def quick_crisis_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The crisis answer's retries in hundredths of a second (ask with usefixtures)."""
    monkeypatch.setattr(safety_net, "FIRST_BACKOFF", 0.01)
    monkeypatch.setattr(safety_net, "MAX_BACKOFF", 0.02)


@pytest.fixture
def table() -> dict[str, Assessment]:
    return dict(CRISIS_TABLE)


@pytest.fixture
def repo() -> Any:
    return InMemoryRepository()


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
def clock() -> list[datetime]:
    return [NOW]


@pytest.fixture
def exercise_pace() -> float:
    return 0.05


@pytest.fixture
def rig_class() -> type[Rig]:
    return Rig


@pytest.fixture
async def rig(
    content, table, repo, api, clock, exercise_pace, rig_class, tmp_path: Path
) -> AsyncIterator[Rig]:
    async with running(
        content, repo, tmp_path, api, clock, table, exercise_pace, rig=rig_class
    ) as started:
        yield started
