"""The TinyDB repository: one file per coachee plus a small shared index.

Recording an answer reads and rewrites only that coachee's file, so its cost grows with
their own history, never with the number of users. The index (who has a profile, who
refused, who erased their data) is written only when it changes.

Erasure holds: the index keeps a tombstone (the user id only) for everyone who erased their
data, and add, replace and save_profile refuse to write for them until they consent again,
so a job still running at the moment of erasure cannot recreate their file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from tinydb import Query, TinyDB

from bot.core.models import RECORD_TYPES, Profile, Record, utc
from bot.core.ports import UserErased
from bot.storage.atomic import AtomicJSONStorage, make_private_folder, temp_files_of
from bot.storage.codec import export_document, from_json, table_name
from bot.storage.document import CoacheeDocument
from bot.storage.locks import CoacheeLocks
from bot.storage.sealing import PLAIN, Sealer

R = TypeVar("R", bound=Record)
PROFILE_TABLE = "profile"
USERS_TABLE = "users"
REFUSALS_TABLE = "refusals"
ERASED_TABLE = "erased"

log = logging.getLogger(__name__)

__all__ = ["TinyDbRepository", "table_name"]


class TinyDbRepository:
    def __init__(self, data_dir: Path | str, sealer: Sealer = PLAIN) -> None:
        self.data_dir = Path(data_dir)
        self.users_dir = self.data_dir / "users"
        self.sealer = sealer
        make_private_folder(self.data_dir)
        make_private_folder(self.users_dir)
        self.index_path = self.data_dir / "index.json"
        # Read from the index once, then kept here: a write checks it without reading the
        # index, so recording an answer still costs only that coachee's own file.
        self._erased_ids: set[int] | None = None
        self._locks = CoacheeLocks()

    def user_path(self, user_id: int) -> Path:
        return self.users_dir / f"{int(user_id)}.json"

    def _user_db(self, user_id: int) -> TinyDB:
        return TinyDB(self.user_path(user_id), storage=AtomicJSONStorage, sealer=self.sealer)

    def _index(self) -> TinyDB:
        return TinyDB(self.index_path, storage=AtomicJSONStorage, sealer=self.sealer)

    def _erased(self) -> set[int]:
        if self._erased_ids is None:
            if self.index_path.exists():
                with self._index() as index:
                    rows = index.table(ERASED_TABLE).all()
                self._erased_ids = {int(row["user_id"]) for row in rows}
            else:
                self._erased_ids = set()
        return self._erased_ids

    def _refuse_if_erased(self, user_id: int) -> None:
        if int(user_id) in self._erased():
            log.warning("storage.erased_write_refused user=%s", user_id)
            raise UserErased(user_id)

    # --- profile ---------------------------------------------------------------------

    def load_profile(self, user_id: int) -> Profile | None:
        if not self.user_path(user_id).exists():
            return None
        with self._user_db(user_id) as db:
            rows = db.table(PROFILE_TABLE).all()
        return from_json(Profile, rows[0]) if rows else None

    def save_profile(self, profile: Profile) -> None:
        with self.unit_of_work(profile.user_id) as coachee:
            coachee.save_profile(profile)

    def record_refusal(self, user_id: int, at: datetime) -> None:
        with self._index() as index:
            index.table(REFUSALS_TABLE).upsert(
                {"user_id": user_id, "at": utc(at).isoformat()}, Query().user_id == user_id
            )

    def refused_at(self, user_id: int) -> datetime | None:
        if not self.index_path.exists():
            return None
        with self._index() as index:
            row = index.table(REFUSALS_TABLE).get(Query().user_id == user_id)
        return datetime.fromisoformat(row["at"]) if row else None  # type: ignore[index]

    def record_consent(self, user_id: int) -> None:
        if int(user_id) not in self._erased():
            return
        with self._index() as index:
            index.table(ERASED_TABLE).remove(Query().user_id == user_id)
        self._erased().discard(int(user_id))

    # --- history ---------------------------------------------------------------------

    def add(self, user_id: int, record: Record) -> None:
        with self.unit_of_work(user_id) as coachee:
            coachee.add(record)

    def replace(self, user_id: int, record: Record) -> None:
        with self.unit_of_work(user_id) as coachee:
            coachee.replace(record)

    # --- unit of work ----------------------------------------------------------------

    @contextmanager
    def unit_of_work(self, user_id: int) -> Iterator[CoacheeDocument]:
        storage = AtomicJSONStorage(self.user_path(user_id), sealer=self.sealer)
        with self._locks.of(user_id):
            coachee = CoacheeDocument(user_id, storage.read())
            yield coachee
            if not coachee.changed:
                return
            if coachee.consented:
                self.record_consent(user_id)
            self._refuse_if_erased(user_id)
            if coachee.profile is not None and not coachee.had_profile:
                self._list_user(user_id)
            storage.write(coachee.document)

    def _list_user(self, user_id: int) -> None:
        # The index first: a crash in between leaves a listed user without a profile
        # (callers already skip those), never a profile that start-up cannot find.
        user = Query().user_id == user_id
        with self._index() as index:
            users, refusals = index.table(USERS_TABLE), index.table(REFUSALS_TABLE)
            if not users.contains(user):
                users.insert({"user_id": user_id})
            if refusals.contains(user):
                refusals.remove(user)

    def records(self, user_id: int, kind: type[R], since: datetime | None = None) -> list[R]:
        if not self.user_path(user_id).exists():
            return []
        with self._user_db(user_id) as db:
            rows = db.table(table_name(kind)).all()
        found = [from_json(kind, row) for row in rows]
        if since is not None:
            found = [r for r in found if r.at >= since]
        return sorted(found, key=lambda r: r.at)

    # --- whole users -----------------------------------------------------------------

    def user_ids(self) -> list[int]:
        if not self.index_path.exists():
            return []
        with self._index() as index:
            return sorted(row["user_id"] for row in index.table(USERS_TABLE).all())

    def export(self, user_id: int) -> dict[str, Any]:
        return export_document(self, user_id)

    def erase(self, user_id: int) -> None:
        with self._locks.of(user_id):
            self._erase(user_id)

    def _erase(self, user_id: int) -> None:
        path = self.user_path(user_id)
        # A writer killed mid-write leaves a temp copy of the file: it is this person's data.
        files = [p for p in [path, *temp_files_of(path)] if p.exists()]
        for leftover in files:
            leftover.unlink(missing_ok=True)
        # The files first: a crash before the index is updated leaves a listed user without
        # a profile (skipped everywhere), never their data on disk.
        mentions = (Query().user_id == user_id) | (Query().coachee_id == user_id)
        if not files and not self.index_path.exists():
            return  # nothing was ever stored: no tombstone either, not even the id
        with self._index() as index:
            mentioned = [
                name
                for name in index.tables()
                if name != ERASED_TABLE and index.table(name).contains(mentions)
            ]
            for name in mentioned:
                index.table(name).remove(mentions)
            if not files:
                # A stranger or someone who only said no: no job ever writes for them, so
                # not even their id is kept as a tombstone.
                return
            tombstones = index.table(ERASED_TABLE)
            if not tombstones.contains(Query().user_id == user_id):
                tombstones.insert({"user_id": user_id})
        self._erased().add(int(user_id))

    # --- retention -------------------------------------------------------------------

    def erase_before(self, user_id: int, before: datetime) -> int:
        with self._locks.of(user_id):
            return self._erase_before(user_id, before)

    def _erase_before(self, user_id: int, before: datetime) -> int:
        cut = utc(before)
        if not self.user_path(user_id).exists():
            return 0
        # Through the storage, not table by table: TinyDB would rewrite the file per table.
        with self._user_db(user_id) as db:
            document = db.storage.read() or {}
            removed = 0
            for kind in RECORD_TYPES:
                rows = document.get(table_name(kind), {})
                old = [key for key, row in rows.items() if datetime.fromisoformat(row["at"]) < cut]
                for key in old:
                    del rows[key]
                removed += len(old)
            if removed:
                db.storage.write(document)
        return removed

    def refusals(self) -> dict[int, datetime]:
        if not self.index_path.exists():
            return {}
        with self._index() as index:
            rows = index.table(REFUSALS_TABLE).all()
        return {row["user_id"]: datetime.fromisoformat(row["at"]) for row in rows}
