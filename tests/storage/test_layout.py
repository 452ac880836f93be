"""The folder per coachee: a head and one file per month, read lazily, cached write-through,
and folders from before the split (one file per coachee) split on start."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_repository import ALICE, BOB, make_profile, make_record

from bot.core.models import RECORD_TYPES, CheckIn, Escalation, ReminderMark
from bot.storage import atomic
from bot.storage.atomic import AtomicJSONStorage
from bot.storage.codec import table_name, to_json
from bot.storage.migrations import stamp
from bot.storage.sealing import PLAIN, Sealer, new_key
from bot.storage.tinydb_store import TinyDbRepository

START = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
NOW = datetime(2025, 12, 31, 9, 0, tzinfo=UTC)


def a_year(repo: TinyDbRepository, user_id: int = ALICE) -> None:
    """A check-in and a reminder mark a day through 2025, and an escalation in March."""
    repo.save_profile(make_profile(user_id))
    with repo.unit_of_work(user_id) as coachee:
        for day in range(365):
            at = START + timedelta(days=day)
            coachee.add(make_record(CheckIn, at, day))
            coachee.add(make_record(ReminderMark, at - timedelta(minutes=1), day))
        coachee.add(make_record(Escalation, datetime(2025, 3, 5, tzinfo=UTC)))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The data files read from now on, as 'users/<id>/<part>' (or 'index')."""
    seen: list[str] = []
    real = AtomicJSONStorage.read

    def noting(self: AtomicJSONStorage):  # type: ignore[no-untyped-def]
        seen.append("/".join(self.path.with_suffix("").parts[-3:]).removeprefix("data/"))
        return real(self)

    monkeypatch.setattr(AtomicJSONStorage, "read", noting)
    return seen


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = atomic.write_atomically
    monkeypatch.setattr(atomic, "write_atomically", lambda p, d: (seen.append(p), real(p, d)))
    return seen


def test_a_year_lies_in_twelve_months_and_a_head(tmp_path: Path) -> None:
    repo = TinyDbRepository(tmp_path)
    a_year(repo)
    names = sorted(p.name for p in repo.user_path(ALICE).iterdir())
    assert names == [f"2025-{m:02d}.json" for m in range(1, 13)] + ["profile.json"]
    head = json.loads(repo.part_path(ALICE, "profile").read_text())
    assert set(head) == {"_meta", "profile", table_name(Escalation)}


def test_recording_rewrites_only_the_month_it_falls_in(tmp_path: Path, writes: list[Path]) -> None:
    repo = TinyDbRepository(tmp_path)
    a_year(repo)
    writes.clear()

    repo.add(ALICE, make_record(CheckIn, NOW, 7))

    assert writes == [repo.part_path(ALICE, "2025-12")]
    assert writes[0].stat().st_size < 20_000  # a month, not a year


def test_recent_history_opens_only_the_months_it_needs(tmp_path: Path, reads: list[str]) -> None:
    a_year(TinyDbRepository(tmp_path))
    repo = TinyDbRepository(tmp_path)  # a restart: nothing cached
    reads.clear()

    recent = repo.records(ALICE, CheckIn, since=NOW - timedelta(days=40))

    assert recent[0].at.date() == (START + timedelta(days=325)).date()
    assert len(recent) == 40
    assert sorted(reads) == [
        f"users/{ALICE}/2025-11",
        f"users/{ALICE}/2025-12",
        "users/1001/profile",
    ]
    reads.clear()
    assert len(repo.records(ALICE, Escalation)) == 1  # a rare kind: the head only
    assert reads == []
    assert len(repo.records(ALICE, CheckIn)) == 365  # everything, when asked for everything
    assert len(reads) == 10  # the ten months not yet read


def test_a_second_unit_of_work_reads_no_file_and_sees_the_first_ones_write(
    tmp_path: Path, reads: list[str]
) -> None:
    repo = TinyDbRepository(tmp_path)
    a_year(repo)
    repo.records(ALICE, CheckIn, since=NOW - timedelta(days=3))
    reads.clear()

    latest = make_record(CheckIn, NOW, 99)
    with repo.unit_of_work(ALICE) as coachee:
        coachee.add(latest)
    with repo.unit_of_work(ALICE) as coachee:
        assert coachee.profile == make_profile(ALICE)
        assert coachee.records(CheckIn, since=NOW)[-1] == latest
        assert coachee.find(CheckIn, latest.id) == latest

    assert reads == []  # written through: the cache holds what the disk holds
    assert TinyDbRepository(tmp_path).records(ALICE, CheckIn, since=NOW) == [latest]


def test_a_unit_of_work_that_raises_leaves_the_cache_as_the_disk(tmp_path: Path) -> None:
    repo = TinyDbRepository(tmp_path)
    a_year(repo)
    before = repo.records(ALICE, CheckIn, since=NOW - timedelta(days=3))

    with pytest.raises(RuntimeError), repo.unit_of_work(ALICE) as coachee:
        coachee.add(make_record(CheckIn, NOW, 5))
        coachee.save_profile(make_profile(ALICE, phase="rest"))
        raise RuntimeError("a bug halfway")

    assert repo.records(ALICE, CheckIn, since=NOW - timedelta(days=3)) == before
    assert repo.load_profile(ALICE) == make_profile(ALICE)


def test_a_write_that_fails_halfway_leaves_no_stale_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = TinyDbRepository(tmp_path)
    a_year(repo)
    real = atomic.write_atomically

    def month_then_fail(path: Path, data: bytes) -> None:
        if path.name == "profile.json":
            raise OSError("disk full")
        real(path, data)

    monkeypatch.setattr(atomic, "write_atomically", month_then_fail)
    with pytest.raises(OSError), repo.unit_of_work(ALICE) as coachee:
        coachee.add(make_record(CheckIn, NOW, 5))  # its month is written first
        coachee.save_profile(make_profile(ALICE, phase="rest"))  # the head fails

    # What the cache says is what a restart reads: the month's write landed, the head's not.
    fresh = TinyDbRepository(tmp_path)
    assert repo.records(ALICE, CheckIn) == fresh.records(ALICE, CheckIn)
    assert repo.load_profile(ALICE) == fresh.load_profile(ALICE) == make_profile(ALICE)


def test_replace_moves_a_record_whose_instant_moved_to_another_month(tmp_path: Path) -> None:
    repo = TinyDbRepository(tmp_path)
    mark = make_record(ReminderMark, datetime(2025, 5, 31, 23, 50, tzinfo=UTC))
    repo.add(ALICE, mark)
    moved = ReminderMark(**{**mark.__dict__, "at": datetime(2025, 6, 1, 0, 5, tzinfo=UTC)})

    repo.replace(ALICE, moved)

    assert repo.records(ALICE, ReminderMark) == [moved]
    assert sorted(p.name for p in repo.user_path(ALICE).iterdir()) == [
        "2025-05.json",
        "2025-06.json",
    ]
    assert TinyDbRepository(tmp_path).records(ALICE, ReminderMark) == [moved]


def test_the_cache_is_bounded(tmp_path: Path) -> None:
    repo = TinyDbRepository(tmp_path, cache_parts=10)
    for user_id in range(1, 30):
        repo.save_profile(make_profile(user_id))
        repo.add(user_id, make_record(CheckIn, NOW, user_id))
        repo.records(user_id, CheckIn)
    assert repo.cache.parts <= 10
    assert all(repo.records(u, CheckIn)[0].energy == u % 11 for u in range(1, 30))


def test_erasing_forgets_the_cached_coachee(tmp_path: Path) -> None:
    repo = TinyDbRepository(tmp_path)
    a_year(repo)
    repo.erase(ALICE)
    assert repo.load_profile(ALICE) is None
    assert repo.records(ALICE, CheckIn) == []


def test_two_threads_on_one_coachee_through_the_cache_keep_every_write(tmp_path: Path) -> None:
    repo = TinyDbRepository(tmp_path, cache_parts=3)
    repo.save_profile(make_profile(ALICE))

    def writer(offset: int) -> None:
        for n in range(offset, offset + 30):
            # Spread over months, and others' writes push Alice out of the small cache.
            repo.add(ALICE, make_record(CheckIn, START + timedelta(days=10 * n), n))
            repo.save_profile(make_profile(BOB + offset + n))

    threads = [threading.Thread(target=writer, args=(k * 100,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(repo.records(ALICE, CheckIn)) == 60
    assert len(TinyDbRepository(tmp_path).records(ALICE, CheckIn)) == 60


# --- folders from before the split ----------------------------------------------------------


def write_legacy(folder: Path, user_id: int, sealer: Sealer = PLAIN) -> dict[type, list]:
    """One coachee's single file as the bot wrote it before the split: every kind, over
    three months."""
    stored = {
        kind: [make_record(kind, START + timedelta(days=31 * n, hours=n), n) for n in range(3)]
        for kind in RECORD_TYPES
    }
    document = stamp(
        {
            "profile": {"1": to_json(make_profile(user_id))},
            **{
                table_name(kind): {str(i + 1): to_json(r) for i, r in enumerate(records)}
                for kind, records in stored.items()
            },
        }
    )
    (folder / "users").mkdir(parents=True, exist_ok=True)
    AtomicJSONStorage(folder / "users" / f"{user_id}.json", sealer=sealer).write(document)
    return stored


def list_users(folder: Path, *user_ids: int) -> None:
    index = stamp({"users": {str(i + 1): {"user_id": u} for i, u in enumerate(user_ids)}})
    AtomicJSONStorage(folder / "index.json").write(index)


def test_a_folder_of_single_files_is_split_on_start(tmp_path: Path) -> None:
    alice, bob = write_legacy(tmp_path, ALICE), write_legacy(tmp_path, BOB)
    list_users(tmp_path, ALICE, BOB)

    repo = TinyDbRepository(tmp_path)

    assert repo.migrated == 2
    assert sorted(p.name for p in (tmp_path / "users").iterdir()) == [str(ALICE), str(BOB)]
    assert sorted(p.name for p in repo.user_path(ALICE).iterdir()) == [
        "2025-01.json",
        "2025-02.json",
        "2025-03.json",
        "profile.json",
    ]
    for user_id, stored in ((ALICE, alice), (BOB, bob)):
        assert repo.load_profile(user_id) == make_profile(user_id)
        for kind, records in stored.items():
            assert repo.records(user_id, kind) == records, kind
    assert repo.user_ids() == [ALICE, BOB]
    assert TinyDbRepository(tmp_path).migrated == 0  # done once


def test_a_split_killed_halfway_is_done_again_at_the_next_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = write_legacy(tmp_path, ALICE)
    list_users(tmp_path, ALICE)
    real, done = atomic.write_atomically, []

    def killed_after_two(path: Path, data: bytes) -> None:
        if len(done) == 2:
            raise KeyboardInterrupt  # the process dies between two parts
        done.append(path)
        real(path, data)

    monkeypatch.setattr(atomic, "write_atomically", killed_after_two)
    with pytest.raises(KeyboardInterrupt):
        TinyDbRepository(tmp_path)
    monkeypatch.setattr(atomic, "write_atomically", real)
    assert (tmp_path / "users" / f"{ALICE}.json").exists()  # the old file stays until the end

    repo = TinyDbRepository(tmp_path)

    assert repo.migrated == 1
    assert not (tmp_path / "users" / f"{ALICE}.json").exists()
    for kind, records in stored.items():
        assert repo.records(ALICE, kind) == records, kind


def test_an_encrypted_folder_is_split_and_stays_encrypted(tmp_path: Path) -> None:
    sealer = Sealer.with_keys([new_key()])
    stored = write_legacy(tmp_path, ALICE, sealer)

    repo = TinyDbRepository(tmp_path, sealer)

    assert repo.migrated == 1
    for path in repo.user_path(ALICE).iterdir():
        assert path.read_bytes().startswith(b"gAAAAA")
    assert repo.records(ALICE, CheckIn) == stored[CheckIn]


def test_a_unit_of_work_writing_two_files_syncs_their_folder_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = TinyDbRepository(tmp_path)
    a_year(repo)
    synced: list[int] = []
    real = atomic.os.fsync
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (synced.append(fd), real(fd)))

    with repo.unit_of_work(ALICE) as coachee:
        coachee.add(make_record(CheckIn, NOW, 1))
        coachee.save_profile(make_profile(ALICE, phase="rest"))

    assert len(synced) == 3  # each file once, then their folder once
    fresh = TinyDbRepository(tmp_path)
    assert fresh.load_profile(ALICE).phase == "rest"
    assert fresh.records(ALICE, CheckIn, since=NOW)[-1].energy == 1


def test_first_consents_at_the_same_moment_are_all_listed(tmp_path: Path) -> None:
    repo = TinyDbRepository(tmp_path)
    failures: list[BaseException] = []

    def consent(first: int) -> None:
        for user_id in range(first, first + 25):
            try:
                repo.save_profile(make_profile(user_id))
            except BaseException as exc:  # recorded: a failure is the bug, not the test's
                failures.append(exc)

    threads = [threading.Thread(target=consent, args=(k * 1000,)) for k in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(TinyDbRepository(tmp_path).user_ids()) == 150
