"""One coachee's data in parts: read lazily, changed in memory, the changed parts written once.

A coachee's data is split in parts of TinyDB's shape ({table: {doc id: row}}): the head
(the profile and the small, rarely written kinds: escalations, questionnaire results,
retention notices, the last-seen mark, the awaited reply) and one part per month (UTC) of the
daily history (check-ins, exercise logs, reflections, reminder marks, snoozes). Recording an
answer then rewrites one small part, and `records(kind, since=...)` opens only the months
from `since` on.

`Stored` is what a repository holds of one coachee (parsed parts, decoded records), shared
between units of work through the repository's cache; `CoacheeDocument` is what a use case
sees (bot.core.ports.CoacheeFile): typed reads, and writes into private copies of the parts
they touch, so a unit of work that raises leaves `Stored` (and the cache) as it was.
Decoded records are frozen dataclasses: sharing them between units of work is safe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot.core.awaiting import Awaiting
from bot.core.models import (
    CrisisQuestion,
    Escalation,
    LastSeen,
    Profile,
    QuestionnaireResult,
    Record,
    RetentionNotice,
    RunningExercise,
)
from bot.storage.codec import from_json, table_name, to_json

R = TypeVar("R", bound=Record)
PROFILE_TABLE = "profile"
HEAD = "profile"  # the part holding the profile; month parts are named "YYYY-MM"

Document = dict[str, dict[str, Any]]
Part = Document

# Kinds that stay in the head: few rows, read whole (a follow-up looks at every escalation),
# or one row replaced in place. Every other kind is daily history, split by month.
HEAD_KINDS: frozenset[type] = frozenset(
    {
        Escalation,
        QuestionnaireResult,
        RetentionNotice,
        LastSeen,
        Awaiting,
        RunningExercise,
        CrisisQuestion,
    }
)


def month_of(moment: datetime) -> str:
    """The month part a record made at `moment` lives in (UTC, so it never depends on a
    timezone the coachee may change)."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def part_of(record: Any) -> str:
    if type(record) in HEAD_KINDS:
        return HEAD
    return month_of(record.at)


def is_month(key: str) -> bool:
    return len(key) == 7 and key[4] == "-" and key[:4].isdigit() and key[5:].isdigit()


@dataclass
class Stored:
    """What is on disk of one coachee, parsed as far as anyone has needed it.

    `months` lists every month part that exists (oldest first); `loaded` holds the parsed
    ones; `decoded` the sorted records per (part, kind) decoded so far.
    """

    head: Part | None = None
    months: list[str] = field(default_factory=list)
    loaded: dict[str, Part] = field(default_factory=dict)
    decoded: dict[tuple[str, type], tuple[Any, ...]] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        return self.head is not None or bool(self.months)

    def weight(self) -> int:
        """How much a cache holds for this coachee: the head plus each parsed month."""
        return 1 + len(self.loaded)


Loader = Callable[[str], Part | None]


class CoacheeDocument:
    def __init__(self, user_id: int, stored: Stored, load_month: Loader) -> None:
        self.user_id = int(user_id)
        self.stored = stored
        self._load_month = load_month
        self.had_profile = bool((stored.head or {}).get(PROFILE_TABLE))
        self.changed = False
        self.consented = False
        # Private copies of the parts this unit of work changed, and their decoded records.
        self.dirty: dict[str, Part] = {}
        self.removed: set[str] = set()  # month parts to delete (retention)
        self._decoded: dict[tuple[str, type], tuple[Any, ...]] = {}

    # --- parts ---------------------------------------------------------------------------

    def part(self, key: str) -> Part:
        """The part as this unit of work sees it (its own changes included); {} if none."""
        if key in self.dirty:
            return self.dirty[key]
        if key == HEAD:
            return self.stored.head or {}
        if key not in self.stored.months:
            return {}
        loaded = self.stored.loaded.get(key)
        if loaded is None:
            loaded = self._load_month(key) or {}
            self.stored.loaded[key] = loaded  # what is on disk: safe to share
        return loaded

    def _writable(self, key: str) -> Part:
        if key not in self.dirty:
            # Copy on write: rows are replaced, never changed in place, so copying the
            # tables (not the rows) keeps the stored part as it was.
            self.dirty[key] = {name: dict(rows) for name, rows in self.part(key).items()}
            self.removed.discard(key)
        self.changed = True
        return self.dirty[key]

    def month_keys(self) -> list[str]:
        """Every month part, oldest first, as this unit of work sees them."""
        keys = set(self.stored.months) | {k for k in self.dirty if k != HEAD}
        return sorted(keys - self.removed)

    def _keys_for(self, kind: type, since: datetime | None = None) -> list[str]:
        if kind in HEAD_KINDS:
            return [HEAD]
        keys = self.month_keys()
        if since is not None:
            first = month_of(since)
            keys = [k for k in keys if k >= first]
        return keys

    def _decoded_part(self, key: str, kind: type[R]) -> tuple[R, ...]:
        shared = key not in self.dirty
        cache = self.stored.decoded if shared else self._decoded
        found = cache.get((key, kind))
        if found is None:
            rows = self.part(key).get(table_name(kind), {}).values()
            found = tuple(sorted((from_json(kind, row) for row in rows), key=_at))
            cache[(key, kind)] = found
        return found

    # --- reads ---------------------------------------------------------------------------

    @property
    def profile(self) -> Profile | None:
        rows = list(self.part(HEAD).get(PROFILE_TABLE, {}).values())
        if not rows:
            return None
        found = self._decoded_part(HEAD, Profile)  # type: ignore[type-var]
        return found[0] if found else None  # type: ignore[return-value]

    def records(self, kind: type[R], since: datetime | None = None) -> list[R]:
        found: list[R] = []
        for key in self._keys_for(kind, since):
            found.extend(self._decoded_part(key, kind))
        if since is not None:
            return [r for r in found if r.at >= since]
        return found

    def find(self, kind: type[R], record_id: str) -> R | None:
        # Newest months first: the record asked for is nearly always a recent one.
        for key in reversed(self._keys_for(kind)):
            for record in self._decoded_part(key, kind):
                if record.id == record_id:
                    return record
        return None

    # --- writes (kept in memory until the unit of work commits) ---------------------------

    def save_profile(self, profile: Profile) -> None:
        if profile.user_id != self.user_id:
            raise ValueError("a unit of work writes one coachee's data only")
        row = to_json(profile)  # fails on a bad value before anything changes
        self._writable(HEAD)[PROFILE_TABLE] = {"1": row}
        self._decoded.pop((HEAD, Profile), None)

    def add(self, record: Record) -> None:
        row = to_json(record)
        key = part_of(record)
        table = self._writable(key).setdefault(table_name(type(record)), {})
        table[str(_next_id(table))] = row
        self._decoded.pop((key, type(record)), None)

    def replace(self, record: Record) -> None:
        """Store a changed version of the record with this id (or add it when new)."""
        row = to_json(record)
        kind, name, target = type(record), table_name(type(record)), part_of(record)
        # Where the record lives now: its own month first, then the newest months.
        candidates = [target, *(k for k in reversed(self._keys_for(kind)) if k != target)]
        for key in candidates:
            keys = [
                k for k, old in self.part(key).get(name, {}).items() if old.get("id") == record.id
            ]
            if not keys:
                continue
            table = self._writable(key)[name]
            if key == target:
                for k in keys:
                    table[k] = row
            else:  # its instant moved to another month: it moves with it
                for k in keys:
                    del table[k]
                self._decoded.pop((key, kind), None)
                moved = self._writable(target).setdefault(name, {})
                moved[str(_next_id(moved))] = row
            self._decoded.pop((target, kind), None)
            return
        self.add(record)

    def record_consent(self) -> None:
        """This person said yes to storing their answers: the commit lifts an erasure's
        tombstone before it writes (bot.core.ports.Repository.record_consent)."""
        self.consented = True
        self.changed = True

    # --- retention -------------------------------------------------------------------------

    def erase_before(self, before: datetime, kinds: Iterable[type]) -> int:
        """Remove records of `kinds` older than `before`; how many. Whole months before the
        cut are removed as parts; the month of the cut and the head are filtered."""
        removed = 0
        cut_month = month_of(before)
        for key in [HEAD, *self.month_keys()]:
            if key != HEAD and key > cut_month:
                break
            part = self.part(key)
            names = {table_name(kind) for kind in kinds}
            old = {
                name: [k for k, row in rows.items() if datetime.fromisoformat(row["at"]) < before]
                for name, rows in part.items()
                if name in names
            }
            count = sum(len(keys) for keys in old.values())
            if not count:
                continue
            removed += count
            left = sum(len(rows) for name, rows in part.items() if name not in ("_meta",))
            if key != HEAD and left == count:
                self.removed.add(key)
                self.dirty.pop(key, None)
                self.changed = True
                continue
            writable = self._writable(key)
            for name, keys in old.items():
                for k in keys:
                    del writable[name][k]
            self._decoded = {k: v for k, v in self._decoded.items() if k[0] != key}
        return removed

    def commit_to(self, stored: Stored) -> None:
        """After the parts were written: the stored state becomes what was written."""
        for key, part in self.dirty.items():
            stored.decoded = {k: v for k, v in stored.decoded.items() if k[0] != key}
            stored.decoded.update({k: v for k, v in self._decoded.items() if k[0] == key})
            if key == HEAD:
                stored.head = part
            else:
                stored.loaded[key] = part
        for key in self.removed:
            stored.loaded.pop(key, None)
            stored.decoded = {k: v for k, v in stored.decoded.items() if k[0] != key}
        stored.months = self.month_keys()


def _at(record: Any) -> Any:
    return getattr(record, "at", None) or datetime.min.replace(tzinfo=UTC)


def _next_id(table: dict[str, Any]) -> int:
    # TinyDB's own rule: one more than the largest id in the table.
    return max((int(key) for key in table), default=0) + 1
