"""Settings come from the environment only; every bad value is one clear sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import (
    DEMO_INVITE_PEPPER,
    ConfigError,
    Settings,
    content_dir_from,
    load_settings,
)

TOKEN = "123456789:AAE-secret_Token-xyz"


def env(**values: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": TOKEN, **values}


def test_defaults_with_only_a_token() -> None:
    settings = load_settings(env())
    assert settings == Settings(
        token=TOKEN,
        api_url=None,
        data_dir=Path("./data"),
        content_dir=Path("./content"),
        admin_ids=frozenset(),
        country="BE",
        timezone="Europe/Brussels",
        exercise_pace=1.0,
    )


def test_every_setting_can_be_given() -> None:
    settings = load_settings(
        env(
            TELEGRAM_API_URL="http://127.0.0.1:9100/bot",
            BOT_DATA_DIR="/srv/coach/data",
            BOT_CONTENT_DIR="/srv/coach/content",
            BOT_ADMIN_IDS="11, 22 33",
            BOT_COUNTRY="nl",
            BOT_TIMEZONE="Europe/Amsterdam",
            BOT_EXERCISE_PACE="0.05",
        )
    )
    assert settings.api_url == "http://127.0.0.1:9100/bot"
    assert settings.data_dir == Path("/srv/coach/data")
    assert settings.content_dir == Path("/srv/coach/content")
    assert settings.admin_ids == frozenset({11, 22, 33})
    assert settings.country == "NL"
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.exercise_pace == 0.05


def test_empty_values_mean_the_defaults() -> None:
    settings = load_settings(
        env(
            TELEGRAM_API_URL="",
            BOT_DATA_DIR="",
            BOT_ADMIN_IDS=" ",
            BOT_COUNTRY="",
            BOT_TIMEZONE="",
            BOT_EXERCISE_PACE="",
        )
    )
    assert settings == load_settings(env())


def test_the_token_is_trimmed() -> None:
    assert load_settings(env(TELEGRAM_BOT_TOKEN=f"  {TOKEN}\n")).token == TOKEN


def test_content_dir_has_its_own_reader_for_commands_without_a_token() -> None:
    assert content_dir_from({}) == Path("./content")
    assert content_dir_from({"BOT_CONTENT_DIR": "/x"}) == Path("/x")


@pytest.mark.parametrize("token", ["", "   "])
def test_a_missing_token_says_where_to_get_one(token: str) -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set") as caught:
        load_settings({"TELEGRAM_BOT_TOKEN": token} if token else {})
    assert "BotFather" in str(caught.value)


@pytest.mark.parametrize(
    "token",
    [
        "secret-without-colon",
        "abc:def",  # the bot id must be digits
        "123456789:",
        "123456789:has spaces",
        "123456789:ümlaut",
    ],
)
def test_a_token_of_the_wrong_shape_is_refused_without_echoing_it(token: str) -> None:
    with pytest.raises(ConfigError, match="does not look like a bot token") as caught:
        load_settings(env(TELEGRAM_BOT_TOKEN=token))
    assert token not in str(caught.value)


# Each bad value, and the words a person needs to fix it.
BAD_VALUES = [
    ("TELEGRAM_API_URL", "127.0.0.1:9100/bot", ["http://", "https://"]),
    ("TELEGRAM_API_URL", "ftp://example.org", ["http://"]),
    ("TELEGRAM_API_URL", "http://", ["host"]),
    ("TELEGRAM_API_URL", "https:///bot", ["host"]),
    ("TELEGRAM_API_URL", "http://127.0.0.1:99999/bot", ["port", "65535"]),
    ("TELEGRAM_API_URL", "http://127.0.0.1:0/bot", ["port"]),
    ("TELEGRAM_API_URL", "http://127.0.0.1:x/bot", ["port"]),
    ("TELEGRAM_API_URL", "http://127.0.0.1:9100/b ot", ["spaces"]),
    ("BOT_ADMIN_IDS", "11,alice", ["user ids", "'alice'"]),
    ("BOT_ADMIN_IDS", "11;22", ["user ids"]),
    ("BOT_COUNTRY", "DE", ["BE or NL", "'DE'"]),
    ("BOT_COUNTRY", "Belgium", ["BE or NL"]),
    ("BOT_TIMEZONE", "Mars/Olympus", ["time zone", "Europe/Brussels"]),
    ("BOT_TIMEZONE", "CET+1", ["time zone"]),
    ("BOT_TIMEZONE", "/etc/passwd", ["time zone"]),
    ("BOT_TIMEZONE", "Europe", ["time zone"]),  # a folder of zones, not a zone
    ("BOT_TIMEZONE", "Europe/" + "x" * 300, ["time zone"]),
    ("BOT_EXERCISE_PACE", "fast", ["number", "'fast'"]),
    ("BOT_EXERCISE_PACE", "0", ["above 0"]),
    ("BOT_EXERCISE_PACE", "-1", ["above 0"]),
    ("BOT_EXERCISE_PACE", "nan", ["BOT_EXERCISE_PACE"]),
    ("BOT_EXERCISE_PACE", "inf", ["BOT_EXERCISE_PACE"]),
    ("BOT_EXERCISE_PACE", "11", ["BOT_EXERCISE_PACE", "'11'", "10"]),  # the upper limit
]


@pytest.mark.parametrize(
    ("name", "value", "words"), BAD_VALUES, ids=[f"{n}={v[:20]}" for n, v, _ in BAD_VALUES]
)
def test_a_bad_value_names_the_setting_and_how_to_fix_it(
    name: str, value: str, words: list[str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env(**{name: value}))
    message = str(caught.value)
    assert name in message
    for word in words:
        assert word in message
    assert "\n" not in message, "one line for stderr"
    assert TOKEN not in message


def test_the_repr_never_shows_the_token() -> None:
    settings = load_settings(env(BOT_ADMIN_IDS="11"))
    for text in (
        repr(settings),
        str(settings),
        f"{settings}",
        f"{settings!r}",
        repr([settings]),
        repr({"settings": settings}),
    ):
        assert TOKEN not in text
        assert TOKEN.split(":")[1] not in text
    assert "Europe/Brussels" in repr(settings)  # still useful in a log line


def test_a_data_dir_that_is_a_file_is_refused(tmp_path) -> None:
    (tmp_path / "data").write_text("not a folder")
    for path in (tmp_path / "data", tmp_path / "data" / "inside"):
        with pytest.raises(ConfigError, match="BOT_DATA_DIR must be a folder") as caught:
            load_settings(env(BOT_DATA_DIR=str(path)))
        assert "\n" not in str(caught.value)


def test_a_data_dir_still_to_be_made_is_fine(tmp_path) -> None:
    settings = load_settings(env(BOT_DATA_DIR=str(tmp_path / "new" / "data")))

    assert settings.data_dir == tmp_path / "new" / "data"
    assert not (tmp_path / "new").exists()


# --- retention (README, "How long data is kept") ------------------------------------------


def test_retention_periods_have_defaults_and_can_be_given() -> None:
    settings = load_settings(env())
    assert (settings.retention_months, settings.inactive_months) == (18, 12)
    given = load_settings(env(BOT_RETENTION_MONTHS=" 24 ", BOT_INACTIVE_MONTHS="6"))
    assert (given.retention_months, given.inactive_months) == (24, 6)
    assert load_settings(env(BOT_RETENTION_MONTHS="", BOT_INACTIVE_MONTHS="")) == settings


@pytest.mark.parametrize("name", ["BOT_RETENTION_MONTHS", "BOT_INACTIVE_MONTHS"])
@pytest.mark.parametrize("value", ["0", "-3", "1.5", "eighteen", "121", "99999999999999999999"])
def test_a_bad_retention_period_is_one_line(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env(**{name: value}))
    message = str(caught.value)
    assert name in message and repr(value) in message and "1 to 120" in message
    assert "\n" not in message


def test_the_invite_pepper_is_the_deployments_secret_and_never_printed() -> None:
    settings = load_settings(env(BOT_INVITE_PEPPER="a-long-secret-of-this-deployment"))

    assert settings.invite_pepper == b"a-long-secret-of-this-deployment"
    assert "a-long-secret" not in repr(settings)
    assert load_settings(env()).invite_pepper == DEMO_INVITE_PEPPER


def test_a_short_invite_pepper_is_refused() -> None:
    with pytest.raises(ConfigError, match="BOT_INVITE_PEPPER"):
        load_settings(env(BOT_INVITE_PEPPER="short"))
