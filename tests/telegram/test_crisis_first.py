"""The crisis answer goes out before any storage work, and storage cannot stop it.

A repository that raises on every call (and notes each call with how many messages were sent
by then) stands in for a broken disk: the answer must arrive all the same, in the coachee's
language and with their country's line, and no repository call may come before it. What is
stored afterwards (the escalation, the ended question) is stored in one unit of work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from rig import CRISIS_TEXT, NOW, UNSURE_TEXT, FakeBotApi

from bot.core.awaiting import Awaiting, awaiting, still_awaited
from bot.core.models import Escalation
from bot.storage.memory import InMemoryRepository
from bot.telegram import callbacks

pytestmark = pytest.mark.usefixtures("quick_crisis_retries")


class BrokenRepository(InMemoryRepository):
    """Works until `broken` is set; then every call notes itself and raises."""

    def __init__(self, api: FakeBotApi) -> None:
        super().__init__()
        self.api = api
        self.broken = False
        self.calls: list[tuple[str, int]] = []  # (method, messages sent before the call)

    def _note(self, name: str) -> None:
        if self.broken:
            self.calls.append((name, len(self.api.calls_of("sendMessage"))))
            raise OSError("disk gone")

    @contextmanager
    def unit_of_work(self, user_id: int) -> Iterator[Any]:
        self._note("unit_of_work")
        with super().unit_of_work(user_id) as coachee:
            yield coachee

    def load_profile(self, user_id: int) -> Any:
        self._note("load_profile")
        return super().load_profile(user_id)

    def records(self, user_id: int, kind: Any, since: Any = None) -> Any:
        self._note("records")
        return super().records(user_id, kind, since)

    def add(self, user_id: int, record: Any) -> None:
        self._note("add")
        super().add(user_id, record)

    def replace(self, user_id: int, record: Any) -> None:
        self._note("replace")
        super().replace(user_id, record)

    def refused_at(self, user_id: int) -> Any:
        self._note("refused_at")
        return super().refused_at(user_id)


@pytest.fixture
def repo(api: FakeBotApi) -> BrokenRepository:
    return BrokenRepository(api)


def is_crisis_answer(body: str, line: str = "1813") -> bool:
    return line in body and "112" in body


@pytest.mark.parametrize("words", [CRISIS_TEXT, "/sos"])
async def test_the_crisis_answer_comes_before_any_repository_call_and_despite_them_all(
    rig, content, words
):
    rig.consent(10, country="NL")
    await rig.process(rig.update(10, "/help"))  # a coachee the bot has seen in this process
    rig.repo.replace(10, awaiting("note", "x", 10, NOW))
    before = len(rig.api.sent(10))
    rig.repo.broken = True

    await rig.process(rig.update(10, words))

    sent = rig.api.sent(10)[before:]
    assert [is_crisis_answer(s, "113") for s in sent] == [True], sent
    assert content.text("input.error", "nl") not in sent
    assert rig.repo.calls, "the storage work was not even tried"
    assert all(sent_by_then > before for _, sent_by_then in rig.repo.calls), rig.repo.calls


async def test_the_crisis_answer_arrives_when_storage_was_never_readable(rig, content):
    rig.repo.broken = True

    await rig.process(rig.update(10, CRISIS_TEXT))

    sent = rig.api.sent(10)
    assert [is_crisis_answer(s) for s in sent] == [True], sent


async def test_the_unsure_question_follows_the_answer_before_any_repository_call(rig, content):
    rig.consent(10)
    await rig.process(rig.update(10, "/help"))
    rig.repo.broken = True

    await rig.process(rig.update(10, UNSURE_TEXT))

    answer, question = rig.api.calls_of("sendMessage")[-2:]
    assert is_crisis_answer(answer.params["text"])
    assert question.params["text"] == content.escalations.crisis_ask.question.get("nl")
    assert all(sent_by_then >= 2 for _, sent_by_then in rig.repo.calls), rig.repo.calls


@pytest.mark.parametrize("choice", ["yes", "unsure"])
async def test_yes_to_the_question_is_answered_before_any_repository_call(rig, choice):
    rig.consent(10)
    await rig.process(rig.update(10, "/help"))
    before = len(rig.api.sent(10))
    rig.repo.broken = True

    await rig.process(rig.update(10, data=callbacks.encode(callbacks.CRISIS_ASK, choice)))

    assert is_crisis_answer(rig.api.sent(10)[before])
    assert all(sent_by_then > before for _, sent_by_then in rig.repo.calls), rig.repo.calls


async def test_after_the_answer_the_escalation_and_the_ended_question_are_stored(rig):
    rig.consent(10)
    rig.repo.replace(10, awaiting("note", "x", 10, NOW))

    await rig.process(rig.update(10, CRISIS_TEXT))

    assert is_crisis_answer(rig.api.sent(10)[0])
    (stored,) = rig.repo.records(10, Escalation)
    assert stored.level == "crisis"
    assert not still_awaited(rig.repo.records(10, Awaiting)[0], NOW)


async def test_a_text_typed_while_the_crisis_answer_is_on_its_way_is_not_taken_as_the_note(
    rig, content
):
    """The question the bot waited for ends after the answer is out; a text typed in between
    (the crisis skips the chat's queue, so the next text does not wait for it) is read as
    itself, never stored as the note asked before the crisis."""
    import asyncio

    from rig import CRISIS_TABLE

    from bot.core.checkins import new_checkin
    from bot.core.models import CheckIn
    from bot.services import safety

    rig.consent(10)
    checkin = new_checkin(6, 4, 3, NOW.date(), NOW)
    rig.repo.add(10, checkin)
    rig.repo.replace(10, awaiting("note", checkin.id, 10, NOW))
    escalation = safety.crisis_escalation_for(CRISIS_TABLE[CRISIS_TEXT], NOW)
    answer = safety.crisis_answer(content, escalation, "nl", "BE").body[0].raw
    rig.api.hold = {answer}

    crisis = asyncio.create_task(rig.process(rig.update(10, CRISIS_TEXT)))
    await asyncio.wait_for(rig.api.holding.wait(), 5)
    await rig.process(rig.update(10, "gewoon een notitie"))
    rig.api.release.set()
    await crisis

    assert rig.repo.records(10, CheckIn)[0].note is None
    assert content.text("checkin.note_saved", "nl") not in rig.api.sent(10)


@pytest.mark.parametrize("change", [("country", "NL"), ("lang", "en")])
async def test_the_remembered_language_and_country_follow_every_change_the_bot_stores(
    rig, content, change
):
    """Found end to end: a coachee who chose the Netherlands while onboarding got the Belgian
    violence line, because the memory held the country of an earlier read."""
    rig.consent(10)
    await rig.process(rig.update(10, "/help"))  # remembered: nl, BE
    await rig.process(rig.update(10, data=callbacks.encode(callbacks.SETTINGS, *change)))
    before = len(rig.api.sent(10))
    rig.repo.broken = True

    await rig.process(rig.update(10, "/sos"))

    (answer,) = rig.api.sent(10)[before:]
    line = "113" if change[0] == "country" else "1813"
    assert is_crisis_answer(answer, line), answer
    opener = content.escalations.crisis.openers["sos"].get("en" if change[0] == "lang" else "nl")
    assert answer.startswith(opener)
