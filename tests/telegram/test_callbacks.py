"""The one codec for button payloads: round trips, limits, stale and foreign payloads."""

from __future__ import annotations

import re

import pytest

from bot.telegram import callbacks
from bot.telegram.callbacks import (
    MAX_BYTES,
    SHAPES,
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
        assert callbacks._ACTION.fullmatch(action)


def test_every_action_has_a_shape():
    assert set(SHAPES) == set(ACTIONS)


@pytest.mark.parametrize(
    ("action", "args"),
    [
        (callbacks.CHECKIN, ("20260330", 4, 7)),
        (callbacks.CHECKIN, ("20260330", 10, 0, 5)),
        (callbacks.CHECKIN_NOTE, ("a1b2c3d4e5f6",)),
        (callbacks.EXERCISE_STEP, ("box-breathing", 3, "0123456789ab")),
        (callbacks.EXERCISE_END, ("box-breathing", "done", "0123456789ab")),
        (callbacks.TIMEZONE, ("America.Argentina.Buenos_Aires",)),
        (callbacks.CRISIS, ("ground",)),
        (callbacks.SETTINGS, ()),
        (callbacks.QUESTIONNAIRE, ("phq9", "0123")),
        (callbacks.QUESTIONNAIRE, ("phq9", "start")),
        (callbacks.QUESTIONNAIRE, ("menu",)),
        (callbacks.REMINDER, ("checkin", "today", "start")),
        (callbacks.CONSENT, ("lang-en",)),
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


UNSHAPED = "test"  # an action without a shape: only characters and length are checked


def test_payload_of_exactly_the_limit_is_allowed():
    prefix = f"{callbacks.VERSION}:{UNSHAPED}:"
    data = encode(UNSHAPED, "x" * (MAX_BYTES - len(prefix)))

    assert len(data.encode()) == MAX_BYTES == 64


def test_payload_over_the_limit_is_refused():
    prefix = f"{callbacks.VERSION}:{UNSHAPED}:"

    with pytest.raises(ValueError, match="64 bytes"):
        encode(UNSHAPED, "x" * (MAX_BYTES - len(prefix) + 1))


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
    assert routes(callbacks.CHECKIN, "v1:ci")
    assert routes(callbacks.CHECKIN, encode(callbacks.CHECKIN, "20260330", 4))


@pytest.mark.parametrize(
    ("action", "other"),
    [
        (callbacks.CHECKIN, callbacks.CHECKIN_NOTE),  # "ci" must not take "cinote"
        (callbacks.REFLECT, callbacks.REFLECT_SHARE),  # "rf" must not take "rfshare"
        (callbacks.QUESTIONNAIRE, "qx"),
    ],
)
def test_pattern_does_not_route_an_action_that_starts_the_same(action, other):
    assert not routes(action, f"v1:{other}:x")
    assert not routes(action, f"v1:{other}")


def test_every_pattern_routes_only_its_own_action():
    for action in ACTIONS:
        for other in ACTIONS:
            assert routes(action, f"v1:{other}:1") == (action == other), (action, other)


def test_pattern_ignores_other_versions():
    assert not routes(callbacks.CHECKIN, "v0:ci:2026-03-30")
    assert not routes(callbacks.CHECKIN, "xv1:ci")


def test_pattern_escapes_the_action():
    assert not routes("a.b", "v1:axb")
    assert routes("a.b", "v1:a.b:1")


# --- shapes: what each action's arguments look like -----------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "v1:ci",  # no day
        "v1:ci:2026-03-30",  # not the day format
        "v1:ci:20260330:11",  # energy above 10
        "v1:ci:20260330:4:7:0",  # sleep below 1
        "v1:ci:20260330:4:7:3:9",  # one answer too many
        "v1:ci:20260330:04",  # not how we write a number
        "v1:del:confirm:extra",
        "v1:del",
        "v1:hist:0",
        "v1:hist:99999999999",
        "v1:exstep:box-breathing",
        "v1:exend:box-breathing:maybe",
        "v1:exstep:box-breathing:3",  # from before runs: no run id
        "v1:exend:box-breathing:done",
        "v1:exstart:box-breathing",
        "v1:exend:box-breathing:done:0123456789AB",  # a run id is lower-case hex
        "v1:rem:checkin:today",
        "v1:q:phq9",
        "v1:q:phq9:-1",
        "v1:consent:lang-xx",
        "v1:country:XX",
        "v1:set:a:b:c:d",
    ],
)
def test_a_payload_that_does_not_fit_its_action_is_stale(data):
    with pytest.raises(StaleCallback, match="shape"):
        decode(data)
    action, _, rest = data.removeprefix("v1:").partition(":")
    with pytest.raises(ValueError, match="shape"):
        encode(action, *(rest.split(":") if rest else ()))


def test_an_action_without_a_shape_is_checked_for_characters_only():
    assert decode("v1:test:anything:at_all").args == ("anything", "at_all")
