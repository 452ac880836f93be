"""/checkin: energy, stress and sleep on buttons, an optional note; under ten seconds.

Each button carries the answers so far, so a check-in survives a restart between taps and
nothing is stored until energy, stress and sleep are all given.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.core import checkins, schedule
from bot.core.checkin_rules import due_checkin_rule, escalation_for
from bot.core.models import CheckIn, Escalation, Profile, QuestionnaireResult, ReminderMark
from bot.core.practice import suggest_exercises
from bot.core.questionnaires import questionnaire_offer_due
from bot.telegram import callbacks
from bot.telegram.context import services
from bot.telegram.replies import edit, pressed, reply, require_profile, send, text

log = logging.getLogger(__name__)


def _scale(
    prefix: tuple[object, ...], values: range, per_row: int = 6
) -> list[list[tuple[str, str]]]:
    buttons = [(str(v), callbacks.encode(callbacks.CHECKIN, *prefix, v)) for v in values]
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


async def start_checkin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/checkin: the first question, energy."""
    context.user_data.pop("awaiting", None)
    profile = await require_profile(update, context)
    if profile is None:
        return
    today = schedule.local_today(profile, services(context).clock())
    await send(
        context,
        update.effective_chat.id,
        text(context, "checkin.energy", profile.lang),
        _scale((today.strftime("%Y%m%d"),), checkins.ENERGY_RANGE),
    )


async def checkin_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One tap: ask the next question, or store the check-in when sleep is answered."""
    profile = await pressed(update, context)
    if profile is None:
        return
    s = services(context)
    query = update.callback_query
    lang = profile.lang
    payload = callbacks.decode(query.data)
    day, *answers = payload.args
    today = schedule.local_today(profile, s.clock())
    if day != today.strftime("%Y%m%d"):
        await edit(update, context, text(context, "checkin.stale", lang))
        return
    values = [int(a) for a in answers]
    if len(values) == 1:
        await edit(
            update,
            context,
            text(context, "checkin.stress", lang),
            _scale((day, *values), checkins.STRESS_RANGE),
        )
        return
    if len(values) == 2:
        await edit(
            update,
            context,
            text(context, "checkin.sleep", lang),
            _scale((day, *values), checkins.SLEEP_RANGE, per_row=5),
        )
        return
    energy, stress, sleep = values
    # The question message identifies the check-in: a double tap on 'sleep' stores it once.
    checkin_id = f"{day}-{query.message.message_id}"
    history = s.repo.records(profile.user_id, CheckIn)
    stored = next((c for c in history if c.id == checkin_id), None)
    if stored is not None:
        # Stored already (a double tap, or a tap after the 'saved' edit failed): show it saved.
        await edit(update, context, _recorded(context, stored, lang))
        return
    checkin = replace(checkins.new_checkin(energy, stress, sleep, today, s.clock()), id=checkin_id)
    s.repo.add(profile.user_id, checkin)
    log.info("checkin.recorded")
    try:
        await edit(update, context, _recorded(context, checkin, lang))
    except TelegramError as exc:  # stored all the same; the acknowledgement below says so
        log.warning("checkin.saved_not_shown error=%s", type(exc).__name__)
    await acknowledge(update, context, profile, checkin, history)
    await apply_time_rule(update, context, profile, today)


def _recorded(context: ContextTypes.DEFAULT_TYPE, checkin: CheckIn, lang: str) -> str:
    return text(
        context,
        "checkin.recorded",
        lang,
        energy=checkin.energy,
        stress=checkin.stress,
        sleep=checkin.sleep,
    )


async def apply_time_rule(
    update: Update, context: ContextTypes.DEFAULT_TYPE, profile: Profile, today: date
) -> None:
    """Complaints that last, or no progress after weeks of coaching: GP advice (SAFETY.md)."""
    from bot.telegram.safety_net import answer_escalation

    s = services(context)
    now = s.clock()
    started = profile.created_at.astimezone(schedule.zone_of(profile)).date()
    rule = due_checkin_rule(
        s.texts.checkin_rules,
        s.repo.records(profile.user_id, CheckIn),
        s.repo.records(profile.user_id, Escalation),
        today,
        started,
        now,
    )
    if rule is not None:
        await answer_escalation(update, context, escalation_for(rule, now))


async def acknowledge(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    profile: Profile,
    checkin: CheckIn,
    history: list[CheckIn],
) -> None:
    s = services(context)
    lang = profile.lang
    ack = checkins.acknowledge(checkin, history)
    body = text(context, f"checkin.ack.{ack.feedback}", lang, days=ack.low_days_in_a_row)
    buttons = []
    if ack.offer_restorative_exercise:
        suggestion = suggest_exercises(
            s.texts.exercises.values(), profile.phase, low_energy=True, limit=1
        )
        if suggestion:
            buttons.append(
                [
                    (
                        text(
                            context,
                            "checkin.try_exercise",
                            lang,
                            title=suggestion[0].title.get(lang),
                        ),
                        callbacks.encode(callbacks.EXERCISE_PICK, suggestion[0].id),
                    )
                ]
            )
    today = checkin.local_date
    if questionnaire_offer_due(
        profile,
        s.repo.records(profile.user_id, QuestionnaireResult),
        s.repo.records(profile.user_id, ReminderMark),
        today,
        s.clock(),
    ):
        s.repo.add(profile.user_id, ReminderMark("questionnaire", today, 0, s.clock()))
        buttons.append(
            [
                (
                    text(context, "checkin.offer_questionnaire", lang),
                    callbacks.encode(callbacks.QUESTIONNAIRE, "menu"),
                )
            ]
        )
    buttons.append(
        [
            (
                text(context, "checkin.no_note", lang),
                callbacks.encode(callbacks.CHECKIN_NOTE, checkin.id, "skip"),
            )
        ]
    )
    context.user_data["awaiting"] = ("note", checkin.id, checkin.local_date.isoformat())
    await send(
        context,
        update.effective_chat.id,
        body + "\n\n" + text(context, "checkin.note_ask", lang),
        buttons,
    )


async def save_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, checkin_id: str, day: str
) -> None:
    """The typed note (already through the safety net) joins that day's check-in."""
    s = services(context)
    context.user_data.pop("awaiting", None)
    profile = s.repo.load_profile(update.effective_user.id)
    if profile is None:
        return
    found = [
        c
        for c in s.repo.records(
            profile.user_id,
            CheckIn,
        )
        if c.id == checkin_id and c.local_date == date.fromisoformat(day)
    ]
    if not found:
        await reply(update, context, "checkin.stale")
        return
    s.repo.replace(profile.user_id, checkins.with_note(found[0], update.effective_message.text))
    await reply(update, context, "checkin.note_saved")


async def note_skipped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    context.user_data.pop("awaiting", None)
    profile = services(context).repo.load_profile(update.effective_user.id)
    lang = profile.lang if profile else "nl"
    await query.edit_message_reply_markup(None)
    await send(context, update.effective_chat.id, text(context, "checkin.done", lang))
