"""After GP advice: did the coachee reach their GP, and a summary to take along (/summary)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.history import low_energy_days
from bot.telegram import callbacks
from bot.telegram.context import services
from bot.telegram.history import build_summary, number
from bot.telegram.replies import edit, pressed, require_profile, send, text

SUMMARY_DAYS = 14


async def gp_summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/summary: the last two weeks of check-ins in a few lines, to show the GP."""
    profile = await require_profile(update, context)
    if profile is None:
        return
    lang = profile.lang
    summary = build_summary(context, profile, SUMMARY_DAYS)
    body = text(
        context,
        "summary.gp",
        lang,
        first=summary.first_day.strftime("%d-%m-%Y"),
        last=summary.last_day.strftime("%d-%m-%Y"),
        checkins=summary.checkin_days,
        energy=number(summary.average_energy, lang),
        stress=number(summary.average_stress, lang),
        sleep=number(summary.average_sleep, lang),
        low_days=low_energy_days(summary),
        exercises=summary.exercises_done,
    )
    await send(context, update.effective_chat.id, body)


async def followup_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The answer to 'could you reach your GP?'."""
    profile = await pressed(update, context)
    if profile is None:
        return
    choice = callbacks.decode(update.callback_query.data).arg(1)
    texts = services(context).texts.escalations.gp_followup
    answer = {"reached": texts.reached, "not_yet": texts.not_yet}.get(choice, texts.prepare)
    await edit(update, context, answer.get(profile.lang))
    if choice == "prepare":
        await gp_summary(update, context)
