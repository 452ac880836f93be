"""The one codec for inline-button payloads: short, versioned, validated.

A payload is `v1:<action>:<arg>:<arg>...`, at most 64 bytes (Telegram's limit). Buttons carry
everything their step needs, so a button still works after a restart; a payload from an
older version, or one that does not parse, is reported as stale rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "v1"
MAX_BYTES = 64
# Checked with fullmatch: `$` would also accept a trailing newline.
_ACTION = re.compile(r"[A-Za-z0-9_.-]+")
_ARG = re.compile(r"[A-Za-z0-9_.-]*")

# Actions, named for what the button does.
CONSENT = "consent"  # yes | no | lang-<xx>
COUNTRY = "country"  # BE | NL
TIMEZONE = "tz"  # zone name with '/' as '.'  | other
MOMENTS = "moments"  # ok | change
CHECKIN = "ci"  # day, energy?, stress?, sleep?
CHECKIN_NOTE = "cinote"  # checkin id | skip
EXERCISE_PICK = "expick"  # exercise id
EXERCISE_STEP = "exstep"  # exercise id, step index (next step to send)
EXERCISE_END = "exend"  # exercise id, done | skipped | later
EXERCISE_START = "exstart"  # exercise id
REFLECT = "rf"  # other | later
REFLECT_SHARE = "rfshare"  # reflection id, yes | no
CRISIS = "crisis"  # ground | ok
CRISIS_ASK = "cask"  # yes | unsure | no
CRISIS_FOLLOWUP = "cfu"  # escalation id, better | hard | help_now
GP_FOLLOWUP = "gpf"  # escalation id, reached | not_yet | prepare
HISTORY = "hist"  # days
SETTINGS = "set"  # what, value?
DELETE = "del"  # confirm | cancel
REMINDER = "rem"  # kind, day, later | start
QUESTIONNAIRE = "q"  # questionnaire id, item index, value


class StaleCallback(ValueError):
    """A payload this version cannot honour: old, foreign or malformed."""


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
    return Callback(action, tuple(args))


def pattern(action: str) -> str:
    """The regex a CallbackQueryHandler uses to route one action."""
    return rf"^{VERSION}:{re.escape(action)}(?::|\Z)"
