"""The live content: one validated Content that can be swapped for a newer one at run time."""

from __future__ import annotations

from pathlib import Path

from bot.content.loader import Content, load_content


class LiveContent:
    """Holds the content in force. A reload that fails leaves the old content live."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.current: Content = load_content(directory)

    def reload(self) -> Content:
        """Load again from disk; raises ContentError and keeps the old content on problems."""
        self.current = load_content(self.directory)
        return self.current
