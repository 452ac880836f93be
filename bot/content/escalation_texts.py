"""Builds an escalation message from content: the opener for what was said, then the body
with the help lines of the coachee's country. The code picks the level; the words are content.
"""

from __future__ import annotations

from bot.content.loader import Content
from bot.content.schema import Helpline


def _name(line: Helpline, lang: str) -> str:
    return line.name if isinstance(line.name, str) else line.name.get(lang)


def _either(phone: str | None, alternative: str | None, lang: str) -> str:
    if not alternative:
        return phone or ""
    return f"{phone} {'of' if lang == 'nl' else 'or'} {alternative}"


def helpline_values(content: Content, country: str, lang: str) -> dict[str, str]:
    lines = content.helplines.countries[country]  # type: ignore[index]
    after_hours = _name(lines.gp_after_hours, lang)
    if lines.gp_after_hours.phone:
        after_hours = f"{after_hours} ({lines.gp_after_hours.phone})"
    return {
        "crisis_name": _name(lines.crisis, lang),
        "crisis_phone": lines.crisis.phone or "",
        "crisis_phone_alt": lines.crisis.phone_alt or "",
        # Every number of the suicide line: "113 of 0800-0113" (NL), "1813" (BE).
        "crisis_phones": _either(lines.crisis.phone, lines.crisis.phone_alt, lang),
        "crisis_web": lines.crisis.web or "",
        "talk_name": _name(lines.talk, lang),
        "talk_phone": lines.talk.phone or "",
        "emergency_phone": lines.emergency.phone or "112",
        "gp_after_hours": after_hours,
        "violence_name": _name(lines.violence, lang),
        "violence_phone": lines.violence.phone or "",
        "violence_web": lines.violence.web or "",
    }


# Escalations that come from somewhere other than the coachee's words open with a line about
# that source ("your check-ins of the last weeks"), not with "you wrote ...".
SOURCE_OPENERS = ("sos", "questionnaire", "checkins")
# Crisis openers for how the answer came about rather than what was said: `unsure` when the
# evidence is weaker and the bot goes on to ask (bot.core.assessment), `followup` when the
# coachee says the next day that they need help now.
CRISIS_ONLY_OPENERS = ("unsure", "followup")


def opener_key(source: str, category: str) -> str:
    return source if source in SOURCE_OPENERS else category


def escalation_text(
    content: Content,
    level: str,
    category: str,
    lang: str,
    country: str,
    opener: str | None = None,
) -> str:
    """The opener (for `opener`, else for `category`), then the body for `category` (its
    own, or the level's shared one)."""
    texts = content.escalations.crisis if level == "crisis" else content.escalations.gp
    first = texts.openers.get(opener or category) or texts.openers["default"]
    body = texts.bodies.get(category) or texts.body
    values = helpline_values(content, country, lang)
    return first.get(lang).format(**values) + "\n\n" + body.get(lang).format(**values)


def without_closing_question(text: str) -> str | None:
    """`text` without its last line when that line asks a question, else None. A crisis
    body asks one question at most, in its last line (content check): the offer to stay
    with an exercise, which the buttons under the answer answer."""
    rest, _, last = text.rpartition("\n")
    return rest if rest and last.rstrip().endswith("?") else None


def filled(content: Content, template: str, country: str, lang: str) -> str:
    """A text with the help lines of `country` filled in."""
    return template.format(**helpline_values(content, country, lang))
