"""The profile: what a typed timezone or time becomes, every /settings change, pausing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.core.models import Moments
from bot.core.profiles import (
    COUNTRY_TIMEZONES,
    MAX_PAUSE_DAYS,
    PLACE_ZONES,
    InvalidChoice,
    can_share,
    country_zones,
    is_paused,
    new_profile,
    parse_time_of_day,
    parse_timezone,
    paused,
    resumed,
    with_country,
    with_moment,
    with_quiet_hours,
    with_sharing,
    with_timezone,
)

NOW = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def profile():
    return new_profile(1, 10, "nl", "BE", "Europe/Brussels", NOW)


# --- timezones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Brussels", "Europe/Brussels"),
        ("europe/amsterdam", "Europe/Amsterdam"),
        ("  Europe/Amsterdam \n", "Europe/Amsterdam"),
        ("America/New York", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("America / New York", "America/New_York"),
        ("America/Argentina/buenos aires", "America/Argentina/Buenos_Aires"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
    ],
)
def test_typed_timezone_becomes_its_iana_name(typed, zone):
    assert parse_timezone(typed) == zone


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "abc",
        "Brusel",
        "Europe",  # a folder of zones, not a zone: must not crash
        "Europe/",
        "Europe/Brusels",
        "EST",  # a zone without a place: not what a coachee lives in
        "/etc/passwd",
        "../../etc/passwd",
        "Europe/Brussels/",
    ],
)
def test_junk_timezone_is_an_invalid_choice(typed):
    with pytest.raises(InvalidChoice):
        parse_timezone(typed)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Brussels", "Europe/Brussels"),
        ("brussel", "Europe/Brussels"),
        ("Bruxelles", "Europe/Brussels"),
        ("Spanje", "Europe/Madrid"),
        ("spain", "Europe/Madrid"),
        ("België", "Europe/Brussels"),
        ("Nederland", "Europe/Amsterdam"),
        ("the Netherlands", "Europe/Amsterdam"),
        ("Den Haag", "Europe/Amsterdam"),
        ("new york", "America/New_York"),
        ("  LISBON ", "Europe/Lisbon"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("Indianapolis", "America/Indiana/Indianapolis"),
        ("Curaçao", "America/Curacao"),
        ("CET", "Europe/Brussels"),
    ],
)
def test_a_city_or_country_name_becomes_its_zone(typed, zone):
    assert parse_timezone(typed) == zone


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Tokio", "Asia/Tokyo"),
        ("Peking", "Asia/Shanghai"),
        ("Beijing", "Asia/Shanghai"),
        ("Moskou", "Europe/Moscow"),
        ("Sint-Petersburg", "Europe/Moscow"),
        ("Kaapstad", "Africa/Johannesburg"),
        ("Cape Town", "Africa/Johannesburg"),
        ("Mexico-Stad", "America/Mexico_City"),
        ("Kopenhagen", "Europe/Copenhagen"),
        ("Praag", "Europe/Prague"),
        ("Warschau", "Europe/Warsaw"),
        ("Boedapest", "Europe/Budapest"),
        ("Boekarest", "Europe/Bucharest"),
        ("Istanboel", "Europe/Istanbul"),
        ("Jeruzalem", "Asia/Jerusalem"),
        ("Teheran", "Asia/Tehran"),
        ("Seoel", "Asia/Seoul"),
        ("Hongkong", "Asia/Hong_Kong"),
        ("Nieuw-Delhi", "Asia/Kolkata"),
        ("Genève", "Europe/Zurich"),
        ("Milaan", "Europe/Rome"),
    ],
)
def test_dutch_names_of_large_cities_become_their_zone(typed, zone):
    """People in Flanders and the Netherlands type the Dutch name: "Tokio", not "Tokyo"."""
    assert parse_timezone(typed) == zone


def test_every_place_name_is_found_as_written_and_gives_a_real_zone():
    for name, zone in PLACE_ZONES.items():
        assert parse_timezone(name) == zone, name
        assert parse_timezone(zone) == zone, name


@pytest.mark.parametrize(
    ("country", "zone"), [("BE", "Europe/Brussels"), ("NL", "Europe/Amsterdam")]
)
def test_cet_is_the_coachees_own_countrys_zone(country, zone):
    assert parse_timezone("CET", country) == zone
    assert parse_timezone("cest", country) == zone


def test_each_country_offers_its_own_zone():
    assert country_zones("BE") == ("Europe/Brussels",)
    assert country_zones("NL") == ("Europe/Amsterdam",)
    assert country_zones("XX") == ()


def test_invalid_choice_is_a_value_error():
    assert issubclass(InvalidChoice, ValueError)


def test_country_zones_are_valid():
    for zone in COUNTRY_TIMEZONES.values():
        assert parse_timezone(zone) == zone


# --- times of day --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("8:30", time(8, 30)),
        ("08:30", time(8, 30)),
        ("08.30", time(8, 30)),
        ("8u30", time(8, 30)),
        ("8h30", time(8, 30)),
        ("20", time(20, 0)),
        ("20h", time(20, 0)),
        ("20u", time(20, 0)),
        ("20 uur", time(20, 0)),
        (" 7:05 ", time(7, 5)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_typed_time_of_day(typed, expected):
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize(
    "typed", ["24:00", "25", "12:60", "abc", "", "8:3", "8:300", "123", "-1", "8 30", "8:30pm"]
)
def test_impossible_time_of_day_is_an_invalid_choice(typed):
    with pytest.raises(InvalidChoice):
        parse_time_of_day(typed)


# --- settings ------------------------------------------------------------------------------


def test_new_profile_has_consent_at_creation_and_shares_nothing(profile):
    assert profile.created_at == NOW
    assert profile.consent.given_at == NOW
    assert not profile.consent.share_checkins
    assert not profile.consent.share_alerts
    assert not profile.consent.share_reflections_default
    assert profile.moments == Moments()
    assert profile.paused_until is None
    assert profile.coach_id is None


def test_with_timezone_validates_and_normalises(profile):
    assert with_timezone(profile, "europe/amsterdam").timezone == "Europe/Amsterdam"
    with pytest.raises(InvalidChoice):
        with_timezone(profile, "Mars/Olympus")
    assert profile.timezone == "Europe/Brussels"  # profiles are values: nothing changed


def test_with_moment_changes_one_moment_and_can_switch_it_off(profile):
    later = with_moment(profile, "checkin", time(10, 15))
    off = with_moment(later, "reflection", None)

    assert off.moments.checkin == time(10, 15)
    assert off.moments.exercise == profile.moments.exercise
    assert off.moments.reflection is None


def test_with_moment_refuses_an_unknown_kind(profile):
    with pytest.raises(InvalidChoice):
        with_moment(profile, "lunch", time(12, 0))  # type: ignore[arg-type]


def test_with_country(profile):
    assert with_country(profile, "NL").country == "NL"
    with pytest.raises(InvalidChoice):
        with_country(profile, "DE")
    with pytest.raises(InvalidChoice):
        with_country(profile, "be")


def test_with_quiet_hours(profile):
    quiet = with_quiet_hours(profile, time(23, 0), time(8, 0))

    assert (quiet.quiet_start, quiet.quiet_end) == (time(23, 0), time(8, 0))


def test_sharing_is_offered_only_once_a_coach_is_linked(profile):
    from dataclasses import replace

    assert not can_share(profile)
    assert can_share(replace(profile, coach_id=5))
    with pytest.raises(InvalidChoice):
        with_sharing(profile, "share_checkins", True)


@pytest.mark.parametrize("what", ["share_checkins", "share_alerts", "share_reflections_default"])
def test_with_sharing_turns_one_consent_on_and_off(profile, what):
    from dataclasses import replace

    profile = replace(profile, coach_id=5)
    on = with_sharing(profile, what, True)

    assert getattr(on.consent, what) is True
    others = {"share_checkins", "share_alerts", "share_reflections_default"} - {what}
    assert not any(getattr(on.consent, other) for other in others)
    assert on.consent.given_at == profile.consent.given_at
    assert getattr(with_sharing(on, what, False).consent, what) is False


@pytest.mark.parametrize("what", ["given_at", "version", "coach_id", ""])
def test_with_sharing_refuses_anything_but_the_sharing_switches(profile, what):
    with pytest.raises(InvalidChoice):
        with_sharing(profile, what, True)


# --- pause ---------------------------------------------------------------------------------


def test_pause_lasts_the_chosen_number_of_days(profile):
    stopped = paused(profile, 7, NOW)

    assert stopped.paused_until == NOW + timedelta(days=7)
    assert is_paused(stopped, NOW)
    assert is_paused(stopped, NOW + timedelta(days=7) - timedelta(seconds=1))
    assert not is_paused(stopped, NOW + timedelta(days=7))


@pytest.mark.parametrize("days", [1, MAX_PAUSE_DAYS])
def test_pause_bounds_are_allowed(profile, days):
    assert paused(profile, days, NOW).paused_until == NOW + timedelta(days=days)


@pytest.mark.parametrize("days", [0, -1, MAX_PAUSE_DAYS + 1])
def test_pause_outside_the_bounds_is_an_invalid_choice(profile, days):
    with pytest.raises(InvalidChoice):
        paused(profile, days, NOW)


def test_resume_ends_the_pause(profile):
    back = resumed(paused(profile, 30, NOW))

    assert back.paused_until is None
    assert not is_paused(back, NOW)


def test_never_paused_is_not_paused(profile):
    assert not is_paused(profile, NOW)
    assert not is_paused(resumed(profile), NOW)


# --- onboarding's open question and closed settings messages -------------------------------


def test_onboarding_steps_follow_the_choices_and_never_skip_the_country(profile):
    from bot.core.profiles import country_chosen, onboarded

    assert profile.onboarding == "country" and not country_chosen(profile)
    zone_first = with_timezone(profile, "Europe/Amsterdam")
    assert zone_first.onboarding == "country", "a zone does not choose the country"
    chosen = with_country(profile, "BE")
    assert chosen.onboarding == "timezone" and country_chosen(chosen)
    assert with_timezone(chosen, "Europe/Brussels").onboarding == "moments"
    assert onboarded(chosen).onboarding is None
    done = onboarded(with_timezone(chosen, "Europe/Brussels"))
    assert with_country(done, "NL").onboarding is None, "settings later change no step"


def test_a_profile_stored_before_the_step_existed_reads_as_onboarded():
    from bot.core.models import Profile
    from bot.storage.codec import from_json, to_json

    stored = to_json(new_profile(1, 10, "nl", "BE", "Europe/Brussels", NOW))
    del stored["onboarding"], stored["settings_closed_on"]

    assert from_json(Profile, stored).onboarding is None


def test_settings_messages_older_than_the_last_closed_one_are_stale(profile):
    from bot.core.profiles import settings_message_stale, with_settings_closed

    assert not settings_message_stale(profile, 3)
    closed = with_settings_closed(with_settings_closed(profile, 12), 8)
    assert closed.settings_closed_on == 12
    assert settings_message_stale(closed, 11)
    assert not settings_message_stale(closed, 12) and not settings_message_stale(closed, 13)
    assert not settings_message_stale(closed, None)
