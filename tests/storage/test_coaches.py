"""The coach store contract, run against the TinyDB file and the in-memory twin alike, plus
what only the file has: sealing, atomic writes, nothing in plain text but hashes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.core.coaching import (
    CoachRead,
    CoachStore,
    Homework,
    Invitation,
    Link,
    PhaseSetting,
    Sharing,
    approve,
    request_coach,
    share,
)
from bot.storage.coaches import InMemoryCoachStore, TinyDbCoachStore
from bot.storage.sealing import PLAIN, DataKeyError, Sealer, new_key

COACH, ANN, BOB = 100, 1001, 1002


def at(day: int) -> datetime:
    return datetime(2026, 11, day, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "tinydb"])
def store(request, tmp_path: Path) -> CoachStore:
    if request.param == "memory":
        return InMemoryCoachStore()
    return TinyDbCoachStore(tmp_path)


def coach(user_id: int = COACH):
    return approve(request_coach(None, user_id, "Coach", at(1)), 1, frozenset({1}), at(1))


def test_coach_records_round_trip(store):
    assert store.coach(COACH) is None
    c = coach()
    store.save_coach(c)
    assert store.coach(COACH) == c
    changed = c.__class__(**{**c.__dict__, "digest_time": time(9, 30), "quiet_days": 5})
    store.save_coach(changed)
    assert store.coach(COACH) == changed
    assert store.coaches() == [changed]


def test_invitations_by_hash(store):
    invitation = Invitation("ab" * 32, COACH, at(1), at(8))
    store.save_invitation(invitation)
    assert store.invitation("ab" * 32) == invitation
    assert store.invitation("cd" * 32) is None
    used = Invitation("ab" * 32, COACH, at(1), at(8), used_at=at(2), used_by=ANN)
    store.save_invitation(used)
    assert store.invitation("ab" * 32) == used


def test_links_sharing_phase_homework_reads_and_digest_marks(store):
    store.save_link(Link(COACH, ANN, "Ann", at(2)))
    store.save_link(Link(COACH + 1, BOB, "Bob", at(2)))
    assert store.link_of(ANN) == Link(COACH, ANN, "Ann", at(2))
    assert store.links_of_coach(COACH) == [Link(COACH, ANN, "Ann", at(2))]
    sharing = share(Sharing(COACH, ANN), "checkins", True, at(3))
    store.save_sharing(sharing)
    assert store.sharing(ANN) == sharing
    store.save_phase(PhaseSetting(ANN, "coping", at(4), COACH))
    assert store.phase(ANN) == PhaseSetting(ANN, "coping", at(4), COACH)
    hw = Homework("h1", COACH, ANN, "box-breathing", "daily", date(2026, 11, 16), 14, at(5))
    store.save_homework(hw)
    assert store.homework(ANN) == [hw]
    read = CoachRead(COACH, ANN, ("checkins",), at(6), "digest")
    store.log_read(read)
    store.log_read(CoachRead(COACH, ANN, (), at(7), "coachees"))
    assert store.reads(ANN) == [read, CoachRead(COACH, ANN, (), at(7), "coachees")]
    assert store.digest_sent_week(COACH) is None
    store.mark_digest_sent(COACH, date(2026, 11, 16), at(23))
    assert store.digest_sent_week(COACH) == date(2026, 11, 16)
    store.mark_digest_sent(COACH, date(2026, 11, 23), at(30))
    assert store.digest_sent_week(COACH) == date(2026, 11, 23)
    store.remove_link(ANN)
    assert store.link_of(ANN) is None and store.sharing(ANN) is None
    assert store.links_of_coach(COACH) == []
    assert store.reads(ANN) != []  # the coachee keeps the record of who read what


def test_erase_person_as_coachee_removes_every_trace(store):
    store.save_coach(coach())
    store.save_link(Link(COACH, ANN, "Ann", at(2)))
    store.save_sharing(share(Sharing(COACH, ANN), "alerts", True, at(3)))
    store.save_phase(PhaseSetting(ANN, "coping", at(4), COACH))
    store.save_homework(Homework("h", COACH, ANN, "x", "weekly", date(2026, 11, 16), 7, at(5)))
    store.log_read(CoachRead(COACH, ANN, ("alerts",), at(6), "digest"))
    store.save_invitation(Invitation("ef" * 32, COACH, at(1), at(8), at(2), ANN))
    store.save_link(Link(COACH, BOB, "Bob", at(2)))
    store.erase_person(ANN)
    assert store.link_of(ANN) is None and store.sharing(ANN) is None
    assert store.phase(ANN) is None and store.homework(ANN) == [] and store.reads(ANN) == []
    assert store.invitation("ef" * 32).used_by is None  # used, by no one we remember
    assert store.invitation("ef" * 32).used_at == at(2)  # still cannot be used again
    assert store.link_of(BOB) is not None and store.coach(COACH) is not None


def test_erase_person_as_coach_removes_their_record_links_and_invitations(store):
    store.save_coach(coach())
    store.save_link(Link(COACH, ANN, "Ann", at(2)))
    store.save_sharing(share(Sharing(COACH, ANN), "alerts", True, at(3)))
    store.save_invitation(Invitation("ab" * 32, COACH, at(1), at(8)))
    store.log_read(CoachRead(COACH, ANN, ("alerts",), at(6), "digest"))
    store.mark_digest_sent(COACH, date(2026, 11, 16), at(23))
    store.erase_person(COACH)
    assert store.coach(COACH) is None and store.link_of(ANN) is None
    assert store.sharing(ANN) is None and store.invitation("ab" * 32) is None
    assert store.digest_sent_week(COACH) is None
    assert len(store.reads(ANN)) == 1  # Ann's own record of who read her data stays


def test_an_erased_coachs_coachees_keep_no_phase_setting_or_homework_of_the_link(store):
    store.save_coach(coach())
    store.save_link(Link(COACH, ANN, "Ann", at(2)))
    store.save_phase(PhaseSetting(ANN, "coping", at(2), ANN))  # the link started from Ann's own
    store.save_homework(Homework("h", COACH, ANN, "x", "weekly", date(2026, 11, 16), 7, at(5)))
    store.save_link(Link(200, BOB, "Bob", at(2)))
    store.save_phase(PhaseSetting(BOB, "return", at(2), BOB))
    store.erase_person(COACH)
    assert store.phase(ANN) is None and store.homework(ANN) == []
    assert store.phase(BOB) is not None and store.link_of(BOB) is not None


def test_an_unlink_takes_the_sharing_homework_and_phase_setting_of_that_coachee(store):
    store.save_coach(coach())
    for who in (ANN, BOB):
        store.save_link(Link(COACH, who, "x", at(2)))
        store.save_sharing(share(Sharing(COACH, who), "alerts", True, at(3)))
        store.save_phase(PhaseSetting(who, "coping", at(4), COACH))
        store.save_homework(
            Homework(f"h{who}", COACH, who, "x", "daily", date(2026, 11, 16), 7, at(5))
        )
    store.remove_link(ANN)
    assert store.sharing(ANN) is None and store.phase(ANN) is None and store.homework(ANN) == []
    assert store.sharing(BOB) is not None and store.phase(BOB) is not None
    assert store.homework(BOB) != []


def test_a_coach_who_stops_and_their_links_end_in_one_write(store):
    store.save_coach(coach())
    for who in (ANN, BOB):
        store.save_link(Link(COACH, who, "x", at(2)))
        store.save_sharing(share(Sharing(COACH, who), "alerts", True, at(3)))
    store.save_link(Link(200, 1003, "y", at(2)))
    store.log_read(CoachRead(COACH, ANN, ("alerts",), at(6), "digest"))
    writes: list[object] = []
    write = store._write
    store._write = lambda rows, reads=False: (writes.append(reads), write(rows, reads))  # type: ignore[method-assign]
    stopped = approve(request_coach(None, COACH, "Coach", at(1)), 1, frozenset({1}), at(1))
    stopped = stopped.__class__(**{**stopped.__dict__, "status": "stepped_down"})

    ended = store.end_coach(stopped)

    assert writes == [False]
    assert [link.coachee_id for link in ended] == [ANN, BOB]
    assert store.coach(COACH).status == "stepped_down" and store.links_of_coach(COACH) == []
    assert store.sharing(ANN) is None and store.link_of(1003) is not None
    assert len(store.reads(ANN)) == 1


def test_the_file_survives_a_reopen_and_is_sealed_with_a_key(tmp_path):
    sealer = Sealer.with_keys([new_key()])
    first = TinyDbCoachStore(tmp_path, sealer)
    first.save_coach(coach())
    first.save_link(Link(COACH, ANN, "Ann Secretname", at(2)))
    again = TinyDbCoachStore(tmp_path, sealer)
    assert again.coach(COACH) == coach()
    raw = (tmp_path / "coaches.json").read_bytes()
    assert b"Secretname" not in raw and str(ANN).encode() not in raw
    assert (tmp_path / "coaches.json").stat().st_mode & 0o777 == 0o600
    with pytest.raises(DataKeyError):
        TinyDbCoachStore(tmp_path).coach(COACH)  # no key: refused, never half-read


def test_a_plain_store_holds_only_the_hash_of_a_code(tmp_path):
    from bot.core.coaching import invite

    store = TinyDbCoachStore(tmp_path)
    store.save_coach(coach())
    code, invitation = invite(store, COACH, at(2), b"pepper")
    text = (tmp_path / "coaches.json").read_text()
    assert code not in text and invitation.code_hash in text


def test_many_reads_stay_quick_enough(store):
    for n in range(300):
        store.log_read(
            CoachRead(COACH, ANN + n % 60, ("checkins",), at(1) + timedelta(minutes=n), "digest")
        )
    assert len(store.reads(ANN)) == 5


def test_erasing_a_stranger_writes_no_file(tmp_path):
    store = TinyDbCoachStore(tmp_path)
    store.erase_person(ANN)
    assert not (tmp_path / "coaches.json").exists()


def test_the_read_log_lives_apart_so_the_coaching_file_stays_small(tmp_path):
    store = TinyDbCoachStore(tmp_path)
    store.save_coach(coach())
    size = (tmp_path / "coaches.json").stat().st_size
    for n in range(50):
        store.log_read(CoachRead(COACH, ANN, ("checkins",), at(1) + timedelta(hours=n), "digest"))
    assert (tmp_path / "coaches.json").stat().st_size == size
    assert len(TinyDbCoachStore(tmp_path).reads(ANN)) == 50


# --- the read log by month, the kept coaching part (issue 10: the coach side at scale) ------


def read(coachee: int, when: datetime, purpose: str = "digest") -> CoachRead:
    return CoachRead(COACH, coachee, ("checkins",), when, purpose)  # type: ignore[arg-type]


def test_reads_of_several_months_are_all_found_and_an_erasure_takes_them_from_every_month(store):
    store.log_read(read(ANN, at(28)), read(BOB, at(28)))
    store.log_read(read(ANN, datetime(2026, 12, 2, 9, tzinfo=UTC)))
    store.log_read(read(ANN, datetime(2027, 1, 5, 9, tzinfo=UTC), "report"))

    assert [r.at.month for r in store.reads(ANN)] == [11, 12, 1]
    store.erase_person(ANN)

    assert store.reads(ANN) == [] and len(store.reads(BOB)) == 1


def test_logging_a_read_rewrites_its_month_only(tmp_path):
    store = TinyDbCoachStore(tmp_path)
    store.log_read(*(read(ANN + n, at(3)) for n in range(20)))
    november = tmp_path / "coach-reads" / "2026-11.json"
    before = november.read_bytes()

    store.log_read(read(ANN, datetime(2026, 12, 1, 8, tzinfo=UTC)))

    assert november.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "coach-reads").iterdir()) == [
        "2026-11.json",
        "2026-12.json",
    ]
    assert not (tmp_path / "coach-reads.json").exists()
    assert (tmp_path / "coach-reads").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "coach-reads" / "2026-12.json").stat().st_mode & 0o777 == 0o600
    assert len(TinyDbCoachStore(tmp_path).reads(ANN)) == 2


def legacy_read_log(folder: Path, sealer: Sealer, *reads: CoachRead) -> None:
    """coach-reads.json as the store wrote it before the split by month."""
    from bot.storage.atomic import AtomicJSONStorage
    from bot.storage.codec import to_json

    rows = {str(n): to_json(r) for n, r in enumerate(reads, start=1)}
    AtomicJSONStorage(folder / "coach-reads.json", sealer).write({"reads": rows})


def test_a_read_log_from_before_the_split_is_split_by_month_on_open(tmp_path):
    sealer = Sealer.with_keys([new_key()])
    december = datetime(2026, 12, 7, 8, tzinfo=UTC)
    legacy_read_log(tmp_path, sealer, read(ANN, at(2)), read(BOB, at(9)), read(ANN, december))

    store = TinyDbCoachStore(tmp_path, sealer)

    assert store.migrated == 3 and not (tmp_path / "coach-reads.json").exists()
    assert [r.at for r in store.reads(ANN)] == [at(2), december]
    assert [r.at for r in store.reads(BOB)] == [at(9)]
    for month in ("2026-11", "2026-12"):
        raw = (tmp_path / "coach-reads" / f"{month}.json").read_bytes()
        assert b"checkins" not in raw  # sealed, as the old file was
    assert TinyDbCoachStore(tmp_path, sealer).migrated == 0


def test_a_split_killed_halfway_is_done_again_without_a_read_twice(tmp_path):
    december = datetime(2026, 12, 7, 8, tzinfo=UTC)
    legacy_read_log(tmp_path, PLAIN, read(ANN, at(2)), read(ANN, at(2)), read(ANN, december))
    TinyDbCoachStore(tmp_path)  # split, then the old file is put back: killed before unlink
    legacy_read_log(tmp_path, PLAIN, read(ANN, at(2)), read(ANN, at(2)), read(ANN, december))

    store = TinyDbCoachStore(tmp_path)

    assert [r.at for r in store.reads(ANN)] == [at(2), at(2), december]
    assert not (tmp_path / "coach-reads.json").exists()


def test_store_calls_parse_the_coaching_file_once_until_it_is_written(tmp_path, monkeypatch):
    from bot.storage import atomic

    store = TinyDbCoachStore(tmp_path, Sealer.with_keys([new_key()]))
    store.save_coach(coach())
    store.save_link(Link(COACH, ANN, "Ann", at(2)))
    parsed: list[Path] = []
    real = atomic.AtomicJSONStorage.read
    monkeypatch.setattr(
        atomic.AtomicJSONStorage, "read", lambda self: (parsed.append(self.path), real(self))[1]
    )

    for _ in range(50):
        assert store.link_of(ANN) is not None and store.coach(COACH) is not None
    store.save_sharing(share(Sharing(COACH, ANN), "alerts", True, at(3)))
    assert store.sharing(ANN) is not None and store.links_of_coach(COACH) != []

    assert parsed == []  # what the store wrote is what it keeps


def test_a_coaching_file_replaced_by_another_writer_is_read_again(tmp_path):
    first = TinyDbCoachStore(tmp_path)
    first.save_coach(coach())
    assert first.link_of(ANN) is None
    TinyDbCoachStore(tmp_path).save_link(Link(COACH, ANN, "Ann", at(2)))

    assert first.link_of(ANN) == Link(COACH, ANN, "Ann", at(2))


def test_a_write_that_fails_leaves_the_store_as_the_file_is(tmp_path, monkeypatch):
    from bot.storage import atomic

    store = TinyDbCoachStore(tmp_path)
    store.save_coach(coach())
    store.log_read(read(ANN, at(3)))

    def full_disk(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "write_atomically", full_disk)
    with pytest.raises(OSError):
        store.save_link(Link(COACH, ANN, "Ann", at(2)))
    with pytest.raises(OSError):
        store.log_read(read(ANN, at(4)))
    monkeypatch.undo()

    assert store.link_of(ANN) is None and store.coach(COACH) == coach()
    assert [r.at for r in store.reads(ANN)] == [at(3)]


def test_the_index_follows_every_change(store):
    store.save_coach(coach())
    store.save_link(Link(COACH, ANN, "Ann", at(2)))
    assert [link.coachee_id for link in store.links_of_coach(COACH)] == [ANN]
    store.save_link(Link(COACH, BOB, "Bob", at(2)))
    store.save_link(Link(200, ANN, "Ann", at(4)))  # Ann moved to another coach

    assert [link.coachee_id for link in store.links_of_coach(COACH)] == [BOB]
    assert store.link_of(ANN).coach_id == 200
    store.mark_digest_sent(COACH, date(2026, 11, 23), at(23))
    store.mark_digest_sent(COACH, date(2026, 11, 30), at(30))
    assert store.digest_sent_week(COACH) == date(2026, 11, 30)
    store.remove_link(BOB)
    assert store.links_of_coach(COACH) == [] and store.link_of(BOB) is None


def test_a_write_serialises_only_the_tables_it_changed_and_the_file_reads_back_whole(
    tmp_path, monkeypatch
):
    import json

    from bot.storage import coaches as module
    from bot.storage.migrations import CURRENT_SCHEMA

    store = TinyDbCoachStore(tmp_path)
    store.save_coach(coach())
    for n in range(30):
        store.save_link(Link(COACH, ANN + n, f"C{n}", at(2)))
        store.save_homework(
            Homework(
                f"h{n}", COACH, ANN + n, "box_breathing", "daily", date(2026, 11, 2), 14, at(2)
            )
        )
    serialised: list[str] = []
    real = module._dumps
    monkeypatch.setattr(
        module, "_dumps", lambda value: serialised.append(real(value)) or real(value)
    )

    store.mark_digest_sent(COACH, date(2026, 11, 23), at(23))

    assert not any("box_breathing" in text or "C29" in text for text in serialised)
    document = json.loads((tmp_path / "coaches.json").read_text())
    assert document["_meta"] == {"1": {"schema": CURRENT_SCHEMA}}
    assert len(document["homework"]) == 30 and document["links"]["30"]["name"] == "C29"
    again = TinyDbCoachStore(tmp_path)
    assert again.digest_sent_week(COACH) == date(2026, 11, 23)
    assert len(again.links_of_coach(COACH)) == 30 and len(again.homework(ANN + 29)) == 1
