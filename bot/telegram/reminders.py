"""The buttons under a reminder: start the item now, or 'later' (a snooze)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.core import schedule
from bot.telegram import callbacks, checkin, exercise, jobs, reflect
from bot.telegram.context import services
from bot.telegram.replies import reply

START = {"checkin": checkin.start_checkin, "exercise": exercise.choose, "reflection": reflect.ask}


async def reminder_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    kind, day, choice = callbacks.decode(query.data).args[:3]
    if kind not in START:
        await reply(update, context, "input.stale_button")
        return
    await query.edit_message_reply_markup(None)
    if choice == "start":
        await START[kind](update, context)
        return
    s = services(context)
    profile = s.repo.load_profile(update.effective_user.id)
    if profile is None:
        return
    now = s.clock()
    today = schedule.local_today(profile, now)
    # Snooze the day the reminder was for; a reminder from an earlier day is simply closed.
    if day not in ("today", today.strftime("%Y%m%d")):
        await reply(update, context, "input.stale_button")
        return
    s.repo.add(profile.user_id, schedule.snooze(profile, kind, today, now))
    jobs.schedule_reminders(context.application, profile.user_id)
    await reply(
        update, context, "reminder.snoozed", minutes=int(schedule.SNOOZE_FOR.total_seconds() // 60)
    )
