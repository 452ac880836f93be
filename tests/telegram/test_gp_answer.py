"""A text that gets the GP answer gets only that answer: never the "I'm a simple helper"
reply after it (found by a tester: every GP answer was followed by the fallback)."""

from __future__ import annotations

import pytest
from rig import profile as coachee_profile

from bot.core.safety import Assessment

GP_TEXT = "ik drink elke avond een fles wijn om te kunnen slapen"


@pytest.fixture
def table() -> dict[str, Assessment]:
    return {GP_TEXT: Assessment("gp", ("alcohol",), "nl-alcohol")}


async def test_a_gp_answer_is_not_followed_by_the_generic_reply(rig, content):
    await rig.process(rig.update(10, GP_TEXT))

    sent = rig.api.sent(10)
    assert len(sent) == 1, sent
    assert "huisarts" in sent[0]
    assert content.text("input.unexpected", "nl") not in sent


async def test_the_same_text_the_next_time_gets_no_generic_reply_either(rig, content):
    # A second GP-level text soon after may not repeat the advice; it still is no small talk.
    await rig.process(rig.update(10, GP_TEXT))
    await rig.process(rig.update(10, GP_TEXT))

    assert content.text("input.unexpected", "nl") not in rig.api.sent(10)


async def test_an_ordinary_text_still_gets_the_generic_reply(rig, content):
    rig.repo.save_profile(coachee_profile(10))
    await rig.process(rig.update(10, "hoi"))

    assert rig.api.sent(10) == [content.text("input.unexpected", "nl")]


async def test_before_consent_an_ordinary_text_points_at_the_consent_question(rig, content):
    # Found by a stranger driving the bot: "ja" typed to the consent question was offered a
    # check-in, which cannot be kept before consent.
    await rig.process(rig.update(10, "/start"))
    await rig.process(rig.update(10, "ja"))

    assert rig.api.sent(10)[-1] == content.text("input.before_consent", "nl")
    assert rig.repo.load_profile(10) is None


@pytest.mark.parametrize("typed", ["hallo", "ja"])
async def test_before_any_start_a_text_gets_the_consent_question_itself(rig, content, typed):
    # Found in a user test: "hallo" before /start was told to tap the buttons above; there
    # were none. It gets the introduction /start sends; a text after it is pointed up at it.
    await rig.process(rig.update(10, typed))

    (call,) = rig.api.calls_of("sendMessage")
    assert content.text("consent.ask", "nl") in call.params["text"]
    labels = [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
    assert content.text("consent.yes", "nl") in labels
    assert content.text("input.before_consent", "nl") not in rig.api.sent(10)

    await rig.process(rig.update(10, "ja"))

    assert rig.api.sent(10)[-1] == content.text("input.before_consent", "nl")
    assert rig.repo.load_profile(10) is None and rig.repo.user_ids() == []
