"""The daily check-in: energy, stress and sleep on buttons, then an optional note.

Each button carries the answers so far, so a check-in survives a restart between taps and
nothing is stored until energy, stress and sleep are all given. The question message
identifies the check-in, so a double tap on "sleep" stores it once.

While the check-in is open (bot.core.awaiting kind "checkin", an hour) a typed whole number
that is one of the buttons of the question on screen is that tap (`typed_tap`, then
`answer_checkin` as for the button): typing the number is what people do. So the open
check-in's state keeps what its buttons carry (the day, the answers so far); "7" under sleep
(1-5) is no button there and, like any other text, gets one line that points at the buttons
(bot.services.conversation). The same number sent twice answers once (bot.core.awaiting
`typed_again`), also when it gave the sleep answer and the note question is open.

The note may come in more than one message, as people type on a phone: each part within
NOTE_MORE (bot.core.awaiting) of the last joins it, on a line of its own.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from bot.content.loader import Content
from bot.core import checkins, schedule
from bot.core.awaiting import EXPIRY, Awaiting, TypedTap, is_question, open_for_more
from bot.core.checkin_rules import checkin_lookback, due_checkin_rule, escalation_for
from bot.core.models import CheckIn, Escalation, Profile, QuestionnaireResult, ReminderMark
from bot.core.ports import CoacheeFile
from bot.core.practice import suggest_exercises
from bot.core.questionnaires import questionnaire_offer_due
from bot.services import actions
from bot.services.outcome import (
    AwaitReplyTo,
    Choice,
    Choices,
    ClearButtons,
    Effect,
    Escalate,
    Message,
    Outcome,
    ReadAsItself,
    Text,
    message,
    needs_consent,
    outcome,
    say,
)
from bot.services.waiting import current, stop_waiting, wait_for


def day_code(day: date) -> str:
    return day.strftime("%Y%m%d")


def _scale(prefix: tuple[object, ...], values: range, per_row: int = 6) -> Choices:
    buttons = [Choice(Text(raw=str(v)), actions.CHECKIN, (*prefix, v)) for v in values]
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


def start_checkin(coachee: CoacheeFile, now: datetime) -> Outcome:
    """/checkin: the first question, energy; the question stays open for an hour."""
    profile = coachee.profile
    if profile is None:
        return needs_consent()
    today = schedule.local_today(profile, now)
    question = message(
        say("checkin.energy"), choices=_scale((day_code(today),), checkins.ENERGY_RANGE)
    )
    return outcome(
        question, effects=(AwaitReplyTo("checkin", (day_code(today),)),), lang=profile.lang
    )


def typed_tap(state: Awaiting, typed: str) -> tuple[str, tuple[int, ...]] | None:
    """The tap a text typed under the open check-in question is, as its button carries it
    (the day, the answers with this one), or None: it is no whole number of its buttons."""
    if state.kind != "checkin" or not state.progress:
        return None
    value = whole_number(typed)
    day, *given = state.progress
    if value is None or len(given) >= len(checkins.STEPS):
        return None
    if value not in checkins.STEPS[len(given)]:
        return None
    return day, (*(int(a) for a in given), value)


def whole_number(typed: str) -> int | None:
    """A typed "7" or " 7 " (a full-width ７ too), never "7,5", "zeven" or "7 uur"."""
    text = unicodedata.normalize("NFKC", typed).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 3:
        return None
    return int(text)


def answer_checkin(
    coachee: CoacheeFile,
    day: str,
    answers: tuple[int, ...],
    question_id: int,
    chat_id: int,
    now: datetime,
    content: Content,
    typed: TypedTap | None = None,
) -> Outcome:
    """One tap (or a number typed as that tap, `typed`): the next question, or, when sleep
    is answered, the check-in stored, the acknowledgement with the note question, and GP
    advice if a check-in rule says so."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    lang = profile.lang
    started_on = _checkin_day(profile, day, now)
    if started_on is None:
        stop_waiting(coachee, now, "checkin", str(question_id))
        return outcome(message(say("checkin.stale"), edit=True), lang=lang)
    today = schedule.local_today(profile, now)
    if len(answers) < len(checkins.STEPS):
        _keep_progress(coachee, question_id, (day, *(str(a) for a in answers)), typed, now)
    if len(answers) == 1:
        ask = say("checkin.stress")
        return outcome(
            message(ask, choices=_scale((day, *answers), checkins.STRESS_RANGE), edit=True),
            lang=lang,
        )
    if len(answers) == 2:
        ask = say("checkin.sleep")
        return outcome(
            message(ask, choices=_scale((day, *answers), checkins.SLEEP_RANGE, 5), edit=True),
            lang=lang,
        )
    energy, stress, sleep = answers
    checkin_id = f"{day}-{question_id}"
    # Only the weeks the rules and the acknowledgement look at: years of history stay unread.
    since = now - checkin_lookback(content.checkin_rules)
    history = coachee.records(CheckIn, since=since)
    stored = next((c for c in history if c.id == checkin_id), None)
    if stored is not None:
        # A double tap, or a tap after the "saved" edit failed: show it saved, once.
        return outcome(message(_recorded(stored), edit=True), lang=lang)
    checkin = replace(checkins.new_checkin(energy, stress, sleep, started_on, now), id=checkin_id)
    coachee.add(checkin)
    wait_for(coachee, "note", checkin.id, chat_id, now)
    note_question = current(coachee)
    if typed is not None and note_question is not None:
        # A second copy of the typed sleep answer is no note.
        coachee.replace(replace(note_question, typed=typed))
    effects: tuple[Effect, ...] = ()
    rule = _time_rule(coachee, profile, content, [*history, checkin], today, now)
    if rule is not None:
        effects = (Escalate(rule),)
    return outcome(
        message(_recorded(checkin), edit=True),
        _acknowledgement(coachee, profile, checkin, history, content, now),
        effects=effects,
        lang=lang,
    )


def _keep_progress(
    coachee: CoacheeFile,
    question_id: int,
    progress: tuple[str, ...],
    typed: TypedTap | None,
    now: datetime,
) -> None:
    """The open check-in question now shows the next step: keep what its buttons carry, so a
    typed number can tap them too. A double tap writes nothing."""
    state = current(coachee)
    if state is None or not is_question(state, "checkin", str(question_id), now=now):
        return
    if state.progress == progress and typed is None:
        return
    coachee.replace(replace(state, progress=progress, typed=typed))


def _checkin_day(profile: Profile, day: str, now: datetime) -> date | None:
    """The local day a check-in's buttons belong to, or None when they are stale.

    Today's buttons are live. Yesterday's stay live for as long as an open check-in does
    (an hour, bot.core.awaiting) after local midnight: a check-in begun at 23:58 and
    finished at 00:01 is kept, not lost. It is stored for the day it was started, as its
    first answers were given then and describe that day, and today keeps its own check-in.
    Buttons of any earlier day (yesterday morning's, seen the next day) are stale.
    """
    try:
        started_on = datetime.strptime(day, "%Y%m%d").date()
    except ValueError:
        return None
    zone = schedule.zone_of(profile)
    today = now.astimezone(zone).date()
    if started_on == today:
        return started_on
    since_midnight = now.astimezone(UTC) - datetime.combine(today, time(), zone).astimezone(UTC)
    if started_on == today - timedelta(days=1) and since_midnight <= EXPIRY["checkin"]:
        return started_on
    return None


def _recorded(checkin: CheckIn) -> Text:
    return say(
        "checkin.recorded", energy=checkin.energy, stress=checkin.stress, sleep=checkin.sleep
    )


def _time_rule(
    coachee: CoacheeFile,
    profile: Profile,
    content: Content,
    recent: list[CheckIn],
    today: date,
    now: datetime,
) -> Escalation | None:
    """Complaints that last, or no progress after weeks of coaching: GP advice (SAFETY.md)."""
    started = profile.created_at.astimezone(schedule.zone_of(profile)).date()
    rule = due_checkin_rule(
        content.checkin_rules,
        recent,
        coachee.records(Escalation),
        today,
        started,
        now,
    )
    return escalation_for(rule, now) if rule is not None else None


def _acknowledgement(
    coachee: CoacheeFile,
    profile: Profile,
    checkin: CheckIn,
    history: list[CheckIn],
    content: Content,
    now: datetime,
) -> Message:
    lang = profile.lang
    ack = checkins.acknowledge(checkin, history)
    rows: list[tuple[Choice, ...]] = []
    if ack.offer_restorative_exercise:
        suggestion = suggest_exercises(
            content.exercises.values(), profile.phase, low_energy=True, limit=1
        )
        if suggestion:
            title = suggestion[0].title.get(lang)
            rows.append(
                (
                    Choice(
                        say("checkin.try_exercise", title=title),
                        actions.EXERCISE_PICK,
                        (suggestion[0].id,),
                    ),
                )
            )
    today = checkin.local_date
    if questionnaire_offer_due(
        profile,
        coachee.records(QuestionnaireResult),
        coachee.records(ReminderMark, since=now - timedelta(days=2)),  # only today's count
        today,
        now,
    ):
        coachee.add(ReminderMark("questionnaire", today, 0, now))
        rows.append((Choice(say("checkin.offer_questionnaire"), actions.QUESTIONNAIRE, ("menu",)),))
    rows.append((Choice(say("checkin.no_note"), actions.CHECKIN_NOTE, (checkin.id, "skip")),))
    return message(
        say(f"checkin.ack.{ack.feedback}", days=ack.low_days_in_a_row),
        say("checkin.note_ask"),
        choices=tuple(rows),
    )


def save_note(coachee: CoacheeFile, checkin_id: str, note: str, now: datetime) -> Outcome:
    """The typed note (already through the safety net) joins the check-in it was asked for.
    A note may come in more messages: a part within NOTE_MORE of the last one joins it.
    A text of only spaces stores nothing and leaves the question open."""
    profile = coachee.profile
    if profile is None:
        return Outcome()
    lang = profile.lang
    if not note.strip():
        return outcome(message(say("input.blank")), lang=lang)
    found = coachee.find(CheckIn, checkin_id)
    if found is None:
        stop_waiting(coachee, now, "note", checkin_id)
        return outcome(message(say("checkin.stale")), lang=lang)
    more = found.note is not None
    noted = checkins.with_more_note(found, note) if more else checkins.with_note(found, note)
    if noted is None:  # the note is full: this text is not part of it
        stop_waiting(coachee, now, "note", checkin_id)
        return Outcome(effects=(ReadAsItself(),), lang=lang)
    coachee.replace(noted)
    state = current(coachee)
    if state is not None and is_question(state, "note", checkin_id, now=now):
        coachee.replace(open_for_more(state, now))
    return outcome(message(say("checkin.note_added" if more else "checkin.note_saved")), lang=lang)


def skip_note(coachee: CoacheeFile, checkin_id: str, now: datetime) -> Outcome:
    """ "No note": the question's buttons go, and a closing line."""
    profile = coachee.profile
    if profile is not None:
        stop_waiting(coachee, now, "note", checkin_id)
    return outcome(
        message(say("checkin.done")),
        effects=(ClearButtons(),),
        lang=profile.lang if profile is not None else None,
    )
