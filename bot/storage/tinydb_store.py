"""The TinyDB repository: one file per coachee plus a small shared index.

Recording an answer rewrites only that coachee's file, so its cost grows with their own
history, never with the number of users.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from tinydb import Query, TinyDB

from bot.core.models import RECORD_TYPES, Profile, Record
from bot.storage.atomic import AtomicJSONStorage
from bot.storage.codec import from_json, to_json

R = TypeVar("R", bound=Record)
PROFILE_TABLE = "profile"


def table_name(kind: type) -> str:
    return kind.__name__.lower()


class TinyDbRepository:
    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir)
        self.users_dir = self.data_dir / "users"
        self.users_dir.mkdir(parents=True, exist_ok=True)
        self.index_path = self.data_dir / "index.json"

    def _user_db(self, user_id: int) -> TinyDB:
        return TinyDB(self.users_dir / f"{int(user_id)}.json", storage=AtomicJSONStorage)

    def _index(self) -> TinyDB:
        return TinyDB(self.index_path, storage=AtomicJSONStorage)

    # --- profile ---------------------------------------------------------------------

    def load_profile(self, user_id: int) -> Profile | None:
        if not (self.users_dir / f"{int(user_id)}.json").exists():
            return None
        with self._user_db(user_id) as db:
            rows = db.table(PROFILE_TABLE).all()
        return from_json(Profile, rows[0]) if rows else None

    def save_profile(self, profile: Profile) -> None:
        with self._user_db(profile.user_id) as db:
            table = db.table(PROFILE_TABLE)
            table.upsert(to_json(profile), Query().user_id == profile.user_id)
        with self._index() as index:
            users = index.table("users")
            if not users.contains(Query().user_id == profile.user_id):
                users.insert({"user_id": profile.user_id})
            index.table("refusals").remove(Query().user_id == profile.user_id)

    def record_refusal(self, user_id: int, at: datetime) -> None:
        with self._index() as index:
            index.table("refusals").upsert({"user_id": user_id, "at": at.isoformat()},
                                           Query().user_id == user_id)

    def refused_at(self, user_id: int) -> datetime | None:
        if not self.index_path.exists():
            return None
        with self._index() as index:
            row = index.table("refusals").get(Query().user_id == user_id)
        return datetime.fromisoformat(row["at"]) if row else None  # type: ignore[index]

    # --- history ---------------------------------------------------------------------

    def add(self, user_id: int, record: Record) -> None:
        with self._user_db(user_id) as db:
            db.table(table_name(type(record))).insert(to_json(record))

    def replace(self, user_id: int, record: Record) -> None:
        with self._user_db(user_id) as db:
            db.table(table_name(type(record))).upsert(to_json(record), Query().id == record.id)

    def records(self, user_id: int, kind: type[R], since: datetime | None = None) -> list[R]:
        if not (self.users_dir / f"{int(user_id)}.json").exists():
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
            return sorted(row["user_id"] for row in index.table("users").all())

    def export(self, user_id: int) -> dict[str, Any]:
        profile = self.load_profile(user_id)
        return {
            "profile": to_json(profile) if profile else None,
            **{table_name(kind): [to_json(r) for r in self.records(user_id, kind)]
               for kind in RECORD_TYPES},
        }

    def erase(self, user_id: int) -> None:
        (self.users_dir / f"{int(user_id)}.json").unlink(missing_ok=True)
        if self.index_path.exists():
            with self._index() as index:
                for table in index.tables():
                    index.table(table).remove(
                        (Query().user_id == user_id) | (Query().coachee_id == user_id)
                    )

