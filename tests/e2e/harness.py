"""The e2e tests' name for bot/devtools/harness.py (the emulator and bot processes).

The harness moved into the bot package so the demo can import it; this module keeps
``from harness import ...`` working for conftest.py and the tests.
"""

from bot.devtools.harness import (
    DEFAULT_TOKEN,
    DEVTOOLS_DIR,
    E2E_DIR,
    REPO_ROOT,
    BotProcess,
    Emulator,
    ensure_node_modules,
    make_token,
    start_bot,
    start_emulator,
)

__all__ = [
    "DEFAULT_TOKEN",
    "DEVTOOLS_DIR",
    "E2E_DIR",
    "REPO_ROOT",
    "BotProcess",
    "Emulator",
    "ensure_node_modules",
    "make_token",
    "start_bot",
    "start_emulator",
]
