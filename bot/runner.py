"""Wires settings, content, storage and Telegram together and runs the bot."""

from __future__ import annotations

import logging
import os
import sys

from bot.config import ConfigError, Settings, data_key_from
from bot.content.live import LiveContent
from bot.content.loader import ContentError
from bot.core.models import now_utc
from bot.logs import configure_logging
from bot.storage.data_files import check_keys
from bot.storage.sealing import DataKeyError
from bot.storage.tinydb_store import TinyDbRepository
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
        content = LiveContent(settings.content_dir)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            "error: the content has problems; the bot does not start with invalid content "
            "(run `python -m bot content check`)",
            file=sys.stderr,
        )
        return 1
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
        settings, content, repo, now_utc, Outbox(), exercise_pace=settings.exercise_pace
    )
    application = build_application(services)
    application.run_polling(poll_interval=0.0, timeout=10, drop_pending_updates=False)
    return 0
