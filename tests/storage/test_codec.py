"""The codec shared by every backend: exact round trips, and old or newer rows still load."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import pytest

from bot.core.models import RECORD_TYPES, CheckIn, Consent, Profile, QuestionnaireResult
from bot.storage.codec import from_json, table_name, to_json

T0 = datetime(2025, 3, 3, 8, 15, tzinfo=UTC)


def test_a_profile_survives_a_trip_through_json_text() -> None:
    profile = Profile(
        5,
        6,
        "nl",
        "BE",
        "Europe/Brussels",
        Consent(T0, share_alerts=True),
        T0,
        quiet_start=time(21, 30),
        paused_until=T0,
    )
    assert from_json(Profile, json.loads(json.dumps(to_json(profile)))) == profile


def test_tuples_come_back_as_tuples() -> None:
    result = QuestionnaireResult("phq9", T0, (("q1", 2), ("q9", 1)), 3.0, "minimal")
    loaded = from_json(QuestionnaireResult, json.loads(json.dumps(to_json(result))))
    assert loaded == result
    assert isinstance(loaded.answers, tuple) and isinstance(loaded.answers[0], tuple)


def test_a_row_from_a_newer_schema_loses_only_the_unknown_keys() -> None:
    row = {**to_json(CheckIn(T0, date(2025, 3, 3), 4, 6, 2, id="abc")), "mood": "grey"}
    assert from_json(CheckIn, row) == CheckIn(T0, date(2025, 3, 3), 4, 6, 2, id="abc")


def test_a_row_without_a_later_optional_field_gets_its_default() -> None:
    row = to_json(CheckIn(T0, date(2025, 3, 3), 4, 6, 2, note="x", id="abc"))
    del row["note"]
    assert from_json(CheckIn, row).note is None


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_json(CheckIn(datetime(2025, 3, 3, 8), date(2025, 3, 3), 4, 6, 2))


def test_every_record_type_has_its_own_table() -> None:
    names = [table_name(kind) for kind in RECORD_TYPES]
    assert len(set(names)) == len(names)
    assert "profile" not in names and "_meta" not in names
