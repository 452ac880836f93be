"""/history: a chart of energy, stress, sleep and exercise days over 14 or 30 days, and a
few lines in words (averages, trend, exercises, and which way is better)."""

from __future__ import annotations

import asyncio
import io
import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.core import schedule
from bot.core.history import HistorySummary, summarise
from bot.core.models import CheckIn, ExerciseLog, Profile
from bot.reports.chart import ChartLabels, render_history_chart
from bot.telegram import callbacks
from bot.telegram.context import services
from bot.telegram.outbox import Priority
from bot.telegram.replies import keyboard, require_profile, text

log = logging.getLogger(__name__)
PERIODS = (14, 30)


def number(value: float | None, lang: str) -> str:
    if value is None:
        return "-"
    shown = f"{value:.1f}"
    return shown.replace(".", ",") if lang == "nl" else shown


def checkins_counted(context: ContextTypes.DEFAULT_TYPE, count: int, lang: str) -> str:
    """'1 check-in', '3 check-ins'."""
    return text(
        context,
        "history.checkins.one" if count == 1 else "history.checkins.other",
        lang,
        count=count,
    )


def summary_lines(context: ContextTypes.DEFAULT_TYPE, summary: HistorySummary, lang: str) -> str:
    if summary.checkin_days == 0:
        return text(context, "history.empty", lang, days=summary.days)
    return "\n".join(
        [
            text(
                context,
                "history.averages",
                lang,
                days=summary.days,
                checkins=checkins_counted(context, summary.checkins, lang),
                energy=number(summary.average_energy, lang),
                stress=number(summary.average_stress, lang),
            ),
            text(context, f"history.trend.{summary.energy_trend}", lang),
            text(context, "history.exercises", lang, count=summary.exercises_done),
            # The chart's key in words: which way is better for each line.
            text(context, "history.better", lang),
        ]
    )


def build_summary(
    context: ContextTypes.DEFAULT_TYPE, profile: Profile, days: int
) -> HistorySummary:
    s = services(context)
    today = schedule.local_today(profile, s.clock())
    return summarise(
        s.repo.records(profile.user_id, CheckIn),
        s.repo.records(profile.user_id, ExerciseLog),
        today,
        days,
    )


async def send_history(update: Update, context: ContextTypes.DEFAULT_TYPE, days: int) -> None:
    profile = await require_profile(update, context)
    if profile is None:
        return
    lang = profile.lang
    summary = build_summary(context, profile, days)
    labels = ChartLabels(
        title=text(context, "history.chart_title", lang, days=days),
        energy=text(context, "history.energy", lang),
        stress=text(context, "history.stress", lang),
        sleep=text(context, "history.sleep", lang),
        exercise=text(context, "history.exercise_day", lang),
        no_data=text(context, "history.no_data", lang),
    )
    # Rendering takes a few hundred ms: off the event loop, so other chats are not held up.
    picture = io.BytesIO(await asyncio.to_thread(render_history_chart, summary, labels))
    picture.name = "history.png"
    other = 30 if days == 14 else 14
    buttons = keyboard(
        [
            [
                (
                    text(context, "history.show_days", lang, days=other),
                    callbacks.encode(callbacks.HISTORY, other),
                )
            ]
        ]
    )
    await services(context).outbox.send(
        Priority.INTERACTIVE,
        update.effective_chat.id,
        context.bot.send_photo,
        photo=picture,
        caption=summary_lines(context, summary, lang),
        reply_markup=buttons,
    )
    log.info("history.sent days=%s", days)


async def show(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/history [30]: the last 14 days unless 30 is asked for."""
    days = 30 if context.args and context.args[0].strip() == "30" else 14
    await send_history(update, context, days)


async def period_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    days = int(callbacks.decode(query.data).arg(0, "14"))
    await send_history(update, context, days if days in PERIODS else 14)
