"""The one codec for inline-button payloads: short, versioned, validated.

A payload is `v1:<action>:<arg>:<arg>...`, at most 64 bytes (Telegram's limit). Buttons carry
everything their step needs, so a button still works after a restart; a payload from an
older version, or one that does not parse, is reported as stale rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.services.actions import (
    CHECKIN,
    CHECKIN_NOTE,
    COACH,
    COACH_ADMIN,
    COACH_HOMEWORK,
    COACH_INVITE,
    COACH_PHASE,
    COACH_PRIVACY,
    COACH_QUIET,
    COACH_SHARE,
    COACHEE,
    CONSENT,
    COUNTRY,
    CRISIS,
    CRISIS_ASK,
    CRISIS_FOLLOWUP,
    DELETE,
    EXERCISE_END,
    EXERCISE_PICK,
    EXERCISE_START,
    EXERCISE_STEP,
    GP_FOLLOWUP,
    GP_SUMMARY,
    HISTORY,
    MOMENTS,
    QUESTIONNAIRE,
    REFLECT,
    REFLECT_SHARE,
    REMINDER,
    SETTINGS,
    TIMEZONE,
)

VERSION = "v1"
MAX_BYTES = 64
# Checked with fullmatch: `$` would also accept a trailing newline.
_ACTION = re.compile(r"[A-Za-z0-9_.-]+")
_ARG = re.compile(r"[A-Za-z0-9_.-]*")


class StaleCallback(ValueError):
    """A payload this version cannot honour: old, foreign or malformed."""


# What each action's arguments look like, joined by ':' (checked with fullmatch). Telegram lets
# a client send any data with a press, so a payload is input like any typed text: one that does
# not fit its action's shape is stale before a handler sees it. An action without a shape here
# is checked only for its characters.
_an_id = r"[A-Za-z0-9_.-]{1,64}"  # the 64-byte limit bounds it (content check too)
_score = r"(?:10|[0-9])"
_run = r"[0-9a-f]{12}"  # bot.core.practice.new_run
SHAPES: dict[str, re.Pattern[str]] = {
    action: re.compile(shape)
    for action, shape in {
        CONSENT: r"yes|no|lang-(?:nl|en)",
        COUNTRY: r"BE|NL",
        TIMEZONE: _an_id,
        MOMENTS: r"ok|change",
        # day (YYYYMMDD), then energy 0-10, stress 0-10, sleep 1-5 as they are answered
        CHECKIN: rf"[0-9]{{8}}(?::{_score}(?::{_score}(?::[1-5])?)?)?",
        CHECKIN_NOTE: rf"{_an_id}(?::skip)?",
        EXERCISE_PICK: _an_id,
        EXERCISE_STEP: rf"{_an_id}:[0-9]{{1,2}}:{_run}",
        EXERCISE_END: rf"{_an_id}:(?:done|skipped|later):{_run}",
        EXERCISE_START: rf"{_an_id}:{_run}",
        REFLECT: rf"(?:other|later):{_an_id}",
        REFLECT_SHARE: rf"{_an_id}:(?:yes|no)",
        CRISIS: r"ground|ok",
        CRISIS_ASK: r"yes|unsure|no",
        CRISIS_FOLLOWUP: rf"{_an_id}:(?:better|hard|help_now)",
        GP_FOLLOWUP: rf"{_an_id}:(?:reached|not_yet|prepare)",
        HISTORY: r"14|30",
        GP_SUMMARY: r"with|without",
        # what, then an option and an extra (an empty option opens the choice)
        SETTINGS: rf"(?:{_an_id}(?::[A-Za-z0-9_.-]{{0,64}}){{0,2}})?",
        # confirm carries what it would erase (core.profiles.erasure_stamp)
        DELETE: r"confirm:[0-9]{1,12}|cancel",
        REMINDER: r"[a-z]{1,20}:(?:today|[0-9]{8}):(?:later|start)",
        # 'menu'; or a questionnaire id with 'start' or the answers so far (one digit each)
        # and the run they belong to (older buttons carry no run)
        QUESTIONNAIRE: rf"menu|{_an_id}:(?:start|[0-9]{{1,64}}(?::{_run})?)",
    }.items()
}

# The coach side's buttons (bot.services.coaching).
_user = r"[0-9]{1,15}"
SHAPES.update(
    {
        action: re.compile(shape)
        for action, shape in {
            COACH: r"step_down|step_down_yes|status",
            COACH_ADMIN: rf"(?:approve|refuse|revoke|revoke_yes|list):{_user}",
            COACH_INVITE: r"(?:yes|no):[A-Za-z0-9_-]{1,43}",
            COACH_SHARE: r"(?:checkins|exercises|questionnaires|alerts|reflections)"
            rf":(?:on|off):[fp]:{_user}",
            COACH_PRIVACY: r"(?:panel|reads|digest|unlink|unlink_yes):|ask:[a-z]{1,20}",
            COACHEE: rf"{_user}:(?:menu|phase|homework|questionnaires|report|unlink|unlink_yes"
            rf"|hw:{_an_id}|qn_set:[0-9])",
            COACH_PHASE: rf"{_user}:[a-z]{{1,20}}",
            COACH_HOMEWORK: rf"{_user}:{_an_id}:(?:d7|d14|w28)",
            COACH_QUIET: r"menu|list|digest|set:[0-9]{1,2}|day:[0-6]|at:[0-9]{4}",
        }.items()
    }
)


@dataclass(frozen=True)
class Callback:
    action: str
    args: tuple[str, ...]

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if index < len(self.args) else default


def encode(action: str, *args: object) -> str:
    parts = [str(a) for a in args]
    if not _ACTION.fullmatch(action):
        raise ValueError(
            f"callback action {action!r} is empty or has characters a payload cannot carry"
        )
    for part in parts:
        if not _ARG.fullmatch(part):
            raise ValueError(f"callback part {part!r} has characters a payload cannot carry")
    data = ":".join([VERSION, action, *parts])
    shape = SHAPES.get(action)
    if shape is not None and not shape.fullmatch(":".join(parts)):
        raise ValueError(f"callback payload {data!r} does not fit the shape of {action!r}")
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback payload {data!r} is longer than {MAX_BYTES} bytes")
    return data


def decode(data: str | None) -> Callback:
    if not data:
        raise StaleCallback("empty payload")
    if len(data.encode()) > MAX_BYTES:
        raise StaleCallback("payload longer than any button of ours can carry")
    version, _, rest = data.partition(":")
    if version != VERSION or not rest:
        raise StaleCallback(f"payload from another version: {version!r}")
    action, *args = rest.split(":")
    if not _ACTION.fullmatch(action) or not all(_ARG.fullmatch(part) for part in args):
        raise StaleCallback("malformed payload")
    shape = SHAPES.get(action)
    if shape is not None and not shape.fullmatch(":".join(args)):
        raise StaleCallback(f"payload does not fit the shape of {action!r}")
    return Callback(action, tuple(args))


def pattern(action: str) -> str:
    """The regex a CallbackQueryHandler uses to route one action."""
    return rf"^{VERSION}:{re.escape(action)}(?::|\Z)"
