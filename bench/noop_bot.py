"""A stand-in bot that does no work: `python -m bench.noop_bot` (TELEGRAM_BOT_TOKEN and
TELEGRAM_API_URL as for `python -m bot run`).

The baseline of bench/interactive.py (`--noop`): it answers the same conversation as the real
bot (the check-in's question, its three taps as edits, the note prompt and its thanks, /help,
plain text, the crisis answer) with the same Bot API calls (sendMessage, editMessageText,
answerCallbackQuery) but stores nothing and decides nothing, each update in a task of its own.
What interactive.py measures against it is the ceiling set by the emulator, the driver and the
machine, not by the bot.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx

QUESTION = "Hoeveel energie heb je nu?"
KEYBOARD = {"inline_keyboard": [[{"text": str(n), "callback_data": f"n:{n}"} for n in range(11)]]}
CRISIS_WORDS = ("niet meer leven",)


class NoopBot:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.taps: dict[int, int] = {}  # chat -> taps on the open question
        self.awaiting_note: set[int] = set()

    async def call(self, method: str, **params: Any) -> Any:
        response = await self.http.post(method, json=params)
        return response.json().get("result")

    async def handle(self, update: dict[str, Any]) -> None:
        if "callback_query" in update:
            query = update["callback_query"]
            message = query["message"]
            chat = message["chat"]["id"]
            await self.call("answerCallbackQuery", callback_query_id=query["id"])
            taps = self.taps.get(chat, 0) + 1
            self.taps[chat] = taps
            await self.call(
                "editMessageText",
                chat_id=chat,
                message_id=message["message_id"],
                text=f"{QUESTION} ({taps}/3)",
                reply_markup=KEYBOARD if taps < 3 else None,
            )
            if taps >= 3:
                self.taps.pop(chat, None)
                self.awaiting_note.add(chat)
                await self.call("sendMessage", chat_id=chat, text="Bewaard. Wil je een notitie?")
            return
        message = update.get("message")
        if not message:
            return
        chat, text = message["chat"]["id"], message.get("text") or ""
        if any(word in text for word in CRISIS_WORDS):
            answer = "Bel 112 of 1813."
        elif text.startswith("/checkin"):
            self.taps[chat] = 0
            await self.call("sendMessage", chat_id=chat, text=QUESTION, reply_markup=KEYBOARD)
            return
        elif text.startswith("/help"):
            answer = "Hulp."
        elif chat in self.awaiting_note:
            self.awaiting_note.discard(chat)
            answer = "Notitie bewaard."
        else:
            answer = "Dank je."
        await self.call("sendMessage", chat_id=chat, text=answer)

    async def run(self) -> None:
        offset = 0
        tasks: set[asyncio.Task[None]] = set()
        while True:
            updates = await self.call("getUpdates", offset=offset, timeout=10) or []
            for update in updates:
                offset = max(offset, update["update_id"] + 1)
                task = asyncio.create_task(self.handle(update))
                tasks.add(task)
                task.add_done_callback(tasks.discard)


async def main() -> None:
    base = f"{os.environ['TELEGRAM_API_URL']}{os.environ['TELEGRAM_BOT_TOKEN']}/"
    async with httpx.AsyncClient(base_url=base, timeout=30.0, trust_env=False) as http:
        await NoopBot(http).run()


if __name__ == "__main__":
    asyncio.run(main())
