"""How soon the bot answers after a start: `python -m bench.startup --users N`.

Builds N coachees with a year of history (bench/history.py; --days to change, --data to reuse
a folder built by `bench.storage --keep`), then starts the real Application in this process,
the way `python -m bot run` does (the data key check, the content, the repository, post_init,
polling), against a fake Bot API that delivers one "/help" from a coachee at once. Prints one
JSON line: users, keys_check_s (the data key check reads every data file, so it grows with
the data) and content_s (texts and the safety model), both before the Application starts;
first_answer_s (from the Application's start to the answer's send), all_jobs_s (from the
same start until every coachee's jobs exist), jobs, rss_mib (resident memory then) and the
machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram.request import BaseRequest, RequestData

from bench.history import build
from bench.storage import machine
from bot.config import Settings
from bot.content.live import LiveContent
from bot.core.models import now_utc
from bot.storage.data_files import check_keys
from bot.storage.tinydb_store import TinyDbRepository
from bot.telegram import jobs
from bot.telegram.app import build_application
from bot.telegram.context import Services
from bot.telegram.outbox import Outbox

ROOT = Path(__file__).resolve().parent.parent
COACHEE = 1


class FakeBotApi(BaseRequest):
    """Answers like the Bot API; the first getUpdates brings one "/help" from COACHEE."""

    def __init__(self) -> None:
        self.answered = asyncio.Event()
        self._delivered = False
        self.sent = 0

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result: Any = True
        if name == "getUpdates":
            result = []
            if not self._delivered:
                self._delivered = True
                result = [_help_update()]
            else:
                await asyncio.sleep(0.2)
        elif name == "getMe":
            result = {"id": 42, "is_bot": True, "first_name": "Coach", "username": "coachbot"}
        elif name in ("sendMessage", "editMessageText"):
            self.sent += 1
            if params.get("chat_id") == COACHEE:
                self.answered.set()
            result = {
                "message_id": self.sent,
                "date": 0,
                "chat": {"id": params["chat_id"], "type": "private"},
                "text": params.get("text", ""),
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()


def _help_update() -> dict[str, Any]:
    user = {"id": COACHEE, "is_bot": False, "first_name": "C", "language_code": "nl"}
    chat = {"id": COACHEE, "type": "private", "first_name": "C"}
    message = {"message_id": 1, "date": int(time.time()), "chat": chat, "from": user}
    message |= {"text": "/help", "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}
    return {"update_id": 1, "message": message}


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


async def start(data_dir: Path) -> dict[str, Any]:
    began = time.perf_counter()
    sealer = check_keys(data_dir, [])
    keys_checked = time.perf_counter()
    content = LiveContent(ROOT / "content")
    content_loaded = time.perf_counter()
    settings = Settings(
        "1:fake", None, data_dir, ROOT / "content", frozenset(), "BE", "Europe/Brussels"
    )
    repo = TinyDbRepository(data_dir, sealer)
    api = FakeBotApi()
    application = build_application(
        Services(settings, content, repo, now_utc, Outbox()), request=api
    )
    started = time.perf_counter()
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    await application.updater.start_polling(poll_interval=0.0, timeout=0)  # type: ignore[union-attr]
    await application.start()
    await asyncio.wait_for(api.answered.wait(), timeout=600)
    answered = time.perf_counter()
    rebuilt = await application.bot_data[jobs.REBUILD_TASK]
    all_jobs = time.perf_counter()
    count = len(application.job_queue.scheduler.get_jobs())  # type: ignore[union-attr]
    memory = rss_mib()
    await application.updater.stop()  # type: ignore[union-attr]
    await application.stop()
    await application.shutdown()
    return {
        "keys_check_s": round(keys_checked - began, 2),
        "content_s": round(content_loaded - keys_checked, 2),
        "first_answer_s": round(answered - started, 3),
        "all_jobs_s": round(all_jobs - started, 2),
        "coachees_rebuilt": rebuilt,
        "jobs": count,
        "rss_mib": memory,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--data", type=Path, default=None, help="a data folder built before")
    args = parser.parse_args(argv)
    base = None
    data_dir = args.data
    if data_dir is None:
        base = Path(tempfile.mkdtemp(prefix="bench-startup-", dir="/tmp"))
        data_dir = base / "data"
        build(data_dir, args.users, args.days)
    try:
        figures = asyncio.run(start(data_dir))
    finally:
        if base is not None:
            shutil.rmtree(base, ignore_errors=True)
    print(json.dumps({"users": args.users, "days": args.days, **figures, "machine": machine()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
