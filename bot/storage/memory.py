"""An in-memory repository: the fake that core tests and the offline tools run against.

It keeps what the TinyDB backend would write (JSON-ready dicts through the same codec, in the
same parts: bot.storage.document) and decodes in every unit of work anew, so a value that
would not survive a real file does not survive here either, and callers never share mutable
state with the store.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from bot.core.models import RECORD_TYPES, Profile, Record, utc
from bot.core.ports import UserErased
from bot.storage.codec import export_document
from bot.storage.document import HEAD, PROFILE_TABLE, CoacheeDocument, Part, Stored
from bot.storage.locks import CoacheeLocks

R = TypeVar("R", bound=Record)
log = logging.getLogger(__name__)


class InMemoryRepository:
    def __init__(self) -> None:
        self._parts: dict[int, dict[str, Part]] = {}
        self._refusals: dict[int, datetime] = {}
        self._erased: set[int] = set()
        self._locks = CoacheeLocks()

    @contextmanager
    def unit_of_work(self, user_id: int) -> Iterator[CoacheeDocument]:
        with self._locks.of(user_id):
            parts = self._parts.get(user_id, {})
            # The parts are shared, never changed: the document writes into copies, so a
            # unit of work that raises leaves them as they were.
            stored = Stored(
                head=parts.get(HEAD), months=sorted(k for k in parts if k != HEAD), loaded={}
            )
            coachee = CoacheeDocument(user_id, stored, parts.get)
            yield coachee
            if not coachee.changed:
                return
            if coachee.consented:
                self._erased.discard(user_id)
            if user_id in self._erased:
                log.warning("storage.erased_write_refused user=%s", user_id)
                raise UserErased(user_id)
            if coachee.profile is not None:
                self._refusals.pop(user_id, None)
            changed = {k: v for k, v in parts.items() if k not in coachee.removed}
            changed.update(coachee.dirty)
            if changed:
                self._parts[user_id] = changed
            else:  # retention removed every part there was
                self._parts.pop(user_id, None)

    def load_profile(self, user_id: int) -> Profile | None:
        with self.unit_of_work(user_id) as coachee:
            return coachee.profile

    def save_profile(self, profile: Profile) -> None:
        with self.unit_of_work(profile.user_id) as coachee:
            coachee.save_profile(profile)

    def record_refusal(self, user_id: int, at: datetime) -> None:
        self._refusals[user_id] = utc(at)

    def refused_at(self, user_id: int) -> datetime | None:
        return self._refusals.get(user_id)

    def record_consent(self, user_id: int) -> None:
        self._erased.discard(user_id)

    def add(self, user_id: int, record: Record) -> None:
        with self.unit_of_work(user_id) as coachee:
            coachee.add(record)

    def replace(self, user_id: int, record: Record) -> None:
        with self.unit_of_work(user_id) as coachee:
            coachee.replace(record)

    def records(self, user_id: int, kind: type[R], since: datetime | None = None) -> list[R]:
        with self.unit_of_work(user_id) as coachee:
            return coachee.records(kind, since)

    def user_ids(self) -> list[int]:
        return sorted(
            uid for uid, parts in self._parts.items() if parts.get(HEAD, {}).get(PROFILE_TABLE)
        )

    def export(self, user_id: int) -> dict[str, Any]:
        return export_document(self, user_id)

    def erase(self, user_id: int) -> None:
        with self._locks.of(user_id):
            self._refusals.pop(user_id, None)
            stored = self._parts.pop(user_id, None)
            # Only someone who had data gets a tombstone (jobs may still be writing for
            # them); a stranger or someone who only said no keeps not even their id.
            if stored is not None:
                self._erased.add(user_id)

    # --- retention ---------------------------------------------------------------------

    def erase_before(self, user_id: int, before: datetime) -> int:
        with self.unit_of_work(user_id) as coachee:
            return coachee.erase_before(utc(before), RECORD_TYPES)

    def refusals(self) -> dict[int, datetime]:
        return dict(self._refusals)
