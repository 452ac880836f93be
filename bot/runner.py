"""Wires settings, content, storage and Telegram together and runs the bot."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from bot.config import ConfigError, Settings, data_key_from
from bot.content.live import LiveContent
from bot.content.loader import ContentError
from bot.logs import configure_logging
from bot.storage.coaches import TinyDbCoachStore
from bot.storage.data_files import check_keys
from bot.storage.sealing import DataKeyError
from bot.storage.tinydb_store import TinyDbRepository
from bot.telegram import demo_clock
from bot.telegram.app import build_application
from bot.telegram.context import Services
from bot.telegram.outbox import Outbox

log = logging.getLogger(__name__)


def run_bot(settings: Settings) -> int:
    configure_logging(settings.token)
    try:  # before anything touches the data folder: a wrong key must change no file
        sealer = check_keys(settings.data_dir, data_key_from(os.environ))
    except (ConfigError, DataKeyError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        check_data_dir_writable(settings.data_dir)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:  # the demo's movable clock, refused unless the Bot API is on this machine
        clock = demo_clock.clock_from(os.environ, settings)
    except demo_clock.DemoClockRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        content = LiveContent(settings.content_dir, lazy=True)  # warmed up below
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            "error: the content has problems; the bot does not start with invalid content "
            "(run `python -m bot content check`)",
            file=sys.stderr,
        )
        return 1
    try:
        asyncio.run(check_bot_api(settings, **startup_retries()))
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    fresh = not settings.data_dir.exists() or not any(settings.data_dir.iterdir())
    repo = TinyDbRepository(settings.data_dir, sealer)
    if not sealer.encrypts:
        log.warning(
            "storage.not_encrypted path=%s: coachees' data lies in plain JSON; set "
            "BOT_DATA_KEY to encrypt it (see README, Privacy)",
            settings.data_dir,
        )
    if fresh:
        log.warning(
            "storage.new_data_dir path=%s: make sure BOT_DATA_DIR is on a persistent "
            "volume, or coachees' answers are lost at the next deploy",
            settings.data_dir,
        )
    services = Services(
        settings,
        content,
        repo,
        clock,
        Outbox(),
        exercise_pace=settings.exercise_pace,
        coaches=TinyDbCoachStore(settings.data_dir, sealer),
    )
    application = build_application(services)
    content.warm_up()  # the sentence encoder and the rest of the patterns, while polling
    application.run_polling(poll_interval=0.0, timeout=10, drop_pending_updates=False)
    return 0


class StartupError(Exception):
    """Something outside the settings stops the start; the message is one line for stderr."""


def check_data_dir_writable(data_dir: Path) -> None:
    """Make the data folder and write a file in it (and in users/, if it is there): a
    read-only volume is reported now, not at a coachee's first answer."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        for folder in (data_dir, data_dir / "users"):
            if folder.is_dir():
                with tempfile.TemporaryFile(dir=folder) as probe:
                    probe.write(b"probe")
                    probe.flush()
                    os.fsync(probe.fileno())
    except OSError as exc:
        raise StartupError(
            f"BOT_DATA_DIR {str(data_dir)!r} cannot be written ({exc.strerror or exc}); "
            "give the bot a folder it may write to"
        ) from None


# How often start-up asks the Bot API before it gives up (a supervisor restarts the bot).
# BOT_STARTUP_TRIES and BOT_STARTUP_BACKOFF (seconds before the second try, doubling) are
# for tests only; the defaults give up within a minute.
STARTUP_TRIES = 5
STARTUP_BACKOFF = 2.0
STARTUP_DEADLINE = 45.0
STARTUP_TIMEOUT = 5.0


def startup_retries(env: Mapping[str, str] = os.environ) -> dict[str, float]:
    try:
        tries = int(env.get("BOT_STARTUP_TRIES") or STARTUP_TRIES)
        backoff = float(env.get("BOT_STARTUP_BACKOFF") or STARTUP_BACKOFF)
    except ValueError:
        tries, backoff = STARTUP_TRIES, STARTUP_BACKOFF
    return {"tries": max(1, tries), "backoff": max(0.0, backoff)}


async def check_bot_api(settings: Settings, tries: float, backoff: float) -> None:
    """Ask the Bot API who we are: an unreachable API is tried again with back-off, one
    line per try; a refused token or a give-up is a StartupError. Never prints the token."""
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError
    from telegram.request import HTTPXRequest

    where = settings.api_url or "https://api.telegram.org"
    base = (settings.api_url or "https://api.telegram.org/bot").rstrip("/")
    started = time.monotonic()
    delay = backoff
    attempt = 0
    while True:
        attempt += 1
        request = HTTPXRequest(
            connect_timeout=STARTUP_TIMEOUT,
            read_timeout=STARTUP_TIMEOUT,
            write_timeout=STARTUP_TIMEOUT,
            pool_timeout=STARTUP_TIMEOUT,
        )
        bot = Bot(settings.token, base_url=base, request=request)
        try:
            async with bot:  # initialising asks getMe
                log.info("bot.api_reached attempt=%s", attempt)
                return
        except InvalidToken:
            raise StartupError(
                f"the Bot API at {where} refused TELEGRAM_BOT_TOKEN (unknown or revoked); "
                "copy the token again from @BotFather"
            ) from None
        except NetworkError as exc:  # unreachable, timed out, or a 5xx on the way
            reason = _one_line(exc, settings.token)
            last = attempt >= tries or time.monotonic() - started + delay > STARTUP_DEADLINE
            if last:
                raise StartupError(
                    f"the Bot API at {where} could not be reached after {attempt} tries "
                    f"({reason}); check TELEGRAM_API_URL and the network"
                ) from None
            print(
                f"warning: the Bot API at {where} cannot be reached ({reason}); "
                f"try {attempt + 1} of {int(tries)} in {delay:g} s",
                file=sys.stderr,
                flush=True,
            )
        except TelegramError as exc:
            raise StartupError(
                f"the Bot API at {where} answered with an error ({_one_line(exc, settings.token)});"
                " check TELEGRAM_API_URL"
            ) from None
        await asyncio.sleep(delay)
        delay *= 2


def _one_line(exc: Exception, token: str) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    for secret in (token, token.partition(":")[2]):
        text = text.replace(secret, "<token>") if secret else text
    return text[:160]
