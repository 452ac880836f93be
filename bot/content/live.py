"""The live content: one validated Content that can be swapped for a newer one at run time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.content.loader import Content, load_content
from bot.core.safety import SafetyEngine


@dataclass(frozen=True)
class _Live:
    content: Content
    safety: SafetyEngine


def _load(directory: Path) -> _Live:
    content = load_content(directory)
    return _Live(content, SafetyEngine(content.safety))


class LiveContent:
    """Holds the content in force and its safety engine; a failed reload keeps both.

    Both are swapped as one object, so a reload running in a worker thread never lets a
    handler see new texts with the old safety rules or the other way round.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._live = _load(directory)

    @property
    def current(self) -> Content:
        return self._live.content

    @property
    def safety(self) -> SafetyEngine:
        return self._live.safety

    def reload(self) -> Content:
        """Load again from disk; raises ContentError and keeps the old content on problems."""
        self._live = _load(self.directory)
        return self._live.content
