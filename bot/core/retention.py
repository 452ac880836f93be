"""How long a coachee's data is kept: what the daily retention job does for one coachee.

Two rules (README, "How long data is kept"):
- history: whatever is older than `retention_months` is erased, a calendar month at a time,
  so a coachee gets at most one notice a month;
- inactivity: an account nobody used for `inactive_months` is erased as a whole.

Each erasure happens only after a notice the coachee received at least NOTICE_DAYS calendar
days before, on or after the day that notice named (the coachee's own calendar); for a
coachee who blocked the bot, whom no notice can reach, on the day a notice would have
named. A notice is a RetentionNotice record, stored only once Telegram accepted the
message. Anything the coachee does after an inactivity notice cancels it; nothing cancels a
history notice.

Pure: the job reads the profile and records, asks `decide`, and carries the decision out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.models import LastSeen, Profile, Record, ReminderMark, RetentionNotice, utc
from bot.core.schedule import local_instant

NOTICE_DAYS = 7
DEFAULT_RETENTION_MONTHS = 18
# A year without a single message: longer than any coaching trajectory with its pauses
# (/pause allows at most 90 days), and shorter than the history period, so an abandoned
# account does not sit there until its history ages out (README explains the choice).
DEFAULT_INACTIVE_MONTHS = 12

# Records the bot writes on its own: history (erased with it), never a sign of the coachee.
BOT_WRITTEN: tuple[type, ...] = (ReminderMark, RetentionNotice)


@dataclass(frozen=True)
class RetentionPolicy:
    retention_months: int = DEFAULT_RETENTION_MONTHS
    inactive_months: int = DEFAULT_INACTIVE_MONTHS

    def __post_init__(self) -> None:
        if self.retention_months < 1 or self.inactive_months < 1:
            raise ValueError("retention and inactivity periods are at least one month")


@dataclass(frozen=True)
class Keep:
    """Nothing to do today."""


@dataclass(frozen=True)
class SendNotice:
    """Tell the coachee; store `notice` only once the message was delivered."""

    notice: RetentionNotice


@dataclass(frozen=True)
class EraseHistory:
    """Remove every record of this coachee older than `before` (the notice was given)."""

    before: datetime


@dataclass(frozen=True)
class EraseAccount:
    """Erase everything of this coachee (notice given, nothing done since)."""


Decision = Keep | SendNotice | EraseHistory | EraseAccount


def decide(
    profile: Profile, records: Iterable[Record], policy: RetentionPolicy, now: datetime
) -> Decision:
    """Today's one step for this coachee; running it again after the step is carried out
    gives Keep (the notice is stored, the records are gone)."""
    now = utc(now)
    zone = ZoneInfo(profile.timezone)
    today = now.astimezone(zone).date()
    records = list(records)
    notices = sorted((r for r in records if isinstance(r, RetentionNotice)), key=lambda n: n.at)
    history = [r for r in records if not isinstance(r, RetentionNotice | LastSeen)]
    active_day = last_activity(profile, records).astimezone(zone).date()
    inactive_on = add_months(active_day, policy.inactive_months)

    if profile.inactive_since is not None:
        return _decide_unreachable(history, policy, zone, today, inactive_on)
    inactive_notice = _pending_inactive_notice(notices, profile, records, inactive_on)
    if inactive_notice is not None and today >= inactive_notice.erase_on:
        return EraseAccount()
    history_notice = _pending_history_notice(notices, history, policy, zone)
    if history_notice is not None and today >= history_notice.erase_on:
        assert history_notice.before is not None
        return EraseHistory(history_notice.before)
    if inactive_notice is not None:
        return Keep()  # the account may go as a whole: no separate word about its history

    erase_on = today + timedelta(days=NOTICE_DAYS)
    if inactive_on <= erase_on:
        return SendNotice(RetentionNotice("inactive", now, erase_on))
    if history_notice is not None:
        return Keep()
    before = history_cutoff(erase_on, policy, zone)
    if any(r.at < before for r in history):
        return SendNotice(RetentionNotice("history", now, erase_on, before))
    return Keep()


def _decide_unreachable(
    history: Sequence[Record],
    policy: RetentionPolicy,
    zone: ZoneInfo,
    today: date,
    inactive_on: date,
) -> Decision:
    """A coachee who blocked the bot cannot be told: keeping their data until they unblock
    it (perhaps never) would keep it forever. So every erasure goes ahead on the day a
    notice would have named, without the notice; anything they do unblocks them first
    (they are active again, and the usual rules with their notices apply)."""
    if today >= inactive_on:  # the day an inactivity notice names
        return EraseAccount()
    before = history_cutoff(today, policy, zone)
    if any(r.at < before for r in history):
        return EraseHistory(before)
    return Keep()


def last_activity(profile: Profile, records: Iterable[Record]) -> datetime:
    """The last thing the coachee did: consent, any record they made, any message or tap."""
    moments = [profile.consent.given_at, profile.created_at]
    moments += [r.at for r in records if not isinstance(r, BOT_WRITTEN)]
    return max(utc(m) for m in moments)


def history_cutoff(erase_on: date, policy: RetentionPolicy, zone: ZoneInfo) -> datetime:
    """What may be erased on `erase_on`: whatever is older than the first day of the month
    that lies `retention_months` back, from local midnight."""
    back = add_months(erase_on, -policy.retention_months)
    return local_instant(back.replace(day=1), time(0, 0), zone)


def refusal_expired(refused_at: datetime, policy: RetentionPolicy, now: datetime) -> bool:
    """A stored "no" (only its date) goes after the inactivity period, without a notice: the
    person never agreed to messages from the bot, and nothing else of theirs is kept."""
    return add_months(utc(refused_at).date(), policy.inactive_months) <= utc(now).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def _pending_inactive_notice(
    notices: list[RetentionNotice], profile: Profile, records: list[Record], inactive_on: date
) -> RetentionNotice | None:
    """The inactivity notice still standing: nothing happened since it was sent, and under
    today's policy the account is inactive by the day it named."""
    last = last_activity(profile, records)
    for notice in reversed(notices):
        if notice.kind == "inactive":
            if notice.at > last and inactive_on <= notice.erase_on:
                return notice
            return None
    return None


def _pending_history_notice(
    notices: list[RetentionNotice],
    history: Sequence[Record],
    policy: RetentionPolicy,
    zone: ZoneInfo,
) -> RetentionNotice | None:
    """The latest history notice while records it announced are still here; one that today's
    policy would not allow any more (a longer period configured since) no longer stands."""
    for notice in reversed(notices):
        if notice.kind == "history" and notice.before is not None:
            if notice.before > history_cutoff(notice.erase_on, policy, zone):
                return None
            if any(r.at < notice.before for r in history):
                return notice
            return None
    return None
