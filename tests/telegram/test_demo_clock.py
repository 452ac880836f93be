"""The demo clock: only on a loopback Bot API, only forward, and jobs run at the right real time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot.config import load_settings
from bot.core.models import now_utc
from bot.telegram import jobs
from bot.telegram.demo_clock import DemoClock, DemoClockRefused, clock_from, parse_target

TOKEN = "123456789:AAE-secret_Token-xyz"
BRUSSELS = ZoneInfo("Europe/Brussels")
# Monday 30 November 2026, 10:15 in Brussels (09:15 UTC).
NOW = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def settings(**env: str):
    return load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **env})


def test_without_the_flag_the_clock_is_real_time_whatever_the_api():
    assert clock_from({}, settings()) is now_utc
    assert clock_from({"BOT_DEMO_CLOCK": ""}, settings()) is now_utc
    assert clock_from({"BOT_DEMO_CLOCK": "0"}, settings()) is now_utc


@pytest.mark.parametrize(
    "api_url",
    [
        None,
        "https://api.telegram.org/bot",
        "http://10.0.0.5:8081/bot",
        "http://127.0.0.1.nip.io/bot",
    ],
)
def test_the_flag_is_refused_unless_the_bot_api_is_on_this_machine(api_url):
    env = {"TELEGRAM_API_URL": api_url} if api_url else {}
    with pytest.raises(DemoClockRefused, match="python -m bot demo"):
        clock_from({"BOT_DEMO_CLOCK": "1"}, settings(**env))


def test_a_flag_other_than_1_is_refused_even_on_loopback():
    with pytest.raises(DemoClockRefused):
        clock_from(
            {"BOT_DEMO_CLOCK": "yes"}, settings(TELEGRAM_API_URL="http://127.0.0.1:9000/bot")
        )


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_the_demo_on_loopback_gets_a_movable_clock(host):
    clock = clock_from({"BOT_DEMO_CLOCK": "1"}, settings(TELEGRAM_API_URL=f"http://{host}:9/bot"))
    assert isinstance(clock, DemoClock)


def test_the_clock_moves_forward_only_and_translates_back_to_real_time():
    real = [NOW]
    clock = DemoClock(lambda: real[0])
    assert clock() == NOW
    clock.catch_up_to(NOW + timedelta(days=1))
    assert clock() == NOW + timedelta(days=1)
    real[0] += timedelta(minutes=5)  # real time goes on; the offset stays
    assert clock() == NOW + timedelta(days=1, minutes=5)
    assert clock.to_real(NOW + timedelta(days=1, hours=1)) == NOW + timedelta(minutes=60)
    clock.catch_up_to(NOW)  # an instant passed: never back
    assert clock() == NOW + timedelta(days=1, minutes=5)


def test_catching_up_to_a_moment_real_time_already_passed_leaves_the_clock_alone():
    # In a jump a slow send runs real time on: the next wake-up may lie behind the clock.
    real = [NOW]
    clock = DemoClock(lambda: real[0])
    clock.catch_up_to(NOW + timedelta(hours=1))
    real[0] += timedelta(seconds=3)
    clock.catch_up_to(NOW + timedelta(hours=1))
    assert clock() == NOW + timedelta(hours=1, seconds=3)
    clock.catch_up_to(NOW + timedelta(hours=2))
    assert clock() == NOW + timedelta(hours=2)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+1d", NOW + timedelta(days=1)),
        ("+2h30m", NOW + timedelta(hours=2, minutes=30)),
        ("+90m", NOW + timedelta(minutes=90)),
        ("08:59", datetime(2026, 12, 1, 8, 59, tzinfo=BRUSSELS)),  # passed today: tomorrow
        ("12:00", datetime(2026, 11, 30, 12, 0, tzinfo=BRUSSELS)),  # still to come today
        ("10:15", datetime(2026, 12, 1, 10, 15, tzinfo=BRUSSELS)),  # now: the next one
        ("-1d", None),
        ("+0d", None),
        ("25:00", None),
        ("morgen", None),
    ],
)
def test_what_time_was_asked_for(typed, expected):
    assert parse_target(typed, NOW, BRUSSELS) == expected


class RecordingJobQueue:
    def __init__(self) -> None:
        self.planned: list[object] = []

    def get_jobs_by_name(self, name):
        return []

    def run_once(self, callback, when, name, data, job_kwargs):
        self.planned.append(when)


def application_with(clock) -> SimpleNamespace:
    return SimpleNamespace(
        bot_data={"services": SimpleNamespace(clock=clock)}, job_queue=RecordingJobQueue()
    )


def test_a_job_planned_on_the_demo_clock_runs_at_the_matching_real_time():
    clock = DemoClock(lambda: NOW)
    clock.catch_up_to(NOW + timedelta(days=3))
    app = application_with(clock)

    jobs._replace_job(app, "reminders:1", jobs.reminder_tick, NOW + timedelta(days=3, hours=2), 1)
    jobs._replace_job(app, "reminders:1", jobs.reminder_tick, 5.0, 1)  # a delay stays a delay

    assert app.job_queue.planned == [NOW + timedelta(hours=2), 5.0]


def test_with_the_real_clock_jobs_are_planned_as_given():
    app = application_with(now_utc)
    jobs._replace_job(app, "reminders:1", jobs.reminder_tick, NOW, 1)
    assert app.job_queue.planned == [NOW]
