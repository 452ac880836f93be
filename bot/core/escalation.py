"""What happens after the safety assessment: which escalations to record, repeat and follow up.

The level comes from bot.core.safety or a questionnaire; this module decides whether a GP
message is worth repeating, when to ask whether the coachee reached their GP, and what (if
anything) a linked coach may be told.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core.models import Escalation, EscalationSource, Profile
from bot.core.safety import Assessment

# The same GP advice for the same kind of complaint at most every few days: repeating it on
# every message would drown it. A crisis answer is never held back.
GP_REPEAT_AFTER = timedelta(days=3)
# "After a gp escalation, the bot asks a day or two later whether the user could reach
# their GP."
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
    return Escalation(
        level="crisis", source=source, rule=assessment.rule or source, category=category, at=now
    )


def sos_escalation(now: datetime) -> Escalation:
    return Escalation(level="crisis", source="sos", rule="sos", category="sos", at=now)


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
class CoachAlert:
    """What a coach may learn: the level and the day, never the coachee's words."""

    coach_id: int
    coachee_id: int
    level: str
    at: datetime


def coach_alert(profile: Profile, escalation: Escalation) -> CoachAlert | None:
    """An alert for the linked coach, only if the coachee agreed to share alerts."""
    if profile.coach_id is None or not profile.consent.share_alerts:
        return None
    return CoachAlert(profile.coach_id, profile.user_id, escalation.level, escalation.at)
