"""/history and /summary: the coachee's own check-ins looked back on.

/history is a chart of energy, stress, sleep and exercise days over 14 or 30 days (drawn by
bot.reports.chart) with a few lines in words: averages, trend, exercises, and which way is
better. /summary is the last two weeks in a few lines to show the GP; after GP advice, the
follow-up question leads to it.

The coachee's notes are their own words: they reach the summary only when the coachee
chooses "with my notes" (asked only when the summary's two weeks hold a note). The texts
here are filled in and joined line by line (not paragraph by paragraph), and a summary
longer than one message is cut between lines, so they are words (Text.raw) by the time
they leave.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.content.loader import Content
from bot.core import schedule
from bot.core.dates import day_month, day_month_year
from bot.core.history import LOW_ENERGY, GpSummary, HistorySummary, has_notes, summarise
from bot.core.history import summary_for_gp as gp_summary_of
from bot.core.models import CheckIn, ExerciseLog
from bot.core.ports import CoacheeFile
from bot.services import actions
from bot.services.outcome import (
    Choice,
    HistoryChart,
    Message,
    Outcome,
    Text,
    message,
    needs_consent,
    outcome,
    say,
)

log = logging.getLogger(__name__)
PERIODS = (14, 30)
# Telegram refuses a message text longer than this.
MAX_MESSAGE_CHARS = 4096


def number(value: float | None, lang: str) -> str:
    if value is None:
        return "-"
    shown = f"{value:.1f}"
    return shown.replace(".", ",") if lang == "nl" else shown


def checkins_counted(content: Content, count: int, lang: str) -> str:
    """'1 check-in', '3 check-ins'."""
    return content.text(
        "history.checkins.one" if count == 1 else "history.checkins.other", lang, count=count
    )


# --- /history -------------------------------------------------------------------------------


def history_asked(
    coachee: CoacheeFile, typed: str | None, now: datetime, content: Content
) -> Outcome:
    """/history [days] as typed: 14 days without a number, 14 or 30 as asked; any other
    number or word gets what is possible (both periods as buttons), not a silent 14."""
    if not typed or not typed.strip():
        return history(coachee, PERIODS[0], now, content)
    if typed.strip() in {str(p) for p in PERIODS}:
        return history(coachee, int(typed.strip()), now, content)
    profile = coachee.profile
    if profile is None:
        return needs_consent()
    choices = (
        tuple(Choice(say("history.show_days", days=p), actions.HISTORY, (p,)) for p in PERIODS),
    )
    return outcome(message(say("history.periods"), choices=choices), lang=profile.lang)


def history(coachee: CoacheeFile, days: int, now: datetime, content: Content) -> Outcome:
    """/history [30], or the button for the other period: the chart with a few lines."""
    profile = coachee.profile
    if profile is None:
        return needs_consent()
    days = days if days in PERIODS else PERIODS[0]
    lang = profile.lang
    summary = summarise(
        coachee.records(CheckIn),
        coachee.records(ExerciseLog),
        schedule.local_today(profile, now),
        days,
    )
    chart = HistoryChart(
        summary,
        title=say("history.chart_title", days=days),
        energy=say("history.energy"),
        stress=say("history.stress"),
        sleep=say("history.sleep"),
        exercise=say("history.exercise_day"),
        no_data=say("history.no_data"),
    )
    other = PERIODS[1] if days == PERIODS[0] else PERIODS[0]
    choices = ((Choice(say("history.show_days", days=other), actions.HISTORY, (other,)),),)
    caption = Text(raw=_summary_lines(content, summary, lang))
    log.info("history.sent days=%s", days)
    return outcome(Message((caption,), choices, chart=chart), lang=lang)


def _summary_lines(content: Content, summary: HistorySummary, lang: str) -> str:
    if summary.checkin_days == 0:
        return content.text("history.empty", lang, days=summary.days)
    return "\n".join(
        [
            content.text(
                "history.averages",
                lang,
                days=summary.days,
                checkins=checkins_counted(content, summary.checkins, lang),
                energy=number(summary.average_energy, lang),
                stress=number(summary.average_stress, lang),
            ),
            content.text(f"history.trend.{summary.energy_trend}", lang),
            content.text("history.exercises", lang, count=summary.exercises_done),
            # The chart's key in words: which way is better for each line.
            content.text("history.better", lang),
        ]
    )


# --- /summary for the GP --------------------------------------------------------------------


def gp_summary(coachee: CoacheeFile, now: datetime, content: Content) -> Outcome:
    """/summary: the last two weeks of check-ins in a few lines, to show the GP; first the
    question about notes when there are any."""
    profile = coachee.profile
    if profile is None:
        return needs_consent()
    lang = profile.lang
    today = schedule.local_today(profile, now)
    checkins = coachee.records(CheckIn)
    if has_notes(checkins, today):
        choices = (
            (Choice(say("summary.with_notes"), actions.GP_SUMMARY, ("with",)),),
            (Choice(say("summary.without_notes"), actions.GP_SUMMARY, ("without",)),),
        )
        return outcome(message(say("summary.ask_notes"), choices=choices), lang=lang)
    summary = gp_summary_of(checkins, coachee.records(ExerciseLog), today, with_notes=False)
    parts = _summary_messages(content, summary, lang)
    return outcome(*(message(Text(raw=part)) for part in parts), lang=lang)


def summary_with(
    coachee: CoacheeFile, with_notes: bool, now: datetime, content: Content
) -> Outcome:
    """'With or without my notes?': the summary takes the question's place."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    lang = profile.lang
    summary = gp_summary_of(
        coachee.records(CheckIn),
        coachee.records(ExerciseLog),
        schedule.local_today(profile, now),
        with_notes,
    )
    first, *more = _summary_messages(content, summary, lang)
    log.info("summary.sent notes=%s parts=%s", with_notes, 1 + len(more))
    return outcome(
        message(Text(raw=first), edit=True),
        *(message(Text(raw=part)) for part in more),
        lang=lang,
    )


def gp_followup(coachee: CoacheeFile, choice: str, now: datetime, content: Content) -> Outcome:
    """The answer to 'could you reach your GP?'; "help me prepare" brings the summary too."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    texts = content.escalations.gp_followup
    said = {"reached": texts.reached, "not_yet": texts.not_yet}.get(choice, texts.prepare)
    answered = message(Text(raw=said.get(profile.lang)), edit=True)
    if choice != "prepare":
        return outcome(answered, lang=profile.lang)
    summary = gp_summary(coachee, now, content)
    return outcome(answered, *summary.messages, lang=profile.lang)


def _summary_messages(content: Content, summary: GpSummary, lang: str) -> list[str]:
    """The summary as text, in as many messages as Telegram needs."""
    history = summary.history
    first = (
        day_month(history.first_day, lang)
        if history.first_day.year == history.last_day.year
        else day_month_year(history.first_day, lang)
    )
    days = history.checkin_days
    lines = [
        content.text(
            "summary.gp",
            lang,
            first=first,
            last=day_month_year(history.last_day, lang),
            checkins=checkins_counted(content, history.checkins, lang),
            checkin_days=content.text(
                "summary.days.one" if days == 1 else "summary.days.other", lang, count=days
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
        lines += ["", content.text("summary.notes", lang)]
        lines += [
            content.text("summary.note", lang, day=day_month(n.day, lang), note=n.text)
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
