"""The buttons under a reminder: start the item now, or 'later' (a snooze)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.core import dates, schedule
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
    if profile is None:  # no consent (or erased): nothing is stored, so nothing will come
        await reply(update, context, "consent.needed")
        return
    now = s.clock()
    today = schedule.local_today(profile, now)
    # Snooze the day the reminder was for; a reminder from an earlier day is simply closed.
    if day not in ("today", today.strftime("%Y%m%d")):
        await reply(update, context, "input.stale_button")
        return
    # Only promise what the plan will send (see schedule.later); otherwise say what will come.
    outcome = schedule.later(
        profile, jobs.schedule_state(context.application, profile.user_id), kind, today, now
    )
    if outcome.snooze is not None:
        s.repo.add(profile.user_id, outcome.snooze)
        jobs.schedule_reminders(context.application, profile.user_id)
        minutes = int(schedule.SNOOZE_FOR.total_seconds() // 60)
        await reply(update, context, "reminder.snoozed", minutes=minutes)
    elif outcome.next_moment is not None:
        local = outcome.next_moment.astimezone(schedule.zone_of(profile))
        day = dates.when_text(local.date(), profile.lang, today)
        await reply(update, context, "reminder.later_next", day=day, time=f"{local:%H:%M}")
    else:
        await reply(update, context, "reminder.later_none")
