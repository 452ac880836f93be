"""An in-memory repository: the fake that core tests and the offline tools run against.

It keeps what the TinyDB backend would write (JSON-ready dicts through the same codec) and
decodes on every read, so a value that would not survive a real file does not survive here
either, and callers never share mutable state with the store.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from typing import Any, TypeVar

from bot.core.models import Profile, Record, utc
from bot.core.ports import UserErased
from bot.storage.codec import export_document, from_json, table_name, to_json

R = TypeVar("R", bound=Record)
log = logging.getLogger(__name__)


class InMemoryRepository:
    def __init__(self) -> None:
        self._profiles: dict[int, dict[str, Any]] = {}
        self._refusals: dict[int, datetime] = {}
        self._erased: set[int] = set()
        self._history: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(
            lambda: defaultdict(list)
        )

    def load_profile(self, user_id: int) -> Profile | None:
        row = self._profiles.get(user_id)
        return from_json(Profile, row) if row is not None else None

    def _refuse_if_erased(self, user_id: int) -> None:
        if user_id in self._erased:
            log.warning("storage.erased_write_refused user=%s", user_id)
            raise UserErased(user_id)

    def save_profile(self, profile: Profile) -> None:
        self._refuse_if_erased(profile.user_id)
        self._profiles[profile.user_id] = to_json(profile)
        self._refusals.pop(profile.user_id, None)

    def record_refusal(self, user_id: int, at: datetime) -> None:
        self._refusals[user_id] = utc(at)

    def refused_at(self, user_id: int) -> datetime | None:
        return self._refusals.get(user_id)

    def record_consent(self, user_id: int) -> None:
        self._erased.discard(user_id)

    def add(self, user_id: int, record: Record) -> None:
        self._refuse_if_erased(user_id)
        self._history[user_id][table_name(type(record))].append(to_json(record))

    def replace(self, user_id: int, record: Record) -> None:
        self._refuse_if_erased(user_id)
        rows = self._history[user_id][table_name(type(record))]
        row = to_json(record)
        matches = [index for index, old in enumerate(rows) if old.get("id") == record.id]
        for index in matches:
            rows[index] = row
        if not matches:
            rows.append(row)

    def records(self, user_id: int, kind: type[R], since: datetime | None = None) -> list[R]:
        tables = self._history.get(user_id)
        rows = tables.get(table_name(kind), []) if tables else []
        found = [from_json(kind, row) for row in rows]
        if since is not None:
            found = [r for r in found if r.at >= since]
        return sorted(found, key=lambda r: r.at)

    def user_ids(self) -> list[int]:
        return sorted(self._profiles)

    def export(self, user_id: int) -> dict[str, Any]:
        return export_document(self, user_id)

    def erase(self, user_id: int) -> None:
        self._refusals.pop(user_id, None)
        stored = [self._profiles.pop(user_id, None), self._history.pop(user_id, None)]
        # Only someone who had data gets a tombstone (jobs may still be writing for them);
        # a stranger or someone who only said no keeps not even their id.
        if any(item is not None for item in stored):
            self._erased.add(user_id)

    # --- retention ---------------------------------------------------------------------

    def erase_before(self, user_id: int, before: datetime) -> int:
        cut = utc(before)
        removed = 0
        for rows in self._history.get(user_id, {}).values():
            kept = [row for row in rows if datetime.fromisoformat(row["at"]) >= cut]
            removed += len(rows) - len(kept)
            rows[:] = kept
        return removed

    def refusals(self) -> dict[int, datetime]:
        return dict(self._refusals)
