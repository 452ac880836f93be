"""Erasure that holds: after erase, no write recreates that person's data until they consent
again. Run against the TinyDB backend and the in-memory fake alike."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.models import CheckIn, Consent, Profile, ReminderMark
from bot.core.ports import Repository, UserErased
from bot.storage.memory import InMemoryRepository
from bot.storage.tinydb_store import TinyDbRepository

T0 = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
ALICE, BOB = 1001, 2002


def profile(user_id: int = ALICE) -> Profile:
    return Profile(user_id, user_id, "nl", "BE", "Europe/Brussels", Consent(T0), T0)


def mark() -> ReminderMark:
    return ReminderMark("checkin", date(2026, 3, 30), 0, T0)


@pytest.fixture(params=["tinydb", "memory"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Repository:
    if request.param == "tinydb":
        return TinyDbRepository(tmp_path / "data")
    return InMemoryRepository()


def erased(repo: Repository) -> Repository:
    repo.save_profile(profile(ALICE))
    repo.add(ALICE, mark())
    repo.save_profile(profile(BOB))
    repo.erase(ALICE)
    return repo


@pytest.mark.parametrize(
    "write",
    [
        lambda repo: repo.add(ALICE, mark()),
        lambda repo: repo.replace(ALICE, mark()),
        lambda repo: repo.save_profile(profile(ALICE)),
    ],
    ids=["add", "replace", "save_profile"],
)
def test_no_write_recreates_an_erased_user(repo: Repository, write) -> None:
    erased(repo)

    with pytest.raises(UserErased):
        write(repo)

    assert repo.load_profile(ALICE) is None
    assert repo.records(ALICE, ReminderMark) == []
    assert repo.user_ids() == [BOB]


def test_the_refused_write_is_logged_by_event_and_user_id_only(
    repo: Repository, caplog: pytest.LogCaptureFixture
) -> None:
    erased(repo)
    caplog.set_level(logging.INFO)

    with pytest.raises(UserErased):
        repo.add(ALICE, CheckIn(T0, T0.date(), 3, 7, 2, note="private words"))

    (line,) = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert line == f"storage.erased_write_refused user={ALICE}"


def test_other_users_still_write(repo: Repository) -> None:
    erased(repo)
    repo.add(BOB, mark())

    assert len(repo.records(BOB, ReminderMark)) == 1


def test_consenting_again_lifts_the_tombstone(repo: Repository) -> None:
    erased(repo)

    repo.record_consent(ALICE)
    repo.save_profile(profile(ALICE))
    repo.add(ALICE, mark())

    assert repo.load_profile(ALICE) == profile(ALICE)
    assert len(repo.records(ALICE, ReminderMark)) == 1  # the old history stays gone
    assert repo.user_ids() == [ALICE, BOB]


def test_consent_of_someone_never_erased_changes_nothing(repo: Repository) -> None:
    repo.record_consent(ALICE)
    repo.save_profile(profile(ALICE))

    assert repo.load_profile(ALICE) == profile(ALICE)


def test_erasing_someone_who_never_consented_keeps_not_even_their_id(
    repo: Repository, tmp_path: Path
) -> None:
    """Nothing is stored before consent: a /delete from a stranger leaves no tombstone."""
    repo.erase(ALICE)
    repo.save_profile(profile(BOB))
    repo.erase(ALICE)

    # A "no" keeps only its date; erasing it (by /delete, or when it expires) keeps nothing,
    # not even the id as a tombstone: no job ever writes for someone who said no.
    repo.record_refusal(ALICE, T0)
    repo.erase(ALICE)
    assert repo.refused_at(ALICE) is None
    if isinstance(repo, TinyDbRepository):
        assert not list(tmp_path.rglob(f"{ALICE}*"))
        assert str(ALICE) not in (tmp_path / "data" / "index.json").read_text()
    repo.add(ALICE, mark())  # not refused: there is no tombstone


def test_a_stranger_erasing_creates_no_file(tmp_path: Path) -> None:
    repo = TinyDbRepository(tmp_path / "data")
    repo.erase(ALICE)

    assert list((tmp_path / "data").rglob("*")) == [tmp_path / "data" / "users"]


def test_the_tombstone_survives_a_restart_and_leaves_no_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    erased(TinyDbRepository(data))

    reopened = TinyDbRepository(data)
    with pytest.raises(UserErased):
        reopened.add(ALICE, mark())

    assert not (data / "users" / f"{ALICE}").exists()
    assert sorted(p.name for p in (data / "users").iterdir()) == [f"{BOB}"]
    assert reopened.user_ids() == [BOB]


def test_the_tombstone_keeps_only_the_user_id(tmp_path: Path) -> None:
    data = tmp_path / "data"
    erased(TinyDbRepository(data))

    index = (data / "index.json").read_text()
    assert f'"erased":{{"1":{{"user_id":{ALICE}}}}}' in index


def test_a_refusal_after_erasure_is_kept(repo: Repository) -> None:
    """Saying no keeps only that no; it is not a write of health data."""
    erased(repo)
    repo.record_refusal(ALICE, T0 + timedelta(days=1))

    assert repo.refused_at(ALICE) == T0 + timedelta(days=1)
