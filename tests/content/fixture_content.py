"""The small content folder the content tests break copies of (tests/fixtures/content).

Its ui.yaml is the shipped one, copied in: the texts the bot shows belong to the code (every
id the code asks for must be there), while the exercises, prompts and rules of the fixture
are its own. So a branch that adds a text to content/ui.yaml never has to add it twice.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DIR = ROOT / "tests" / "fixtures" / "content"
SHIPPED_UI = ROOT / "content" / "ui.yaml"


def fixture_copy(target: Path) -> Path:
    """A copy of the fixture content at `target`, with the shipped ui.yaml."""
    shutil.copytree(FIXTURE_DIR, target)
    shutil.copy(SHIPPED_UI, target / "ui.yaml")
    return target
