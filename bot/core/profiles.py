"""A coachee's profile: created at consent, changed through /settings, paused and resumed.

Every change is validated here, so the chat layer only passes on what was typed or pressed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.models import MOMENT_KINDS, Consent, MomentKind, Moments, Profile, utc

COUNTRY_TIMEZONES = {"BE": "Europe/Brussels", "NL": "Europe/Amsterdam"}
# The zones offered as buttons for each country we serve (one each; "another zone" is typed).
COUNTRY_ZONES: dict[str, tuple[str, ...]] = {
    "BE": ("Europe/Brussels",),
    "NL": ("Europe/Amsterdam",),
}
# Names people type that are not an IANA city: Dutch and English names of common cities and
# countries (a country with several zones gets the one most people live in). Keys are lower
# case without accents.
PLACE_ZONES: dict[str, str] = {
    "brussel": "Europe/Brussels",
    "bruxelles": "Europe/Brussels",
    "belgie": "Europe/Brussels",
    "belgium": "Europe/Brussels",
    "antwerpen": "Europe/Brussels",
    "antwerp": "Europe/Brussels",
    "gent": "Europe/Brussels",
    "ghent": "Europe/Brussels",
    "leuven": "Europe/Brussels",
    "brugge": "Europe/Brussels",
    "bruges": "Europe/Brussels",
    "nederland": "Europe/Amsterdam",
    "netherlands": "Europe/Amsterdam",
    "the netherlands": "Europe/Amsterdam",
    "holland": "Europe/Amsterdam",
    "rotterdam": "Europe/Amsterdam",
    "den haag": "Europe/Amsterdam",
    "the hague": "Europe/Amsterdam",
    "utrecht": "Europe/Amsterdam",
    "eindhoven": "Europe/Amsterdam",
    "groningen": "Europe/Amsterdam",
    "luxemburg": "Europe/Luxembourg",
    "frankrijk": "Europe/Paris",
    "france": "Europe/Paris",
    "parijs": "Europe/Paris",
    "duitsland": "Europe/Berlin",
    "germany": "Europe/Berlin",
    "berlijn": "Europe/Berlin",
    "spanje": "Europe/Madrid",
    "spain": "Europe/Madrid",
    "portugal": "Europe/Lisbon",
    "lissabon": "Europe/Lisbon",
    "italie": "Europe/Rome",
    "italy": "Europe/Rome",
    "rome": "Europe/Rome",
    "zwitserland": "Europe/Zurich",
    "switzerland": "Europe/Zurich",
    "oostenrijk": "Europe/Vienna",
    "austria": "Europe/Vienna",
    "wenen": "Europe/Vienna",
    "engeland": "Europe/London",
    "england": "Europe/London",
    "verenigd koninkrijk": "Europe/London",
    "united kingdom": "Europe/London",
    "uk": "Europe/London",
    "londen": "Europe/London",
    "ierland": "Europe/Dublin",
    "ireland": "Europe/Dublin",
    "griekenland": "Europe/Athens",
    "greece": "Europe/Athens",
    "athene": "Europe/Athens",
    "turkije": "Europe/Istanbul",
    "turkey": "Europe/Istanbul",
    "turkiye": "Europe/Istanbul",
    "polen": "Europe/Warsaw",
    "poland": "Europe/Warsaw",
    "denemarken": "Europe/Copenhagen",
    "denmark": "Europe/Copenhagen",
    "zweden": "Europe/Stockholm",
    "sweden": "Europe/Stockholm",
    "noorwegen": "Europe/Oslo",
    "norway": "Europe/Oslo",
    "marokko": "Africa/Casablanca",
    "morocco": "Africa/Casablanca",
    "suriname": "America/Paramaribo",
    "curacao": "America/Curacao",
    "aruba": "America/Aruba",
    "canarische eilanden": "Atlantic/Canary",
    "canary islands": "Atlantic/Canary",
    # Countries further away that have one zone (Dutch and English names; a country with
    # several zones, the United States say, needs a city).
    "nieuw zeeland": "Pacific/Auckland",
    "new zealand": "Pacific/Auckland",
    "japan": "Asia/Tokyo",
    "china": "Asia/Shanghai",
    "india": "Asia/Kolkata",
    "thailand": "Asia/Bangkok",
    "vietnam": "Asia/Ho_Chi_Minh",
    "filipijnen": "Asia/Manila",
    "philippines": "Asia/Manila",
    "singapore": "Asia/Singapore",
    "zuid afrika": "Africa/Johannesburg",
    "south africa": "Africa/Johannesburg",
    "kenia": "Africa/Nairobi",
    "kenya": "Africa/Nairobi",
    "egypte": "Africa/Cairo",
    "egypt": "Africa/Cairo",
    "israel": "Asia/Jerusalem",
    "verenigde arabische emiraten": "Asia/Dubai",
    "united arab emirates": "Asia/Dubai",
    "dubai": "Asia/Dubai",
    "ijsland": "Atlantic/Reykjavik",
    "iceland": "Atlantic/Reykjavik",
    "finland": "Europe/Helsinki",
    "tsjechie": "Europe/Prague",
    "czechia": "Europe/Prague",
    "hongarije": "Europe/Budapest",
    "hungary": "Europe/Budapest",
    "roemenie": "Europe/Bucharest",
    "romania": "Europe/Bucharest",
    "bulgarije": "Europe/Sofia",
    "bulgaria": "Europe/Sofia",
    "kroatie": "Europe/Zagreb",
    "croatia": "Europe/Zagreb",
    "bonaire": "America/Kralendijk",
    "sint maarten": "America/Lower_Princes",
    # Large cities whose Dutch name is not the zone's (tzdata spells "Tokyo", "Moscow"), and
    # large cities that have no zone of their own (Beijing is in Asia/Shanghai's).
    "tokio": "Asia/Tokyo",
    "peking": "Asia/Shanghai",
    "beijing": "Asia/Shanghai",
    "hongkong": "Asia/Hong_Kong",
    "seoel": "Asia/Seoul",
    "manilla": "Asia/Manila",
    "nieuw delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "teheran": "Asia/Tehran",
    "bagdad": "Asia/Baghdad",
    "koeweit": "Asia/Kuwait",
    "riyad": "Asia/Riyadh",
    "jeruzalem": "Asia/Jerusalem",
    "moskou": "Europe/Moscow",
    "sint petersburg": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow",
    "istanboel": "Europe/Istanbul",
    "kopenhagen": "Europe/Copenhagen",
    "praag": "Europe/Prague",
    "warschau": "Europe/Warsaw",
    "boedapest": "Europe/Budapest",
    "boekarest": "Europe/Bucharest",
    "belgrado": "Europe/Belgrade",
    "geneve": "Europe/Zurich",
    "milaan": "Europe/Rome",
    "napels": "Europe/Rome",
    "kaapstad": "Africa/Johannesburg",
    "cape town": "Africa/Johannesburg",
    "mexico stad": "America/Mexico_City",
    "havanna": "America/Havana",
    "rio de janeiro": "America/Sao_Paulo",
    # Abbreviations: tzdata itself links these to a city (CET and MET to Europe/Brussels).
    "cet": "Europe/Brussels",
    "cest": "Europe/Brussels",
    "met": "Europe/Brussels",
    "wet": "Europe/Lisbon",
    "eet": "Europe/Athens",
}
# Continents whose Area/City names win when two zones share a city ("Indianapolis").
_AREAS = ("Europe", "America", "Africa", "Asia", "Australia", "Atlantic", "Pacific", "Indian")
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
        onboarding="country",
    )


def country_chosen(profile: Profile) -> bool:
    """False while the coachee has the operator's default country without having chosen it."""
    return profile.onboarding != "country"


def moments_shown(profile: Profile) -> bool:
    """Whether the coachee has seen their daily moments (onboarding's last question, or
    onboarding over): before that the bot sends nothing of its own accord."""
    return profile.onboarding not in ("country", "timezone")


def onboarded(profile: Profile) -> Profile:
    """Onboarding ended: no question of it is open any more."""
    return replace(profile, onboarding=None)


def with_settings_closed(profile: Profile, message_id: int) -> Profile:
    """ "Klaar" pressed under settings message `message_id`: older ones are stale."""
    newest = max(message_id, profile.settings_closed_on or 0)
    return replace(profile, settings_closed_on=newest)


def settings_message_stale(profile: Profile, message_id: int | None) -> bool:
    """A settings button under a message older than the one last closed with "Klaar"."""
    closed = profile.settings_closed_on
    return message_id is not None and closed is not None and message_id < closed


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Every IANA zone by its lower-case name: people type "europe/amsterdam"."""
    return {name.lower(): name for name in available_timezones()}


@lru_cache(maxsize=1)
def _city_zones() -> dict[str, str]:
    """Every IANA zone by its city part, lower case with spaces: "new york", "brussels"."""
    cities: dict[str, str] = {}
    ranked = sorted(
        (name for name in available_timezones() if "/" in name and not name.startswith("Etc/")),
        # Old links are shallower ("America/Indianapolis"): the deeper canonical name wins.
        key=lambda name: (name.split("/")[0] not in _AREAS, -name.count("/"), name),
    )
    for name in ranked:
        cities.setdefault(name.rsplit("/", 1)[1].replace("_", " ").lower(), name)
    return cities


def _plain(typed: str) -> str:
    """Lower case, accents and extra spaces gone: "  België " -> "belgie"."""
    decomposed = unicodedata.normalize("NFKD", typed)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.replace("_", " ").replace("-", " ").split()).lower()


def country_zones(country: str) -> tuple[str, ...]:
    """The zones to offer as buttons for a country; the coachee can always type another."""
    return COUNTRY_ZONES.get(country, ())


def parse_timezone(typed: str, country: str | None = None) -> str:
    """The IANA name of a typed zone, city or country.

    "America/New York" -> "America/New_York"; "Brussels", "brussel", "Spanje", "CET" ->
    their zone. An abbreviation of Central European Time is the coachee's own country's
    zone when that country is in it (BE and NL both are).
    """
    plain = _plain(typed)
    if plain in ("cet", "cest", "met") and country in COUNTRY_ZONES:
        return COUNTRY_ZONES[country][0]
    place = PLACE_ZONES.get(plain) or _city_zones().get(plain)
    if place is not None:
        return place
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


def looks_like_time(typed: str) -> bool:
    """Digits written as a time of day, valid or not ("25:99", "7.75u"): a try at a time,
    not a message about something else."""
    return (
        re.fullmatch(r"\s*\d{1,2}\s*(?:[:.hu]\s*\d{1,3})?\s*(?:u|h|uur)?\s*", typed.lower())
        is not None
    )


def parse_time_of_day(typed: str) -> time:
    match = re.fullmatch(r"\s*(\d{1,2})(?:[:.hu](\d{2}))?\s*(?:u|h|uur)?\s*", typed.lower())
    if not match:
        raise InvalidChoice(typed)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise InvalidChoice(typed)
    return time(hour, minute)


def with_timezone(profile: Profile, zone: str) -> Profile:
    """The zone set; during onboarding, once the country is chosen, the moments come next."""
    step = "moments" if profile.onboarding == "timezone" else profile.onboarding
    return replace(profile, timezone=parse_timezone(zone, profile.country), onboarding=step)


def with_moment(profile: Profile, kind: MomentKind, at: time | None) -> Profile:
    if kind not in MOMENT_KINDS:
        raise InvalidChoice(kind)
    return replace(profile, moments=replace(profile.moments, **{kind: at}))


def with_country(profile: Profile, country: str) -> Profile:
    """The country set (it decides the help lines); during onboarding the zone comes next."""
    if country not in COUNTRY_TIMEZONES:
        raise InvalidChoice(country)
    step = "timezone" if profile.onboarding == "country" else profile.onboarding
    return replace(profile, country=country, onboarding=step)


def with_quiet_hours(profile: Profile, start: time, end: time) -> Profile:
    return replace(profile, quiet_start=start, quiet_end=end)


def can_share(profile: Profile) -> bool:
    """Sharing with a coach is offered only once a coach is linked: before that there is no
    one to share with, and a switch that does nothing would mislead."""
    return profile.coach_id is not None


def with_sharing(profile: Profile, what: str, on: bool) -> Profile:
    if not can_share(profile):
        raise InvalidChoice(what)
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


def erasure_stamp(profile: Profile | None) -> int:
    """What a /delete question covers: the consent it was asked under (0: none). A "yes"
    pressed under another stamp (erased since, or started again) erases nothing: an old
    question must never take data stored after it was asked."""
    return 0 if profile is None else int(utc(profile.consent.given_at).timestamp())
