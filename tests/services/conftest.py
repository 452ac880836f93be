"""Services run against the in-memory repository and the shipped content, in milliseconds."""

from __future__ import annotations

import pytest
from servicerig import ROOT

from bot.content.loader import Content, load_content
from bot.storage.memory import InMemoryRepository


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(ROOT / "content", checks=())


@pytest.fixture
def repo() -> InMemoryRepository:
    return InMemoryRepository()
