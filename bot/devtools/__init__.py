"""Developer tools shipped with the bot: the Bot API emulator (emulator.js, run by Node.js), the
processes around it (harness.py) and a chat client for it (client.py).

`python -m bot demo` and the end-to-end tests (tests/e2e re-exports harness and client) both use
them. Nothing here runs in a production bot: importing this package starts nothing.
"""
