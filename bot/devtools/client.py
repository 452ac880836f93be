"""Conversation-style client for the Bot API emulator (emulator.js), for e2e tests and the demo.

Owns: playing one Telegram user in one private chat with the bot under test, i.e. building
well-formed user updates (messages, commands, button presses, media) and reading the bot's
messages back through the emulator's ``/_test`` routes, with a read cursor so tests consume the
conversation in order. Does not own: starting processes (harness.py) or fixtures (conftest.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

__all__ = ["BotMessage", "ChatClient"]

Button = tuple[str, str | None]


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent, as it is now (edits applied)."""

    message_id: int
    text: str
    """The message text, or the caption of a media message; markup already rendered away."""
    buttons: list[Button] = field(default_factory=list)
    """Inline keyboard buttons, row by row, as (text, callback_data); URL buttons have None."""
    photo_path: Path | None = None
    """Where the emulator saved an uploaded photo (or document), so a test can open it."""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    """The emulator's view: ``message`` (the Bot API Message dict), ``edited``, ``media``, ..."""

    @property
    def edited(self) -> bool:
        return bool(self.raw.get("edited"))

    @property
    def edit_date(self) -> int | None:
        value = self.raw.get("edit_date")
        return int(value) if value else None

    @property
    def media(self) -> str | None:
        """'photo', 'document', 'voice', ... or None for a text message."""
        return self.raw.get("media")

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Button texts of a ReplyKeyboardMarkup sent with this message, if any."""
        markup = self.raw.get("reply_keyboard") or {}
        rows = markup.get("keyboard")
        if rows is None:
            return None
        return [[b if isinstance(b, str) else str(b.get("text", "")) for b in row] for row in rows]

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> BotMessage:
        text = view.get("text")
        if text is None:
            text = view.get("caption") or ""
        local_path = view.get("local_path")
        return cls(
            message_id=int(view["message_id"]),
            text=text,
            buttons=_inline_buttons(view.get("reply_markup")),
            photo_path=Path(local_path) if local_path else None,
            raw=view,
        )

    def describe(self) -> str:
        """One line for assertion messages."""
        parts = [f"#{self.message_id}"]
        if self.media:
            parts.append(f"[{self.media}]")
        parts.append(repr(self.text[:200]))
        if self.buttons:
            parts.append("buttons=" + repr([text for text, _ in self.buttons]))
        if self.edited:
            parts.append("(edited)")
        return " ".join(parts)


def _inline_buttons(markup: dict[str, Any] | None) -> list[Button]:
    if not markup:
        return []
    return [
        (str(button.get("text", "")), button.get("callback_data"))
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]


class ChatClient:
    """One user talking to the bot in a private chat whose id is the user id."""

    def __init__(
        self,
        base_url: str,
        token: str,
        user_id: int,
        first_name: str = "Test",
        language_code: str = "nl",
        *,
        username: str | None = None,
        http_timeout: float = 40.0,
        per_chat_version: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.user_id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        # trust_env=False: a proxy from the environment must never see the emulator's traffic.
        self._http = httpx.Client(base_url=self.base_url, timeout=http_timeout, trust_env=False)
        self._cursor = 0  # highest message_id already handed out by wait_for()
        self._version = -1
        self._file_counter = 0
        # Waits wake only on changes to this chat (not on every bot message): for many clients
        # at once, as in bench/interactive.py.
        self._per_chat_version = per_chat_version

    # --- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- the user speaks ---------------------------------------------------------------------

    def say(self, text: str) -> int:
        """Send a plain text message; returns its message_id."""
        return self._send("/sendMessage", self._message(text=text))

    def command(self, name: str, args: str = "") -> int:
        """Send ``/name args`` with its bot_command entity; returns the message_id."""
        name = name.lstrip("/")
        text = f"/{name} {args}" if args else f"/{name}"
        entity = {"offset": 0, "length": _utf16_len(name) + 1, "type": "bot_command"}
        return self._send("/sendCommand", self._message(text=text, entities=[entity]))

    def press(self, button: str, message: BotMessage | None = None) -> BotMessage:
        """Press the inline button whose text or callback_data is ``button``.

        Looks on ``message`` if given, else on the latest bot message that has such a button.
        Returns the message the button was on (as it was when pressed).
        """
        candidates = [message] if message is not None else list(reversed(self.messages()))
        for candidate in candidates:
            for text, data in self.buttons(candidate):
                if button in (text, data):
                    if data is None:
                        raise AssertionError(
                            f"button {text!r} is a URL button, it cannot be pressed"
                        )
                    self._press(candidate, data)
                    return candidate
        offered = [f"{m.describe()}" for m in candidates if m.buttons]
        raise AssertionError(
            f"no inline button {button!r} on "
            + (f"message #{message.message_id}" if message is not None else "any bot message")
            + "; buttons on offer:\n  "
            + ("\n  ".join(offered) or "(none)")
        )

    def send_photo(self, caption: str | None = None) -> int:
        """Send a (fake) photo, the way a phone camera upload arrives."""
        n = self._next_file()
        sizes = [
            {
                "file_id": f"AgACAgQAAxkBAAE{n:05d}photo{w}",
                "file_unique_id": f"AQAD{n:05d}{w}",
                "file_size": w * h // 10,
                "width": w,
                "height": h,
            }
            for w, h in ((90, 67), (320, 240), (1280, 960))
        ]
        extra: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            extra["caption"] = caption
        return self._send("/sendMessage", self._message(**extra))

    def send_sticker(self, emoji: str = "😀") -> int:
        n = self._next_file()
        sticker = {
            "file_id": f"CAACAgIAAxkBAAE{n:05d}sticker",
            "file_unique_id": f"AgAD{n:05d}st",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "E2ETestStickers",
        }
        return self._send("/sendMessage", self._message(sticker=sticker))

    def send_voice(self, duration: int = 3) -> int:
        n = self._next_file()
        voice = {
            "file_id": f"AwACAgQAAxkBAAE{n:05d}voice",
            "file_unique_id": f"AgAD{n:05d}vo",
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 4000 * duration,
        }
        return self._send("/sendMessage", self._message(voice=voice))

    def send_raw(self, **fields: Any) -> int:
        """Send a user message with arbitrary extra Message fields (location, contact, ...)."""
        return self._send("/sendMessage", self._message(**fields))

    # --- the bot answers ---------------------------------------------------------------------

    def messages(self) -> list[BotMessage]:
        """All bot messages in this chat so far, oldest first, edits applied."""
        return [BotMessage.from_view(v) for v in self._fetch(after_version=-1, timeout=0.0)]

    def wait_for(
        self,
        predicate: Callable[[BotMessage], bool] | None = None,
        timeout: float = 5.0,
    ) -> BotMessage:
        """The next bot message not yet handed out (optionally: the first such that matches).

        Moves the read cursor past the returned message, so messages skipped by the predicate
        are not handed out later either.
        """
        deadline = time.monotonic() + timeout
        seen: list[BotMessage] = []
        after_version = -1
        while True:
            views = self._fetch(after_version, max(0.0, deadline - time.monotonic()))
            after_version = self._version
            seen = [BotMessage.from_view(v) for v in views if int(v["message_id"]) > self._cursor]
            for message in seen:
                if predicate is None or predicate(message):
                    self._cursor = message.message_id
                    return message
            if time.monotonic() >= deadline:
                break
        what = "bot message" if predicate is None else f"bot message matching {predicate!r}"
        arrived = "\n  ".join(m.describe() for m in seen) or "(nothing)"
        raise AssertionError(
            f"no {what} within {timeout:.1f}s in chat {self.chat_id}; new messages:\n  {arrived}"
            f"{self._bot_hint()}"
        )

    def wait_for_text(self, substring: str, timeout: float = 5.0) -> BotMessage:
        """The next bot message whose text (or caption) contains ``substring``."""
        matcher = _TextMatcher(substring)
        return self.wait_for(matcher, timeout)

    def wait_for_edit(self, message: BotMessage, timeout: float = 5.0) -> BotMessage:
        """Wait until ``message`` is edited (again) and return its new state."""
        deadline = time.monotonic() + timeout
        after_version = -1
        current: BotMessage | None = message
        while True:
            views = self._fetch(after_version, max(0.0, deadline - time.monotonic()))
            after_version = self._version
            current = next(
                (BotMessage.from_view(v) for v in views if v["message_id"] == message.message_id),
                None,
            )
            if current is None:
                raise AssertionError(f"message #{message.message_id} was deleted, not edited")
            # edit_date has one-second resolution, so compare the whole message instead.
            if current.edited and current.raw.get("message") != message.raw.get("message"):
                return current
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"message #{message.message_id} was not edited within {timeout:.1f}s; "
                    f"it is: {current.describe()}"
                )

    def assert_silent(self, duration: float = 1.0) -> None:
        """Assert the bot sends no new message for ``duration`` seconds."""
        deadline = time.monotonic() + duration
        after_version = -1
        while True:
            views = self._fetch(after_version, max(0.0, deadline - time.monotonic()))
            after_version = self._version
            new = [BotMessage.from_view(v) for v in views if int(v["message_id"]) > self._cursor]
            if new:
                listing = "\n  ".join(m.describe() for m in new)
                raise AssertionError(f"expected silence, but the bot sent:\n  {listing}")
            if time.monotonic() >= deadline:
                return

    def skip_pending(self) -> None:
        """Mark every bot message so far as read, so wait_for() only sees later ones."""
        views = self._fetch(-1, 0.0)
        if views:
            self._cursor = max(self._cursor, *(int(v["message_id"]) for v in views))

    @staticmethod
    def buttons(message: BotMessage) -> list[Button]:
        """The inline buttons of ``message`` as (text, callback_data)."""
        return list(message.buttons)

    def callback_answers(self) -> list[dict[str, Any]]:
        """Every answerCallbackQuery the bot made (all chats of this bot token)."""
        return list(self._post("/_test/callbackAnswers", {"token": self.token})["result"])

    def block_bot(self, blocked: bool = True) -> None:
        """Make sends to this chat fail like Telegram does when the user blocked the bot."""
        self._post(
            "/_test/block", {"token": self.token, "chatId": self.chat_id, "blocked": blocked}
        )

    def bot_status(self) -> dict[str, Any]:
        """How this bot token used the API: ``calls`` per method, polls, pending updates."""
        return dict(self._post("/_test/botStatus", {"token": self.token})["result"])

    # --- plumbing ----------------------------------------------------------------------------

    def _bot_hint(self) -> str:
        """Why a wait may have failed, when the cause is that no bot is listening."""
        status = self.bot_status()
        if not status["get_updates_calls"]:
            return "\n(no bot has ever polled with this token: is the bot started?)"
        if not status["polling"] and status["pending_updates"]:
            return (
                f"\n(the bot is not polling and {status['pending_updates']} update(s) wait "
                "for it: did it crash or stop?)"
            )
        return ""

    def _user(self) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username:
            user["username"] = self.username
        return user

    def _chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {
            "id": self.chat_id,
            "type": "private",
            "first_name": self.first_name,
        }
        if self.username:
            chat["username"] = self.username
        return chat

    def _message(self, **fields: Any) -> dict[str, Any]:
        return {
            "botToken": self.token,
            "from": self._user(),
            "chat": self._chat(),
            "date": int(time.time()),
            **fields,
        }

    def _press(self, message: BotMessage, data: str) -> None:
        shown = message.raw.get("message") or {
            "message_id": message.message_id,
            "chat": self._chat(),
            "date": int(message.raw.get("date") or time.time()),
            "text": message.text,
        }
        self._post(
            "/sendCallback",
            {
                "botToken": self.token,
                "from": self._user(),
                "message": shown,
                "chat_instance": f"e2e-{self.chat_id}",
                "data": data,
            },
        )

    def _next_file(self) -> int:
        self._file_counter += 1
        return self.user_id % 100_000 * 100 + self._file_counter

    def _send(self, route: str, body: dict[str, Any]) -> int:
        return int(self._post(route, body)["result"]["message_id"])

    def _post(
        self, route: str, body: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        response = self._http.post(route, json=body, **kwargs)
        payload: dict[str, Any] = response.json()
        if response.status_code != 200 or not payload.get("ok"):
            raise AssertionError(f"emulator refused {route}: {response.status_code} {payload}")
        return payload

    def _fetch(self, after_version: int, timeout: float) -> list[dict[str, Any]]:
        """Bot messages of this chat; long-polls until something changed after ``after_version``."""
        payload = self._post(
            "/_test/botMessages",
            {
                "token": self.token,
                "chatId": self.chat_id,
                "afterVersion": after_version,
                "timeout": timeout,
                **({"chatVersion": True} if self._per_chat_version else {}),
            },
            timeout=timeout + 10.0,
        )
        self._version = int(payload["version"])
        return list(payload["result"])


@dataclass(frozen=True)
class _TextMatcher:
    """A predicate with a readable repr, so timeouts say what was awaited."""

    substring: str

    def __call__(self, message: BotMessage) -> bool:
        return self.substring in message.text

    def __repr__(self) -> str:
        return f"text containing {self.substring!r}"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
