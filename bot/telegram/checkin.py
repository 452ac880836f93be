"""/checkin: energy, stress and sleep on buttons, an optional note; under ten seconds.

Each button carries the answers so far, so a check-in survives a restart between taps and
nothing is stored until energy, stress and sleep are all given.

While the check-in is open (bot.core.awaiting kind "checkin", an hour), a typed text gets
one line that points at its buttons, as a reply to the question. A typed "7" is not taken as
the answer: the question on screen may be energy or stress (0-10) or sleep (1-5), the
answers so far live in the buttons, and "7" may just as well mean seven hours of sleep; the
buttons stay the one way a check-in is stored.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

from telegram import ReplyParameters, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.core import checkins, schedule
from bot.core.checkin_rules import due_checkin_rule, escalation_for
from bot.core.models import CheckIn, Escalation, Profile, QuestionnaireResult, ReminderMark
from bot.core.practice import suggest_exercises
from bot.core.questionnaires import questionnaire_offer_due
from bot.telegram import awaited, callbacks
from bot.telegram.context import language_of, services
from bot.telegram.outbox import Priority
from bot.telegram.replies import edit, pressed, reply, require_profile, send, text

log = logging.getLogger(__name__)


def _scale(
    prefix: tuple[object, ...], values: range, per_row: int = 6
) -> list[list[tuple[str, str]]]:
    buttons = [(str(v), callbacks.encode(callbacks.CHECKIN, *prefix, v)) for v in values]
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


async def start_checkin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/checkin: the first question, energy."""
    profile = await require_profile(update, context)
    if profile is None:
        return
    today = schedule.local_today(profile, services(context).clock())
    question = await send(
        context,
        update.effective_chat.id,
        text(context, "checkin.energy", profile.lang),
        _scale((today.strftime("%Y%m%d"),), checkins.ENERGY_RANGE),
    )
    awaited.wait_for(
        context, profile.user_id, update.effective_chat.id, "checkin", str(question.message_id)
    )


async def point_at_buttons(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question_id: str
) -> None:
    """A text typed during an open check-in: one line, as a reply to its question."""
    lang = language_of(update, context)
    await services(context).outbox.send(
        Priority.INTERACTIVE,
        update.effective_chat.id,
        context.bot.send_message,
        text=text(context, "checkin.use_buttons", lang),
        reply_parameters=ReplyParameters(int(question_id), allow_sending_without_reply=True),
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
        awaited.stop_waiting(context, profile.user_id, "checkin", str(query.message.message_id))
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
    awaited.wait_for(context, profile.user_id, update.effective_chat.id, "note", checkin.id)
    await send(
        context,
        update.effective_chat.id,
        body + "\n\n" + text(context, "checkin.note_ask", lang),
        buttons,
    )


async def save_note(update: Update, context: ContextTypes.DEFAULT_TYPE, checkin_id: str) -> None:
    """The typed note (already through the safety net) joins the check-in it was asked for."""
    s = services(context)
    profile = s.repo.load_profile(update.effective_user.id)
    if profile is None:
        return
    found = [c for c in s.repo.records(profile.user_id, CheckIn) if c.id == checkin_id]
    if found:  # stored before the question ends: a failure in between loses no note
        s.repo.replace(profile.user_id, checkins.with_note(found[0], update.effective_message.text))
    awaited.stop_waiting(context, profile.user_id, "note", checkin_id)
    await reply(update, context, "checkin.note_saved" if found else "checkin.stale")


async def note_skipped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    profile = services(context).repo.load_profile(update.effective_user.id)
    if profile is not None:
        checkin_id = callbacks.decode(query.data).arg(0)
        awaited.stop_waiting(context, profile.user_id, "note", checkin_id)
    lang = profile.lang if profile else "nl"
    await query.edit_message_reply_markup(None)
    await send(context, update.effective_chat.id, text(context, "checkin.done", lang))
