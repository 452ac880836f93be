"""/reflect: a prompt for the coachee's phase; their answer is shared only if they say so.

The prompt waits a day for its answer (bot.core.awaiting), whatever other command comes in
between. The question whether a coach may read the answer is asked only when a coach is
linked. "Not now" promises a new question only when the reminder plan will really send one
(bot.core.schedule.later): with the moment off, or paused, it says what comes instead.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from bot.content.loader import Content
from bot.core import coaching, dates, schedule
from bot.core.coaching import CoachStore
from bot.core.models import CheckIn, ExerciseLog, Reflection, ReminderMark, Snooze
from bot.core.ports import CoacheeFile
from bot.core.practice import next_prompt
from bot.services import actions
from bot.services.outcome import (
    Choice,
    ClearButtons,
    Effect,
    Outcome,
    Reschedule,
    Text,
    message,
    needs_consent,
    outcome,
    say,
)
from bot.services.waiting import stop_waiting, wait_for

log = logging.getLogger(__name__)
# Telegram's own limit on one message: a typed answer is kept whole, never cut silently.
ANSWER_MAX_CHARS = 4096


def ask(
    coachee: CoacheeFile,
    chat_id: int,
    now: datetime,
    content: Content,
    skip: tuple[str, ...] = (),
) -> Outcome:
    """/reflect: the phase's prompt answered longest ago (not one of `skip`); its answer is
    awaited in this chat."""
    profile = coachee.profile
    if profile is None:
        return needs_consent()
    prompt = next_prompt(content.prompts_for(profile.phase), coachee.records(Reflection), skip)
    if prompt is None:
        return outcome(lang=profile.lang)
    lang = profile.lang
    wait_for(coachee, "reflection", prompt.id, chat_id, now)
    phase = content.phase(profile.phase).title.get(lang)
    choices = (
        (
            Choice(say("reflect.other"), actions.REFLECT, ("other", prompt.id)),
            Choice(say("reflect.later"), actions.REFLECT, ("later", prompt.id)),
        ),
    )
    question = say("reflect.prompt", phase=phase, prompt=prompt.text.get(lang))
    return outcome(message(question, choices=choices), lang=lang)


def is_prompt(content: Content, prompt_id: str) -> bool:
    """Whether a button's prompt id is one this content has (an old or forged one is not)."""
    return any(p.id == prompt_id for p in content.prompts)


def other_prompt(
    coachee: CoacheeFile, prompt_id: str, chat_id: int, now: datetime, content: Content
) -> Outcome:
    """ "Another question": this prompt's buttons go, the next prompt comes."""
    asked = ask(coachee, chat_id, now, content, skip=(prompt_id,))
    return replace(asked, effects=(ClearButtons(), *asked.effects))


def later(coachee: CoacheeFile, prompt_id: str, now: datetime) -> Outcome:
    """ "Not now": the prompt's buttons go and its answer is no longer awaited; the promise
    to ask again is made only when the reminder plan will keep it."""
    profile = coachee.profile
    if profile is None:  # nothing is stored without consent, so nothing would come
        consent = needs_consent()
        return replace(consent, effects=(ClearButtons(),))
    lang = profile.lang
    stop_waiting(coachee, now, "reflection", prompt_id)
    today = schedule.local_today(profile, now)
    state = schedule.ScheduleState.from_records(
        coachee.records(CheckIn),
        coachee.records(ExerciseLog),
        coachee.records(Reflection),
        coachee.records(ReminderMark),
        coachee.records(Snooze),
    )
    planned = schedule.later(profile, state, "reflection", today, now)
    effects: tuple[Effect, ...] = (ClearButtons(),)
    said: Text
    if planned.snooze is not None:
        coachee.add(planned.snooze)
        effects = (*effects, Reschedule())
        said = say("reflect.later_ok")
    elif planned.next_moment is not None:
        local = planned.next_moment.astimezone(schedule.zone_of(profile))
        day = dates.when_text(local.date(), lang, today)
        said = say("reminder.later_next", day=day, time=f"{local:%H:%M}")
    else:
        said = say("reminder.later_none")
    return outcome(message(said), effects=effects, lang=lang)


def save_answer(
    coachee: CoacheeFile, prompt_id: str, answer: str, now: datetime, coaches: CoachStore
) -> Outcome:
    """The typed answer (already through the safety net) is stored; shared by default only
    while the coach store says reflections are shared with a linked coach. A text of only
    spaces stores nothing and leaves the question open."""
    profile = coachee.profile
    if profile is None:
        return Outcome()
    if not answer.strip():
        return outcome(message(say("input.blank")), lang=profile.lang)
    reflection = Reflection(
        prompt_id,
        now,
        schedule.local_today(profile, now),
        answer.strip()[:ANSWER_MAX_CHARS],
        shared=reflections_shared(coaches, coachee.user_id),
    )
    coachee.add(reflection)
    stop_waiting(coachee, now, "reflection", prompt_id)
    log.info("reflection.recorded")
    if coaches.link_of(coachee.user_id) is None:
        return outcome(message(say("reflect.saved_private")), lang=profile.lang)
    choices = (
        (
            Choice(say("reflect.share_yes"), actions.REFLECT_SHARE, (reflection.id, "yes")),
            Choice(say("reflect.share_no"), actions.REFLECT_SHARE, (reflection.id, "no")),
        ),
    )
    return outcome(message(say("reflect.saved"), choices=choices), lang=profile.lang)


def share(coachee: CoacheeFile, reflection_id: str, shared: bool, coaches: CoachStore) -> Outcome:
    """Per answer, the coachee decides whether their coach may read it. While reflections
    are not shared with the coach (the coach store says so), a "yes" promises nothing: the
    answer stays private, and turning reflections on is offered, asked as its own question
    (bot.services.coaching.ask_to_share); it holds for answers from then on."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    found = coachee.find(Reflection, reflection_id)
    if found is None:
        return outcome(message(say("reflect.gone"), edit=True), lang=profile.lang)
    if shared and not reflections_shared(coaches, coachee.user_id):
        turn_on = Choice(
            say("reflect.share_turn_on"), actions.COACH_PRIVACY, ("ask", "reflections")
        )
        return outcome(
            message(say("reflect.share_off"), choices=((turn_on,),), edit=True),
            lang=profile.lang,
        )
    coachee.replace(replace(found, shared=shared))
    return outcome(
        message(say("reflect.shared" if shared else "reflect.private"), edit=True),
        lang=profile.lang,
    )


def reflections_shared(store: CoachStore, user_id: int) -> bool:
    """Whether this coachee's coach may read reflections now (the coach store's sharing)."""
    link = store.link_of(user_id)
    return link is not None and coaching.allows(store, link.coach_id, user_id, "reflections")
