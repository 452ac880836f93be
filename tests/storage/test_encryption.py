"""Data at rest: with a key every data file is a Fernet token (temp files too), folders are
0700 and files 0600, the start check refuses a wrong or missing key and touches nothing, and
a rotation killed halfway leaves every file readable with the old or the new key."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet

from bot.core.models import CheckIn, Consent, Profile, Reflection
from bot.storage import atomic, data_files
from bot.storage.data_files import check, check_keys, rotate
from bot.storage.sealing import DataKeyError, Sealer, new_key
from bot.storage.tinydb_store import TinyDbRepository

T0 = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
SECRET = "mijn baas schreeuwt elke dag"


def fill(repo: TinyDbRepository, users: range = range(1, 6)) -> None:
    for user_id in users:
        repo.save_profile(Profile(user_id, user_id, "nl", "BE", "Europe/Brussels", Consent(T0), T0))
        repo.add(user_id, CheckIn(T0, T0.date(), 3, 8, 2, note=SECRET))
        repo.add(user_id, Reflection("p", T0, T0.date(), SECRET))


def every_file(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        str(p): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    } | {str(p): (b"", 0, p.stat().st_mode) for p in folder.rglob("*") if p.is_dir()}


@pytest.fixture
def key() -> str:
    return new_key()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_with_a_key_every_file_is_a_token_and_reads_back(data: Path, key: str) -> None:
    repo = TinyDbRepository(data, Sealer.with_keys([key]))
    fill(repo)

    files = every_file(data)
    assert len(files) == 11  # the index and five coachees, each a head and a month
    for path in files:
        raw = path.read_bytes()
        assert raw.startswith(b"gAAAAA")
        assert SECRET.encode() not in raw and b"user_id" not in raw
        Fernet(key).decrypt(raw)  # authenticated: opens whole or not at all
    reopened = TinyDbRepository(data, Sealer.with_keys([key]))
    assert [c.note for c in reopened.records(3, CheckIn)] == [SECRET]
    assert reopened.user_ids() == [1, 2, 3, 4, 5]


def test_the_temp_file_of_an_atomic_write_is_encrypted_too(
    data: Path, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = TinyDbRepository(data, Sealer.with_keys([key]))
    fill(repo, range(1, 2))

    def killed(*_args: object) -> None:  # the process dies between temp file and rename
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", killed)
    monkeypatch.setattr(atomic.Path, "unlink", lambda *_a, **_k: None)  # no clean-up either
    with pytest.raises(KeyboardInterrupt):
        repo.add(1, CheckIn(T0, T0.date(), 1, 1, 1, note=SECRET))

    (leftover,) = data_files.leftover_temp_files(data)
    assert leftover.read_bytes().startswith(b"gAAAAA")
    assert SECRET.encode() not in leftover.read_bytes()
    assert leftover.stat().st_mode & 0o777 == 0o600


def test_folders_are_0700_and_files_0600(data: Path, key: str) -> None:
    for sealer in (Sealer(), Sealer.with_keys([key])):
        folder = data / ("enc" if sealer.encrypts else "plain")
        fill(TinyDbRepository(folder, sealer))
        for path in [folder, *folder.rglob("*")]:
            mode = path.stat().st_mode & 0o777
            assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_folders_made_0755_by_an_older_version_are_narrowed(data: Path) -> None:
    (data / "users").mkdir(parents=True)
    data.chmod(0o755)
    (data / "users").chmod(0o755)

    TinyDbRepository(data)

    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "users").stat().st_mode & 0o777 == 0o700


# --- the check at start -------------------------------------------------------------------


def test_the_right_key_passes_the_start_check(data: Path, key: str) -> None:
    fill(TinyDbRepository(data, Sealer.with_keys([key])))

    assert check_keys(data, [key]).encrypts


def test_no_key_on_plain_files_passes_and_an_empty_folder_takes_either(
    data: Path, key: str
) -> None:
    assert check_keys(data, [key]).encrypts  # no folder yet
    fill(TinyDbRepository(data))
    assert not check_keys(data, []).encrypts


@pytest.mark.parametrize(
    ("written_with", "started_with", "says"),
    [
        ("a", ["b"], "BOT_DATA_KEY does not open 6 of 6 data files"),
        ("a", [], "6 of 6 data files in .* are encrypted but BOT_DATA_KEY is not set"),
        (None, ["a"], "BOT_DATA_KEY is set but 6 of 6 data files in .* are not encrypted"),
    ],
    ids=["wrong key", "missing key", "key on plain files"],
)
def test_a_wrong_or_missing_key_stops_the_start_and_touches_nothing(
    data: Path, written_with: str | None, started_with: list[str], says: str
) -> None:
    keys = {"a": new_key(), "b": new_key()}
    fill(TinyDbRepository(data, Sealer.with_keys([keys[written_with]] if written_with else [])))
    before = snapshot(data)

    with pytest.raises(DataKeyError, match=says) as raised:
        check_keys(data, [keys[k] for k in started_with])

    assert "\n" not in str(raised.value)
    assert not any(k in str(raised.value) for k in keys.values())
    assert snapshot(data) == before


def test_a_half_rotated_folder_is_refused_with_only_the_new_key_and_opens_with_both(
    data: Path,
) -> None:
    old, new = new_key(), new_key()
    fill(TinyDbRepository(data, Sealer.with_keys([old])))
    half = data_files.data_files(data)[:3]
    for path in half:
        atomic.write_atomically(path, Fernet(new).encrypt(Fernet(old).decrypt(path.read_bytes())))

    with pytest.raises(DataKeyError, match="does not open 4 of 6"):
        check_keys(data, [new])
    repo = TinyDbRepository(data, check_keys(data, [new, old]))
    assert repo.user_ids() == [1, 2, 3, 4, 5]


# --- rotation -------------------------------------------------------------------------------


def opens_with(folder: Path, keys: list[str]) -> None:
    """Every data file opens with `keys` and holds what was written."""
    repo = TinyDbRepository(folder, Sealer.with_keys(keys))
    assert repo.user_ids() == [1, 2, 3, 4, 5]
    for user_id in repo.user_ids():
        assert [r.answer for r in repo.records(user_id, Reflection)] == [SECRET]


def test_plain_to_encrypted_to_a_new_key_to_plain(data: Path) -> None:
    first, second = new_key(), new_key()
    fill(TinyDbRepository(data))

    assert rotate(data, [], first) == 11
    opens_with(data, [first])
    assert rotate(data, [first], second) == 11
    opens_with(data, [second])
    with pytest.raises(DataKeyError):
        TinyDbRepository(data, Sealer.with_keys([first])).user_ids()
    assert rotate(data, [second], None) == 11
    assert not check_keys(data, []).encrypts
    assert SECRET in (data / "users" / "1" / "2026-03.json").read_text()
    assert check(data, [])[0] == []


def test_a_rotation_killed_between_files_leaves_each_with_the_old_or_the_new_key(
    data: Path,
) -> None:
    old, new = new_key(), new_key()
    fill(TinyDbRepository(data, Sealer.with_keys([old])))
    done: list[Path] = []

    def killed_after_three(path: Path) -> None:
        done.append(path)
        if len(done) == 3:
            raise KeyboardInterrupt  # a kill between two files

    with pytest.raises(KeyboardInterrupt):
        rotate(data, [old], new, written=killed_after_three)

    both = MultiFernet([Fernet(new), Fernet(old)])
    for path in data_files.data_files(data):
        both.decrypt(path.read_bytes())
    with pytest.raises(DataKeyError, match="does not open 4 of 6"):  # really half and half
        check_keys(data, [new])
    opens_with(data, [new, old])

    assert rotate(data, [old], new) == 11  # run again: finishes
    opens_with(data, [new])


def test_a_rotation_writes_nothing_when_a_file_does_not_open(data: Path) -> None:
    old, other, new = new_key(), new_key(), new_key()
    fill(TinyDbRepository(data, Sealer.with_keys([old])))
    stray = data / "users" / "5.json"
    atomic.write_atomically(stray, Fernet(other).encrypt(b"{}"))
    before = snapshot(data)

    with pytest.raises(DataKeyError, match=r"5\.json does not open"):
        rotate(data, [old], new)

    assert snapshot(data) == before


def test_a_rotation_removes_plain_temp_leftovers(data: Path) -> None:
    fill(TinyDbRepository(data))
    leftover = data / "users" / ".1.json.k1ll3d.tmp"
    leftover.write_text(f'{{"note": "{SECRET}"}}')

    rotate(data, [], new_key())

    assert not leftover.exists()
    assert not [p for p in every_file(data) if SECRET.encode() in p.read_bytes()]


# --- data check --------------------------------------------------------------------------


def test_check_finds_nothing_wrong_in_a_sound_folder(data: Path, key: str) -> None:
    repo = TinyDbRepository(data, Sealer.with_keys([key]))
    fill(repo)
    repo.erase(2)

    assert check(data, [key]) == ([], 9)  # the index, four heads and four months


def test_check_gives_one_line_per_problem(data: Path, key: str) -> None:
    repo = TinyDbRepository(data, Sealer.with_keys([key]))
    fill(repo, range(1, 9))
    repo.erase(8)
    seal = Fernet(key).encrypt
    users = data / "users"
    (users / "1" / "profile.json").write_bytes(seal(b"{not json"))
    (users / "2" / "profile.json").write_bytes(seal(b'{"_meta": {"1": {"schema": 99}}}'))
    (users / "3" / "profile.json").write_bytes(Fernet(new_key()).encrypt(b"{}"))
    (users / "4" / "2026-03.json").write_bytes(seal(b'{"checkin": {"1": {"at": "yesterday"}}}'))
    (users / "5" / "profile.json").chmod(0o644)
    atomic.write_atomically(users / "8" / "profile.json", seal(b"{}"))  # after the erasure
    atomic.write_atomically(users / "9" / "profile.json", seal(b"{}"))  # never listed
    (users / "6" / ".2026-03.json.k1ll3d.tmp").write_bytes(b"{}")
    (users / "7").chmod(0o755)
    users.chmod(0o755)

    problems, count = check(data, [key])

    assert count == 17  # the index, seven heads and months, two heads made by hand
    expected = [
        f"{users}: folder mode 755, not 700",
        f"{users}/7: folder mode 755, not 700",
        f"{users}/1/profile.json: not valid JSON",
        f"{users}/2/profile.json: schema 99, newer than this code's",
        f"{users}/3/profile.json does not open with BOT_DATA_KEY",
        f"{users}/4/2026-03.json: checkin row 1 does not read",
        f"{users}/5/profile.json: file mode 644, not 600",
        f"{users}/6/.2026-03.json.k1ll3d.tmp: left by a write that never finished",
        f"{users}/8/profile.json: belongs to a user who erased their data",
        f"{users}/9/profile.json: not listed in the index",
    ]
    assert len(problems) == len(expected)
    for line, start in zip(sorted(problems, key=expected_order(expected)), expected, strict=True):
        assert line.startswith(start), line
    assert all("\n" not in line for line in problems)


def expected_order(expected: list[str]):
    def position(line: str) -> int:
        return next(i for i, start in enumerate(expected) if line.startswith(start))

    return position


def test_data_files_are_listed_in_a_stable_order(data: Path) -> None:
    fill(TinyDbRepository(data), range(1, 12))

    names = [p.relative_to(data).as_posix() for p in data_files.data_files(data)]

    assert names[0] == "index.json"
    assert names[1:3] == ["users/1/2026-03.json", "users/1/profile.json"]
    assert names[-1] == "users/11/profile.json"
    assert os.path.commonpath(data_files.data_files(data)) == str(data)


def test_the_start_check_opens_the_index_and_each_head_and_data_check_every_file(
    data: Path, key: str
) -> None:
    """At 10,000 coachees reading every month at start took seconds before the first answer.
    A head is read before any of its coachee's files is written, and a rotation writes each
    coachee's head last, so the heads vouch for the folder at start; `data check` still
    opens every file."""
    fill(TinyDbRepository(data, Sealer.with_keys([key])))
    month = data / "users" / "3" / "2026-03.json"
    atomic.write_atomically(month, Fernet(new_key()).encrypt(b"{}"))  # restored wrongly

    assert check_keys(data, [key]).encrypts
    problems, _count = check(data, [key])
    assert [p for p in problems if "does not open" in p] == [
        f"{month} does not open with BOT_DATA_KEY (another key, or the file was changed)"
    ]
    with pytest.raises(DataKeyError):  # and the coachee's unit of work reads, never writes
        TinyDbRepository(data, Sealer.with_keys([key])).add(3, Reflection("p", T0, T0.date(), "x"))


# --- the coach store's files ----------------------------------------------------------------


def fill_coaches(data: Path, sealer: Sealer) -> None:
    from bot.core.coaching import request_coach
    from bot.storage.coaches import TinyDbCoachStore

    store = TinyDbCoachStore(data, sealer)
    store.save_coach(request_coach(None, 77, "Coach Ann", T0))


def test_a_rotation_and_the_checks_cover_the_coach_store_too(data: Path, key: str) -> None:
    """coaches.json holds who coaches whom: left on the old key, the bot could not open it."""
    new = new_key()
    fill(TinyDbRepository(data, Sealer.with_keys([key])), range(1, 2))
    fill_coaches(data, Sealer.with_keys([key]))

    rotate(data, [key], new)

    coaches = data / "coaches.json"
    Fernet(new).decrypt(coaches.read_bytes())
    assert coaches in data_files.start_files(data)
    assert check(data, [new])[0] == []
    with pytest.raises(DataKeyError):
        check_keys(data, [key])


def test_a_rotation_and_the_checks_cover_every_month_of_the_coach_read_log(
    data: Path, key: str
) -> None:
    """The read log is a file per month (coach-reads/): each one is rotated and checked."""
    from bot.core.coaching import CoachRead
    from bot.storage.coaches import TinyDbCoachStore

    new = new_key()
    fill(TinyDbRepository(data, Sealer.with_keys([key])), range(1, 2))
    store = TinyDbCoachStore(data, Sealer.with_keys([key]))
    for month in (10, 11):
        at = datetime(2026, month, 3, 9, tzinfo=UTC)
        store.log_read(CoachRead(77, 1, ("checkins",), at, "digest"))
    months = [data / "coach-reads" / "2026-10.json", data / "coach-reads" / "2026-11.json"]
    leftover = data / "coach-reads" / ".2026-11.json.k1ll3d.tmp"
    leftover.write_text('{"reads": {}}')
    assert leftover in data_files.leftover_temp_files(data)

    rotate(data, [key], new)

    assert not leftover.exists()
    for month in months:
        Fernet(new).decrypt(month.read_bytes())
        assert month in data_files.start_files(data) and month in data_files.data_files(data)
    assert check(data, [new])[0] == []
    with pytest.raises(DataKeyError):
        check_keys(data, [key])
    assert len(TinyDbCoachStore(data, Sealer.with_keys([new])).reads(1)) == 2
    (data / "coach-reads").chmod(0o755)
    assert any("coach-reads: folder mode 755" in p for p in check(data, [new])[0])
