"""What happens after the safety assessment: which escalations to record, repeat and follow up.

The level comes from bot.core.safety or a questionnaire; this module decides whether a GP
message is worth repeating, when to ask how the coachee is (the day after a crisis answer)
or whether they reached their GP (the day after GP advice), and what (if anything) a linked
coach may be told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core.models import CrisisQuestion, Escalation, EscalationSource
from bot.core.normalise import canonical
from bot.core.safety import LEVEL_ORDER, Assessment

# The same GP advice for the same kind of complaint at most every few days: repeating it on
# every message would drown it. A crisis answer is never held back.
GP_REPEAT_AFTER = timedelta(days=3)
# "After a gp escalation, the bot asks a day or two later whether the user could reach
# their GP." After a crisis answer it asks the next day how they are (SAFETY.md: a "no" does
# not end the care; the next day's check-in asks again, gently).
FOLLOWUP_AFTER = timedelta(days=1)


def plan_escalation(
    assessment: Assessment, source: EscalationSource, history: list[Escalation], now: datetime
) -> Escalation | None:
    """The escalation to answer with and store, or None when nothing needs saying now."""
    if assessment.level == "none":
        return None
    category = assessment.categories[0] if assessment.categories else "default"
    if assessment.level == "gp":
        recent = [
            e
            for e in history
            if e.level == "gp" and e.category == category and now - e.at < GP_REPEAT_AFTER
        ]
        if recent:
            return None
        return Escalation(
            level="gp",
            source=source,
            rule=assessment.rule or source,
            category=category,
            at=now,
            followup_due=now + FOLLOWUP_AFTER,
        )
    return crisis_escalation(source, assessment.rule or source, category, now)


def crisis_escalation(
    source: EscalationSource, rule: str, category: str, now: datetime
) -> Escalation:
    """A crisis answer, with the next day's gentle question already due."""
    return Escalation(
        level="crisis",
        source=source,
        rule=rule,
        category=category,
        at=now,
        followup_due=now + FOLLOWUP_AFTER,
    )


def sos_escalation(now: datetime) -> Escalation:
    return crisis_escalation("sos", "sos", "sos", now)


def ask_escalation(answer: str, now: datetime) -> Escalation | None:
    """'Yes' or 'not sure' to the plain question after a crisis answer is a crisis too; a
    'no' is heard (SAFETY.md), and the crisis answer already given keeps its follow-up."""
    if answer not in ("yes", "unsure"):
        return None
    return crisis_escalation("ask", f"ask-{answer}", "ask", now)


def _phrases(table: dict[str, str]) -> dict[str, tuple[str, ...]]:
    return {
        answer: tuple(p.strip() for p in phrases.split("|")) for answer, phrases in table.items()
    }


# A reply typed (not pressed) to a crisis answer's question, read as the button it stands for
# by its first words; the longest phrase that opens the reply decides ("no idea" is not
# "no"). Anything else is read as itself.
# To the plain question "are you thinking of ending your life?" (and, with "yes" for the
# exercise, to the crisis answer's own offer of a grounding exercise):
TYPED_ASK_ANSWERS = _phrases(
    {
        "yes": "ja | jaa | jawel | jazeker | jep | jup | soms | af en toe | eigenlijk wel"
        " | een beetje | yes | yess | yeah | yep | yup | sometimes | a bit | kind of",
        "unsure": "ik weet het niet | weet het niet | weet niet | weet ik niet | geen idee"
        " | misschien | twijfel | ik twijfel | soort van | i dont know | i do not know"
        " | dont know | not sure | im not sure | i am not sure | no idea | maybe | dunno"
        " | idk | kinda",
        "no": "nee | neen | nope | nah | no | niet echt | helemaal niet | nooit | not really"
        " | never | not at all",
    }
)
# To the next day's "how are you now?" after a crisis answer:
TYPED_FOLLOWUP_ANSWERS = _phrases(
    {
        "better": "beter | iets beter | wat beter | goed | oke | ok | okay | prima | gaat wel"
        " | het gaat wel | het gaat | het gaat beter | het gaat goed | redelijk | better"
        " | a bit better | good | fine | alright | all right | not bad | im ok | im okay"
        " | im fine | im better",
        "hard": "slecht | slechter | zwaar | moeilijk | nog moeilijk | nog zwaar | niet goed"
        " | niet zo goed | rot | kut | shit | slecht eigenlijk | nog steeds slecht | het gaat niet"
        " | bad | worse | hard | still hard | not good | not great | terrible | awful"
        " | not ok | not okay",
        "help_now": "hulp | help | ik heb hulp nodig | ik heb nu hulp nodig | help me"
        " | i need help | i need help now",
    }
)
# A reply that goes on with "but" ("nee, maar soms wel", "beter, maar nog zwaar") is not
# the plain answer: read as the worrying one.
_BUT = frozenset({"maar", "but", "behalve", "except", "alleen", "only"})
_BUT_MEANS = {"no": "unsure", "better": "hard"}
_TYPED_WORD = re.compile(r"[a-z]+")


def _typed(text: str, answers: dict[str, tuple[str, ...]]) -> str | None:
    words = _TYPED_WORD.findall(canonical(text).replace("'", ""))
    best: tuple[int, str] | None = None
    for answer, phrases in answers.items():
        for phrase in phrases:
            said = phrase.split()
            if words[: len(said)] == said and (best is None or len(said) > best[0]):
                best = (len(said), answer)
    if best is None:
        return None
    size, answer = best
    if answer in _BUT_MEANS and _BUT.intersection(words[size:]):
        return _BUT_MEANS[answer]
    return answer


def typed_ask_answer(text: str) -> str | None:
    """'yes', 'unsure' or 'no' for a reply typed to the plain question, or None: read it
    as itself. `text` is the message as typed."""
    return _typed(text, TYPED_ASK_ANSWERS)


def typed_followup_answer(text: str) -> str | None:
    """'better', 'hard' or 'help_now' for a reply typed to the next day's question, or None:
    read it as itself (the safety net has already read it for a crisis)."""
    return _typed(text, TYPED_FOLLOWUP_ANSWERS)


# A reply typed to a crisis answer's question counts as its button this long after it was
# asked; later, a "ja" is a message of its own.
CRISIS_QUESTION_OPEN = timedelta(hours=6)


def crisis_question(kind: str, chat: int, message: int, now: datetime) -> CrisisQuestion:
    """A crisis answer's question just put on screen, open for CRISIS_QUESTION_OPEN."""
    return CrisisQuestion(kind, chat, message, now, now + CRISIS_QUESTION_OPEN)


def open_crisis_question(
    question: CrisisQuestion | None, chat: int, now: datetime
) -> CrisisQuestion | None:
    """The question a text typed in `chat` at `now` may answer: asked there, still open."""
    if question is None or question.chat != chat or now >= question.until:
        return None
    return question


def crisis_question_ended(question: CrisisQuestion, now: datetime) -> CrisisQuestion:
    """The same question, answered or replaced: a later typed text is read as itself."""
    return replace(question, until=min(question.until, now))


def followup_escalation(now: datetime) -> Escalation:
    """'I need help now' in answer to the next day's question: the full crisis answer."""
    return crisis_escalation("followup", "followup", "followup", now)


def followups_due(history: list[Escalation], now: datetime) -> list[Escalation]:
    return [
        e
        for e in history
        if e.followup_due is not None and not e.followup_sent and e.followup_due <= now
    ]


def next_followup(history: list[Escalation]) -> datetime | None:
    pending = [e.followup_due for e in history if e.followup_due and not e.followup_sent]
    return min(pending, default=None)


def mark_followup_sent(escalation: Escalation) -> Escalation:
    return replace(escalation, followup_sent=True)


@dataclass(frozen=True)
class FollowupPlan:
    """Which follow-up to ask now, and the records to write back first."""

    ask: Escalation
    updated: tuple[Escalation, ...]


def plan_followup(history: list[Escalation], now: datetime) -> FollowupPlan | None:
    """One gentle question at a time: after a crisis, how they are; else, the GP question.

    A GP question due together with a crisis one waits a day: two questions at once would
    bury the one that matters most. The latest escalation of the chosen level is asked about.
    """
    due = followups_due(history, now)
    if not due:
        return None
    crisis = [e for e in due if e.level == "crisis"]
    if not crisis:
        return FollowupPlan(max(due, key=lambda e: e.at), tuple(map(mark_followup_sent, due)))
    postponed = tuple(replace(e, followup_due=now + FOLLOWUP_AFTER) for e in due if e not in crisis)
    return FollowupPlan(
        max(crisis, key=lambda e: e.at), (*map(mark_followup_sent, crisis), *postponed)
    )


# The plain question ("are you thinking of ending your life?") follows a crisis answer; a
# "yes" or "not sure" to it within this time belongs to that crisis's episode.
ASK_EPISODE = timedelta(days=1)


def already_recorded(history: list[Escalation], escalation: Escalation) -> bool:
    """Whether the message this escalation answers (an edit of it) was escalated before at
    this level or higher: then nothing is stored again and no coach is alerted again; an
    edit that makes it worse is (the coachee gets the answer again either way)."""
    if escalation.message is None:
        return False
    return any(
        e.message == escalation.message and LEVEL_ORDER[e.level] >= LEVEL_ORDER[escalation.level]
        for e in history
    )


def alerts_coach(history: list[Escalation], escalation: Escalation) -> bool:
    """Whether storing this escalation tells a coach (who may receive alerts). One alert per
    crisis episode: a "yes" or "not sure" to the question asked after a crisis answer is
    stored, but the coach heard of that crisis already and would get the same alert again."""
    if escalation.source != "ask":
        return True
    return not any(
        e.level == "crisis"
        and e.source != "ask"
        and timedelta(0) <= escalation.at - e.at <= ASK_EPISODE
        for e in history
    )
