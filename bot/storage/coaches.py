"""The coach store (bot.core.coaching.CoachStore): two TinyDB files next to the index,
coaches.json and the read log coach-reads.json, and an in-memory twin that core and service
tests run against.

Both keep JSON-ready rows through the same codec and share every rule below, so what passes
against the twin passes against the file. A change reads its file once and writes it once
(the whole document through AtomicJSONStorage, sealed like every other data file), so a
change of several tables (an unlink) is one atomic write; a change that changes nothing
writes nothing. An erasure writes the read log first, then coaches.json.

Invitation codes are never stored, only their keyed hash (bot.core.coaching.hash_code).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.core.coaching import (
    Coach,
    CoachRead,
    Homework,
    Invitation,
    Link,
    PhaseSetting,
    Sharing,
)
from bot.core.models import utc
from bot.storage.atomic import AtomicJSONStorage, make_private_folder
from bot.storage.codec import from_json, to_json
from bot.storage.sealing import PLAIN, Sealer

FILE_NAME = "coaches.json"
# The read log grows with every digest; kept in its own file, so reading a link or a consent
# does not parse a year of reads, and logging a read does not rewrite the coaching file.
READS_FILE_NAME = "coach-reads.json"
T = TypeVar("T")
Rows = dict[str, list[dict[str, Any]]]

COACHES, INVITATIONS, LINKS, SHARING = "coaches", "invitations", "links", "sharing"
READS, PHASES, HOMEWORK, DIGESTS = "reads", "phases", "homework", "digests"
TABLES = (COACHES, INVITATIONS, LINKS, SHARING, PHASES, HOMEWORK, DIGESTS)


class _Store:
    """The rules, over `_read` (every table's rows of the coaching part, or of the read log
    with `reads=True`) and `_write` (the whole part)."""

    def _read(self, reads: bool = False) -> Rows:
        raise NotImplementedError

    def _write(self, rows: Rows, reads: bool = False) -> None:
        raise NotImplementedError

    def _change(self, edit: Callable[[Rows], None], reads: bool = False) -> None:
        rows = self._read(reads)
        # Edits replace rows and lists, never change a row in place: shallow copies compare.
        before = {table: list(found) for table, found in rows.items()}
        edit(rows)
        if {table: found for table, found in rows.items() if found} != {
            table: found for table, found in before.items() if found
        }:
            self._write(rows, reads)

    def _find(self, table: str, kind: type[T], **match: Any) -> list[T]:
        return [
            from_json(kind, row)
            for row in self._read(table == READS).get(table, [])
            if all(row.get(key) == value for key, value in match.items())
        ]

    def _one(self, table: str, kind: type[T], **match: Any) -> T | None:
        found = self._find(table, kind, **match)
        return found[0] if found else None

    def _upsert(self, table: str, value: Any, *keys: str) -> None:
        row = to_json(value)  # fails on a bad value before anything is written

        def edit(rows: Rows) -> None:
            kept = [r for r in rows.get(table, []) if any(r.get(k) != row[k] for k in keys)]
            rows[table] = [*kept, row]

        self._change(edit)

    # --- coaches ---

    def coach(self, user_id: int) -> Coach | None:
        return self._one(COACHES, Coach, user_id=user_id)

    def save_coach(self, coach: Coach) -> None:
        self._upsert(COACHES, coach, "user_id")

    def coaches(self) -> list[Coach]:
        return sorted(self._find(COACHES, Coach), key=lambda c: c.user_id)

    # --- invitations ---

    def invitation(self, code_hash: str) -> Invitation | None:
        return self._one(INVITATIONS, Invitation, code_hash=code_hash)

    def save_invitation(self, invitation: Invitation) -> None:
        self._upsert(INVITATIONS, invitation, "code_hash")

    # --- links and sharing ---

    def link_of(self, coachee_id: int) -> Link | None:
        return self._one(LINKS, Link, coachee_id=coachee_id)

    def links_of_coach(self, coach_id: int) -> list[Link]:
        return sorted(self._find(LINKS, Link, coach_id=coach_id), key=lambda link: link.coachee_id)

    def save_link(self, link: Link) -> None:
        self._upsert(LINKS, link, "coachee_id")

    def remove_link(self, coachee_id: int) -> None:
        self._change(lambda rows: _unlink(rows, {coachee_id}))

    def end_coach(self, coach: Coach) -> list[Link]:
        row = to_json(coach)
        ended: list[Link] = []

        def edit(rows: Rows) -> None:
            kept = [r for r in rows.get(COACHES, []) if r.get("user_id") != coach.user_id]
            rows[COACHES] = [*kept, row]
            links = [r for r in rows.get(LINKS, []) if r["coach_id"] == coach.user_id]
            ended.extend(from_json(Link, r) for r in links)
            _unlink(rows, {r["coachee_id"] for r in links})

        self._change(edit)
        return sorted(ended, key=lambda link: link.coachee_id)

    def sharing(self, coachee_id: int) -> Sharing | None:
        return self._one(SHARING, Sharing, coachee_id=coachee_id)

    def save_sharing(self, sharing: Sharing) -> None:
        self._upsert(SHARING, sharing, "coachee_id")

    # --- reads, phases, homework, digests ---

    def log_read(self, *reads: CoachRead) -> None:
        new = [to_json(read) for read in reads]
        self._change(lambda rows: rows.setdefault(READS, []).extend(new), reads=True)

    def reads(self, coachee_id: int) -> list[CoachRead]:
        return sorted(self._find(READS, CoachRead, coachee_id=coachee_id), key=lambda r: r.at)

    def phase(self, coachee_id: int) -> PhaseSetting | None:
        return self._one(PHASES, PhaseSetting, coachee_id=coachee_id)

    def save_phase(self, setting: PhaseSetting) -> None:
        self._upsert(PHASES, setting, "coachee_id")

    def homework(self, coachee_id: int) -> list[Homework]:
        found = self._find(HOMEWORK, Homework, coachee_id=coachee_id)
        return sorted(found, key=lambda h: (h.start, h.id))

    def save_homework(self, homework: Homework) -> None:
        self._upsert(HOMEWORK, homework, "id")

    def digest_sent_week(self, coach_id: int) -> date | None:
        rows = [r for r in self._read().get(DIGESTS, []) if r["coach_id"] == coach_id]
        return date.fromisoformat(rows[0]["week"]) if rows else None

    def mark_digest_sent(self, coach_id: int, week: date, at: datetime) -> None:
        row = {"coach_id": coach_id, "week": week.isoformat(), "at": utc(at).isoformat()}

        def edit(rows: Rows) -> None:
            kept = [r for r in rows.get(DIGESTS, []) if r["coach_id"] != coach_id]
            rows[DIGESTS] = [*kept, row]

        self._change(edit)

    # --- erasure ---

    def erase_person(self, user_id: int) -> None:
        def edit(rows: Rows) -> None:
            def keep(table: str, *fields: str) -> None:
                rows[table] = [
                    r for r in rows.get(table, []) if all(r.get(f) != user_id for f in fields)
                ]

            # The coach's coachees: every link of theirs ends as an unlink does.
            _unlink(
                rows, {r["coachee_id"] for r in rows.get(LINKS, []) if r["coach_id"] == user_id}
            )
            keep(COACHES, "user_id")
            keep(LINKS, "coach_id", "coachee_id")
            keep(SHARING, "coach_id", "coachee_id")
            keep(PHASES, "coachee_id", "set_by")
            keep(HOMEWORK, "coach_id", "coachee_id")
            keep(DIGESTS, "coach_id")
            # The coach's open invitations go; a used one stays (so its code stays used) but
            # no longer says by whom.
            rows[INVITATIONS] = [
                {**r, "used_by": None} if r.get("used_by") == user_id else r
                for r in rows.get(INVITATIONS, [])
                if r.get("coach_id") != user_id or r.get("used_at") is not None
            ]

        # A coachee's record of who read their data is theirs: it goes with the coachee,
        # and stays when the coach who read is erased. The read log first: a crash between
        # the two writes leaves the link (the next erasure takes it), never a read of
        # someone whose data is gone.
        self._change(
            lambda rows: rows.update(
                {READS: [r for r in rows.get(READS, []) if r["coachee_id"] != user_id]}
            ),
            reads=True,
        )
        self._change(edit)


def _unlink(rows: Rows, coachees: set[int]) -> None:
    """These coachees' links end: their sharing, homework and phase setting go with them."""
    for table in (LINKS, SHARING, PHASES, HOMEWORK):
        rows[table] = [r for r in rows.get(table, []) if r["coachee_id"] not in coachees]


class InMemoryCoachStore(_Store):
    def __init__(self) -> None:
        self._parts: dict[bool, Rows] = {False: {}, True: {}}

    def _read(self, reads: bool = False) -> Rows:
        # Copies: a caller's edit reaches the store only through _write.
        return {table: [dict(row) for row in rows] for table, rows in self._parts[reads].items()}

    def _write(self, rows: Rows, reads: bool = False) -> None:
        self._parts[reads] = rows


class TinyDbCoachStore(_Store):
    """coaches.json in the data folder: TinyDB's table layout, written atomically, sealed
    with the data key when there is one."""

    def __init__(self, data_dir: Path | str, sealer: Sealer = PLAIN) -> None:
        self.data_dir = Path(data_dir)
        make_private_folder(self.data_dir)
        self.path = self.data_dir / FILE_NAME
        self.reads_path = self.data_dir / READS_FILE_NAME
        self.storages = {
            False: AtomicJSONStorage(self.path, sealer),
            True: AtomicJSONStorage(self.reads_path, sealer),
        }

    def _read(self, reads: bool = False) -> Rows:
        document = self.storages[reads].read() or {}
        tables = (READS,) if reads else TABLES
        return {
            table: list(document.get(table, {}).values()) for table in tables if table in document
        }

    def _write(self, rows: Rows, reads: bool = False) -> None:
        # TinyDB's layout (table -> document id -> row), so `data check` and TinyDB read it.
        tables = (READS,) if reads else TABLES
        document: dict[str, dict[str, Any]] = {
            table: {str(number): row for number, row in enumerate(rows[table], start=1)}
            for table in tables
            if table in rows
        }
        self.storages[reads].write(document)  # stamped with the current schema (read migrates)
