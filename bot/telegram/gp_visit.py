"""After GP advice: did the coachee reach their GP, and a summary to take along (/summary).

The coachee's notes are their own words: they reach the summary only when the coachee
chooses "with my notes" (asked only when the summary's two weeks hold a note).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.core import schedule
from bot.core.dates import day_month, day_month_year
from bot.core.history import LOW_ENERGY, GpSummary, has_notes, summary_for_gp
from bot.core.models import CheckIn, ExerciseLog, Profile
from bot.telegram import callbacks
from bot.telegram.context import services
from bot.telegram.history import checkins_counted, number
from bot.telegram.replies import edit, pressed, require_profile, send, text

log = logging.getLogger(__name__)
# Telegram refuses a message text longer than this.
MAX_MESSAGE_CHARS = 4096


async def gp_summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/summary: the last two weeks of check-ins in a few lines, to show the GP."""
    profile = await require_profile(update, context)
    if profile is None:
        return
    lang = profile.lang
    s = services(context)
    today = schedule.local_today(profile, s.clock())
    chat_id = update.effective_chat.id
    if has_notes(s.repo.records(profile.user_id, CheckIn), today):
        choices = [
            [(text(context, "summary.with_notes", lang), _choice("with"))],
            [(text(context, "summary.without_notes", lang), _choice("without"))],
        ]
        await send(context, chat_id, text(context, "summary.ask_notes", lang), choices)
        return
    for part in _messages(context, _summary(context, profile, with_notes=False), lang):
        await send(context, chat_id, part)


async def notes_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'With or without my notes?': the summary takes the question's place."""
    profile = await pressed(update, context)
    if profile is None:
        return
    with_notes = callbacks.decode(update.callback_query.data).arg(0) == "with"
    first, *more = _messages(context, _summary(context, profile, with_notes), profile.lang)
    await edit(update, context, first)
    for part in more:
        await send(context, update.effective_chat.id, part)
    log.info("summary.sent notes=%s parts=%s", with_notes, 1 + len(more))


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


def _choice(notes: str) -> str:
    return callbacks.encode(callbacks.GP_SUMMARY, notes)


def _summary(context: ContextTypes.DEFAULT_TYPE, profile: Profile, with_notes: bool) -> GpSummary:
    s = services(context)
    return summary_for_gp(
        s.repo.records(profile.user_id, CheckIn),
        s.repo.records(profile.user_id, ExerciseLog),
        schedule.local_today(profile, s.clock()),
        with_notes,
    )


def _messages(context: ContextTypes.DEFAULT_TYPE, summary: GpSummary, lang: str) -> list[str]:
    """The summary as text, in as many messages as Telegram needs."""
    history = summary.history
    first = (
        day_month(history.first_day, lang)
        if history.first_day.year == history.last_day.year
        else day_month_year(history.first_day, lang)
    )
    days = history.checkin_days
    lines = [
        text(
            context,
            "summary.gp",
            lang,
            first=first,
            last=day_month_year(history.last_day, lang),
            checkins=checkins_counted(context, history.checkins, lang),
            checkin_days=text(
                context,
                "summary.days.one" if days == 1 else "summary.days.other",
                lang,
                count=days,
            ),
            energy=number(history.average_energy, lang),
            stress=number(history.average_stress, lang),
            sleep=number(history.average_sleep, lang),
            low=LOW_ENERGY,
            low_days=history.low_energy_days,
            exercises=history.exercises_done,
        )
    ]
    if summary.notes:
        lines += ["", text(context, "summary.notes", lang)]
        lines += [
            text(context, "summary.note", lang, day=day_month(n.day, lang), note=n.text)
            for n in summary.notes
        ]
    return split_message(lines)


def split_message(lines: list[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Lines joined into messages of at most `limit` characters, cut only between lines
    (a single line longer than a message is cut in pieces); nothing is left out."""
    pieces = [line[i : i + limit] for line in lines for i in range(0, max(len(line), 1), limit)]
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        added = len(piece) + (1 if current else 0)
        if current and size + added > limit:
            messages.append("\n".join(current))
            current, size, added = [], 0, len(piece)
        current.append(piece)
        size += added
    if current:
        messages.append("\n".join(current))
    # A message may not be blank: a cut that left only an empty line between parts drops it.
    return [m.strip("\n") for m in messages if m.strip()] or [""]
