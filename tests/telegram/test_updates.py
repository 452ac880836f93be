"""Updates of one chat stay in order; other chats do not wait behind them."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.telegram.updates import PerChatUpdateProcessor


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, "private")
    return Update(update_id, message=Message(update_id, None, chat, text="hi"))  # type: ignore[arg-type]


async def test_one_chat_in_order_other_chats_side_by_side():
    processor = PerChatUpdateProcessor()
    events: list[str] = []
    slow_started = asyncio.Event()

    async def slow(name: str) -> None:
        events.append(f"{name} start")
        slow_started.set()
        await asyncio.sleep(0.05)
        events.append(f"{name} end")

    async def quick(name: str) -> None:
        events.append(f"{name} start")
        events.append(f"{name} end")

    first = asyncio.create_task(processor.process_update(_update(1, 10), slow("a1")))
    await slow_started.wait()
    same_chat = asyncio.create_task(processor.process_update(_update(2, 10), quick("a2")))
    other_chat = asyncio.create_task(processor.process_update(_update(3, 20), quick("b1")))
    await other_chat
    assert events == ["a1 start", "b1 start", "b1 end"]  # chat 20 did not wait for chat 10
    await asyncio.gather(first, same_chat)
    assert events[-3:] == ["a1 end", "a2 start", "a2 end"]  # chat 10 stayed in order
    assert processor._locks == {}  # nothing kept once a chat is idle


async def test_updates_without_a_chat_are_processed_at_once():
    processor = PerChatUpdateProcessor()
    done = []

    async def work() -> None:
        done.append(True)

    await processor.process_update(object(), work())
    assert done == [True]
