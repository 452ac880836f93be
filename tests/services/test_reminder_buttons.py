"""The reminder buttons' service against the in-memory repository: "later" promises only
what will come, and stores a snooze only when the plan will really send it."""

from __future__ import annotations

from datetime import timedelta

from servicerig import ALICE, NOW, coachee_profile

from bot.core.models import Moments, Snooze
from bot.services import reminders
from bot.services.outcome import Reschedule

TODAY = "20260330"


def later(repo, kind="checkin", day="today", now=NOW):
    with repo.unit_of_work(ALICE) as coachee:
        return reminders.later(coachee, kind, day, now)


def said(result) -> list[str]:
    return [t.id for m in result.messages for t in m.body]


def test_later_stores_a_snooze_and_promises_it_when_it_will_come(repo):
    repo.save_profile(coachee_profile())

    result = later(repo)

    assert said(result) == ["reminder.snoozed"]
    assert result.messages[0].body[0].values == {"minutes": 30}
    assert result.effects == (Reschedule(),)
    (snooze,) = repo.records(ALICE, Snooze)
    assert (snooze.kind, snooze.until) == ("checkin", NOW + timedelta(minutes=30))


def test_later_with_the_moment_switched_off_promises_nothing_and_stores_nothing(repo):
    repo.save_profile(coachee_profile(moments=Moments(checkin=None)))

    result = later(repo)

    assert said(result) == ["reminder.later_none"]
    assert result.effects == ()
    assert repo.records(ALICE, Snooze) == []


def test_later_into_the_quiet_hours_names_the_next_reminder_instead(repo):
    repo.save_profile(coachee_profile())
    evening = NOW.replace(hour=19, minute=45)  # 21:45 in Brussels; quiet from 22:00

    result = later(repo, now=evening)

    assert said(result) == ["reminder.later_next"]
    assert result.messages[0].body[0].values["time"] == "09:00"
    assert repo.records(ALICE, Snooze) == []


def test_later_on_a_reminder_of_an_earlier_day_is_an_old_button(repo):
    repo.save_profile(coachee_profile())

    assert said(later(repo, day="20260329")) == ["input.stale_button"]
    assert said(later(repo, day=TODAY)) == ["reminder.snoozed"]


def test_later_without_consent_stores_and_promises_nothing(repo):
    result = later(repo)

    assert not result.consented
    assert said(result) == ["consent.needed"]
    assert repo.records(ALICE, Snooze) == [] and repo.load_profile(ALICE) is None


def test_later_while_paused_promises_nothing(repo):
    repo.save_profile(coachee_profile(paused_until=NOW + timedelta(days=2)))

    result = later(repo)

    assert said(result) != ["reminder.snoozed"]
    assert repo.records(ALICE, Snooze) == []


def test_only_the_kinds_of_this_version_are_known():
    assert [k for k in ("checkin", "exercise", "reflection", "water") if reminders.is_known(k)] == [
        "checkin",
        "exercise",
        "reflection",
    ]


def test_a_done_checkin_is_not_snoozed(repo):
    from bot.core import checkins

    repo.save_profile(coachee_profile())
    repo.add(ALICE, checkins.new_checkin(6, 4, 3, NOW.date(), NOW))

    result = later(repo)

    assert said(result) != ["reminder.snoozed"]
    assert repo.records(ALICE, Snooze) == []
