"""The e2e tests' name for bot/devtools/client.py (one Telegram user talking to the emulator).

The client moved into the bot package so the demo can import it; this module keeps
``from client import ...`` working for conftest.py and the tests.
"""

from bot.devtools.client import *  # noqa: F403  (its __all__ is this module's)
