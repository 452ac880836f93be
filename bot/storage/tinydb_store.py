"""The TinyDB repository: one folder per coachee plus a small shared index.

A coachee's folder holds their head (profile.json: the profile and the few rows read whole,
bot.storage.document.HEAD_KINDS) and one file per month (UTC) of daily history
(2025-03.json), each a TinyDB document written atomically. Recording an answer rewrites one
month file (and the head only when it changed), so its cost follows that month, never the
years before it or the number of users; reading recent history opens only recent months.
Parsed parts are kept in a bounded write-through cache (bot.storage.cache).

A unit of work that changed several parts writes the month files first and the head last:
a crash in between can leave history written without the head's change (an answer the
coachee was never told was saved), never a half-written file or a lost acknowledged answer.

The index (who has a profile, who refused, who erased their data) is written only when it
changes. Erasure holds: the index keeps a tombstone (the user id only) for everyone who
erased their data, and add, replace and save_profile refuse to write for them until they
consent again, so a job still running at the moment of erasure cannot recreate their files.

Folders from before the split (one file per coachee, users/<id>.json) are split on start
(`migrate_layout`); the old file goes only after every part of it was written, so a split
killed halfway is done again from it at the next start.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from tinydb import Query, TinyDB

from bot.core.models import RECORD_TYPES, Profile, Record, utc
from bot.core.ports import UserErased
from bot.storage.atomic import (
    AtomicJSONStorage,
    folders_synced_once,
    make_private_folder,
    temp_files_of,
)
from bot.storage.cache import DEFAULT_PARTS, PartsCache
from bot.storage.codec import export_document, table_name
from bot.storage.document import (
    HEAD,
    HEAD_KINDS,
    PROFILE_TABLE,
    CoacheeDocument,
    Document,
    Part,
    Stored,
    is_month,
    month_of,
)
from bot.storage.locks import CoacheeLocks
from bot.storage.migrations import META_TABLE
from bot.storage.sealing import PLAIN, Sealer

R = TypeVar("R", bound=Record)
USERS_TABLE = "users"
REFUSALS_TABLE = "refusals"
ERASED_TABLE = "erased"
HEAD_FILE = f"{HEAD}.json"
RECORD_TABLES = {table_name(kind): kind for kind in RECORD_TYPES}

log = logging.getLogger(__name__)

__all__ = ["PROFILE_TABLE", "TinyDbRepository", "split_document", "table_name"]


class TinyDbRepository:
    def __init__(
        self,
        data_dir: Path | str,
        sealer: Sealer = PLAIN,
        cache_parts: int = DEFAULT_PARTS,
        migrate: bool = True,
    ) -> None:
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
        self._index_lock = threading.RLock()
        self.cache = PartsCache(cache_parts)
        self.migrated = self.migrate_layout() if migrate else 0

    # --- where things are ------------------------------------------------------------

    def user_path(self, user_id: int) -> Path:
        """The coachee's folder: everything stored about them is in it."""
        return self.users_dir / str(int(user_id))

    def legacy_path(self, user_id: int) -> Path:
        """Where a coachee's single file was before the split."""
        return self.users_dir / f"{int(user_id)}.json"

    def part_path(self, user_id: int, key: str) -> Path:
        return self.user_path(user_id) / f"{key}.json"

    def _storage(self, path: Path) -> AtomicJSONStorage:
        return AtomicJSONStorage(path, sealer=self.sealer)

    @contextmanager
    def _index(self) -> Iterator[TinyDB]:
        """The shared index, one user of it at a time: coachees' locks are their own, and two
        first consents at once each read the index, add a row and write it back (TinyDB
        gave both rows the same id, and one consent failed)."""
        with (
            self._index_lock,
            TinyDB(self.index_path, storage=AtomicJSONStorage, sealer=self.sealer) as index,
        ):
            yield index

    # --- the split of one file per coachee -------------------------------------------

    def migrate_layout(self) -> int:
        """Split every coachee's single file (the layout before months); how many."""
        legacy = [
            int(entry.name[:-5])
            for entry in os.scandir(self.users_dir)
            if entry.is_file()
            and entry.name.endswith(".json")
            and entry.name[:-5].lstrip("-").isdigit()
        ]
        for user_id in legacy:
            with self._locks.of(user_id):
                self._split_legacy(user_id)
        if legacy:
            log.info("storage.layout_migrated coachees=%s", len(legacy))
        return len(legacy)

    def _split_legacy(self, user_id: int) -> None:
        legacy = self.legacy_path(user_id)
        document = self._storage(legacy).read()
        if document:
            parts = split_document(document)
            make_private_folder(self.user_path(user_id))
            # The head last: a part written is a copy of what the old file still holds.
            for key in sorted(parts, key=lambda k: (k == HEAD, k)):
                self._storage(self.part_path(user_id, key)).write(parts[key])
        legacy.unlink()
        for leftover in temp_files_of(legacy):
            leftover.unlink(missing_ok=True)
        self.cache.drop(user_id)

    # --- reading one coachee ---------------------------------------------------------

    def _stored(self, user_id: int) -> Stored:
        """This coachee's parts as far as parsed; the caller holds their lock."""
        found = self.cache.get(user_id)
        if found is not None:
            return found
        if self.legacy_path(user_id).exists():  # restored from an old backup, say
            self._split_legacy(user_id)
        try:
            names = os.listdir(self.user_path(user_id))
        except FileNotFoundError:
            names = []
        months = sorted(n[:-5] for n in names if n.endswith(".json") and is_month(n[:-5]))
        head = self._storage(self.part_path(user_id, HEAD)).read() if HEAD_FILE in names else None
        return Stored(head=head, months=months)

    def _read_month(self, user_id: int, key: str) -> Part | None:
        return self._storage(self.part_path(user_id, key)).read()

    def _write(self, user_id: int, coachee: CoacheeDocument) -> None:
        folder = self.user_path(user_id)
        if coachee.dirty:
            make_private_folder(folder)
        # Months first, the head last (see the module's docstring); the folder synced once.
        with folders_synced_once():
            for key in sorted(coachee.dirty, key=lambda k: (k == HEAD, k)):
                self._storage(self.part_path(user_id, key)).write(coachee.dirty[key])
            for key in sorted(coachee.removed):
                self.part_path(user_id, key).unlink(missing_ok=True)

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
        with self.unit_of_work(user_id) as coachee:
            return coachee.profile

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
        with self._locks.of(user_id):
            stored = self._stored(user_id)
            coachee = CoacheeDocument(user_id, stored, lambda key: self._read_month(user_id, key))
            try:
                yield coachee
                if coachee.changed:
                    if coachee.consented:
                        self.record_consent(user_id)
                    self._refuse_if_erased(user_id)
                    if coachee.profile is not None and not coachee.had_profile:
                        self._list_user(user_id)
                    self._write(user_id, coachee)
                    coachee.commit_to(stored)
            except BaseException:
                # A write that failed halfway may have changed some files: read them anew.
                self.cache.drop(user_id)
                raise
            self.cache.put(user_id, stored)  # kept, re-weighed with the months it parsed

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
        with self.unit_of_work(user_id) as coachee:
            return coachee.records(kind, since)

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
        self.cache.drop(user_id)
        folder, legacy = self.user_path(user_id), self.legacy_path(user_id)
        # A writer killed mid-write leaves a temp copy of a file: it is this person's data.
        files = [p for p in [legacy, *temp_files_of(legacy)] if p.exists()]
        if folder.exists():
            files.append(folder)
            shutil.rmtree(folder)
        for leftover in files:
            if leftover != folder:
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
        # Whole months before the cut are deleted unread-for-writing; the month of the cut
        # and the head are rewritten once each.
        with self.unit_of_work(user_id) as coachee:
            return coachee.erase_before(utc(before), RECORD_TYPES)

    def refusals(self) -> dict[int, datetime]:
        if not self.index_path.exists():
            return {}
        with self._index() as index:
            rows = index.table(REFUSALS_TABLE).all()
        return {row["user_id"]: datetime.fromisoformat(row["at"]) for row in rows}


def split_document(document: Document) -> dict[str, Part]:
    """One coachee's single file (the layout before months) as parts: the head and one
    part per month of daily history; doc ids and row order are kept."""
    parts: dict[str, Part] = {}
    meta = document.get(META_TABLE)
    for name, rows in document.items():
        if name == META_TABLE:
            continue
        kind = RECORD_TABLES.get(name)
        if kind is None or kind in HEAD_KINDS:
            # The profile, the rare kinds, and any table this code does not know (kept).
            parts.setdefault(HEAD, {})[name] = dict(rows)
            continue
        for key, row in rows.items():
            month = month_of(datetime.fromisoformat(row["at"]))
            parts.setdefault(month, {}).setdefault(name, {})[key] = row
    if meta is not None:
        for part in parts.values():
            part[META_TABLE] = dict(meta)
    return parts
