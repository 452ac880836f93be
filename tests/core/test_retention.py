"""The retention rule: a notice first, the erasure a week later on the day it named, an
inactivity notice cancelled by anything the coachee does; every date in their own calendar.

The clock is fixed: 2026-03-30 01:30 UTC is 03:30 in Brussels (summer time since 29 March),
when the daily job runs.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.models import (
    CheckIn,
    Consent,
    Escalation,
    LastSeen,
    Profile,
    Record,
    ReminderMark,
    RetentionNotice,
    Snooze,
)
from bot.core.retention import (
    NOTICE_DAYS,
    Decision,
    EraseAccount,
    EraseHistory,
    Keep,
    RetentionPolicy,
    SendNotice,
    add_months,
    decide,
    history_cutoff,
    last_activity,
    refusal_expired,
)

NOW = datetime(2026, 3, 30, 1, 30, tzinfo=UTC)
BRUSSELS = ZoneInfo("Europe/Brussels")
POLICY = RetentionPolicy()  # 18 months of history, 12 months of inactivity
DAY = timedelta(days=1)


def profile(timezone: str = "Europe/Brussels", since: datetime | None = None) -> Profile:
    since = since or datetime(2024, 1, 5, 10, 0, tzinfo=UTC)
    return Profile(
        user_id=1,
        chat_id=1,
        lang="nl",
        country="BE",
        timezone=timezone,
        consent=Consent(given_at=since),
        created_at=since,
    )


def checkin(at: datetime) -> CheckIn:
    return CheckIn(at, at.date(), 5, 5, 3)


def daily(first: datetime, last: datetime) -> list[Record]:
    """One check-in a day from `first` to `last`, as an active coachee leaves them."""
    days = (last - first).days
    return [checkin(first + n * DAY) for n in range(days + 1)]


def local(year: int, month: int, day: int, zone: ZoneInfo = BRUSSELS) -> datetime:
    return datetime(year, month, day, tzinfo=zone).astimezone(UTC)


def sent(decision: Decision) -> RetentionNotice:
    assert isinstance(decision, SendNotice), decision
    return decision.notice


ACTIVE = daily(datetime(2024, 6, 1, 8, 0, tzinfo=UTC), NOW - DAY)


# --- history ---------------------------------------------------------------------------------


def test_nothing_to_do_for_a_coachee_with_only_recent_history():
    recent = daily(NOW - 300 * DAY, NOW - DAY)
    assert decide(profile(), recent, POLICY, NOW) == Keep()


def test_old_history_gets_a_notice_naming_the_day_and_the_first_kept_month():
    notice = sent(decide(profile(), ACTIVE, POLICY, NOW))

    assert notice.kind == "history"
    assert notice.at == NOW
    assert notice.erase_on == date(2026, 4, 6)  # today + 7 in Brussels
    # 2026-04-06 minus 18 months is 2024-10-06: whatever is older than October 2024 goes.
    assert notice.before == local(2024, 10, 1)
    assert notice.before == datetime(2024, 9, 30, 22, 0, tzinfo=UTC)


def test_the_week_after_the_notice_nothing_happens_and_on_its_day_the_history_goes():
    notice = sent(decide(profile(), ACTIVE, POLICY, NOW))
    records = [*ACTIVE, notice]

    for days in range(1, NOTICE_DAYS):
        assert decide(profile(), records, POLICY, NOW + days * DAY) == Keep(), days
    assert decide(profile(), records, POLICY, NOW + NOTICE_DAYS * DAY) == EraseHistory(
        notice.before
    )


def test_the_erasure_day_starts_at_local_midnight():
    notice = sent(decide(profile(), ACTIVE, POLICY, NOW))
    records = [*ACTIVE, notice]
    midnight = local(2026, 4, 6)  # 2026-04-05 22:00 UTC

    assert decide(profile(), records, POLICY, midnight - timedelta(seconds=1)) == Keep()
    assert isinstance(decide(profile(), records, POLICY, midnight), EraseHistory)


def test_without_a_stored_notice_nothing_is_ever_erased():
    # The notice could not be delivered (blocked, network): a new one is tried, no erasure.
    for days in (0, 7, 8, 30):
        decision = decide(profile(), ACTIVE, POLICY, NOW + days * DAY)
        assert isinstance(decision, SendNotice), days


def test_after_the_erasure_the_same_day_gives_nothing_more_to_do():
    notice = sent(decide(profile(), ACTIVE, POLICY, NOW))
    erase_day = NOW + NOTICE_DAYS * DAY
    assert notice.before is not None
    kept = [r for r in [*ACTIVE, notice] if r.at >= notice.before]

    assert decide(profile(), kept, POLICY, erase_day) == Keep()
    assert decide(profile(), kept, POLICY, erase_day + timedelta(hours=3)) == Keep()


def test_records_exactly_at_the_cutoff_stay():
    before = local(2024, 10, 1)
    records = [checkin(before), *daily(NOW - 10 * DAY, NOW - DAY)]
    assert decide(profile(), records, POLICY, NOW) == Keep()
    records.append(checkin(before - timedelta(microseconds=1)))
    assert sent(decide(profile(), records, POLICY, NOW)).before == before


def test_a_history_notice_is_not_cancelled_by_activity():
    notice = sent(decide(profile(), ACTIVE, POLICY, NOW))
    records = [*ACTIVE, notice, checkin(NOW + DAY), LastSeen(NOW + 2 * DAY)]
    assert isinstance(decide(profile(), records, POLICY, NOW + 7 * DAY), EraseHistory)


def test_every_kind_of_record_counts_as_history():
    old = NOW - 600 * DAY
    for record in (
        Escalation("crisis", "text", "r", "suicidal_ideation", old),
        ReminderMark("checkin", old.date(), 0, old),
        Snooze("checkin", old.date(), old, old + timedelta(minutes=30)),
    ):
        records = [record, *daily(NOW - 10 * DAY, NOW - DAY)]
        assert sent(decide(profile(), records, POLICY, NOW)).kind == "history", record


def test_a_longer_period_configured_after_the_notice_keeps_the_history():
    notice = sent(decide(profile(), ACTIVE, POLICY, NOW))
    longer = RetentionPolicy(retention_months=24)
    assert decide(profile(), [*ACTIVE, notice], longer, NOW + 7 * DAY) == Keep()


def test_a_year_of_daily_runs_sends_at_most_one_notice_a_month_and_keeps_the_promise():
    """Simulate the job: each notice is honoured, nothing goes without one a week before,
    and nothing stays much longer than the period (at most a month and the week)."""
    records: list[Record] = list(daily(datetime(2023, 1, 1, 8, 0, tzinfo=UTC), NOW))
    notices: list[RetentionNotice] = []
    erasures: list[tuple[datetime, datetime]] = []
    for day in range(365):
        now = NOW + day * DAY
        records.append(checkin(now + timedelta(hours=6)))  # still active every day
        decision = decide(profile(), records, POLICY, now)
        if isinstance(decision, SendNotice):
            notices.append(decision.notice)
            records.append(decision.notice)
        elif isinstance(decision, EraseHistory):
            erasures.append((now, decision.before))
            records = [r for r in records if r.at >= decision.before]
        else:
            assert decision == Keep()
        if day >= NOTICE_DAYS:  # the backlog from before the first notice is gone by then
            oldest = min(r.at for r in records).astimezone(BRUSSELS).date()
            today = now.astimezone(BRUSSELS).date()
            assert oldest >= add_months(today, -(18 + 1)) - timedelta(days=NOTICE_DAYS), today

    months = [(n.at.year, n.at.month) for n in notices]
    assert len(months) == len(set(months)) >= 12
    for when, before in erasures:
        notice = next(n for n in notices if n.before == before)
        assert (when - notice.at) >= timedelta(days=NOTICE_DAYS) - timedelta(hours=1)
        assert when.astimezone(BRUSSELS).date() >= notice.erase_on
    assert len(erasures) == len(notices) or len(erasures) == len(notices) - 1


# --- inactivity ------------------------------------------------------------------------------

LAST_CHECKIN = local(2025, 4, 6) + timedelta(hours=9)  # 2025-04-06 09:00 Brussels
QUIET = daily(LAST_CHECKIN - 150 * DAY, LAST_CHECKIN)


def test_an_account_nobody_used_for_a_year_gets_a_notice_a_week_before():
    a_day_early = decide(profile(), QUIET, POLICY, NOW - DAY)
    assert a_day_early == Keep()

    notice = sent(decide(profile(), QUIET, POLICY, NOW))
    assert notice.kind == "inactive"
    assert notice.erase_on == date(2026, 4, 6)  # twelve months after the last check-in
    assert notice.before is None


def test_the_inactive_account_goes_on_the_day_its_notice_named():
    notice = sent(decide(profile(), QUIET, POLICY, NOW))
    records = [*QUIET, notice]
    for days in range(1, NOTICE_DAYS):
        assert decide(profile(), records, POLICY, NOW + days * DAY) == Keep(), days
    assert decide(profile(), records, POLICY, NOW + NOTICE_DAYS * DAY) == EraseAccount()


@pytest.mark.parametrize(
    "activity",
    [
        LastSeen(NOW + 3 * DAY),  # wrote anything, or tapped a button
        checkin(NOW + 6 * DAY),
        Snooze("checkin", date(2026, 4, 1), NOW + 2 * DAY, NOW + 2 * DAY),
        Escalation("gp", "text", "r", "alcohol", NOW + DAY),
        LastSeen(NOW),  # at the very moment the notice went out
    ],
    ids=["message", "checkin", "snooze", "escalation", "same-instant"],
)
def test_anything_the_coachee_does_after_the_notice_cancels_it(activity):
    notice = sent(decide(profile(), QUIET, POLICY, NOW))
    records = [*QUIET, notice, activity]
    for days in range(NOTICE_DAYS, NOTICE_DAYS + 30):
        assert decide(profile(), records, POLICY, NOW + days * DAY) == Keep(), days


def test_the_bots_own_writes_do_not_cancel_the_notice():
    notice = sent(decide(profile(), QUIET, POLICY, NOW))
    reminder = ReminderMark("checkin", date(2026, 4, 2), 0, NOW + 2 * DAY)
    records = [*QUIET, notice, reminder]
    assert decide(profile(), records, POLICY, NOW + 7 * DAY) == EraseAccount()


def test_activity_before_the_notice_does_not_cancel_it():
    seen = LastSeen(NOW - timedelta(hours=1))
    records = [*daily(NOW - 400 * DAY, NOW - 365 * DAY - 6 * DAY), seen]
    assert last_activity(profile(), records) == seen.at
    assert decide(profile(), records, POLICY, NOW) == Keep()  # seen an hour ago: active

    quiet = [*QUIET, LastSeen(LAST_CHECKIN + timedelta(hours=2))]
    notice = sent(decide(profile(), quiet, POLICY, NOW))
    assert decide(profile(), [*quiet, notice], POLICY, NOW + 7 * DAY) == EraseAccount()


def test_once_cancelled_the_next_notice_comes_a_year_after_the_new_activity():
    notice = sent(decide(profile(), QUIET, POLICY, NOW))
    back = LastSeen(NOW + 3 * DAY)  # 2026-04-02
    records = [notice, back]  # (the old history aside: it has its own notices)
    job_time = timedelta(hours=3, minutes=30)
    assert decide(profile(), records, POLICY, local(2027, 3, 25) + job_time) == Keep()
    again = sent(decide(profile(), records, POLICY, local(2027, 3, 26) + job_time))
    assert again.kind == "inactive"
    assert again.erase_on == date(2027, 4, 2)


def test_an_account_without_any_record_counts_from_its_consent():
    since = local(2025, 4, 7) + timedelta(hours=20)  # a year later is 2026-04-07
    assert decide(profile(since=since), [], POLICY, NOW) == Keep()
    notice = sent(decide(profile(since=since), [], POLICY, NOW + DAY))
    assert (notice.kind, notice.erase_on) == ("inactive", date(2026, 4, 7))


def test_the_inactivity_notice_comes_before_the_history_one_and_replaces_it():
    old_and_quiet = daily(NOW - 600 * DAY, LAST_CHECKIN)
    notice = sent(decide(profile(), old_and_quiet, POLICY, NOW))
    assert notice.kind == "inactive"
    records = [*old_and_quiet, notice]
    assert decide(profile(), records, POLICY, NOW + DAY) == Keep()
    assert decide(profile(), records, POLICY, NOW + 7 * DAY) == EraseAccount()


def test_a_history_erasure_already_announced_still_happens_during_an_inactivity_notice():
    history = sent(decide(profile(), daily(NOW - 600 * DAY, NOW - 355 * DAY), POLICY, NOW))
    assert history.kind == "history"
    records: list[Record] = [*daily(NOW - 600 * DAY, NOW - 355 * DAY), history]
    inactive = sent(decide(profile(), records, POLICY, NOW + 3 * DAY))
    assert inactive.kind == "inactive"
    records.append(inactive)
    assert decide(profile(), records, POLICY, NOW + 7 * DAY) == EraseHistory(history.before)


def test_a_longer_inactivity_period_configured_after_the_notice_keeps_the_account():
    notice = sent(decide(profile(), QUIET, POLICY, NOW))
    longer = RetentionPolicy(inactive_months=24)
    assert decide(profile(), [*QUIET, notice], longer, NOW + 7 * DAY) == Keep()


# --- time zones ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "erase_on", "cutoff"),
    [
        # 01:30 UTC is still the 29th in New York, already the afternoon of the 30th in Auckland.
        ("America/New_York", date(2026, 4, 5), datetime(2024, 10, 1, 4, 0, tzinfo=UTC)),
        ("Pacific/Auckland", date(2026, 4, 6), datetime(2024, 9, 30, 11, 0, tzinfo=UTC)),  # NZDT
        ("Europe/Brussels", date(2026, 4, 6), datetime(2024, 9, 30, 22, 0, tzinfo=UTC)),
    ],
)
def test_days_and_cutoffs_are_in_the_coachees_own_calendar(zone, erase_on, cutoff):
    notice = sent(decide(profile(zone), ACTIVE, POLICY, NOW))
    assert (notice.erase_on, notice.before) == (erase_on, cutoff)
    # Seven days later, at the same hour of the daily job: the day has come, wherever they are.
    assert decide(profile(zone), [*ACTIVE, notice], POLICY, NOW + 7 * DAY) == EraseHistory(cutoff)
    assert decide(profile(zone), [*ACTIVE, notice], POLICY, NOW + 6 * DAY) == Keep()


def test_a_daylight_saving_change_inside_the_week_does_not_delay_the_erasure():
    # Notice at 03:30 CET on 25 March, erasure at 03:30 CEST on 1 April: 6 days 23 hours.
    before_switch = datetime(2026, 3, 25, 2, 30, tzinfo=UTC)
    notice = sent(decide(profile(), ACTIVE, POLICY, before_switch))
    assert notice.erase_on == date(2026, 4, 1)
    after_switch = datetime(2026, 4, 1, 1, 30, tzinfo=UTC)
    assert isinstance(decide(profile(), [*ACTIVE, notice], POLICY, after_switch), EraseHistory)


def test_a_naive_clock_is_refused():
    with pytest.raises(ValueError, match="naive"):
        decide(profile(), [], POLICY, datetime(2026, 3, 30, 3, 30))


# --- helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 4, 6), -18, date(2024, 10, 6)),
        (date(2026, 8, 31), -18, date(2025, 2, 28)),
        (date(2025, 8, 31), -18, date(2024, 2, 29)),  # a leap year
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2025, 4, 6), 12, date(2026, 4, 6)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_the_cutoff_is_local_midnight_even_where_midnight_is_skipped():
    # Santiago moved its clocks from 00:00 to 01:00 on 2024-09-08; not this date, but the
    # rule must land on a real instant for any first of the month.
    cutoff = history_cutoff(date(2026, 3, 1), POLICY, ZoneInfo("America/Santiago"))
    assert cutoff.tzinfo is not None
    assert cutoff.astimezone(ZoneInfo("America/Santiago")).date() == date(2024, 9, 1)


def test_a_refusal_goes_after_the_inactivity_period():
    refused = datetime(2025, 3, 30, 12, 0, tzinfo=UTC)
    assert not refusal_expired(refused, POLICY, datetime(2026, 3, 29, 23, 59, tzinfo=UTC))
    assert refusal_expired(refused, POLICY, datetime(2026, 3, 30, 0, 0, tzinfo=UTC))


def test_periods_are_at_least_a_month():
    with pytest.raises(ValueError):
        RetentionPolicy(retention_months=0)
    with pytest.raises(ValueError):
        RetentionPolicy(inactive_months=-1)


def test_a_notice_is_a_plain_frozen_record():
    notice = sent(decide(profile(), ACTIVE, POLICY, NOW))
    with pytest.raises(dataclasses.FrozenInstanceError):
        notice.kind = "inactive"  # type: ignore[misc]


# --- a coachee who blocked the bot (no notice can reach them) -------------------------------


def blocked(since: datetime) -> Profile:
    return dataclasses.replace(profile(), inactive_since=since)


def test_a_coachee_who_blocked_the_bot_is_sent_no_notice():
    # Telegram refuses every message to them: trying daily would only fail daily.
    for days in (0, 3, 6):
        assert decide(blocked(NOW - 90 * DAY), QUIET, POLICY, NOW + days * DAY) == Keep(), days


def test_a_blocked_account_goes_on_the_day_a_notice_would_have_named():
    # QUIET's notice would have gone out at NOW and named NOW + 7 days.
    who = blocked(NOW - 90 * DAY)
    assert decide(who, QUIET, POLICY, NOW + (NOTICE_DAYS - 1) * DAY) == Keep()
    assert decide(who, QUIET, POLICY, NOW + NOTICE_DAYS * DAY) == EraseAccount()


def test_old_history_of_a_blocked_coachee_goes_when_a_noticed_erasure_would_have():
    # Blocked yesterday, active until then: the account stays, its old history does not. On
    # any day, what goes is what a notice sent a week earlier would have named for that day.
    who = blocked(NOW - DAY)
    for days in (0, 7, 40):
        today = NOW + days * DAY
        cutoff = history_cutoff(today.astimezone(BRUSSELS).date(), POLICY, BRUSSELS)
        assert any(r.at < cutoff for r in ACTIVE)
        assert decide(who, ACTIVE, POLICY, today) == EraseHistory(cutoff), days
    after = [r for r in ACTIVE if r.at >= history_cutoff(date(2026, 3, 30), POLICY, BRUSSELS)]
    assert decide(who, after, POLICY, NOW) == Keep()
