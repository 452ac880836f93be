"""The one codec for button payloads: round trips, limits, stale and foreign payloads."""

from __future__ import annotations

import re

import pytest

from bot.telegram import callbacks
from bot.telegram.callbacks import (
    MAX_BYTES,
    Callback,
    StaleCallback,
    decode,
    encode,
    pattern,
)

ACTIONS = sorted(
    value
    for name, value in vars(callbacks).items()
    if name.isupper() and isinstance(value, str) and name not in ("VERSION",)
)


def test_actions_are_distinct_and_valid():
    assert len(ACTIONS) == len(set(ACTIONS))
    for action in ACTIONS:
        assert decode(encode(action)).action == action


@pytest.mark.parametrize(
    ("action", "args"),
    [
        (callbacks.CHECKIN, ("2026-03-30", 4, 7)),
        (callbacks.CHECKIN_NOTE, ("a1b2c3d4e5f6",)),
        (callbacks.EXERCISE_STEP, ("box-breathing", 3)),
        (callbacks.TIMEZONE, ("America.Argentina.Buenos_Aires",)),
        (callbacks.CRISIS, ("ground",)),
        (callbacks.SETTINGS, ()),
        (callbacks.QUESTIONNAIRE, ("phq9", 8, 0)),
    ],
)
def test_round_trip(action, args):
    data = encode(action, *args)

    assert decode(data) == Callback(action, tuple(str(a) for a in args))
    assert data.startswith(f"{callbacks.VERSION}:{action}")


def test_empty_arguments_survive_the_round_trip():
    assert decode(encode(callbacks.SETTINGS, "tz", "")).args == ("tz", "")


def test_arg_with_default():
    cb = decode(encode(callbacks.GP_FOLLOWUP, "abc", "reached"))

    assert cb.arg(0) == "abc"
    assert cb.arg(1) == "reached"
    assert cb.arg(2) == ""
    assert cb.arg(5, "none") == "none"


# --- the 64-byte limit ---------------------------------------------------------------------


def test_payload_of_exactly_the_limit_is_allowed():
    prefix = f"{callbacks.VERSION}:{callbacks.CHECKIN}:"
    data = encode(callbacks.CHECKIN, "x" * (MAX_BYTES - len(prefix)))

    assert len(data.encode()) == MAX_BYTES == 64


def test_payload_over_the_limit_is_refused():
    prefix = f"{callbacks.VERSION}:{callbacks.CHECKIN}:"

    with pytest.raises(ValueError, match="64 bytes"):
        encode(callbacks.CHECKIN, "x" * (MAX_BYTES - len(prefix) + 1))


def test_longest_real_payloads_fit():
    """An escalation id (12 hex) with the longest follow-up choice; a long zone name."""
    encode(callbacks.GP_FOLLOWUP, "0123456789ab", "not_yet")
    encode(callbacks.TIMEZONE, "America.Argentina.ComodRivadavia")
    encode(callbacks.REFLECT_SHARE, "0123456789ab", "yes")


def test_decode_refuses_what_no_button_of_ours_can_carry():
    with pytest.raises(StaleCallback):
        decode(f"{callbacks.VERSION}:{callbacks.CHECKIN}:" + "x" * MAX_BYTES)


# --- characters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["a:b", "a b", "ü", "a/b", "a\n", "\nb", "a+b", "", "é", "a|b", "🙂"]
)
def test_bad_characters_in_the_action_are_refused(bad):
    with pytest.raises(ValueError):
        encode(bad)


@pytest.mark.parametrize("bad", ["a:b", "a b", "ü", "a/b", "a\n", "\nb", "a+b", "🙂"])
def test_bad_characters_in_an_argument_are_refused(bad):
    with pytest.raises(ValueError):
        encode(callbacks.SETTINGS, "tz", bad)


# --- stale, foreign, malformed -------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "v0:ci:2026-03-30",  # an older version
        "v2:ci:2026-03-30",  # a newer one
        "ci:2026-03-30",  # before versions existed
        "checkin_2026-03-30_4",  # someone else's format
        "v1",
        "v1:",
        "v1::x",  # no action
        "v1:ci:a b",
        "v1:ci:ü",
        "v1:ci\n",
        "v1:ci:4\n",
        "V1:ci",
    ],
)
def test_stale_or_malformed_payloads_raise_stale(data):
    with pytest.raises(StaleCallback):
        decode(data)


def test_stale_is_a_value_error():
    assert issubclass(StaleCallback, ValueError)


# --- routing -------------------------------------------------------------------------------


def routes(action: str, data: str) -> bool:
    # python-telegram-bot's CallbackQueryHandler routes with re.match on the pattern
    return re.match(pattern(action), data) is not None


def test_pattern_routes_its_own_action_with_or_without_args():
    assert routes(callbacks.CHECKIN, encode(callbacks.CHECKIN))
    assert routes(callbacks.CHECKIN, encode(callbacks.CHECKIN, "2026-03-30", 4))


@pytest.mark.parametrize(
    ("action", "other"),
    [
        (callbacks.CHECKIN, callbacks.CHECKIN_NOTE),  # "ci" must not take "cinote"
        (callbacks.REFLECT, callbacks.REFLECT_SHARE),  # "rf" must not take "rfshare"
        (callbacks.QUESTIONNAIRE, "qx"),
    ],
)
def test_pattern_does_not_route_an_action_that_starts_the_same(action, other):
    assert not routes(action, encode(other, "x"))
    assert not routes(action, encode(other))


def test_every_pattern_routes_only_its_own_action():
    for action in ACTIONS:
        for other in ACTIONS:
            assert routes(action, encode(other, "1")) == (action == other), (action, other)


def test_pattern_ignores_other_versions():
    assert not routes(callbacks.CHECKIN, "v0:ci:2026-03-30")
    assert not routes(callbacks.CHECKIN, "xv1:ci")


def test_pattern_escapes_the_action():
    assert not routes("a.b", "v1:axb")
    assert routes("a.b", "v1:a.b:1")
