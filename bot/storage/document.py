"""One coachee's data as one document: read once, changed in memory, written once.

The document has TinyDB's shape ({table: {doc id: row}}), so the TinyDB repository reads and
writes it through its atomic storage in one go, and the in-memory repository keeps the same
shape. `CoacheeDocument` is what a use case sees (bot.core.ports.CoacheeFile): typed reads,
decoded once per kind, and writes that only touch the dict until the unit of work commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from bot.core.models import Profile, Record
from bot.storage.codec import from_json, table_name, to_json

R = TypeVar("R", bound=Record)
PROFILE_TABLE = "profile"

Document = dict[str, dict[str, Any]]


class CoacheeDocument:
    def __init__(self, user_id: int, document: Document | None) -> None:
        self.user_id = int(user_id)
        self.document: Document = document if document is not None else {}
        self.existed = document is not None
        self.had_profile = bool(self.document.get(PROFILE_TABLE))
        self.changed = False
        self.consented = False
        self._decoded: dict[type, list[Any]] = {}

    # --- reads ---------------------------------------------------------------------------

    @property
    def profile(self) -> Profile | None:
        rows = list(self.document.get(PROFILE_TABLE, {}).values())
        return from_json(Profile, rows[0]) if rows else None

    def records(self, kind: type[R], since: datetime | None = None) -> list[R]:
        found = self._decoded.get(kind)
        if found is None:
            rows = self.document.get(table_name(kind), {}).values()
            found = sorted((from_json(kind, row) for row in rows), key=lambda r: r.at)
            self._decoded[kind] = found
        if since is not None:
            return [r for r in found if r.at >= since]
        return list(found)

    def find(self, kind: type[R], record_id: str) -> R | None:
        return next((r for r in self.records(kind) if r.id == record_id), None)

    # --- writes (kept in memory until the unit of work commits) ---------------------------

    def save_profile(self, profile: Profile) -> None:
        if profile.user_id != self.user_id:
            raise ValueError("a unit of work writes one coachee's data only")
        row = to_json(profile)  # fails on a bad value before anything changes
        self.document[PROFILE_TABLE] = {"1": row}
        self.changed = True

    def add(self, record: Record) -> None:
        row = to_json(record)
        table = self.document.setdefault(table_name(type(record)), {})
        table[str(_next_id(table))] = row
        self._forget(type(record))

    def replace(self, record: Record) -> None:
        """Store a changed version of the record with this id (or add it when new)."""
        row = to_json(record)
        table = self.document.setdefault(table_name(type(record)), {})
        keys = [key for key, old in table.items() if old.get("id") == record.id]
        for key in keys:
            table[key] = row
        if not keys:
            table[str(_next_id(table))] = row
        self._forget(type(record))

    def record_consent(self) -> None:
        """This person said yes to storing their answers: the commit lifts an erasure's
        tombstone before it writes (bot.core.ports.Repository.record_consent)."""
        self.consented = True
        self.changed = True

    def _forget(self, kind: type) -> None:
        self._decoded.pop(kind, None)
        self.changed = True


def _next_id(table: dict[str, Any]) -> int:
    # TinyDB's own rule: one more than the largest id in the table.
    return max((int(key) for key in table), default=0) + 1
