"""Forged or malformed button data through the real Application: every payload is answered
as a stale button (or by the handler's own kind word), never with the generic apology, and
nothing is written to storage.

Telegram lets a client send any callback data with a press, so a button payload is input
like any typed text.
"""

from __future__ import annotations

import pytest
from rig import NOW, RecordingRepository, profile, status

from bot.core.models import CheckIn, Escalation, Reflection

TODAY = "20260330"
USER = 77

FORGED = [
    # wrong version or no version
    "v0:ci:20260330:4",
    "v2:ci:20260330:4",
    "V1:ci:20260330:4",
    "ci:20260330:4",
    "checkin_20260330_4",
    "v1",
    "v1:",
    "v1::",
    ":",
    # wrong or unknown action
    "v1:nope",
    "v1:cix:1",
    "v1:ci.x:1",
    "v1:CI:20260330:4",
    # too few or too many parts
    "v1:ci",
    f"v1:ci:{TODAY}:4:5:3:9",
    f"v1:ci:{TODAY}:4:5:3:9:9:9:9",
    "v1:exstep",
    "v1:exstep:box-breathing",
    "v1:exend",
    "v1:rem",
    "v1:rem:checkin",
    "v1:rfshare",
    "v1:cfu",
    "v1:gpf",
    "v1:q",
    "v1:consent",
    "v1:consent:yes:no",
    "v1:del:confirm:extra",
    "v1:crisis:ground:x",
    "v1:country:BE:NL",
    # out-of-range numbers
    f"v1:ci:{TODAY}:99",
    f"v1:ci:{TODAY}:-1",
    f"v1:ci:{TODAY}:4:7:9",
    f"v1:ci:{TODAY}:11:7:3",
    f"v1:ci:{TODAY}:4:70:3",
    f"v1:ci:{TODAY}:4:7:0",
    f"v1:ci:{TODAY}:04:07:003",
    "v1:ci:20261345:4",
    "v1:ci:99999999:4:4:3",
    "v1:exstep:box-breathing:999",
    "v1:exstep:box-breathing:99",
    "v1:exend:" + "a" * 65 + ":done",
    "v1:exstep:box-breathing:-1",
    "v1:hist:0",
    "v1:hist:-5",
    "v1:hist:" + "9" * 50,
    "v1:q:phq9:99",
    "v1:q:phq9:0000000000000000000000000",
    "v1:q:phq9:9",
    # unknown ids
    "v1:expick:nope",
    "v1:exstart:nope",
    "v1:exend:nope:done",
    "v1:exstep:nope:1",
    "v1:cinote:000000000000:skip",
    "v1:rfshare:000000000000:yes",
    "v1:cfu:000000000000:better",
    "v1:gpf:000000000000:reached",
    "v1:q:nope:start",
    "v1:rf:later:nope",
    "v1:rf:sideways:p1",
    "v1:tz:Not.A_Zone",
    "v1:country:XX",
    "v1:consent:lang-xx",
    "v1:set:phase:nope",
    "v1:set:tz:Mars.Olympus_Mons",
    "v1:set:checkin:2561",
    "v1:set:nope:1",
    "v1:rem:nope:today:start",
    "v1:rem:checkin:notaday:later",
    "v1:cask:maybe",
    "v1:crisis:sideways",
    "v1:del:sure",
    "v1:moments:perhaps",
    # unicode
    "v1:ci:２０２６０３３０:４",
    "v1:expick:ü",
    "v1:🙂",
    "v1:ci:" + TODAY + ":٤",
    "v1:hist:١٤",
    "v1:ci:\u200b" + TODAY,
    "v1:del:confirm\u200b",
    "\ufeffv1:del:confirm",
    # very long
    "v1:ci:" + "9" * 58,
    "v1:" + "x" * 61,
    "v1:ci:" + "1" * 1000,
    "v1:del:confirm" + ":" * 50,
    # empty parts
    "",
    "v1:ci::",
    "v1:ci:::",
    "v1:exend::",
    "v1:q:::",
    "v1:rem:::",
    "v1:gpf::",
    "v1:del:",
]


@pytest.fixture
def repo() -> RecordingRepository:
    repo = RecordingRepository()
    repo.save_profile(profile(USER))
    # Real records whose ids a forger does not know.
    repo.add(
        USER,
        CheckIn(at=NOW, local_date=NOW.date(), energy=5, stress=5, sleep=3, id="20260330-5"),
    )
    repo.add(USER, Reflection("p1", NOW, NOW.date(), "x"))
    repo.add(USER, Escalation("crisis", "message", "r", "x", NOW))
    repo.writes.clear()
    return repo


def test_the_list_is_long_enough():
    assert len(FORGED) >= 40
    assert len(set(FORGED)) == len(FORGED)


@pytest.mark.parametrize("data", FORGED)
async def test_a_forged_payload_is_stale_and_stores_nothing(rig, content, data, caplog):
    await rig.process(rig.update(USER, data=data))

    said = [c.params.get("text", "") for c in rig.api.calls]
    apology = content.text("input.error", "nl")
    assert apology not in said
    assert "handler.failed" not in caplog.text
    assert rig.repo.writes == []  # type: ignore[attr-defined]
    # The spinner on the button stops: the press is answered.
    assert rig.api.calls_of("answerCallbackQuery")


@pytest.mark.parametrize(
    "data",
    [d for d in FORGED if not d.startswith("v1:") or d.count(":") > 8 or len(d) > 64]
    + ["v1:nope", f"v1:ci:{TODAY}:99", "v1:hist:0", "v1:del:confirm:extra", "v1:ci::"],
)
async def test_a_malformed_payload_is_answered_as_a_stale_button(rig, content, data):
    await rig.process(rig.update(USER, data=data))

    (answer,) = rig.api.calls_of("answerCallbackQuery")
    assert answer.params.get("text") == content.text("input.stale_button", "nl")
    assert not rig.api.calls_of("sendMessage")


async def test_an_unknown_id_found_by_the_handler_is_answered_as_stale(rig, content):
    """The handler answered the press already; the stale word comes as a second answer."""
    await rig.process(rig.update(USER, data="v1:rf:later:nope"))

    answers = [c.params.get("text") for c in rig.api.calls_of("answerCallbackQuery")]
    assert answers[-1] == content.text("input.stale_button", "nl")
    assert rig.repo.writes == []  # type: ignore[attr-defined]


async def test_when_telegram_refuses_a_second_answer_the_message_says_it(rig, content):
    rig.api.faults["answerCallbackQuery"] = [
        lambda _p: (200, {"ok": True, "result": True}),
        status(400, "Bad Request: query is too old and response timeout expired"),
    ]
    await rig.process(rig.update(USER, data="v1:rf:later:nope"))

    (edited,) = rig.api.calls_of("editMessageText")
    assert edited.params["text"] == content.text("input.stale_button", "nl")
    assert content.text("input.error", "nl") not in rig.api.sent()
