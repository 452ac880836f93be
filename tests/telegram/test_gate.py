"""Private chats only, buttons for their owner, edits and commands for other bots, in-process.

The real Application, handlers and update processor, with the fake Bot API of rig.py.
What must hold: from a group, a supergroup or a channel nothing is stored and no handler but
the gate runs; the bot says once where to find it and leaves; a crisis there still gets the
crisis answer first, and nothing of it is stored. A button acts only for the person it was
sent to; awaited text comes only from that person's own chat; an edited command does not run
again; a command for another bot gets no answer.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from rig import CHANNEL, CRISIS_TEXT, GROUP, NOW, Rig, status

from bot.core.awaiting import Awaiting, awaited_in, awaiting
from bot.core.models import CheckIn, Escalation
from bot.core.safety import Assessment
from bot.telegram import callbacks

GP_TEXT = "ik drink elke avond een fles wijn"
COACH = 99


pytestmark = pytest.mark.usefixtures("quick_crisis_retries")


@pytest.fixture
def table() -> dict[str, Assessment]:
    return {
        CRISIS_TEXT: Assessment("crisis", ("suicidal_ideation",), "nl-suicidal-ideation"),
        f"/help@other_bot {CRISIS_TEXT}": Assessment(
            "crisis", ("suicidal_ideation",), "nl-suicidal-ideation"
        ),
        GP_TEXT: Assessment("gp", ("alcohol",), "nl-alcohol"),
    }


def is_crisis_answer(body: str) -> bool:
    return "1813" in body and "112" in body


def private_only(content, lang: str = "nl") -> str:
    return content.text("private.only", lang, link="https://t.me/coachbot")


def nothing_stored(rig: Rig, *user_ids: int) -> None:
    for user_id in user_ids:
        assert rig.repo.records(user_id, Escalation) == []
    assert not rig.application.job_queue.jobs()


# --- groups and channels ------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/export", "/history", "/summary", "/checkin", "/start"])
async def test_a_command_in_a_group_gets_one_line_pointing_to_a_private_chat(rig, content, command):
    rig.consent(10)
    rig.repo.add(10, CheckIn(NOW, date(2026, 3, 30), 3, 4, 2, note="private words"))

    await rig.process(rig.message(10, command, GROUP, "group"))

    sent = rig.to(GROUP)
    assert [(c.method, c.params.get("text")) for c in sent] == [
        ("sendMessage", private_only(content)),
        ("leaveChat", None),
    ]
    assert rig.to(10) == []


async def test_the_line_links_to_the_bot_and_speaks_the_users_language(rig, content):
    await rig.process(rig.message(10, "hello", GROUP, "supergroup", lang="en"))

    (line,) = rig.api.sent(GROUP)
    assert line == private_only(content, "en")
    assert "https://t.me/coachbot" in line


async def test_one_line_per_chat_not_one_per_message(rig, content):
    for user_id, words in [(10, "hallo"), (11, "/help"), (10, "nog iets"), (12, "/start")]:
        await rig.process(rig.message(user_id, words, GROUP, "supergroup"))

    assert rig.api.sent(GROUP) == [private_only(content)]


async def test_consent_given_in_a_group_stores_nothing(rig):
    await rig.process(rig.message(11, "/start", GROUP, "group"))
    await rig.process(rig.press(11, callbacks.encode(callbacks.CONSENT, "yes"), GROUP, "group"))
    await rig.process(rig.press(11, callbacks.encode(callbacks.CONSENT, "no"), GROUP, "group"))

    assert rig.repo.load_profile(11) is None
    assert rig.repo.refused_at(11) is None
    nothing_stored(rig, 11)


async def test_another_members_tap_on_erase_in_a_group_erases_nobody(rig):
    rig.consent(10)
    rig.consent(11)

    await rig.process(rig.press(11, rig.delete_yes(11), GROUP, "group"))

    assert rig.repo.load_profile(10) is not None
    assert rig.repo.load_profile(11) is not None


async def test_a_note_prompt_in_private_does_not_take_the_next_line_written_in_a_group(
    rig, content
):
    rig.consent(10)
    checkin = CheckIn(NOW, date(2026, 3, 30), 3, 4, 2)
    rig.repo.add(10, checkin)
    rig.repo.replace(10, awaiting("note", checkin.id, 10, NOW))

    await rig.process(rig.message(10, "vanavond pizza?", GROUP, "group"))

    assert rig.repo.records(10, CheckIn)[0].note is None
    assert content.text("checkin.note_saved", "nl") not in rig.api.sent(GROUP)
    assert awaited_in(rig.repo.records(10, Awaiting)[0], 10, NOW) is not None  # still waits


async def test_the_bot_added_to_a_group_says_the_line_and_leaves(rig, content):
    await rig.process(rig.membership("left", "member"))

    assert rig.api.sent(GROUP) == [private_only(content)]
    assert rig.left() == [GROUP]


async def test_removed_from_a_group_it_says_nothing_and_a_new_invitation_is_told_again(
    rig, content
):
    await rig.process(rig.membership("left", "member"))
    await rig.process(rig.membership("member", "left"))  # its own leaving, as Telegram reports it
    await rig.process(rig.membership("left", "kicked"))
    assert rig.api.sent(GROUP) == [private_only(content)]
    assert rig.left() == [GROUP]

    await rig.process(rig.membership("kicked", "member"))
    assert rig.api.sent(GROUP) == [private_only(content)] * 2
    assert rig.left() == [GROUP, GROUP]


async def test_a_channel_post_runs_nothing_and_the_bot_leaves(rig, content):
    await rig.process(rig.channel_post("/export"))
    await rig.process(rig.channel_post("nog een bericht"))

    assert rig.api.sent(CHANNEL) == [private_only(content)]
    assert rig.left() == [CHANNEL]
    assert not rig.api.calls_of("sendDocument")


async def test_a_failed_line_still_leaves_and_never_apologises_in_the_group(rig, content):
    rig.api.faults["sendMessage"] = [status(400, "Bad Request: not enough rights to send")]
    await rig.process(rig.message(10, "/help", GROUP, "group"))

    assert rig.left() == [GROUP]
    assert content.text("input.error", "nl") not in rig.api.sent(GROUP)


# --- a crisis in a group -------------------------------------------------------------------------


@pytest.mark.parametrize("coach", [None, COACH])
async def test_a_crisis_in_a_group_is_answered_there_first_and_nothing_is_stored(rig, coach):
    rig.consent(10, coach_id=coach)

    await rig.process(rig.message(10, CRISIS_TEXT, GROUP, "group"))

    crisis, line, leave = rig.to(GROUP)
    assert is_crisis_answer(crisis.params["text"])
    assert "reply_markup" not in crisis.params  # no buttons: the bot is about to leave
    assert "?" not in crisis.params["text"]  # so no question that only buttons could answer
    assert line.params["text"].startswith("Ik werk alleen")
    assert leave.method == "leaveChat"
    nothing_stored(rig, 10)
    assert rig.to(COACH) == []  # no coach alert
    assert rig.to(10) == []


async def test_a_crisis_in_a_group_from_someone_without_consent_creates_no_profile(rig):
    await rig.process(rig.message(11, CRISIS_TEXT, GROUP, "supergroup"))

    assert is_crisis_answer(rig.api.sent(GROUP)[0])
    assert rig.repo.load_profile(11) is None
    nothing_stored(rig, 11)


async def test_every_crisis_in_a_group_is_answered_the_line_only_once(rig, content):
    await rig.process(rig.message(11, "hallo", GROUP, "group"))
    await rig.process(rig.message(12, CRISIS_TEXT, GROUP, "group"))
    await rig.process(rig.message(12, "/sos", GROUP, "group"))

    line, first, second = rig.api.sent(GROUP)
    assert line == private_only(content)
    assert is_crisis_answer(first) and is_crisis_answer(second)


async def test_sos_and_an_edited_crisis_in_a_group_are_answered_and_not_stored(rig):
    rig.consent(10, coach_id=COACH)
    await rig.process(rig.message(10, "/sos", GROUP, "group"))
    await rig.process(rig.message(10, CRISIS_TEXT, GROUP, "group", edited=True))

    answers = [s for s in rig.api.sent(GROUP) if is_crisis_answer(s)]
    assert len(answers) == 2
    assert not any("?" in answer for answer in answers)
    nothing_stored(rig, 10)
    assert rig.to(COACH) == []


async def test_the_crisis_fast_path_stores_nothing_for_a_group_either(rig):
    """The update processor lets a crisis skip every queue; the gate still comes first."""
    rig.consent(10, coach_id=COACH)
    update = rig.message(10, CRISIS_TEXT, GROUP, "group")
    assert rig.application.update_processor._is_urgent(update)

    await rig.process(update)

    nothing_stored(rig, 10)
    assert rig.to(COACH) == []


async def test_a_crisis_arriving_with_the_invitation_is_answered_before_the_bot_leaves(rig):
    """The crisis skips the chat's queue; leaving waits for its answer to be delivered."""
    delivered: list[str] = []
    crisis_send = asyncio.Event()
    original = rig.api.do_request

    async def slow_crisis(url: str, method: str, request_data=None, **kwargs: Any):
        params = request_data.parameters if request_data else {}
        if url.endswith("/sendMessage") and "112" in params.get("text", ""):
            crisis_send.set()
            await asyncio.sleep(0.3)
        result = await original(url, method, request_data, **kwargs)
        delivered.append(url.rsplit("/", 1)[-1])
        return result

    rig.api.do_request = slow_crisis  # type: ignore[method-assign]
    added = asyncio.create_task(rig.process(rig.membership("left", "member", by=11)))
    crisis = asyncio.create_task(rig.process(rig.message(11, CRISIS_TEXT, GROUP, "group")))
    await asyncio.wait_for(asyncio.gather(added, crisis), 5)

    assert crisis_send.is_set()
    assert delivered.index("leaveChat") > max(
        i for i, name in enumerate(delivered) if name == "sendMessage"
    )


# --- buttons act only for the person they were sent to ------------------------------------------


async def test_a_button_pressed_by_someone_else_does_nothing(rig, content):
    rig.consent(10)
    rig.consent(11)

    # Telegram cannot deliver this in a private chat; a forged or future update might.
    await rig.process(rig.press(11, rig.delete_yes(11), chat_id=10))

    assert rig.repo.load_profile(11) is not None
    assert rig.repo.load_profile(10) is not None
    assert rig.callback_answers() == [content.text("private.not_for_you", "nl")]
    assert rig.api.sent() == []


async def test_a_button_on_no_message_of_ours_does_nothing(rig, content):
    """An inline-mode tap carries no chat: nobody it could belong to."""
    rig.consent(11)
    data = rig.delete_yes(10)
    update = rig.press(11, data, inline_message_id="abc")

    await rig.process(update)

    assert rig.repo.load_profile(11) is not None
    assert rig.callback_answers() == [content.text("private.not_for_you", "nl")]


async def test_the_owners_own_button_still_works(rig, content):
    rig.consent(10)

    await rig.process(rig.press(10, rig.delete_yes(10)))

    assert rig.repo.load_profile(10) is None


# --- awaited text is bound to the chat ------------------------------------------------------------


async def test_awaited_text_is_taken_only_from_the_users_own_chat_even_past_the_gate(rig):
    """Defence in depth: with the gate out of the way, a group line is still no note."""
    from bot.telegram.app import GATE_GROUP

    rig.application.handlers.pop(GATE_GROUP)
    rig.consent(10)
    checkin = CheckIn(NOW, date(2026, 3, 30), 3, 4, 2)
    rig.repo.add(10, checkin)
    rig.repo.replace(10, awaiting("note", checkin.id, 10, NOW))

    await rig.process(rig.message(10, "vanavond pizza?", GROUP, "group"))
    assert rig.repo.records(10, CheckIn)[0].note is None

    await rig.process(rig.message(10, "moe maar tevreden"))
    assert rig.repo.records(10, CheckIn)[0].note == "moe maar tevreden"


# --- edited messages ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/export", "/help", "/delete", "/checkin", "/start"])
async def test_an_edited_command_does_not_run_again(rig, command):
    rig.consent(10)

    await rig.process(rig.message(10, command, edited=True))

    assert rig.to(10) == []


async def test_edited_text_does_not_complete_a_flow(rig):
    rig.consent(10)
    checkin = CheckIn(NOW, date(2026, 3, 30), 3, 4, 2)
    rig.repo.add(10, checkin)
    rig.repo.replace(10, awaiting("note", checkin.id, 10, NOW))

    await rig.process(rig.message(10, "moe maar tevreden", edited=True))

    assert rig.repo.records(10, CheckIn)[0].note is None
    assert rig.to(10) == []


async def test_a_text_edited_into_a_crisis_still_gets_the_crisis_answer(rig):
    rig.consent(10)

    await rig.process(rig.message(10, CRISIS_TEXT, edited=True))

    (answer, *_ask) = rig.api.sent(10)
    assert is_crisis_answer(answer)
    assert len(rig.repo.records(10, Escalation)) == 1


async def test_a_text_edited_into_a_worry_for_the_gp_still_gets_the_advice(rig):
    rig.consent(10)

    await rig.process(rig.message(10, GP_TEXT, edited=True))

    (advice,) = rig.api.sent(10)
    assert advice
    assert [e.level for e in rig.repo.records(10, Escalation)] == ["gp"]


async def test_an_edited_sos_still_answers(rig):
    """Safety first: an answer twice is better than a request for help unheard."""
    await rig.process(rig.message(10, "/sos", edited=True))

    assert is_crisis_answer(rig.api.sent(10)[0])


# --- commands addressed to a bot -----------------------------------------------------------------


async def test_a_command_for_another_bot_is_ignored(rig):
    await rig.process(rig.message(10, "/help@other_bot"))
    await rig.process(rig.message(10, "/frobnicate@other_bot"))

    assert rig.to(10) == []


@pytest.mark.parametrize("addressed", ["/help@coachbot", "/help@CoachBot"])
async def test_a_command_for_this_bot_works_as_the_plain_command(rig, content, addressed):
    await rig.process(rig.message(10, addressed))

    assert rig.api.sent(10) == [content.text("help.commands", "nl")]


async def test_an_unknown_command_for_this_bot_is_still_not_known(rig, content):
    await rig.process(rig.message(10, "/frobnicate@coachbot"))

    assert rig.api.sent(10) == [content.text("input.unknown_command", "nl")]


async def test_a_crisis_after_a_command_for_another_bot_is_still_answered(rig):
    await rig.process(rig.message(10, f"/help@other_bot {CRISIS_TEXT}"))

    assert is_crisis_answer(rig.api.sent(10)[0])


async def test_sos_addressed_to_another_bot_still_answers(rig):
    """Help is never refused on a technicality."""
    await rig.process(rig.message(10, "/sos@other_bot"))

    assert is_crisis_answer(rig.api.sent(10)[0])
