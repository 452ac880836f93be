"""A coachee's profile: created at consent, changed through /settings, paused and resumed.

Every change is validated here, so the chat layer only passes on what was typed or pressed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.models import MOMENT_KINDS, Consent, MomentKind, Moments, Profile, utc

COUNTRY_TIMEZONES = {"BE": "Europe/Brussels", "NL": "Europe/Amsterdam"}
MAX_PAUSE_DAYS = 90
DEFAULT_PAUSE_DAYS = 7


class InvalidChoice(ValueError):
    """Input that cannot become a setting; the chat asks again."""


def new_profile(
    user_id: int, chat_id: int, lang: str, country: str, timezone: str, now: datetime
) -> Profile:
    """The profile made at the moment of consent, with good defaults for everything else."""
    return Profile(
        user_id=user_id,
        chat_id=chat_id,
        lang=lang,
        country=country,
        timezone=timezone,
        consent=Consent(given_at=now),
        created_at=now,
    )


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Every IANA zone by its lower-case name: people type "europe/amsterdam"."""
    return {name.lower(): name for name in available_timezones()}


def parse_timezone(typed: str) -> str:
    """The IANA name of a typed zone ("America/New York" -> "America/New_York")."""
    name = re.sub(r"\s*/\s*", "/", typed.strip()).replace(" ", "_")
    candidate = _zone_names().get(name.lower(), name)
    # Only Area/City names (and UTC): "EST" or "Europe" alone are not a place to live in.
    if "/" not in candidate and candidate != "UTC":
        raise InvalidChoice(typed)
    try:
        ZoneInfo(candidate)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # a folder ("Europe/") is OSError
        raise InvalidChoice(typed) from exc
    return candidate


def parse_time_of_day(typed: str) -> time:
    match = re.fullmatch(r"\s*(\d{1,2})(?:[:.hu](\d{2}))?\s*(?:u|h|uur)?\s*", typed.lower())
    if not match:
        raise InvalidChoice(typed)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise InvalidChoice(typed)
    return time(hour, minute)


def with_timezone(profile: Profile, zone: str) -> Profile:
    return replace(profile, timezone=parse_timezone(zone))


def with_moment(profile: Profile, kind: MomentKind, at: time | None) -> Profile:
    if kind not in MOMENT_KINDS:
        raise InvalidChoice(kind)
    return replace(profile, moments=replace(profile.moments, **{kind: at}))


def with_country(profile: Profile, country: str) -> Profile:
    if country not in COUNTRY_TIMEZONES:
        raise InvalidChoice(country)
    return replace(profile, country=country)


def with_quiet_hours(profile: Profile, start: time, end: time) -> Profile:
    return replace(profile, quiet_start=start, quiet_end=end)


def with_sharing(profile: Profile, what: str, on: bool) -> Profile:
    consent = profile.consent
    if what == "share_checkins":
        consent = replace(consent, share_checkins=on)
    elif what == "share_alerts":
        consent = replace(consent, share_alerts=on)
    elif what == "share_reflections_default":
        consent = replace(consent, share_reflections_default=on)
    else:
        raise InvalidChoice(what)
    return replace(profile, consent=consent)


def paused(profile: Profile, days: int, now: datetime) -> Profile:
    if not 1 <= days <= MAX_PAUSE_DAYS:
        raise InvalidChoice(str(days))
    return replace(profile, paused_until=now + timedelta(days=days))


def resumed(profile: Profile) -> Profile:
    return replace(profile, paused_until=None)


def is_paused(profile: Profile, now: datetime) -> bool:
    return profile.paused_until is not None and profile.paused_until > now


def blocked(profile: Profile, now: datetime) -> Profile:
    """Telegram refused a message (the coachee blocked the bot): from now on they are
    inactive. Stored once: a later refusal returns the profile unchanged, so nothing is
    written per attempt."""
    if profile.inactive_since is not None:
        return profile
    return replace(profile, inactive_since=utc(now))


def returned(profile: Profile) -> Profile:
    """The coachee wrote or pressed a button again: reachable again."""
    return replace(profile, inactive_since=None)


def is_inactive(profile: Profile) -> bool:
    """An inactive coachee gets no reminders and no follow-ups until they come back:
    Telegram would refuse each one anyway."""
    return profile.inactive_since is not None


def default_moments() -> Moments:
    return Moments()
