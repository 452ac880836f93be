"""What the service tests share: a fixed moment, a coachee, their profile (imported by
name; conftest.py holds the fixtures, and two conftest modules cannot both be imported)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.models import Consent, Profile

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 30, 14, 0, tzinfo=UTC)  # 16:00 in Brussels, Monday 30 March
ALICE = 1001


def coachee_profile(user_id: int = ALICE, days: int = 3, **changes: object) -> Profile:
    since = NOW - timedelta(days=days)
    fields: dict[str, object] = {
        "user_id": user_id,
        "chat_id": user_id,
        "lang": "nl",
        "country": "BE",
        "timezone": "Europe/Brussels",
        "consent": Consent(given_at=since),
        "created_at": since,
    }
    fields.update(changes)
    return Profile(**fields)  # type: ignore[arg-type]
