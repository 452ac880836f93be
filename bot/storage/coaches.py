"""The coach store (bot.core.coaching.CoachStore): one TinyDB file, coaches.json, next to the
index, and an in-memory twin that core and service tests run against.

Both keep JSON-ready rows through the same codec and share every rule below, so what passes
against the twin passes against the file. The file is read once and written once per change
(the whole document through AtomicJSONStorage, sealed like every other data file), so a
change that touches several tables (an unlink, an erasure) is one atomic write.

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
T = TypeVar("T")
Rows = dict[str, list[dict[str, Any]]]

COACHES, INVITATIONS, LINKS, SHARING = "coaches", "invitations", "links", "sharing"
READS, PHASES, HOMEWORK, DIGESTS = "reads", "phases", "homework", "digests"
TABLES = (COACHES, INVITATIONS, LINKS, SHARING, READS, PHASES, HOMEWORK, DIGESTS)


class _Store:
    """The rules, over `_read` (every table's rows) and `_write` (the whole document)."""

    def _read(self) -> Rows:
        raise NotImplementedError

    def _write(self, rows: Rows) -> None:
        raise NotImplementedError

    def _change(self, edit: Callable[[Rows], None]) -> None:
        rows = self._read()
        edit(rows)
        self._write(rows)

    def _find(self, table: str, kind: type[T], **match: Any) -> list[T]:
        return [
            from_json(kind, row)
            for row in self._read().get(table, [])
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
        def edit(rows: Rows) -> None:
            for table in (LINKS, SHARING):
                rows[table] = [r for r in rows.get(table, []) if r["coachee_id"] != coachee_id]

        self._change(edit)

    def sharing(self, coachee_id: int) -> Sharing | None:
        return self._one(SHARING, Sharing, coachee_id=coachee_id)

    def save_sharing(self, sharing: Sharing) -> None:
        self._upsert(SHARING, sharing, "coachee_id")

    # --- reads, phases, homework, digests ---

    def log_read(self, read: CoachRead) -> None:
        row = to_json(read)
        self._change(lambda rows: rows.setdefault(READS, []).append(row))

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

            keep(COACHES, "user_id")
            keep(LINKS, "coach_id", "coachee_id")
            keep(SHARING, "coach_id", "coachee_id")
            keep(PHASES, "coachee_id", "set_by")
            keep(HOMEWORK, "coach_id", "coachee_id")
            keep(DIGESTS, "coach_id")
            # A coachee's record of who read their data is theirs: it goes with the coachee,
            # and stays when the coach who read is erased.
            keep(READS, "coachee_id")
            # The coach's open invitations go; a used one stays (so its code stays used) but
            # no longer says by whom.
            rows[INVITATIONS] = [
                {**r, "used_by": None} if r.get("used_by") == user_id else r
                for r in rows.get(INVITATIONS, [])
                if r.get("coach_id") != user_id or r.get("used_at") is not None
            ]

        self._change(edit)


class InMemoryCoachStore(_Store):
    def __init__(self) -> None:
        self._rows: Rows = {}

    def _read(self) -> Rows:
        # Copies: a caller's edit reaches the store only through _write.
        return {table: [dict(row) for row in rows] for table, rows in self._rows.items()}

    def _write(self, rows: Rows) -> None:
        self._rows = rows


class TinyDbCoachStore(_Store):
    """coaches.json in the data folder: TinyDB's table layout, written atomically, sealed
    with the data key when there is one."""

    def __init__(self, data_dir: Path | str, sealer: Sealer = PLAIN) -> None:
        self.data_dir = Path(data_dir)
        make_private_folder(self.data_dir)
        self.path = self.data_dir / FILE_NAME
        self.storage = AtomicJSONStorage(self.path, sealer)

    def _read(self) -> Rows:
        document = self.storage.read() or {}
        return {
            table: list(document.get(table, {}).values()) for table in TABLES if table in document
        }

    def _write(self, rows: Rows) -> None:
        # TinyDB's layout (table -> document id -> row), so `data check` and TinyDB read it.
        document: dict[str, dict[str, Any]] = {
            table: {str(number): row for number, row in enumerate(rows[table], start=1)}
            for table in TABLES
            if table in rows
        }
        self.storage.write(document)  # stamped with the current schema (read migrates)
