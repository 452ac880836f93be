"""The coach store (bot.core.coaching.CoachStore): coaches.json next to the index, the read
log in coach-reads/ (a TinyDB file per UTC month), and an in-memory twin that core and
service tests run against.

Both keep JSON-ready rows through the same codec and share every rule below, so what passes
against the twin passes against the file. A change reads the coaching part once and writes
it once (the whole document through AtomicJSONStorage, sealed like every other data file),
so a change of several tables (an unlink) is one atomic write; a change that changes nothing
writes nothing. Logging a read rewrites the month it falls in, never the whole log. An
erasure writes the read log's months first, then coaches.json.

Invitation codes are never stored, only their keyed hash (bot.core.coaching.hash_code).
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
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
from bot.storage import atomic
from bot.storage.atomic import AtomicJSONStorage, make_private_folder
from bot.storage.codec import from_json, to_json
from bot.storage.migrations import META_TABLE, stamp
from bot.storage.sealing import PLAIN, Sealer

FILE_NAME = "coaches.json"
# The read log grows with every digest; kept in its own file, so reading a link or a consent
# does not parse a year of reads, and logging a read does not rewrite the coaching file.
READS_FILE_NAME = "coach-reads.json"  # the whole log, before its split by month
READS_DIR = "coach-reads"  # the read log now: coach-reads/2026-11.json, one file per UTC month
T = TypeVar("T")
Rows = dict[str, list[dict[str, Any]]]

COACHES, INVITATIONS, LINKS, SHARING = "coaches", "invitations", "links", "sharing"
READS, PHASES, HOMEWORK, DIGESTS = "reads", "phases", "homework", "digests"
TABLES = (COACHES, INVITATIONS, LINKS, SHARING, PHASES, HOMEWORK, DIGESTS)


class _Store:
    """The rules, over the coaching part (`_coaching`: every table's rows, shared and never
    changed in place; `_write`: the whole part) and the read log by UTC month (`_months`,
    `_read_month`, `_write_month`)."""

    def __init__(self) -> None:
        # Rows by one field, built on first use from the coaching part they index and built
        # again once a write replaced it: link_of and friends no longer scan every row.
        self._indexed: Rows | None = None
        self._indexes: dict[tuple[str, str], dict[Any, list[dict[str, Any]]]] = {}

    def _coaching(self) -> Rows:
        raise NotImplementedError

    def _write(self, rows: Rows, reads: bool = False) -> None:
        """The whole coaching part; with `reads`, the whole read log (a bulk path: rows go to
        their months, every month is written)."""
        raise NotImplementedError

    def _months(self) -> list[str]:
        raise NotImplementedError

    def _read_month(self, month: str) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _write_month(self, month: str, rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def _read(self, reads: bool = False) -> Rows:
        if reads:
            return {READS: [row for month in self._months() for row in self._read_month(month)]}
        return self._coaching()

    def _write_log(self, rows: list[dict[str, Any]]) -> None:
        by_month = _by_month(rows)
        for month in sorted({*self._months(), *by_month}):
            self._write_month(month, by_month.get(month, []))

    def _change(self, edit: Callable[[Rows], None]) -> None:
        current = self._coaching()
        # Edits replace rows and lists, never change a row in place: shallow copies compare,
        # and the rows the part shares stay as they were until the write succeeded.
        rows = {table: list(found) for table, found in current.items()}
        edit(rows)
        if {table: found for table, found in rows.items() if found} != {
            table: found for table, found in current.items() if found
        }:
            self._write(rows)

    def _by(self, table: str, key: str) -> dict[Any, list[dict[str, Any]]]:
        current = self._coaching()
        if current is not self._indexed:
            self._indexed, self._indexes = current, {}
        index = self._indexes.get((table, key))
        if index is None:
            index = {}
            for row in current.get(table, []):
                index.setdefault(row.get(key), []).append(row)
            self._indexes[(table, key)] = index
        return index

    def _find(self, table: str, kind: type[T], **match: Any) -> list[T]:
        if table != READS and len(match) == 1:
            ((key, value),) = match.items()
            rows = self._by(table, key).get(value, [])
        else:
            rows = [
                row
                for row in self._read(table == READS).get(table, [])
                if all(row.get(key) == value for key, value in match.items())
            ]
        return [from_json(kind, row) for row in rows]

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
        # One write per month the reads fall in (one, but for a digest on a month's edge): a
        # month's file, never the whole log.
        for month, new in sorted(_by_month([to_json(read) for read in reads]).items()):
            self._write_month(month, [*self._read_month(month), *new])

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
        rows = self._by(DIGESTS, "coach_id").get(coach_id, [])
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
        for month in self._months():
            rows = self._read_month(month)
            kept = [r for r in rows if r["coachee_id"] != user_id]
            if len(kept) != len(rows):
                self._write_month(month, kept)
        self._change(edit)


def _unlink(rows: Rows, coachees: set[int]) -> None:
    """These coachees' links end: their sharing, homework and phase setting go with them."""
    for table in (LINKS, SHARING, PHASES, HOMEWORK):
        rows[table] = [r for r in rows.get(table, []) if r["coachee_id"] not in coachees]


def _month(row: dict[str, Any]) -> str:
    """The UTC month of a read: its file (coach-reads/2026-11.json)."""
    return utc(datetime.fromisoformat(row["at"])).strftime("%Y-%m")


def _by_month(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    months: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        months.setdefault(_month(row), []).append(row)
    return months


class InMemoryCoachStore(_Store):
    def __init__(self) -> None:
        super().__init__()
        self._rows: Rows = {}
        self._log: dict[str, list[dict[str, Any]]] = {}

    def _coaching(self) -> Rows:
        return self._rows  # never changed in place: _change edits copies of its lists

    def _write(self, rows: Rows, reads: bool = False) -> None:
        if reads:
            self._write_log(rows.get(READS, []))
        else:
            self._rows = rows

    def _months(self) -> list[str]:
        return sorted(self._log)

    def _read_month(self, month: str) -> list[dict[str, Any]]:
        return self._log.get(month, [])

    def _write_month(self, month: str, rows: list[dict[str, Any]]) -> None:
        self._log[month] = list(rows)


Stamp = tuple[int, int, int]  # inode, mtime (ns), size: a file replaced shows a new stamp


class TinyDbCoachStore(_Store):
    """coaches.json in the data folder, and the read log in coach-reads/, a file per UTC month
    (coach-reads/2026-11.json): TinyDB's table layout, each written atomically, sealed with
    the data key when there is one.

    The coaching part is kept parsed in memory, and the months last used (a digest appends to
    the current one): a store call costs no decryption and no parse while its file is as this
    store last read or wrote it. A write replaces the kept part only after its atomic write
    succeeded; a file replaced by anyone else (its inode, mtime or size changed) is read
    again. A read log from before the split (one coach-reads.json) is split into months when
    the store opens; the old file goes only after every month is written, so a split killed
    halfway is done again at the next start and loses nothing."""

    def __init__(
        self, data_dir: Path | str, sealer: Sealer = PLAIN, cached_months: int = 2
    ) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        make_private_folder(self.data_dir)
        self.path = self.data_dir / FILE_NAME
        self.reads_dir = self.data_dir / READS_DIR
        self.reads_path = self.data_dir / READS_FILE_NAME  # the log before the split
        self.sealer = sealer
        self.storage = AtomicJSONStorage(self.path, sealer)
        self._kept: tuple[Stamp | None, Rows] | None = None
        self._fragments: dict[str, str] = {}  # each kept table's JSON text, as last written
        self._kept_months: OrderedDict[str, tuple[Stamp | None, list[dict[str, Any]]]] = (
            OrderedDict()
        )
        self._cached_months = cached_months
        self.migrated = self._split_read_log()

    # --- the coaching part ---

    def _coaching(self) -> Rows:
        found = _stamp(self.path)
        if self._kept is not None and self._kept[0] == found and found is not None:
            return self._kept[1]
        document = self.storage.read() or {}
        rows = {
            table: list(document.get(table, {}).values()) for table in TABLES if table in document
        }
        self._kept, self._fragments = (found, rows), {}
        return rows

    def _write(self, rows: Rows, reads: bool = False) -> None:
        if reads:
            self._write_log(rows.get(READS, []))
            return
        # TinyDB's layout (table -> document id -> row), so `data check` and TinyDB read it.
        # A table the change left as it was keeps its JSON text from the last write: marking
        # a digest sent no longer serialises two years of homework and invitations.
        kept = self._kept[1] if self._kept is not None else {}
        fragments = {
            table: (
                self._fragments[table]
                if table in self._fragments and table in kept and rows[table] == kept[table]
                else _dumps({str(n): row for n, row in enumerate(rows[table], start=1)})
            )
            for table in TABLES
            if table in rows
        }
        fragments[META_TABLE] = _dumps(stamp({})[META_TABLE])  # the current schema
        text = "{" + ",".join(f"{_dumps(name)}:{part}" for name, part in fragments.items()) + "}"
        self._kept, self._fragments = None, {}  # a failed write keeps nothing that may be stale
        atomic.write_atomically(self.path, self.sealer.seal(text.encode("utf-8")))
        self._kept = (_stamp(self.path), rows)
        self._fragments = fragments

    # --- the read log, a file per month ---

    def _month_path(self, month: str) -> Path:
        return self.reads_dir / f"{month}.json"

    def _months(self) -> list[str]:
        if not self.reads_dir.is_dir():
            return []
        return sorted(
            p.stem for p in self.reads_dir.glob("*.json") if _MONTH.fullmatch(p.stem) is not None
        )

    def _read_month(self, month: str) -> list[dict[str, Any]]:
        path = self._month_path(month)
        found = _stamp(path)
        kept = self._kept_months.get(month)
        if kept is not None and kept[0] == found and found is not None:
            self._kept_months.move_to_end(month)
            return kept[1]
        document = AtomicJSONStorage(path, self.sealer).read() or {}
        rows = list(document.get(READS, {}).values())
        self._keep_month(month, found, rows)
        return rows

    def _write_month(self, month: str, rows: list[dict[str, Any]]) -> None:
        path = self._month_path(month)
        self._kept_months.pop(month, None)
        if not self.reads_dir.is_dir():
            make_private_folder(self.reads_dir)
        document = {READS: {str(number): row for number, row in enumerate(rows, start=1)}}
        AtomicJSONStorage(path, self.sealer).write(document)
        self._keep_month(month, _stamp(path), list(rows))

    def _keep_month(self, month: str, found: Stamp | None, rows: list[dict[str, Any]]) -> None:
        self._kept_months[month] = (found, rows)
        self._kept_months.move_to_end(month)
        while len(self._kept_months) > self._cached_months:
            self._kept_months.popitem(last=False)

    def _split_read_log(self) -> int:
        """coach-reads.json (the whole log, from before the split) into its months; how many
        reads moved. Rows a split killed halfway already wrote are not written twice."""
        if not self.reads_path.exists():
            return 0
        document = AtomicJSONStorage(self.reads_path, self.sealer).read() or {}
        old = list(document.get(READS, {}).values())
        for month, rows in sorted(_by_month(old).items()):
            present = self._read_month(month) if month in self._months() else []
            written = {_key(row) for row in present}
            self._write_month(month, [*present, *(r for r in rows if _key(r) not in written)])
        self.reads_path.unlink()
        return len(old)


_MONTH = re.compile(r"\d{4}-\d{2}")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _key(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True)


def _stamp(path: Path) -> Stamp | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return (found.st_ino, found.st_mtime_ns, found.st_size)
