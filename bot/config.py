"""Run-time configuration, read from the environment only (see README and .env.example)."""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
COUNTRIES = ("BE", "NL")
DEMO_INVITE_PEPPER = b"local-demo-invite-pepper"


class ConfigError(Exception):
    """A setting that is missing or wrong; the message is one line for stderr."""


@dataclass(frozen=True)
class Settings:
    token: str
    api_url: str | None
    data_dir: Path
    content_dir: Path
    admin_ids: frozenset[int]
    country: str
    timezone: str
    exercise_pace: float = 1.0
    retention_months: int = 18
    inactive_months: int = 12
    # The secret invitation codes are hashed with (bot.core.coaching.hash_code): set one per
    # deployment (BOT_INVITE_PEPPER); the default is for the demo and local runs only.
    invite_pepper: bytes = DEMO_INVITE_PEPPER

    def __repr__(self) -> str:  # never print the token, not even in a traceback
        return (
            f"Settings(api_url={self.api_url!r}, data_dir={self.data_dir!r}, "
            f"content_dir={self.content_dir!r}, admin_ids={set(self.admin_ids)!r}, "
            f"country={self.country!r}, timezone={self.timezone!r}, "
            f"exercise_pace={self.exercise_pace!r})"
        )


def content_dir_from(env: Mapping[str, str] = os.environ) -> Path:
    return Path(env.get("BOT_CONTENT_DIR") or "./content")


def data_dir_from(env: Mapping[str, str] = os.environ) -> Path:
    return Path(env.get("BOT_DATA_DIR") or "./data")


def data_key_from(
    env: Mapping[str, str] = os.environ, name: str = "BOT_DATA_KEY"
) -> tuple[str, ...]:
    """The data keys, newest first (comma separated; the first encrypts, all decrypt); none:
    files stay plain. The message never repeats a key."""
    keys = tuple(part for part in re.split(r"[,\s]+", env.get(name, "").strip()) if part)
    for number, key in enumerate(keys, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            which = f"key {number} of {len(keys)} in {name}" if len(keys) > 1 else name
            raise ConfigError(
                f"{which} is not a data key; make one with `python -m bot data new-key`"
            )
    return keys


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and export it (see README)"
        )
    if not TOKEN_SHAPE.match(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters)"
        )
    api_url = env.get("TELEGRAM_API_URL", "").strip() or None
    if api_url and not re.match(r"^https?://", api_url):
        raise ConfigError(f"TELEGRAM_API_URL must start with http:// or https://, got {api_url!r}")
    if api_url:
        check_api_url(api_url)
    admin_ids = set()
    for part in re.split(r"[,\s]+", env.get("BOT_ADMIN_IDS", "").strip()):
        if part:
            if not part.lstrip("-").isdigit():
                raise ConfigError(
                    f"BOT_ADMIN_IDS must be Telegram user ids separated by commas, got {part!r}"
                )
            admin_ids.add(int(part))
    country = (env.get("BOT_COUNTRY") or "BE").strip().upper()
    if country not in COUNTRIES:
        raise ConfigError(f"BOT_COUNTRY must be BE or NL, got {country!r}")
    timezone = (env.get("BOT_TIMEZONE") or "Europe/Brussels").strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f"BOT_TIMEZONE {timezone!r} is not a known time zone (use a name like Europe/Brussels)"
        ) from None
    pace_text = (env.get("BOT_EXERCISE_PACE") or "1").strip()
    try:
        exercise_pace = float(pace_text)
    except ValueError:
        exercise_pace = -1.0
    if not 0 < exercise_pace <= 10:
        raise ConfigError(
            f"BOT_EXERCISE_PACE must be a number above 0 and at most 10 "
            f"(1 = real time), got {pace_text!r}"
        )
    data_dir = data_dir_from(env)
    check_data_dir(data_dir)
    retention_months = _months(env, "BOT_RETENTION_MONTHS", 18)
    inactive_months = _months(env, "BOT_INACTIVE_MONTHS", 12)
    return Settings(
        token=token,
        api_url=api_url,
        data_dir=data_dir,
        content_dir=content_dir_from(env),
        admin_ids=frozenset(admin_ids),
        country=country,
        timezone=timezone,
        exercise_pace=exercise_pace,
        retention_months=retention_months,
        inactive_months=inactive_months,
        invite_pepper=invite_pepper_from(env),
    )


def invite_pepper_from(env: Mapping[str, str] = os.environ) -> bytes:
    """BOT_INVITE_PEPPER: any secret text of 16 characters or more; unset: the demo's."""
    text = env.get("BOT_INVITE_PEPPER", "").strip()
    if not text:
        return DEMO_INVITE_PEPPER
    if len(text) < 16:
        raise ConfigError("BOT_INVITE_PEPPER must be at least 16 characters of secret text")
    return text.encode("utf-8")


def check_api_url(api_url: str) -> None:
    """A base URL with a host and a port that exists (`http://` alone or port 99999 would only
    fail at the first request, with a traceback)."""
    parts = urlsplit(api_url)
    try:
        port = parts.port  # raises for a port that is not a number from 0 to 65535
    except ValueError:
        port = -1
    if not parts.hostname:
        raise ConfigError(f"TELEGRAM_API_URL has no host name, got {api_url!r}")
    if port is not None and not 0 < port < 65536:
        raise ConfigError(
            f"TELEGRAM_API_URL has a port that does not exist (1 to 65535), got {api_url!r}"
        )
    if any(c.isspace() for c in api_url):
        raise ConfigError(f"TELEGRAM_API_URL must not contain spaces, got {api_url!r}")


def check_data_dir(data_dir: Path) -> None:
    """BOT_DATA_DIR must be a folder, or a path where one can be made (whether it can be
    written is checked at start, by writing)."""
    for path in (data_dir, *data_dir.parents):
        if path.exists() or path.is_symlink():
            if not path.is_dir():
                where = "" if path == data_dir else f" ({path} is a file)"
                raise ConfigError(
                    f"BOT_DATA_DIR must be a folder, but {str(data_dir)!r} is not{where}"
                )
            return


MAX_MONTHS = 120


def _months(env: Mapping[str, str], name: str, default: int) -> int:
    """A retention period in whole months (README, "How long data is kept")."""
    text = (env.get(name) or str(default)).strip()
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_MONTHS):
        raise ConfigError(
            f"{name} must be a whole number of months from 1 to {MAX_MONTHS}, got {text!r}"
        )
    return int(text)
