"""The in-process rig of the Telegram tests: the real Application, handlers and update
processor over a fake Bot API (a BaseRequest that records every call and fails the ones a
test chooses), fed updates as Telegram sends them.

One place for it (the fixtures that build it live in conftest.py next to this file):
- `FakeBotApi`: records calls; `faults[method]` scripted per method, used up one call at a
  time (`status`, `raises`); `slow[chat_id]` seconds per send; `hold` texts kept in flight
  until `release` is set.
- `build_services` / `running`: the Services and a started Application around them.
- `make_repository`: in-memory or TinyDB, recording its writes when asked.
- `Rig`: the update factory (text, command, button press, edited message, group chat,
  channel post, membership change) and `process`, as the update fetcher feeds updates.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.config import Settings
from bot.core.models import Consent, Profile
from bot.core.safety import NONE, Assessment
from bot.storage.memory import InMemoryRepository
from bot.storage.tinydb_store import TinyDbRepository
from bot.telegram.app import build_application
from bot.telegram.context import KEY, BotContext, Services
from bot.telegram.outbox import Outbox, PriorityLimiter

NOW = datetime(2026, 3, 30, 14, 0, tzinfo=UTC)  # 16:00 in Brussels, Monday 30 March
BOT_ID = 4242
GROUP, CHANNEL = -1001, -1002  # a group chat and a channel the bot was added to
CRISIS_TEXT = "ik wil niet meer leven"
UNSURE_TEXT = "alles is zo zwaar, ik zie het niet meer zitten"
CRISIS_TABLE = {
    CRISIS_TEXT: Assessment("crisis", ("suicidal_ideation",), "nl-suicidal-ideation"),
    UNSURE_TEXT: Assessment("crisis", ("unsure",), "learned", "learned", 0.4, ask=True),
}


# --- a fake Bot API ----------------------------------------------------------------------------


BLOCKED = "Forbidden: bot was blocked by the user"
Fault = Callable[[dict[str, Any]], Any]  # returns (status, body) or raises


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    read_timeout: object
    delivered: bool = False


class FakeBotApi(BaseRequest):
    """Answers like the Bot API; `faults[method]` are used up one call at a time."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.faults: dict[str, list[Fault]] = {}
        # chat id -> seconds per send; a crisis answer (it names 112) is never slow, so a
        # test sees whether it waited behind the slow ones.
        self.slow: dict[int, float] = {}
        # Chats that blocked the bot: every send to them is answered with 403.
        self.blocked: set[int] = set()
        # Sends of these texts wait (before they are recorded) until `release` is set.
        self.hold: set[str] = set()
        self.holding = asyncio.Event()
        self.release = asyncio.Event()
        self._ids = itertools.count(100)

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
        if name == "getUpdates":
            await asyncio.sleep(0.05)
            return 200, json.dumps({"ok": True, "result": []}).encode()
        if name == "sendMessage" and params.get("text") in self.hold:
            self.holding.set()
            await self.release.wait()
        if name == "sendMessage" and params.get("chat_id") in self.blocked:
            self.faults.setdefault(name, []).insert(0, status(403, BLOCKED))
        call = Call(name, dict(params), read_timeout)
        self.calls.append(call)
        if self.slow.get(params.get("chat_id", 0)) and "112" not in params.get("text", ""):
            await asyncio.sleep(self.slow[params["chat_id"]])
        queued = self.faults.get(name)
        if queued:
            code, body = queued.pop(0)(params)
            return code, json.dumps(body).encode()
        call.delivered = True
        if name == "getMe":
            me = {"id": BOT_ID, "is_bot": True, "first_name": "Coach", "username": "coachbot"}
            return 200, json.dumps({"ok": True, "result": me}).encode()
        if name in ("sendMessage", "editMessageText"):
            message = {
                "message_id": params.get("message_id") or next(self._ids),
                "date": 0,
                "chat": {"id": params["chat_id"], "type": "private"},
                "text": params.get("text", ""),
            }
            return 200, json.dumps({"ok": True, "result": message}).encode()
        if name == "sendPhoto":
            chat = {"id": params["chat_id"], "type": "private"}
            message = {"message_id": 900, "date": 0, "chat": chat}
            return 200, json.dumps({"ok": True, "result": message}).encode()
        return 200, json.dumps({"ok": True, "result": True}).encode()

    def sent(self, chat_id: int | None = None) -> list[str]:
        """The texts delivered (to `chat_id`), as the coachee sees them."""
        return [text for chat, text in self.messages() if chat_id in (None, chat)]

    def messages(self) -> list[tuple[int, str]]:
        """Every message delivered, as (chat id, text)."""
        return [
            (c.params["chat_id"], c.params.get("text", ""))
            for c in self.calls
            if c.method == "sendMessage" and c.delivered
        ]

    def edited(self) -> list[str]:
        """The texts of the edits delivered."""
        return [c.params.get("text", "") for c in self.calls_of("editMessageText") if c.delivered]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]


def status(code: int, description: str, **parameters: Any) -> Fault:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return lambda _params: (code, body)


def raises(error: Exception) -> Fault:
    def fault(_params: dict[str, Any]) -> Any:
        raise error

    return fault


# --- content, safety and storage ---------------------------------------------------------------


class FixedAssessor:
    """The safety assessment as a table: tests decide what each sentence means."""

    def __init__(self, table: dict[str, Assessment]) -> None:
        self.table = table
        self.seen: list[str] = []

    def assess(self, text: str, lang: str = "nl") -> Assessment:
        self.seen.append(text)
        return self.table.get(text, NONE)


@dataclass
class FixedContent:
    current: Any
    safety: FixedAssessor = field(default_factory=lambda: FixedAssessor({}))


class Recording:
    """A repository mixin noting every write in `writes`: the single-call writes and every
    change a use case makes inside a unit of work (the single calls run through one too)."""

    writes: list[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.writes = []

    @contextmanager
    def unit_of_work(self, user_id: int) -> Iterator[Any]:
        with super().unit_of_work(user_id) as coachee:  # type: ignore[misc]
            yield NotingFile(coachee, self.writes)

    def record_refusal(self, user_id: int, at: datetime) -> None:
        self.writes.append("record_refusal")
        super().record_refusal(user_id, at)  # type: ignore[misc]

    def erase(self, user_id: int) -> None:
        self.writes.append("erase")
        super().erase(user_id)  # type: ignore[misc]


class NotingFile:
    """A coachee's file inside a unit of work that notes each change it is asked to make."""

    def __init__(self, inner: Any, writes: list[str]) -> None:
        self._inner = inner
        self._writes = writes

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def save_profile(self, profile: Profile) -> None:
        self._writes.append("save_profile")
        self._inner.save_profile(profile)

    def add(self, record: Any) -> None:
        self._writes.append(f"add {type(record).__name__}")
        self._inner.add(record)

    def replace(self, record: Any) -> None:
        # The day's "last seen" mark (retention, README) holds no word of the press itself:
        # a coachee's press of an old button is still them being here.
        if type(record).__name__ != "LastSeen":
            self._writes.append(f"replace {type(record).__name__}")
        self._inner.replace(record)


class RecordingRepository(Recording, InMemoryRepository):
    """The in-memory repository, noting every write."""


class RecordingTinyDbRepository(Recording, TinyDbRepository):
    """The TinyDB repository, noting every write."""


def make_repository(kind: str = "memory", folder: Path | None = None, record: bool = False) -> Any:
    """An in-memory repository, or TinyDB in `folder`; noting its writes if `record`."""
    if kind == "memory":
        return RecordingRepository() if record else InMemoryRepository()
    assert kind == "tinydb" and folder is not None, kind
    return RecordingTinyDbRepository(folder) if record else TinyDbRepository(folder)


def profile(
    user_id: int,
    now: datetime = NOW,
    days: int = 3,
    since: datetime | None = None,
    **changes: Any,
) -> Profile:
    """A coachee in Brussels who consented `since`, or `days` before `now`."""
    since = since or now - timedelta(days=days)
    fields: dict[str, Any] = {
        "user_id": user_id,
        "chat_id": user_id,
        "lang": "nl",
        "country": "BE",
        "timezone": "Europe/Brussels",
        "consent": Consent(given_at=since),
        "created_at": since,
    }
    return Profile(**{**fields, **changes})


def moment_a_minute_ago(repo: Any, user_id: int, kind: str, now: datetime) -> None:
    """The coachee's daily moment of `kind` ("checkin", "exercise", "reflection") set to a
    minute before `now` in their zone, the others off and no quiet hours: its reminder is due."""
    from dataclasses import replace
    from datetime import time
    from zoneinfo import ZoneInfo

    from bot.core.models import Moments

    stored = repo.load_profile(user_id)
    local = (now - timedelta(minutes=1)).astimezone(ZoneInfo(stored.timezone))
    moments = {"checkin": None, "exercise": None, "reflection": None}
    moments[kind] = time(local.hour, local.minute)
    repo.save_profile(
        replace(stored, moments=Moments(**moments), quiet_start=time(0, 0), quiet_end=time(0, 0))
    )


# --- the application ---------------------------------------------------------------------------


def build_services(
    content: Any,
    repo: Any,
    folder: Path,
    clock: list[datetime],
    table: dict[str, Assessment] | None = None,
    exercise_pace: float = 0.05,
    outbox: Outbox | None = None,
) -> Services:
    settings = Settings("1:fake", None, folder, folder, frozenset(), "BE", "Europe/Brussels")
    return Services(
        settings,
        FixedContent(content, FixedAssessor(table or {})),  # type: ignore[arg-type]
        repo,
        lambda: clock[0],
        outbox or Outbox(PriorityLimiter(rate=1000)),
        exercise_pace=exercise_pace,
    )


@asynccontextmanager
async def running(
    content: Any,
    repo: Any,
    folder: Path,
    api: FakeBotApi | None = None,
    clock: list[datetime] | None = None,
    table: dict[str, Assessment] | None = None,
    exercise_pace: float = 0.05,
    outbox: Outbox | None = None,
    rig: type[Rig] | None = None,
) -> AsyncIterator[Any]:
    """A started Application over `repo` and a fake Bot API; stopped on the way out."""
    api = api or FakeBotApi()
    clock = clock if clock is not None else [NOW]
    services = build_services(content, repo, folder, clock, table, exercise_pace, outbox)
    application = build_application(services, request=api)
    async with application:
        await application.start()
        try:
            yield (rig or Rig)(application, api, repo, clock)
        finally:
            api.release.set()  # a failed test must not leave a send held
            await application.stop()


def _user(user_id: int, lang: str = "nl") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "C", "language_code": lang}


def _chat(chat_id: int, chat_type: str) -> dict[str, Any]:
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": "C"}
    return {"id": chat_id, "type": chat_type, "title": "Team"}


def _member(user: dict[str, Any], status: str) -> dict[str, Any]:
    return {"user": user, "status": status, **({"until_date": 0} if status == "kicked" else {})}


@dataclass
class Rig:
    application: Application
    api: FakeBotApi
    repo: Any
    clock: list[datetime]
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    # The id of the last message typed in each chat: an edit edits it (Telegram's
    # edited_message carries the id of the message that was edited).
    _typed: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.start = self.clock[0]

    # --- updates as Telegram sends them ------------------------------------------------------

    def update(self, chat_id: int, text: str | None = None, data: str | None = None) -> Update:
        """A text (or command) typed in `chat_id`'s private chat, or a press of `data`."""
        if data is not None:
            return self.press(chat_id, data)
        return self.message(chat_id, text or "")

    def message(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        chat_type: str = "private",
        edited: bool = False,
        lang: str = "nl",
    ) -> Update:
        number = next(self._ids)
        chat = user_id if chat_id is None else chat_id
        if not edited:
            self._typed[chat] = number
        message: dict[str, Any] = {
            "message_id": self._typed.get(chat, number),
            "date": 0,
            "chat": _chat(user_id if chat_id is None else chat_id, chat_type),
            "from": _user(user_id, lang),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if edited:
            message["edit_date"] = 1
        key = "edited_message" if edited else "message"
        return Update.de_json({"update_id": number, key: message}, self.application.bot)

    def press(
        self,
        user_id: int,
        data: str,
        chat_id: int | None = None,
        chat_type: str = "private",
        message_id: int = 1,
        inline_message_id: str | None = None,
    ) -> Update:
        """A press of a button with `data` under message `message_id` (or, in inline mode,
        under `inline_message_id`: then the press carries no chat)."""
        number = next(self._ids)
        query: dict[str, Any] = {"id": str(number), "from": _user(user_id), "chat_instance": "x"}
        if inline_message_id is not None:
            query["inline_message_id"] = inline_message_id
        else:
            chat = _chat(chat_id or user_id, chat_type)
            query["message"] = {"message_id": message_id, "date": 0, "chat": chat, "text": "?"}
        query["data"] = data
        return Update.de_json({"update_id": number, "callback_query": query}, self.application.bot)

    def channel_post(self, text: str, chat_id: int = CHANNEL) -> Update:
        number = next(self._ids)
        post = {"message_id": number, "date": 0, "chat": _chat(chat_id, "channel"), "text": text}
        return Update.de_json({"update_id": number, "channel_post": post}, self.application.bot)

    def membership(self, old: str, new: str, chat_id: int = GROUP, by: int = 10) -> Update:
        """The bot's own membership of group `chat_id` changed from `old` to `new` by `by`."""
        number = next(self._ids)
        bot = {"id": BOT_ID, "is_bot": True, "first_name": "Coach", "username": "coachbot"}
        change = {
            "chat": _chat(chat_id, "group"),
            "from": _user(by),
            "date": 0,
            "old_chat_member": _member(bot, old),
            "new_chat_member": _member(bot, new),
        }
        return Update.de_json({"update_id": number, "my_chat_member": change}, self.application.bot)

    # --- feeding and looking -----------------------------------------------------------------

    async def process(self, update: Update) -> None:
        """As the update fetcher does: through the update processor (crisis fast path too)."""
        work = self.application.process_update(update)
        try:
            await self.application.update_processor.process_update(update, work)
        finally:
            work.close()  # a test that cancels a queued update never starts its work

    def delete_yes(self, user_id: int) -> str:
        """The "yes, erase" payload a /delete asked now would carry for this person."""
        from bot.core.profiles import erasure_stamp
        from bot.telegram import callbacks

        stamp = erasure_stamp(self.repo.load_profile(user_id))
        return callbacks.encode(callbacks.DELETE, "confirm", stamp)

    def consent(self, user_id: int, **changes: Any) -> Profile:
        """Store a coachee who consented three days before the clock's start (with `changes`)."""
        stored = profile(user_id, self.start, **changes)
        self.repo.save_profile(stored)
        return stored

    def to(self, chat_id: int) -> list[Call]:
        """Every call the bot made about `chat_id` (sends, documents, leaving, ...)."""
        return [c for c in self.api.calls if c.params.get("chat_id") == chat_id]

    def left(self) -> list[int]:
        """The chats the bot left."""
        return [c.params["chat_id"] for c in self.api.calls_of("leaveChat")]

    def callback_answers(self) -> list[str | None]:
        """What the bot said in answer to each button press."""
        return [c.params.get("text") for c in self.api.calls_of("answerCallbackQuery")]

    def context(self, chat_id: int) -> BotContext:
        """The context a handler of `chat_id` gets."""
        return BotContext(self.application, chat_id=chat_id, user_id=chat_id)

    def job_context(self, user_id: int) -> Any:
        """The context a job of `user_id` gets (its data is the user id)."""

        @dataclass
        class Job:
            data: int

        @dataclass
        class Context:
            application: Application
            job: Job
            bot: Any

            @property
            def services(self) -> Services:
                return self.application.bot_data[KEY]

        return Context(self.application, Job(user_id), self.application.bot)

    def live_jobs(self, user_id: int) -> list[str]:
        names = (f"reminders:{user_id}", f"followup:{user_id}", f"exercise:{user_id}")
        return [
            job.name
            for job in self.application.job_queue.jobs()
            if job.name in names  # a removed job has left the scheduler
        ]


async def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")
