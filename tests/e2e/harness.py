"""The e2e tests' name for bot/devtools/harness.py (the emulator and bot processes).

The harness moved into the bot package so the demo can import it; this module keeps
``from harness import ...`` working for conftest.py and the tests.
"""

from bot.devtools.harness import *  # noqa: F403  (its __all__ is this module's)
