"""`python -m bot digest --coach ID --dry-run`: a coach's digest printed from the data folder,
as a maintainer runs it (a real subprocess); nothing sent, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from bot.core.coaching import Link, Sharing, approve, request_coach, share
from bot.core.models import CheckIn, Consent, Escalation, Profile, Reflection
from bot.storage.coaches import FILE_NAME, READS_DIR, TinyDbCoachStore
from bot.storage.sealing import Sealer, new_key
from bot.storage.tinydb_store import TinyDbRepository

ROOT = Path(__file__).resolve().parents[2]
COACH, ANN, BOB, STRANGER = 100, 1001, 1002, 1003
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def at(day: int) -> datetime:
    return datetime(2026, 11, day, 10, 0, tzinfo=UTC)


def bot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=base | {"BOT_CONTENT_DIR": str(ROOT / "content")} | (env or {}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def filled(data: Path, key: str | None = None) -> None:
    sealer = Sealer.with_keys([key] if key else [])
    repo = TinyDbRepository(data, sealer)
    store = TinyDbCoachStore(data, sealer)
    for user_id in (ANN, BOB, STRANGER):
        repo.save_profile(Profile(user_id, user_id, "en", "BE", "Europe/Brussels", Consent(T0), T0))
        for day in (16, 17, 18):
            repo.add(user_id, CheckIn(at(day), date(2026, 11, day), 5, 4, 3, note="secret note"))
        repo.add(user_id, Escalation("crisis", "text", "crisis-rule", "self_harm", at(18)))
        repo.add(user_id, Reflection("p", at(18), date(2026, 11, 18), "shared words", True))
    store.save_coach(
        approve(request_coach(None, COACH, "Coach", T0, lang="en"), 1, frozenset({1}), T0)
    )
    store.save_coach(
        approve(request_coach(None, 200, "Other", T0, lang="en"), 1, frozenset({1}), T0)
    )
    store.save_link(Link(COACH, ANN, "Ann", T0))
    store.save_link(Link(COACH, BOB, "Bob", T0))
    store.save_link(Link(200, STRANGER, "Stranger", T0))
    ann = share(share(Sharing(COACH, ANN), "checkins", True, T0), "alerts", True, T0)
    store.save_sharing(ann)
    store.save_sharing(Sharing(COACH, BOB))
    store.save_sharing(share(Sharing(200, STRANGER), "checkins", True, T0))


def test_dry_run_prints_exactly_what_is_shared_and_writes_nothing(tmp_path: Path) -> None:
    filled(tmp_path)
    before = (tmp_path / FILE_NAME).read_bytes()

    done = bot(
        "digest", "--coach", str(COACH), "--dry-run", "--week", "2026-11-16", "--dir",
        str(tmp_path),
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Weekly digest 16 November – 22 November" in out
    assert "Ann" in out and "Check-ins: 3 of 7 days" in out and "Safety alerts: 1" in out
    assert "Bob\nShares nothing with you." in out
    assert "Stranger" not in out  # another coach's coachee
    for secret in ("secret note", "crisis-rule", "self_harm", "shared words"):
        assert secret not in out  # Ann shares no reflections
    assert (tmp_path / FILE_NAME).read_bytes() == before  # no digest mark
    assert not (tmp_path / READS_DIR).exists()  # no read logged


def test_dry_run_reads_a_sealed_folder_and_prints_the_csv_on_request(tmp_path: Path) -> None:
    key = new_key()
    filled(tmp_path, key)

    done = bot(
        "digest", "--coach", str(COACH), "--dry-run", "--week", "2026-11-16", "--csv",
        "--dir", str(tmp_path), env={"BOT_DATA_KEY": key},
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("name,days,checkin_days")
    assert "Ann,7,3,5.0,5" in done.stdout


def test_without_dry_run_or_for_someone_who_is_not_a_coach_it_refuses(tmp_path: Path) -> None:
    filled(tmp_path)

    sending = bot("digest", "--coach", str(COACH), "--dir", str(tmp_path))
    stranger = bot("digest", "--coach", str(ANN), "--dry-run", "--dir", str(tmp_path))

    assert sending.returncode == 2 and "--dry-run" in sending.stderr
    assert stranger.returncode == 1 and "not an approved coach" in stranger.stderr
    assert "Traceback" not in sending.stderr + stranger.stderr
