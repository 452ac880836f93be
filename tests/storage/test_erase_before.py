"""Retention's storage needs, on the TinyDB backend and the in-memory fake alike: remove one
coachee's records older than an instant in one write, and list the stored refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from test_repository import ALICE, BOB, T0, make_profile, make_record

from bot.core.models import RECORD_TYPES, CheckIn
from bot.core.ports import Repository
from bot.storage import atomic
from bot.storage.memory import InMemoryRepository
from bot.storage.tinydb_store import TinyDbRepository

CUT = T0 + timedelta(days=10)


@pytest.fixture(params=["tinydb", "memory"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Repository:
    if request.param == "tinydb":
        return TinyDbRepository(tmp_path / "data")
    return InMemoryRepository()


def fill(repo: Repository, user_id: int) -> None:
    """Two records of every kind on each side of CUT, and one exactly at it."""
    repo.save_profile(make_profile(user_id))
    for kind in RECORD_TYPES:
        for n, at in enumerate(
            (CUT - timedelta(days=9), CUT - timedelta(microseconds=1), CUT, CUT + timedelta(days=1))
        ):
            repo.add(user_id, make_record(kind, at, n))


def test_every_kind_older_than_the_instant_goes_and_the_rest_stays(repo: Repository) -> None:
    fill(repo, ALICE)
    fill(repo, BOB)

    removed = repo.erase_before(ALICE, CUT)

    assert removed == 2 * len(RECORD_TYPES)
    for kind in RECORD_TYPES:
        assert [r.at for r in repo.records(ALICE, kind)] == [CUT, CUT + timedelta(days=1)], kind
        assert len(repo.records(BOB, kind)) == 4, kind
    assert repo.load_profile(ALICE) == make_profile(ALICE)
    assert repo.user_ids() == [ALICE, BOB]


def test_running_it_again_removes_nothing_more(repo: Repository) -> None:
    fill(repo, ALICE)
    repo.erase_before(ALICE, CUT)
    before = repo.export(ALICE)

    assert repo.erase_before(ALICE, CUT) == 0
    assert repo.export(ALICE) == before


def test_instants_are_compared_not_clock_readings(repo: Repository) -> None:
    brussels_summer = timezone(timedelta(hours=2))
    # 01:30 on the 13th in Brussels is 23:30 UTC on the 12th: before a cut at midnight UTC.
    repo.add(ALICE, make_record(CheckIn, datetime(2025, 3, 13, 1, 30, tzinfo=brussels_summer)))
    repo.add(ALICE, make_record(CheckIn, datetime(2025, 3, 13, 2, 30, tzinfo=brussels_summer)))

    assert repo.erase_before(ALICE, datetime(2025, 3, 13, 0, 0, tzinfo=UTC)) == 1
    assert [r.at.hour for r in repo.records(ALICE, CheckIn)] == [2]


def test_a_naive_instant_is_refused(repo: Repository) -> None:
    fill(repo, ALICE)
    with pytest.raises(ValueError, match="naive"):
        repo.erase_before(ALICE, datetime(2025, 3, 13))
    assert len(repo.records(ALICE, CheckIn)) == 4


def test_an_unknown_user_is_harmless(repo: Repository) -> None:
    assert repo.erase_before(ALICE, CUT) == 0
    assert repo.load_profile(ALICE) is None
    assert repo.user_ids() == []


def test_the_file_is_written_once_and_not_at_all_when_nothing_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = TinyDbRepository(tmp_path / "data")
    fill(files, ALICE)
    writes: list[Path] = []
    real = atomic.write_atomically

    def counting(path: Path, text: str) -> None:
        writes.append(path)
        real(path, text)

    monkeypatch.setattr(atomic, "write_atomically", counting)

    files.erase_before(ALICE, CUT)
    # The month of the cut and the head (escalations, notices...), each written once.
    once = [files.part_path(ALICE, "2025-03"), files.part_path(ALICE, "profile")]
    assert writes == once
    files.erase_before(ALICE, CUT)
    assert writes == once
    files.erase_before(BOB, CUT)  # no file: none is created
    assert not files.user_path(BOB).exists()


def test_the_refusals_are_listed_with_their_instants(repo: Repository) -> None:
    assert repo.refusals() == {}
    repo.record_refusal(ALICE, T0)
    repo.record_refusal(BOB, T0 + timedelta(days=1))
    repo.save_profile(make_profile(BOB))  # said yes after all

    assert repo.refusals() == {ALICE: T0}
    repo.erase(ALICE)
    assert repo.refusals() == {}


def test_whole_months_before_the_cut_go_as_files_without_a_rewrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = TinyDbRepository(tmp_path / "data")
    files.save_profile(make_profile(ALICE))
    for month in range(1, 5):  # January to April 2025
        at = datetime(2025, month, 10, 8, 0, tzinfo=UTC)
        files.add(ALICE, make_record(CheckIn, at))
        files.add(ALICE, make_record(CheckIn, at + timedelta(days=10)))
    writes: list[Path] = []
    real = atomic.write_atomically
    monkeypatch.setattr(atomic, "write_atomically", lambda p, d: (writes.append(p), real(p, d)))

    removed = files.erase_before(ALICE, datetime(2025, 3, 15, tzinfo=UTC))

    assert removed == 5  # January and February whole, the first of March
    assert writes == [files.part_path(ALICE, "2025-03")]
    names = sorted(p.name for p in files.user_path(ALICE).iterdir())
    assert names == ["2025-03.json", "2025-04.json", "profile.json"]
    assert len(TinyDbRepository(files.data_dir).records(ALICE, CheckIn)) == 3


def test_history_without_a_profile_can_go_entirely(repo: Repository) -> None:
    repo.add(ALICE, make_record(CheckIn, T0))  # every part of this coachee is one old month

    assert repo.erase_before(ALICE, CUT) == 1
    assert repo.records(ALICE, CheckIn) == []
