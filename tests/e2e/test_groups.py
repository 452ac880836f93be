"""Groups against the real bot process: nothing from a group is answered or kept, one line
points to a private chat, the bot leaves; a crisis there is still answered first."""

from __future__ import annotations

from typing import Any

from client import ChatClient
from conversations import eventually, onboard, user_file

CRISIS_TEXT = "ik wil niet meer leven"


class GroupMember(ChatClient):
    """A user writing in a group the bot was added to; reads the bot's messages there."""

    def __init__(self, private: ChatClient, group_id: int) -> None:
        super().__init__(
            private.base_url,
            private.token,
            private.user_id,
            private.first_name,
            private.language_code,
        )
        self.chat_id = group_id

    def _chat(self) -> dict[str, Any]:
        return {"id": self.chat_id, "type": "group", "title": "Team"}

    def left_chats(self) -> list[int]:
        return list(self._post("/_test/leftChats", {"token": self.token})["result"])


def test_a_coachees_export_in_a_group_gets_one_line_and_the_bot_leaves(bot, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    stored_before = user_file(bot_data_dir, coachee.user_id)
    with GroupMember(coachee, -400_001) as member:
        member.command("export")
        line = member.wait_for(timeout=10)
        assert "privégesprek" in line.text and "https://t.me/e2e_test_bot" in line.text
        member.command("history")
        member.say("en hoe gaat het met jullie?")
        eventually(lambda: _assert_equal(member.left_chats(), [-400_001]))
        member.assert_silent(1.0)

        assert [m.text for m in member.messages()] == [line.text]
        assert all(m.media is None for m in member.messages())  # no export file in the group
    assert user_file(bot_data_dir, coachee.user_id) == stored_before


def test_a_crisis_in_a_group_is_answered_there_and_nothing_is_stored(bot, chat, bot_data_dir):
    coachee = chat()
    onboard(coachee)
    coachee.skip_pending()
    with GroupMember(coachee, -400_002) as member:
        member.say(CRISIS_TEXT)
        answer = member.wait_for(timeout=10)
        assert "1813" in answer.text and "112" in answer.text
        assert not answer.buttons
        assert "privégesprek" in member.wait_for().text
        eventually(lambda: _assert_equal(member.left_chats(), [-400_002]))

    assert not user_file(bot_data_dir, coachee.user_id).get("escalation")
    coachee.assert_silent(0.5)  # nothing in the private chat either (no coach, no question)


def _assert_equal(actual: object, expected: object) -> None:
    assert actual == expected
