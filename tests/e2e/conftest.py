"""Pytest fixtures for the end-to-end tests (tests/e2e).

Owns: the fixtures that wire harness.py and client.py together (one emulator per session, a
fresh bot token, data dir and bot process per test, a factory of chat users), marking every test
here as ``e2e``, and attaching the bot's and emulator's logs to a failing test's report.

Isolation: tests share the emulator but each gets its own bot token, and the emulator keeps
updates and messages per token, so no test sees another's traffic. Nothing is skipped: without
node/npm the ``emulator`` fixture errors.

Override ``bot_content_dir`` or ``bot_env`` in a test module to start the bot differently. A
module whose tests only talk to the bot (each as users of its own) and never stop it sets
``SHARED_BOT = True``: its tests share one bot and one data folder.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from client import ChatClient
from harness import BotProcess, Emulator, make_token, start_bot, start_emulator

_E2E_DIR = Path(__file__).resolve().parent
_BOTS_KEY = pytest.StashKey[list[BotProcess]]()
_EMULATOR_KEY = pytest.StashKey[Emulator]()
_user_ids = itertools.count(700_000_001)

# How long a starting bot may take to poll. Starting is CPU-bound (imports, loading and checking
# the content, building the safety assessor: about 2.5 s alone); on two cores shared by parallel
# test workers it can take several times that. Waiting longer for a start asserts nothing away:
# no test measures the start-up, and the bot's answers keep their own deadlines.
BOT_READY_TIMEOUT = 120.0

BotFactory = Callable[..., BotProcess]
ChatFactory = Callable[..., ChatClient]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed and report.when in ("setup", "call"):
        bots = item.stash.get(_BOTS_KEY, [])
        for bot in bots:
            report.sections.append((f"bot {bot.token} (pid {bot.process.pid})", bot.output()))
        emulator = item.stash.get(_EMULATOR_KEY, None)
        if emulator is not None:
            for token in dict.fromkeys(bot.token for bot in bots):
                report.sections.append((f"emulator log for {token}", emulator.log(150, token)))
    return report


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """The Bot API emulator, shared by the session (tests are isolated by bot token)."""
    emu = start_emulator(tmp_path_factory.mktemp("emulator"))
    yield emu
    emu.stop()


def _shares_a_bot(request: pytest.FixtureRequest) -> bool:
    return bool(getattr(request.module, "SHARED_BOT", False))


@pytest.fixture(scope="module")
def shared_bot(
    emulator: Emulator,
    bot_content_dir: Path | None,
    bot_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BotProcess]:
    """One bot for every test of a module that sets ``SHARED_BOT = True``: modules whose tests
    only talk to the bot, each as new users of their own, and never stop it. A start costs
    about 2.5 s of CPU, most of an e2e test's."""
    folder = tmp_path_factory.mktemp("shared-bot")
    process = start_bot(
        emulator,
        folder / "bot-data",
        bot_content_dir,
        bot_env,
        token=make_token(),
        log_dir=folder,
        ready_timeout=BOT_READY_TIMEOUT,
    )
    yield process
    process.stop()


@pytest.fixture
def bot_token(request: pytest.FixtureRequest) -> str:
    """A bot token no other test uses (in a SHARED_BOT module, that of the module's bot)."""
    if _shares_a_bot(request):
        return request.getfixturevalue("shared_bot").token
    return make_token()


@pytest.fixture
def bot_data_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if _shares_a_bot(request):
        return request.getfixturevalue("shared_bot").data_dir
    path = tmp_path / "bot-data"
    path.mkdir()
    return path


@pytest.fixture(scope="module")
def bot_content_dir() -> Path | None:
    """Content the bot reads (BOT_CONTENT_DIR); None means the bot's own default."""
    return None


@pytest.fixture(scope="module")
def bot_env() -> dict[str, str]:
    """Extra environment variables for the bot process."""
    return {}


@pytest.fixture
def bot_factory(
    request: pytest.FixtureRequest,
    emulator: Emulator,
    bot_token: str,
    bot_data_dir: Path,
    bot_content_dir: Path | None,
    bot_env: dict[str, str],
    tmp_path: Path,
) -> Iterator[BotFactory]:
    """Start (or restart) the bot: ``bot_factory(**start_bot_kwargs) -> BotProcess``.

    Defaults to this test's token, data dir, content dir and env, so calling it again after
    ``bot.stop()`` or ``bot.kill()`` restarts the same bot on the same data. Every process it
    started is stopped at teardown.
    """
    started: list[BotProcess] = []
    request.node.stash[_BOTS_KEY] = started
    request.node.stash[_EMULATOR_KEY] = emulator

    def factory(**overrides: object) -> BotProcess:
        kwargs: dict[str, object] = {
            "data_dir": bot_data_dir,
            "content_dir": bot_content_dir,
            "env_extra": bot_env,
            "token": bot_token,
            "log_dir": tmp_path,
            "ready_timeout": BOT_READY_TIMEOUT,
        }
        kwargs.update(overrides)
        process = start_bot(emulator, **kwargs)  # type: ignore[arg-type]
        started.append(process)
        return process

    yield factory
    for process in reversed(started):
        process.stop()


@pytest.fixture
def bot(request: pytest.FixtureRequest) -> BotProcess:
    """The bot under test, already polling the emulator (the module's, in a SHARED_BOT
    module)."""
    if not _shares_a_bot(request):
        return request.getfixturevalue("bot_factory")()
    shared: BotProcess = request.getfixturevalue("shared_bot")
    request.node.stash[_BOTS_KEY] = [shared]
    request.node.stash[_EMULATOR_KEY] = request.getfixturevalue("emulator")
    assert shared.is_running(), shared.output()
    return shared


@pytest.fixture
def chat(emulator: Emulator, bot_token: str) -> Iterator[ChatFactory]:
    """Make users: ``chat(first_name='Test', language_code='nl', user_id=None) -> ChatClient``.

    Each call is a new user (and private chat) talking to this test's bot token. Request the
    ``bot`` fixture too, or start the bot with ``bot_factory``.
    """
    clients: list[ChatClient] = []

    def factory(
        first_name: str = "Test",
        language_code: str = "nl",
        user_id: int | None = None,
        **kwargs: object,
    ) -> ChatClient:
        client = ChatClient(
            emulator.base_url,
            bot_token,
            user_id if user_id is not None else next(_user_ids),
            first_name,
            language_code,
            **kwargs,  # type: ignore[arg-type]
        )
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
