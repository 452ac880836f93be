"""An in-memory repository: the fake that core tests and the offline tools run against."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, TypeVar

from bot.core.models import RECORD_TYPES, Profile, Record
from bot.storage.codec import to_json
from bot.storage.tinydb_store import table_name

R = TypeVar("R", bound=Record)


class InMemoryRepository:
    def __init__(self) -> None:
        self.profiles: dict[int, Profile] = {}
        self.refusals: dict[int, datetime] = {}
        self.history: dict[int, list[Record]] = defaultdict(list)

    def load_profile(self, user_id: int) -> Profile | None:
        return self.profiles.get(user_id)

    def save_profile(self, profile: Profile) -> None:
        self.profiles[profile.user_id] = profile
        self.refusals.pop(profile.user_id, None)

    def record_refusal(self, user_id: int, at: datetime) -> None:
        self.refusals[user_id] = at

    def refused_at(self, user_id: int) -> datetime | None:
        return self.refusals.get(user_id)

    def add(self, user_id: int, record: Record) -> None:
        self.history[user_id].append(record)

    def replace(self, user_id: int, record: Record) -> None:
        items = self.history[user_id]
        if any(r.id == record.id for r in items):
            self.history[user_id] = [record if r.id == record.id else r for r in items]
        else:
            items.append(record)

    def records(self, user_id: int, kind: type[R], since: datetime | None = None) -> list[R]:
        found = [r for r in self.history.get(user_id, []) if isinstance(r, kind)]
        if since is not None:
            found = [r for r in found if r.at >= since]
        return sorted(found, key=lambda r: r.at)

    def user_ids(self) -> list[int]:
        return sorted(self.profiles)

    def export(self, user_id: int) -> dict[str, Any]:
        profile = self.profiles.get(user_id)
        return {
            "profile": to_json(profile) if profile else None,
            **{table_name(kind): [to_json(r) for r in self.records(user_id, kind)]
               for kind in RECORD_TYPES},
        }

    def erase(self, user_id: int) -> None:
        self.profiles.pop(user_id, None)
        self.refusals.pop(user_id, None)
        self.history.pop(user_id, None)

