"""The safety net's rules: what an escalation says, the crisis question and the next day's
follow-up, and what is stored (with consent only) once the answer has gone out.

The order is the handler's (bot.telegram.safety_net) and it is fixed: a crisis answer is
built here from content and the coachee's language and country alone, sent, and only then is
anything read or written (`after_crisis`, one unit of work). Storage can fail or be slow;
the answer never waits for it. GP advice is said first and stored after in the same way.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content.escalation_texts import (
    escalation_text,
    filled,
    helpline_values,
    opener_key,
    without_closing_question,
)
from bot.content.loader import Content
from bot.core.dates import day_text
from bot.core.escalation import (
    alerts_coach,
    already_recorded,
    ask_escalation,
    crisis_question_ended,
    followup_escalation,
    open_crisis_question,
    plan_escalation,
    sos_escalation,
)
from bot.core.models import CRISIS_QUESTION_ID, CrisisQuestion, Escalation
from bot.core.ports import CoacheeFile
from bot.core.safety import Assessment
from bot.services import actions
from bot.services.outcome import (
    AlertCoach,
    Choice,
    Choices,
    Effect,
    Escalate,
    FollowUp,
    Message,
    Outcome,
    Text,
    say,
)
from bot.services.waiting import stop_waiting_for_text

ASK_CHOICES = ("yes", "unsure", "no")


# --- what to say -------------------------------------------------------------------------------


def escalation_body(content: Content, escalation: Escalation, lang: str, country: str) -> str:
    """What the coachee reads for this escalation: its opener, then its body, with the help
    lines of their country."""
    return escalation_text(
        content,
        escalation.level,
        escalation.category,
        lang,
        country,
        opener=opener_key(escalation.source, escalation.category),
    )


def crisis_choices() -> Choices:
    """Under a crisis answer: stay with a grounding exercise now, or "I'm OK for now"."""
    return (
        (Choice(say("crisis.ground_button"), actions.CRISIS, ("ground",)),),
        (Choice(say("crisis.ok_button"), actions.CRISIS, ("ok",)),),
    )


def ask_choices() -> Choices:
    return (tuple(Choice(say(f"crisis_ask.{c}"), actions.CRISIS_ASK, (c,)) for c in ASK_CHOICES),)


def crisis_answer(content: Content, escalation: Escalation, lang: str, country: str) -> Message:
    """The crisis answer: the lines first (SAFETY.md), and under them the two choices that
    answer the body's closing offer to stay with an exercise. A body that makes no such offer
    (a medical emergency, someone else's crisis: call and act first) gets no buttons: a
    stranger read "Bel nu meteen 112" for chest pain with "do a grounding exercise" under it."""
    body = escalation_body(content, escalation, lang, country)
    offers = without_closing_question(body) is not None
    return Message((Text(raw=body),), crisis_choices() if offers else ())


def group_crisis_answer(
    content: Content, escalation: Escalation, lang: str, country: str
) -> Message:
    """The crisis answer in a group, which the bot leaves: every help line as in a private
    chat, but no buttons, so no question that only they could answer there. The closing
    offer to stay with an exercise says instead where that offer stands: a private chat."""
    body = escalation_body(content, escalation, lang, country)
    kept = without_closing_question(body)
    if kept is None:
        return Message((Text(raw=body),))
    return Message((Text(raw=kept), say("crisis.group_offer")))


def crisis_question(content: Content, lang: str) -> Message:
    """Asked plainly after an unsure crisis answer (never before it: the lines come first)."""
    return Message((Text(raw=content.escalations.crisis_ask.question.get(lang)),), ask_choices())


def gp_advice(content: Content, escalation: Escalation, lang: str, country: str) -> Message:
    return Message((Text(raw=escalation_body(content, escalation, lang, country)),))


def crisis_escalation_for(
    assessment: Assessment, now: datetime, message: int | None = None
) -> Escalation | None:
    """A typed text assessed as crisis: its escalation, decided before any storage call.
    `message` is the typed message's id (an edit carries the same id)."""
    if assessment.level != "crisis":
        return None
    escalation = plan_escalation(assessment, "text", [], now)
    return replace(escalation, message=message) if escalation is not None else None


def sos(now: datetime) -> Escalation:
    return sos_escalation(now)


def ask_answered(
    content: Content, choice: str, lang: str, country: str, now: datetime
) -> tuple[Escalation | None, Message]:
    """'Yes' or 'not sure' is a crisis (answered at once, then stored); 'no' is heard kindly
    and the lines stay in reach."""
    texts = content.escalations.crisis_ask
    escalation = ask_escalation(choice, now)
    if escalation is None:
        template = texts.answered_no
    else:
        template = texts.answered_yes if choice == "yes" else texts.answered_unsure
    return escalation, Message((Text(raw=filled(content, template.get(lang), country, lang)),))


def followup_question(
    content: Content, escalation: Escalation, lang: str, country: str, timezone: str, now: datetime
) -> str:
    """The question after a crisis answer: "yesterday" only when the answer was given the
    day before in the coachee's time zone; asked later (the bot was down, the coachee away),
    it names the day instead."""
    zone = ZoneInfo(timezone)
    given, today = escalation.at.astimezone(zone).date(), now.astimezone(zone).date()
    texts = content.escalations.crisis_followup
    values = helpline_values(content, country, lang)
    if today - given == timedelta(days=1):
        return texts.question.get(lang).format(**values)
    return texts.question_later.get(lang).format(**values, day=day_text(given, lang, today))


def followup_answered(
    content: Content, choice: str, lang: str, country: str, now: datetime
) -> tuple[Escalation | None, Message]:
    """The next day's 'how are you now?': 'help now' is the full crisis answer (its
    escalation; the question then reads the help-now line), else a line for better or hard."""
    texts = content.escalations.crisis_followup
    if choice == "help_now":
        return followup_escalation(now), Message((Text(raw=texts.help_now.get(lang)),), edit=True)
    answer = texts.better if choice == "better" else texts.hard
    return None, Message((Text(raw=filled(content, answer.get(lang), country, lang)),), edit=True)


# --- what is stored, after the answer went out -----------------------------------------------


def after_crisis(
    coachee: CoacheeFile,
    escalation: Escalation,
    now: datetime,
    question: CrisisQuestion | None = None,
) -> Outcome:
    """The storage work of a crisis, once its answer is out: the question the bot waited for
    text for ends (the next text is read as itself; buttons that still work stay pointed
    at), the answer's own question on screen is kept (`question`, see CrisisQuestion), and
    the escalation is recorded with consent."""
    stop_waiting_for_text(coachee, now)
    if question is not None:
        remember_crisis_question(coachee, question)
    return record_escalation(coachee, escalation)


def remember_crisis_question(coachee: CoacheeFile, question: CrisisQuestion) -> Outcome:
    """A crisis answer's question on screen, kept through a restart: only with consent."""
    if coachee.profile is None:
        return Outcome(consented=False)
    coachee.replace(question)
    return Outcome()


def stored_crisis_question(coachee: CoacheeFile, chat: int, now: datetime) -> CrisisQuestion | None:
    """The crisis question still open in `chat` as stored (read after a restart)."""
    if coachee.profile is None:
        return None
    return open_crisis_question(coachee.find(CrisisQuestion, CRISIS_QUESTION_ID), chat, now)


def crisis_question_answered(coachee: CoacheeFile, message: int, now: datetime) -> Outcome:
    """The question in `message` was pressed or typed: a later text is read as itself, after
    a restart too (a newer question stays open)."""
    if coachee.profile is None:
        return Outcome(consented=False)
    question = coachee.find(CrisisQuestion, CRISIS_QUESTION_ID)
    if question is not None and question.message == message and question.until > now:
        coachee.replace(crisis_question_ended(question, now))
    return Outcome()


def record_escalation(coachee: CoacheeFile, escalation: Escalation) -> Outcome:
    """Store the escalation, plan its follow-up and alert a coach: only with consent. An
    edit of a message escalated before at this level or higher stores and alerts nothing;
    a "yes" to the question after a crisis answer is stored without a second alert."""
    profile = coachee.profile
    if profile is None:
        return Outcome(consented=False)  # nothing is stored without consent
    history = coachee.records(Escalation)
    if already_recorded(history, escalation):
        return Outcome(lang=profile.lang)
    coachee.add(escalation)
    effects: list[Effect] = []
    if escalation.followup_due is not None:
        effects.append(FollowUp(escalation.followup_due))
    if escalation.level in ("gp", "crisis") and alerts_coach(history, escalation):
        effects.append(AlertCoach(profile.user_id, escalation))
    return Outcome(effects=tuple(effects), lang=profile.lang)


def advise(
    coachee: CoacheeFile, assessment: Assessment, now: datetime, message: int | None = None
) -> Outcome:
    """A text assessed as GP advice (or other non-crisis escalation): what to answer, if
    anything; advice given lately for the same complaint is not repeated. Read only: the
    advice is said first, then stored (record_escalation). `message`: the typed message's
    id."""
    history = coachee.records(Escalation) if coachee.profile is not None else []
    escalation = plan_escalation(assessment, "text", history, now)
    if escalation is None:
        return Outcome()
    return Outcome(effects=(Escalate(replace(escalation, message=message)),))
