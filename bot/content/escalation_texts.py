"""Builds an escalation message from content: the opener for what was said, then the body
with the help lines of the coachee's country. The code picks the level; the words are content.
"""

from __future__ import annotations

from bot.content.loader import Content
from bot.content.schema import Helpline


def _name(line: Helpline, lang: str) -> str:
    return line.name if isinstance(line.name, str) else line.name.get(lang)


def helpline_values(content: Content, country: str, lang: str) -> dict[str, str]:
    lines = content.helplines.countries[country]  # type: ignore[index]
    after_hours = _name(lines.gp_after_hours, lang)
    if lines.gp_after_hours.phone:
        after_hours = f"{after_hours} ({lines.gp_after_hours.phone})"
    return {
        "crisis_name": _name(lines.crisis, lang),
        "crisis_phone": lines.crisis.phone or "",
        "crisis_phone_alt": lines.crisis.phone_alt or "",
        "crisis_web": lines.crisis.web or "",
        "talk_name": _name(lines.talk, lang),
        "talk_phone": lines.talk.phone or "",
        "emergency_phone": lines.emergency.phone or "112",
        "gp_after_hours": after_hours,
    }


# Escalations that come from somewhere other than the coachee's words open with a line about
# that source ("your check-ins of the last weeks"), not with "you wrote ...".
SOURCE_OPENERS = ("sos", "questionnaire", "checkins")


def opener_key(source: str, category: str) -> str:
    return source if source in SOURCE_OPENERS else category


def escalation_text(content: Content, level: str, category: str, lang: str, country: str) -> str:
    """Opener for `category` (or a source from SOURCE_OPENERS), then the level's body."""
    texts = content.escalations.crisis if level == "crisis" else content.escalations.gp
    opener = texts.openers.get(category) or texts.openers["default"]
    values = helpline_values(content, country, lang)
    return opener.get(lang).format(**values) + "\n\n" + texts.body.get(lang).format(**values)
