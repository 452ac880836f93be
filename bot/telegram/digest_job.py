"""The coaches' weekly digest: one repeating job looks every few minutes which digests are
due (bot.core.digest.digest_due: the coach's day and time in their zone, the latest week
only) and sends them, with an overview chart (PNG: each coachee's energy this week against the week
before, of those who share check-ins; none when nobody does) and the week's numbers as a CSV
file (neither for a coach without coachees: the short text alone).

Once per week, even across restarts: the week is marked sent before the digest goes
(bot.services.coaching.weekly_digest), so a stop right after sending never sends it again.
Late rather than never: a bot that was down at the moment sends at its first look after the
start; a digest Telegram did not take is unmarked and goes at the next look.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import timedelta

from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from bot.services import coaching as service
from bot.telegram import job_names
from bot.telegram.coaching import coach_store
from bot.telegram.context import BotContext
from bot.telegram.outbox import Priority

log = logging.getLogger(__name__)
EVERY = timedelta(minutes=5)
FIRST = timedelta(seconds=20)


def schedule_digests(application: Application) -> None:
    """From post_init: the look for due digests, every few minutes (replaces an old one)."""
    application.job_queue.run_repeating(
        digest_tick,
        interval=EVERY,
        first=FIRST,
        name=job_names.DIGESTS,
        job_kwargs={"id": job_names.DIGESTS, "replace_existing": True},
    )


async def digest_tick(context: BotContext) -> None:
    await send_due_digests(context.application)


async def send_due_digests(application: Application) -> int:
    """Send every digest due now; how many went."""
    s = application.bot_data["services"]
    store = coach_store(application)
    now = s.clock()
    sent = 0
    for coach_id in await asyncio.to_thread(service.due_digests, store, now):
        digest = await asyncio.to_thread(
            service.weekly_digest, store, s.repo, coach_id, s.texts, now
        )
        if digest is None:
            continue
        if await _send(application, digest):
            sent += 1
        else:
            await asyncio.to_thread(service.unmark_digest, store, coach_id, digest.week, now)
    return sent


def _overview_png(digest: service.WeeklyDigest) -> bytes:
    """The overview chart (a few hundred ms: off the loop); matplotlib loads here, not at start."""
    from bot.reports.overview import OverviewLabels, render_overview_chart

    words = digest.overview_labels
    assert words is not None
    labels = OverviewLabels(words.title, words.this_week, words.last_week, words.energy)
    return render_overview_chart(digest.overview, labels)


async def _send(application: Application, digest: service.WeeklyDigest) -> bool:
    s = application.bot_data["services"]
    bot = application.bot
    try:
        for text in digest.messages:
            await s.outbox.send(Priority.SCHEDULED, digest.coach_id, bot.send_message, text=text)
        if digest.overview and digest.overview_labels is not None:
            picture = await asyncio.to_thread(_overview_png, digest)
            await s.outbox.send(
                Priority.SCHEDULED,
                digest.coach_id,
                bot.send_photo,
                photo=picture,
                caption=digest.chart_caption,
            )
        if digest.csv is not None:
            document = io.BytesIO(digest.csv.encode("utf-8"))
            document.name = f"digest-{digest.week.isoformat()}.csv"
            await s.outbox.send(
                Priority.SCHEDULED,
                digest.coach_id,
                bot.send_document,
                document=document,
                caption=digest.caption,
            )
    except Forbidden:  # the coach blocked the bot: trying again each look would not help
        log.warning("coach.digest_not_delivered reason=blocked")
        return True
    except TelegramError as exc:
        log.warning("coach.digest_not_delivered error=%s", type(exc).__name__)
        return False
    log.info("coach.digest_sent parts=%s", len(digest.messages))
    return True
