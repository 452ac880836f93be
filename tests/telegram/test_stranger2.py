"""An outside tester's second round, in-process (stranger2): updates the emulator cannot send
(a channel post, an inline query, an edited photo caption). Defects are strict xfails naming
what a user sees."""

from __future__ import annotations

from typing import Any

from rig import CHANNEL, CRISIS_TEXT, Rig
from telegram import Update


def _update(rig: Rig, **fields: Any) -> Update:
    number = next(rig._ids)
    return Update.de_json({"update_id": number, **fields}, rig.application.bot)


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "nl"}


async def test_a_crisis_posted_in_a_channel_gets_the_crisis_answer_there(rig):
    await rig.process(rig.channel_post(CRISIS_TEXT))
    sent = [c.params.get("text", "") for c in rig.to(CHANNEL) if c.method == "sendMessage"]
    assert any("1813" in text and "112" in text for text in sent), sent
    assert rig.repo.load_profile(CHANNEL) is None


async def test_an_inline_query_with_a_crisis_breaks_nothing(rig):
    query = {"id": "77", "from": _user(31), "query": CRISIS_TEXT, "offset": ""}
    await rig.process(_update(rig, inline_query=query))
    await rig.process(rig.update(31, "/help"))
    assert rig.api.sent(31), "the bot still answers the same person in private"
    assert rig.repo.load_profile(31) is None


async def test_an_edited_photo_caption_with_a_crisis_gets_the_crisis_answer(rig):
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 67}]
    message = {
        "message_id": 5,
        "date": 0,
        "edit_date": 1,
        "chat": {"id": 32, "type": "private"},
        "from": _user(32),
        "photo": photo,
        "caption": CRISIS_TEXT,
    }
    await rig.process(_update(rig, edited_message=message))
    assert any("1813" in text and "112" in text for text in rig.api.sent(32)), rig.api.sent(32)
