"""One unit of work per use case: one read, one atomic write, a lock per coachee."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.models import CheckIn, Consent, Profile
from bot.core.ports import UserErased
from bot.storage import atomic
from bot.storage.memory import InMemoryRepository
from bot.storage.tinydb_store import TinyDbRepository

NOW = datetime(2026, 3, 30, 14, 0, tzinfo=UTC)
ALICE = 1001


def profile() -> Profile:
    return Profile(ALICE, ALICE, "nl", "BE", "Europe/Brussels", Consent(given_at=NOW), NOW)


def checkin(n: int) -> CheckIn:
    at = NOW + timedelta(minutes=n)
    return CheckIn(at, at.date(), 5, 5, 3, id=f"c{n}")


@pytest.fixture(params=["memory", "tinydb"])
def repo(request, tmp_path):
    return InMemoryRepository() if request.param == "memory" else TinyDbRepository(tmp_path)


def test_changes_are_written_together_when_the_block_ends(repo):
    with repo.unit_of_work(ALICE) as coachee:
        coachee.save_profile(profile())
        coachee.add(checkin(1))
        coachee.add(checkin(2))
        assert [c.id for c in coachee.records(CheckIn)] == ["c1", "c2"]  # reads see writes

    assert repo.load_profile(ALICE) == profile()
    assert [c.id for c in repo.records(ALICE, CheckIn)] == ["c1", "c2"]
    assert repo.user_ids() == [ALICE]


def test_a_block_that_raises_writes_nothing(repo):
    repo.save_profile(profile())
    with pytest.raises(RuntimeError), repo.unit_of_work(ALICE) as coachee:
        coachee.add(checkin(1))
        raise RuntimeError("a bug halfway")

    assert repo.records(ALICE, CheckIn) == []


def test_one_file_write_per_unit_of_work(tmp_path, monkeypatch):
    repo = TinyDbRepository(tmp_path)
    repo.save_profile(profile())
    writes = []
    real = atomic.write_atomically
    monkeypatch.setattr(atomic, "write_atomically", lambda p, d: (writes.append(p), real(p, d)))

    with repo.unit_of_work(ALICE) as coachee:
        for n in range(5):
            coachee.add(checkin(n))
        coachee.replace(checkin(0))
    with repo.unit_of_work(ALICE) as coachee:
        coachee.records(CheckIn)  # a read alone writes nothing

    assert writes == [repo.part_path(ALICE, "2026-03")]  # the month; the head is unchanged


def test_the_lock_keeps_every_write_of_two_threads(repo):
    repo.save_profile(profile())

    def writer(offset: int) -> None:
        for n in range(offset, offset + 40):
            repo.add(ALICE, checkin(n))

    threads = [threading.Thread(target=writer, args=(k * 100,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(repo.records(ALICE, CheckIn)) == 80


def test_an_erased_coachee_is_refused_until_they_consent_again(repo):
    repo.save_profile(profile())
    repo.erase(ALICE)

    with pytest.raises(UserErased), repo.unit_of_work(ALICE) as coachee:
        coachee.add(checkin(1))
    with repo.unit_of_work(ALICE) as coachee:
        coachee.record_consent()
        coachee.save_profile(profile())

    assert repo.load_profile(ALICE) == profile()
    assert repo.records(ALICE, CheckIn) == []
