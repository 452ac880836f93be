"""The live content: one validated Content that can be swapped for a newer one at run time."""

from __future__ import annotations

from pathlib import Path

from bot.content.loader import Content, load_content
from bot.core.safety import SafetyEngine


class LiveContent:
    """Holds the content in force and its safety engine; a failed reload keeps both."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.current: Content = load_content(directory)
        self.safety: SafetyEngine = SafetyEngine(self.current.safety)

    def reload(self) -> Content:
        """Load again from disk; raises ContentError and keeps the old content on problems."""
        content = load_content(self.directory)
        engine = SafetyEngine(content.safety)
        self.current, self.safety = content, engine
        return content
