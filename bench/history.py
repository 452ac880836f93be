"""Coachees with realistic history, written straight into a data folder (set-up, not measured).

A day of a coachee who uses the bot: three reminder marks, a check-in (more days than not
with a note), an exercise log, a reflection on a third of the days, a snooze now and then; a
questionnaire every four weeks, an escalation about every hundred days. A year comes to
about 295 KiB of JSON per coachee (the issue measured about 260 KiB).

The files are what the repository writes (the same codec and parts): a few distinct years are
built once and written for every coachee with their own profile, so building ten thousand
coachees takes a minute, not an hour. `legacy=True` writes the layout from before the split
(one users/<id>.json per coachee).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot.core.models import (
    CheckIn,
    Consent,
    Escalation,
    ExerciseLog,
    Profile,
    QuestionnaireResult,
    Reflection,
    ReminderMark,
    Snooze,
)
from bot.storage.codec import table_name, to_json
from bot.storage.document import HEAD, part_of
from bot.storage.migrations import stamp

END = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # the last day of history ends before this
TEMPLATES = 8
NOTES = (
    "moe na een lange dag op het werk, weinig pauze gehad",
    "rustiger vandaag, even gewandeld tijdens de lunch",
    "slecht geslapen, veel gepiekerd over de deadline van vrijdag",
    "goed gesprek gehad met mijn leidinggevende over de werkdruk",
)
ANSWERS = (
    "Vandaag merkte ik dat ik te lang doorwerkte zonder pauze. Morgen wil ik om twaalf uur "
    "echt even naar buiten gaan, ook als het druk is.",
    "Wat me energie gaf: de wandeling met de hond en een kort telefoontje met mijn zus. "
    "Wat me energie kostte: drie vergaderingen achter elkaar.",
)


def profile(user_id: int, start: datetime) -> Profile:
    return Profile(
        user_id, user_id, "nl", "BE", "Europe/Brussels", Consent(start), start, phase="rest"
    )


def year(days: int, seed: int) -> list[Any]:
    """`days` days of history ending the day before END, in the order they happened."""
    rng = random.Random(seed)
    records: list[Any] = []
    first = (END - timedelta(days=days)).date()
    for n in range(days):
        day = first + timedelta(days=n)
        at = datetime.combine(day, time(7, 0), UTC)
        for kind, hour in (("checkin", 0), ("exercise", 4), ("reflection", 11)):
            records.append(ReminderMark(kind, day, 0, at + timedelta(hours=hour)))
        if rng.random() < 0.2:
            records.append(
                Snooze("exercise", day, at + timedelta(hours=4, minutes=5), at + timedelta(hours=5))
            )
        note = rng.choice(NOTES) if rng.random() < 0.6 else None
        records.append(
            CheckIn(
                at + timedelta(minutes=12),
                day,
                rng.randint(2, 9),
                rng.randint(1, 9),
                rng.randint(1, 5),
                note=note,
            )
        )
        records.append(
            ExerciseLog(
                rng.choice(("box-breathing", "body-scan", "walk")),
                at + timedelta(hours=5, minutes=3),
                day,
                rng.choice(("done", "done", "skipped")),
            )
        )
        if rng.random() < 0.35:
            records.append(
                Reflection(
                    "energy-gain", at + timedelta(hours=11, minutes=20), day, rng.choice(ANSWERS)
                )
            )
        if n % 28 == 27:
            records.append(
                QuestionnaireResult(
                    "phq9",
                    at + timedelta(minutes=20),
                    tuple((f"q{i}", 1) for i in range(9)),
                    9,
                    "mild",
                )
            )
        if n % 100 == 99:
            records.append(
                Escalation(
                    "gp",
                    "checkins",
                    "low-energy-weeks",
                    "burnout",
                    at,
                    followup_due=at + timedelta(days=1),
                    followup_sent=True,
                )
            )
    return records


def parts(records: list[Any]) -> dict[str, dict[str, dict[str, Any]]]:
    built: dict[str, dict[str, dict[str, Any]]] = {}
    for record in records:
        table = built.setdefault(part_of(record), {}).setdefault(table_name(type(record)), {})
        table[str(len(table) + 1)] = to_json(record)
    return built


def build(data_dir: Path, users: int, days: int, legacy: bool = False) -> int:
    """Write `users` coachees (ids 1..users) with `days` days each; the bytes per coachee."""
    users_dir = data_dir / "users"
    users_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    data_dir.chmod(0o700)
    templates = []
    for seed in range(TEMPLATES):
        built = parts(year(days, seed))
        head = built.pop(HEAD, {})
        months = {key: _text(stamp(part)) for key, part in built.items()}
        templates.append((head, months))
    start = END - timedelta(days=days + 1)
    total = 0
    for user_id in range(1, users + 1):
        head, months = templates[user_id % TEMPLATES]
        head_part = stamp({"profile": {"1": to_json(profile(user_id, start))}, **head})
        if legacy:
            document = dict(head_part)
            for text in months.values():
                for name, rows in json.loads(text).items():
                    if name != "_meta":
                        document.setdefault(name, {}).update(
                            {
                                str(len(document.get(name, {})) + i + 1): r
                                for i, r in enumerate(rows.values())
                            }
                        )
            total += _write(users_dir / f"{user_id}.json", _text(document))
            continue
        folder = users_dir / str(user_id)
        folder.mkdir(exist_ok=True, mode=0o700)
        total += _write(folder / "profile.json", _text(head_part))
        for key, text in months.items():
            total += _write(folder / f"{key}.json", text)
    index = stamp({"users": {str(u): {"user_id": u} for u in range(1, users + 1)}})
    _write(data_dir / "index.json", _text(index))
    return total // max(users, 1)


def _text(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _write(path: Path, text: str) -> int:
    data = text.encode("utf-8")
    path.write_bytes(data)
    path.chmod(0o600)
    return len(data)


def last_day() -> date:
    return (END - timedelta(days=1)).date()
