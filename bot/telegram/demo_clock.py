"""The demo's movable clock: `/time +1d` or `/time 08:59` moves the bot's time forward.

Only for `python -m bot demo`: the runner makes a DemoClock only when BOT_DEMO_CLOCK=1 AND the
Bot API (TELEGRAM_API_URL) is on this machine (the demo's emulator); with the flag and any other
API the bot refuses to start, so a production bot (api.telegram.org) can never run on it. Without
the flag the bot's clock is plain `now_utc` and /time does not exist.

How the time moves: the bot's clock is real time plus an offset. Jobs are planned on the bot's
clock but the JobQueue runs on real time, so jobs.py hands it `to_real(instant)`. A jump walks
forward wake-up by wake-up: at each coachee's next reminder moment before the target it runs
that coachee's reminder check, so the reminders of the skipped time arrive in order (a day
previewed in one command); then every coachee's jobs are planned again (jobs.rebuild_all)
and a coach's weekly digest that fell due is sent (`/time` to Monday 08:00 shows it).
The clock never goes back: marks already written would say reminders were sent in the future.
Admins only; its replies are plain English like the demo's own lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, Job

from bot.config import Settings
from bot.core import schedule
from bot.core.models import now_utc
from bot.telegram import digest_job, job_names, jobs
from bot.telegram.context import BotContext
from bot.telegram.replies import reply, send

ENV_FLAG = "BOT_DEMO_CLOCK"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# A week of three reminders a day with re-sends is far below this; it only stops a runaway.
MAX_STEPS = 1000
UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}


class DemoClockRefused(Exception):
    """BOT_DEMO_CLOCK is set where it must not be; the message is one line for stderr."""


class DemoClock:
    """Real UTC time plus an offset that only grows; callable like `now_utc`."""

    def __init__(self, real: Callable[[], datetime] = now_utc) -> None:
        self._real = real
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return self._real() + self.offset

    def to_real(self, instant: datetime) -> datetime:
        """When the JobQueue (real time) must run something planned for `instant` here."""
        return instant - self.offset

    def catch_up_to(self, instant: datetime) -> None:
        """Move forward to `instant`; never back: an instant already passed (a slow send in
        a jump runs real time on, and a second reading of the clock is always later) leaves
        the clock where it is."""
        ahead = instant - self()
        if ahead > timedelta(0):
            self.offset += ahead


def clock_from(env: Mapping[str, str], settings: Settings) -> Callable[[], datetime]:
    """The bot's clock: `now_utc`, or a DemoClock when the demo asks for one on loopback."""
    flag = env.get(ENV_FLAG, "").strip()
    if not flag or flag == "0":
        return now_utc
    host = urlparse(settings.api_url or "").hostname
    if flag != "1" or host not in LOOPBACK_HOSTS:
        raise DemoClockRefused(
            f"{ENV_FLAG} is for `python -m bot demo` only: it needs {ENV_FLAG}=1 and "
            "TELEGRAM_API_URL on this machine (127.0.0.1); unset it for a real bot"
        )
    return DemoClock()


def is_demo(application: Application) -> bool:
    return isinstance(application.bot_data["services"].clock, DemoClock)


def parse_target(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """`+1d`, `+2h30m`, `+90m` (ahead of now), or `08:59` (the next 08:59 in `zone`)."""
    text = text.strip().lower()
    if re.fullmatch(r"\+(\d+[dhm])+", text):
        ahead = sum(
            (int(n) * UNITS[unit] for n, unit in re.findall(r"(\d+)([dhm])", text)), timedelta(0)
        )
        return now + ahead if ahead > timedelta(0) else None
    match = re.fullmatch(r"(\d{1,2})[:.h](\d{2})", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    local = now.astimezone(zone)
    target = datetime.combine(local.date(), time(int(match[1]), int(match[2])), zone)
    if target <= local:
        target = datetime.combine(local.date() + timedelta(days=1), target.timetz())
    return target


async def advance(application: Application, clock: DemoClock, target: datetime) -> int:
    """Walk the clock to `target`, running every reminder check that falls due on the way;
    then plan every coachee's jobs again. Returns the number of checks run."""
    s = application.bot_data["services"]
    checks = 0
    for _ in range(MAX_STEPS):
        now = clock()
        wakeups: dict[int, datetime] = {}
        for user_id in s.repo.user_ids():
            profile = s.repo.load_profile(user_id)
            if profile is None:
                continue
            state = jobs.schedule_state(application, user_id)
            wakeup = schedule.next_wakeup(profile, state, now)
            if wakeup is not None and now < wakeup <= target:
                wakeups[user_id] = wakeup
        if not wakeups:
            break
        step = min(wakeups.values())
        clock.catch_up_to(step)
        for user_id, wakeup in wakeups.items():
            if wakeup <= step:
                job = Job(jobs.reminder_tick, data=user_id, name=job_names.reminders(user_id))
                await jobs.reminder_tick(BotContext.from_job(job, application))
                checks += 1
    clock.catch_up_to(target)
    jobs.rebuild_all(application)
    # The digests' look runs on real time (every few minutes): after a jump a coach's digest
    # that fell due comes now, as it would at the bot's first look after a stop.
    await digest_job.send_due_digests(application)
    return checks


def describe(clock: DemoClock, zone: ZoneInfo) -> str:
    local = clock().astimezone(zone)
    ahead = clock.offset
    days, rest = ahead.days, ahead.seconds
    return (
        f"Demo clock: {local:%a %d %b %Y %H:%M} ({zone.key}), "
        f"{days} d {rest // 3600} h {rest % 3600 // 60} min ahead of real time."
    )


async def set_time(update: Update, context: BotContext) -> None:
    """/time [+1d | +2h | +30m | HH:MM] (admins, demo clock only): show or move the clock."""
    s = context.services
    clock = s.clock
    if not isinstance(clock, DemoClock) or update.effective_user.id not in s.settings.admin_ids:
        await reply(update, context, "input.unknown_command")
        return
    profile = s.repo.load_profile(update.effective_user.id)
    zone = ZoneInfo(profile.timezone if profile else s.settings.timezone)
    chat_id = update.effective_chat.id
    argument = " ".join(context.args or [])
    if argument:
        target = parse_target(argument, clock(), zone)
        if target is None:
            await send(
                context,
                chat_id,
                "Demo clock: give +1d, +2h, +30m (forward from now) or a time like 08:59 "
                "(the next one). It never goes back.",
            )
            return
        await advance(context.application, clock, target)
    await send(context, chat_id, describe(clock, zone))
