"""The repository contract, run against the TinyDB backend and the in-memory fake alike.

Whatever core is tested against (the fake) must behave like what runs in production (the
files); the second half holds what only the files have: schema versions and per-user files.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.core.awaiting import Awaiting
from bot.core.models import (
    RECORD_TYPES,
    CheckIn,
    Consent,
    CrisisQuestion,
    Escalation,
    ExerciseLog,
    LastSeen,
    Moments,
    Profile,
    QuestionnaireResult,
    Reflection,
    ReminderMark,
    RetentionNotice,
    RunningExercise,
    Snooze,
)
from bot.core.ports import Repository
from bot.storage import migrations
from bot.storage.atomic import AtomicJSONStorage, DataFileError
from bot.storage.codec import table_name, to_json
from bot.storage.memory import InMemoryRepository
from bot.storage.migrations import CURRENT_SCHEMA, META_TABLE, SchemaError
from bot.storage.tinydb_store import TinyDbRepository

T0 = datetime(2025, 3, 3, 8, 15, 30, 123456, tzinfo=UTC)
ALICE, BOB = 1001, 2002


@pytest.fixture(params=["tinydb", "memory"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Repository:
    if request.param == "tinydb":
        return TinyDbRepository(tmp_path / "data")
    return InMemoryRepository()


@pytest.fixture
def files(tmp_path: Path) -> TinyDbRepository:
    return TinyDbRepository(tmp_path / "data")


def make_profile(user_id: int = ALICE, **changes: Any) -> Profile:
    """A profile with every field away from its default, so a dropped field shows."""
    values: dict[str, Any] = dict(
        user_id=user_id,
        chat_id=user_id + 7,
        lang="en",
        country="NL",
        timezone="Europe/Amsterdam",
        consent=Consent(
            given_at=T0,
            version=3,
            share_checkins=True,
            share_alerts=True,
            share_reflections_default=True,
        ),
        created_at=T0 + timedelta(seconds=1),
        phase="acceptance",
        moments=Moments(checkin=time(7, 45), exercise=None, reflection=time(21, 5, 30)),
        quiet_start=time(23, 15),
        quiet_end=time(6, 0),
        paused_until=datetime(2025, 3, 10, 9, 0, tzinfo=timezone(timedelta(hours=1))),
        coach_id=42,
        questionnaire_weeks=4,
        inactive_since=datetime(2025, 3, 12, 18, 30, tzinfo=timezone(timedelta(hours=1))),
        onboarding="timezone",
        settings_closed_on=1234,
    )
    values.update(changes)
    return Profile(**values)


def make_record(kind: type, at: datetime, n: int = 0) -> Any:
    """One record of `kind` at `at`, optional fields filled; `n` varies the content."""
    day = at.date()
    makers: dict[type, Callable[[], Any]] = {
        CheckIn: lambda: CheckIn(
            at, day, energy=n % 11, stress=10 - n % 11, sleep=1 + n % 5, note=f"note {n} – é"
        ),
        ExerciseLog: lambda: ExerciseLog("box-breathing", at, day, "later" if n else "done"),
        Reflection: lambda: Reflection(f"prompt-{n}", at, day, f"answer {n}", shared=True),
        Escalation: lambda: Escalation(
            "gp",
            "questionnaire",
            f"rule-{n}",
            "alcohol",
            at,
            followup_due=at + timedelta(days=3),
            followup_sent=bool(n % 2),
        ),
        QuestionnaireResult: lambda: QuestionnaireResult(
            "phq9", at, (("q1", n), ("q9", 0)), 7.5, "mild"
        ),
        ReminderMark: lambda: ReminderMark("checkin", day, n, at),
        Snooze: lambda: Snooze("exercise", day, at, at + timedelta(minutes=30)),
        RetentionNotice: lambda: RetentionNotice(
            "history" if n % 2 else "inactive", at, day + timedelta(days=7), at - timedelta(days=n)
        ),
        LastSeen: lambda: LastSeen(at, id=f"seen-{n}"),
        Awaiting: lambda: Awaiting(
            "note", f"c{n}", 10 + n, at, at + timedelta(hours=1), id=f"awaiting-{n}"
        ),
        RunningExercise: lambda: RunningExercise(
            "box-breathing",
            f"run{n}",
            n,
            10 + n,
            "en",
            at,
            at + timedelta(seconds=15),
            100 + n,
            id=f"running-{n}",
        ),
        CrisisQuestion: lambda: CrisisQuestion(
            "ask", 10 + n, 200 + n, at, at + timedelta(hours=6), id=f"question-{n}"
        ),
    }
    assert set(makers) == set(RECORD_TYPES), "a new record type needs a maker here"
    return makers[kind]()


def as_json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --- profile --------------------------------------------------------------------------------


def test_the_sample_profile_sets_every_field_away_from_its_default() -> None:
    """A new Profile field must be added to make_profile, or its loss would go unseen."""
    sample = make_profile()
    for field in dataclasses.fields(Profile):
        if field.default is not dataclasses.MISSING:
            assert getattr(sample, field.name) != field.default, field.name
        elif field.default_factory is not dataclasses.MISSING:
            assert getattr(sample, field.name) != field.default_factory(), field.name


def test_a_profile_comes_back_with_every_field(repo: Repository) -> None:
    profile = make_profile()
    repo.save_profile(profile)

    loaded = repo.load_profile(ALICE)

    assert loaded == profile
    assert isinstance(loaded.consent, Consent) and isinstance(loaded.moments, Moments)
    assert loaded.moments.exercise is None
    assert loaded.paused_until.utcoffset() == timedelta(hours=1)
    assert loaded.created_at.tzinfo is not None


def test_a_profile_with_defaults_comes_back_too(repo: Repository) -> None:
    profile = Profile(BOB, BOB, "nl", "BE", "Europe/Brussels", Consent(T0), T0)
    repo.save_profile(profile)
    assert repo.load_profile(BOB) == profile


def test_saving_again_replaces_the_profile(repo: Repository) -> None:
    repo.save_profile(make_profile())
    repo.save_profile(make_profile(phase="rest", coach_id=None))

    assert repo.load_profile(ALICE) == make_profile(phase="rest", coach_id=None)
    assert repo.user_ids() == [ALICE]


def test_an_unknown_user_has_no_profile_and_no_history(repo: Repository) -> None:
    assert repo.load_profile(ALICE) is None
    assert all(repo.records(ALICE, kind) == [] for kind in RECORD_TYPES)
    assert repo.refused_at(ALICE) is None
    assert repo.user_ids() == []


# --- records --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", RECORD_TYPES, ids=lambda kind: kind.__name__)
def test_records_come_back_equal_and_in_time_order(repo: Repository, kind: type) -> None:
    late, early, middle = (
        make_record(kind, T0 + timedelta(hours=h), n) for n, h in enumerate((5, 1, 3))
    )
    for record in (late, early, middle):
        repo.add(ALICE, record)

    assert repo.records(ALICE, kind) == [early, middle, late]
    assert repo.records(ALICE, kind, since=middle.at) == [middle, late]  # since is inclusive
    assert repo.records(ALICE, kind, since=late.at + timedelta(microseconds=1)) == []
    assert repo.records(BOB, kind) == []
    others = [other for other in RECORD_TYPES if other is not kind]
    assert all(repo.records(ALICE, other) == [] for other in others)


@pytest.mark.parametrize("kind", RECORD_TYPES, ids=lambda kind: kind.__name__)
def test_replace_changes_the_record_with_that_id_only(repo: Repository, kind: type) -> None:
    first, second = make_record(kind, T0, 0), make_record(kind, T0 + timedelta(hours=1), 1)
    repo.add(ALICE, first)
    repo.add(ALICE, second)
    changed = make_record(kind, T0 + timedelta(hours=2), 2)
    changed = type(changed)(**{**changed.__dict__, "id": first.id})

    repo.replace(ALICE, changed)

    assert repo.records(ALICE, kind) == [second, changed]


def test_replace_of_an_unknown_id_adds_the_record(repo: Repository) -> None:
    record = make_record(Reflection, T0)
    repo.replace(ALICE, record)
    assert repo.records(ALICE, Reflection) == [record]


def test_records_at_the_same_instant_keep_their_insertion_order(repo: Repository) -> None:
    records = [make_record(CheckIn, T0, n) for n in range(5)]
    for record in records:
        repo.add(ALICE, record)
    assert repo.records(ALICE, CheckIn) == records


def test_since_compares_instants_not_clock_readings(repo: Repository) -> None:
    record = make_record(CheckIn, T0)
    repo.add(ALICE, record)
    same_instant_elsewhere = T0.astimezone(timezone(timedelta(hours=-5)))
    assert repo.records(ALICE, CheckIn, since=same_instant_elsewhere) == [record]


def test_a_naive_datetime_is_refused_before_anything_is_stored(repo: Repository) -> None:
    naive = make_record(CheckIn, T0.replace(tzinfo=None))
    with pytest.raises(ValueError, match="naive"):
        repo.add(ALICE, naive)
    with pytest.raises(ValueError, match="naive"):
        repo.save_profile(make_profile(created_at=T0.replace(tzinfo=None)))
    assert repo.records(ALICE, CheckIn) == []
    assert repo.load_profile(ALICE) is None


def test_a_returned_record_list_is_the_callers_own(repo: Repository) -> None:
    repo.add(ALICE, make_record(CheckIn, T0))
    repo.records(ALICE, CheckIn).clear()
    assert len(repo.records(ALICE, CheckIn)) == 1


# --- refusal and users ----------------------------------------------------------------------


def test_a_refusal_is_kept_and_cleared_when_a_profile_is_saved(repo: Repository) -> None:
    at = T0.astimezone(timezone(timedelta(hours=2)))
    repo.record_refusal(ALICE, at)

    assert repo.refused_at(ALICE) == at
    assert repo.refused_at(BOB) is None
    assert repo.user_ids() == []  # saying no stores no profile

    repo.record_refusal(ALICE, at + timedelta(days=1))
    assert repo.refused_at(ALICE) == at + timedelta(days=1)

    repo.save_profile(make_profile())
    assert repo.refused_at(ALICE) is None


def test_user_ids_lists_everyone_with_a_profile_once_in_order(repo: Repository) -> None:
    for user_id in (30, 10, 20):
        repo.save_profile(make_profile(user_id))
    repo.save_profile(make_profile(10, phase="rest"))
    repo.add(99, make_record(CheckIn, T0))  # history without a profile is not a user

    assert repo.user_ids() == [10, 20, 30]


# --- export and erase -----------------------------------------------------------------------


def fill(repo: Repository, user_id: int) -> dict[type, list[Any]]:
    repo.save_profile(make_profile(user_id))
    stored = {
        kind: [make_record(kind, T0 + timedelta(hours=n), n) for n in range(2)]
        for kind in RECORD_TYPES
    }
    for records in stored.values():
        for record in records:
            repo.add(user_id, record)
    return stored


def test_export_holds_everything_and_is_plain_json(repo: Repository) -> None:
    stored = fill(repo, ALICE)
    fill(repo, BOB)

    exported = repo.export(ALICE)

    assert json.loads(json.dumps(exported)) == exported
    expected = {
        "profile": to_json(make_profile(ALICE)),
        **{table_name(kind): [to_json(r) for r in records] for kind, records in stored.items()},
    }
    assert as_json_text(exported) == as_json_text(expected)
    assert str(BOB) not in as_json_text(exported["profile"])


def test_export_of_an_unknown_user_is_empty(repo: Repository) -> None:
    exported = repo.export(ALICE)
    assert exported == {"profile": None, **{table_name(kind): [] for kind in RECORD_TYPES}}


def test_erase_leaves_nothing_of_that_user(repo: Repository) -> None:
    fill(repo, ALICE)
    kept = fill(repo, BOB)
    repo.record_refusal(ALICE, T0)  # e.g. said no again after a reset

    repo.erase(ALICE)

    assert repo.load_profile(ALICE) is None
    assert repo.refused_at(ALICE) is None
    assert all(repo.records(ALICE, kind) == [] for kind in RECORD_TYPES)
    assert repo.user_ids() == [BOB]
    assert repo.export(ALICE) == {
        "profile": None,
        **{table_name(kind): [] for kind in RECORD_TYPES},
    }
    assert repo.load_profile(BOB) == make_profile(BOB)
    assert all(repo.records(BOB, kind) == records for kind, records in kept.items())


def test_erase_of_an_unknown_user_is_harmless(repo: Repository) -> None:
    repo.erase(ALICE)
    assert repo.user_ids() == []


# --- TinyDB only: the files -----------------------------------------------------------------


def read_raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_file_carries_the_schema_version(files: TinyDbRepository) -> None:
    files.save_profile(make_profile())
    files.add(ALICE, make_record(CheckIn, T0))

    for path in (files.part_path(ALICE, "profile"), files.part_path(ALICE, "2025-03")):
        assert read_raw(path)[META_TABLE] == {"1": {"schema": CURRENT_SCHEMA}}
    for path in (files.index_path,):
        assert read_raw(path)[META_TABLE] == {"1": {"schema": CURRENT_SCHEMA}}


def test_the_files_hold_the_user_and_the_index_nothing_else(files: TinyDbRepository) -> None:
    fill(files, ALICE)
    names = sorted(
        p.relative_to(files.data_dir).as_posix() for p in files.data_dir.rglob("*") if p.is_file()
    )
    # One folder per coachee: the head and one file per month of daily history.
    assert names == ["index.json", f"users/{ALICE}/2025-03.json", f"users/{ALICE}/profile.json"]


def test_a_file_from_before_versioning_is_read_and_upgraded(files: TinyDbRepository) -> None:
    old = make_record(CheckIn, T0)
    files.legacy_path(ALICE).write_text(
        json.dumps(
            {
                "profile": {"1": to_json(make_profile())},
                "checkin": {"1": to_json(old)},
            }
        ),
        encoding="utf-8",
    )

    assert files.load_profile(ALICE) == make_profile()
    assert files.records(ALICE, CheckIn) == [old]

    new = make_record(CheckIn, T0 + timedelta(days=1), 1)
    files.add(ALICE, new)
    raw = read_raw(files.part_path(ALICE, "2025-03"))
    assert raw[META_TABLE] == {"1": {"schema": CURRENT_SCHEMA}}
    assert files.records(ALICE, CheckIn) == [old, new]
    assert files.load_profile(ALICE) == make_profile()


def test_migrations_run_in_order_on_read(
    files: TinyDbRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    files.save_profile(make_profile())
    files.add(ALICE, make_record(CheckIn, T0))

    def rename_phase(document: migrations.Document) -> migrations.Document:
        for row in document.get("profile", {}).values():  # each part: the head has it
            row["phase"] = "rest"
        return document

    monkeypatch.setattr(migrations, "CURRENT_SCHEMA", CURRENT_SCHEMA + 1)
    monkeypatch.setitem(migrations.MIGRATIONS, CURRENT_SCHEMA, rename_phase)
    upgraded = TinyDbRepository(files.data_dir)  # a new version of the bot starts

    assert upgraded.load_profile(ALICE).phase == "rest"
    upgraded.add(ALICE, make_record(CheckIn, T0 + timedelta(hours=1)))
    month = upgraded.part_path(ALICE, "2025-03")
    assert read_raw(month)[META_TABLE] == {"1": {"schema": CURRENT_SCHEMA + 1}}
    assert len(upgraded.records(ALICE, CheckIn)) == 2


def test_a_file_from_a_newer_bot_is_refused_and_left_alone(files: TinyDbRepository) -> None:
    path = files.part_path(ALICE, "profile")
    path.parent.mkdir()
    path.write_text(
        json.dumps(
            {
                META_TABLE: {"1": {"schema": CURRENT_SCHEMA + 1}},
                "profile": {"1": {**to_json(make_profile()), "field_from_the_future": 1}},
            }
        ),
        encoding="utf-8",
    )
    before = path.read_bytes()

    with pytest.raises(SchemaError, match=rf"schema {CURRENT_SCHEMA + 1}, newer") as caught:
        files.load_profile(ALICE)
    assert str(path) in str(caught.value)
    with pytest.raises(SchemaError):
        files.add(ALICE, make_record(CheckIn, T0))
    assert path.read_bytes() == before


def test_a_corrupt_file_is_named_and_never_overwritten(files: TinyDbRepository) -> None:
    path = files.part_path(ALICE, "profile")
    path.parent.mkdir()
    path.write_text('{"profile": {"1": {"user_id"', encoding="utf-8")

    with pytest.raises(DataFileError, match="not valid JSON") as caught:
        files.records(ALICE, CheckIn)
    assert str(path) in str(caught.value)
    with pytest.raises(DataFileError):
        files.add(ALICE, make_record(CheckIn, T0))
    assert path.read_text(encoding="utf-8") == '{"profile": {"1": {"user_id"'


def test_recording_for_one_user_leaves_other_files_untouched(files: TinyDbRepository) -> None:
    fill(files, ALICE)
    fill(files, BOB)
    watched = [*files.user_path(BOB).iterdir(), files.index_path]
    before = {
        path: (os.stat(path).st_ino, os.stat(path).st_mtime_ns, path.read_bytes())
        for path in watched
    }

    for n in range(20):
        files.add(ALICE, make_record(CheckIn, T0 + timedelta(days=1, minutes=n), n))
    checkin = files.records(ALICE, CheckIn)[-1]
    files.replace(ALICE, CheckIn(**{**checkin.__dict__, "note": "changed"}))
    files.save_profile(make_profile(ALICE, phase="rest"))  # known user, no refusal: no index

    after = {
        path: (os.stat(path).st_ino, os.stat(path).st_mtime_ns, path.read_bytes())
        for path in watched
    }
    assert after == before


def test_recording_never_even_reads_other_users_files(files: TinyDbRepository) -> None:
    """Others' files made unreadable: Alice's daily loop must not notice (cost is her own)."""
    fill(files, ALICE)
    fill(files, BOB)
    for path in files.user_path(BOB).iterdir():
        path.write_text("not json", encoding="utf-8")
    files.index_path.write_text("not json", encoding="utf-8")
    files.cache.clear()  # what a restart would know

    files.add(ALICE, make_record(CheckIn, T0 + timedelta(days=1)))
    files.replace(ALICE, make_record(Reflection, T0 + timedelta(days=1)))
    assert files.load_profile(ALICE) == make_profile(ALICE)
    assert len(files.records(ALICE, CheckIn)) == 3


def test_erase_removes_the_file_its_leftovers_and_the_index_entries(
    files: TinyDbRepository,
) -> None:
    fill(files, ALICE)
    fill(files, BOB)
    path = files.part_path(ALICE, "2025-03")
    leftover = path.with_name(f".{path.name}.k1ll3d.tmp")  # what a killed writer leaves
    leftover.write_text(path.read_text(encoding="utf-8")[:100], encoding="utf-8")
    legacy = files.legacy_path(ALICE)  # and one from before the split
    old_leftover = legacy.with_name(f".{legacy.name}.k1ll3d.tmp")
    old_leftover.write_text("{}", encoding="utf-8")
    files.record_refusal(ALICE, T0)

    files.erase(ALICE)

    assert not files.user_path(ALICE).exists() and not old_leftover.exists()
    assert files.user_path(BOB).exists()
    index = read_raw(files.index_path)
    kept = {k: v for k, v in index.items() if k not in (META_TABLE, "erased")}
    assert str(ALICE) not in json.dumps(kept)
    assert index["erased"] == {"1": {"user_id": ALICE}}  # the tombstone: the id, nothing else
    assert files.user_ids() == [BOB]


def test_the_repository_reads_files_written_by_another_instance(files: TinyDbRepository) -> None:
    stored = fill(files, ALICE)
    reopened = TinyDbRepository(files.data_dir)
    assert reopened.load_profile(ALICE) == make_profile(ALICE)
    assert all(reopened.records(ALICE, kind) == records for kind, records in stored.items())


def test_storage_writes_leave_no_temp_files(tmp_path: Path) -> None:
    storage = AtomicJSONStorage(tmp_path / "plain.json")
    storage.write({"t": {"1": {"a": 1}}})
    storage.write({"t": {"1": {"a": 2}}})
    assert storage.read() == {"t": {"1": {"a": 2}}, META_TABLE: {"1": {"schema": CURRENT_SCHEMA}}}
    assert [p.name for p in tmp_path.iterdir()] == ["plain.json"]


def test_local_dates_survive_as_dates(repo: Repository) -> None:
    record = CheckIn(T0, date(2025, 3, 2), 5, 5, 3)  # the coachee's day, not the UTC day
    repo.add(ALICE, record)
    assert repo.records(ALICE, CheckIn)[0].local_date == date(2025, 3, 2)
