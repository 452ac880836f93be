"""Escalation texts and help lines, as a coachee in crisis receives them: every crisis
message gives the country's crisis line and 112 in its first lines and before any question,
asks a question only in its last line (left out in a group, where no button answers it),
fits a phone screen, neither minimises nor promises secrecy, and every opener belongs to a
category that can open it. Help lines: both countries, every service with a number as it is
dialled, 112 as the emergency number.

Owns: the placeholders an escalation may use (`ESCALATION_PLACEHOLDERS`), the countries
served, and `holds_number` (test_wording reads the rendered messages with it too).
"""

from __future__ import annotations

import re

from bot.content.checks.common import closest, problem_at, text_problems
from bot.content.checks.wording import minimising_phrases
from bot.content.escalation_texts import (
    CRISIS_ONLY_OPENERS,
    SOURCE_OPENERS,
    helpline_values,
    without_closing_question,
)
from bot.content.loader import Content, Problem, YamlDoc
from bot.content.schema import CRISIS_CATEGORIES, GP_CATEGORIES, LANGS

ESCALATION_PLACEHOLDERS = frozenset(
    {
        "crisis_name",
        "crisis_phone",
        "crisis_phone_alt",
        "crisis_phones",
        "crisis_web",
        "talk_name",
        "talk_phone",
        "emergency_phone",
        "gp_after_hours",
        "violence_name",
        "violence_phone",
        "violence_web",
    }
)


COUNTRIES = ("BE", "NL")


EMERGENCY_NUMBER = "112"


# SAFETY.md: "short enough to read on a phone without scrolling"; about 15 lines of a phone.
MAX_ESCALATION_CHARS = 700


# SAFETY.md: the crisis line and 112 "in the first lines", before any question.
CRISIS_NUMBER_WITHIN_LINES = 3


def holds_number(text: str, number: str) -> bool:
    """The number, not as part of a longer one ("113" is not in "0800-0113")."""
    return number_at(text, number) is not None


def number_at(text: str, number: str) -> re.Match[str] | None:
    # Not inside a longer number or a web address: "zelfmoord1813.be" and "113.nl" do not
    # give the number to call.
    digits = re.escape(number).replace(r"\ ", r"[\s-]?")
    return re.search(rf"(?<![\w.-]){digits}(?!\w|[.-]\w)", text)


def _render(template: str, values: dict[str, str]) -> str | None:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return None  # check_escalations reports the placeholder itself


def check_escalations(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["safety/escalations.yaml"]
    escalations = content.escalations
    problems: list[Problem] = []
    unfillable: list[Problem] = []
    known = {
        "crisis": (*CRISIS_CATEGORIES, *SOURCE_OPENERS, *CRISIS_ONLY_OPENERS, "default"),
        "gp": (*GP_CATEGORIES, *SOURCE_OPENERS, "default"),
    }
    for level in ("crisis", "gp"):
        texts = getattr(escalations, level)
        unfillable += text_problems(
            doc,
            ["escalations", level, "body"],
            texts.body,
            ESCALATION_PLACEHOLDERS,
            f"the {level} body",
        )
        for part, what, entries in (
            ("bodies", "body", texts.bodies),
            ("openers", "opener", texts.openers),
        ):
            for category, entry in entries.items():
                loc = ["escalations", level, part, category]
                unfillable += text_problems(
                    doc, loc, entry, ESCALATION_PLACEHOLDERS, f"the {level} {what} {category!r}"
                )
                if category not in known[level]:
                    problems.append(
                        problem_at(
                            doc,
                            loc,
                            f"no {level} escalation has the category {category!r}"
                            f"{closest(category, list(known[level]))}, so this {what} is "
                            f"never shown; {level} {part} are for: {', '.join(known[level])}",
                        )
                    )
        for category, opener in texts.openers.items():
            loc = ["escalations", level, "openers", category]
            for lang in LANGS:
                for phrase in minimising_phrases(opener.get(lang)):
                    problems.append(
                        problem_at(
                            doc,
                            [*loc, lang],
                            f"{phrase!r} minimises or promises secrecy (SAFETY.md); say that "
                            "what they wrote matters",
                        )
                    )
    if unfillable:
        return unfillable + problems  # rendering needs every placeholder to be fillable
    countries = content.helplines.countries
    for level in ("crisis", "gp"):
        texts = getattr(escalations, level)
        # Each body with the openers it is shown after: its own category's (and the
        # source openers, which share the default body), or every other opener.
        pairs = [("body", texts.body, [c for c in texts.openers if c not in texts.bodies])]
        pairs += [
            (f"bodies.{category}", body, [c for c in texts.openers if c == category] or ["default"])
            for category, body in texts.bodies.items()
        ]
        for where, template, openers in pairs:
            for lang in LANGS:
                body_loc = ["escalations", level, *where.split("."), lang]
                # Said once the numbers are right: "asks before the numbers" says it all.
                group = (
                    _group_problems(doc, body_loc, template.get(lang), lang)
                    if level == "crisis"
                    else []
                )
                for phrase in minimising_phrases(template.get(lang)):
                    problems.append(
                        problem_at(
                            doc,
                            body_loc,
                            f"{phrase!r} minimises or promises secrecy (SAFETY.md); leave it out",
                        )
                    )
                for country in COUNTRIES:
                    if country not in countries:
                        continue  # check_helplines reports it
                    values = helpline_values(content, country, lang)
                    body = _render(template.get(lang), values) or ""
                    body_problems = []
                    if level == "crisis":
                        body_problems = _crisis_body_problems(
                            doc, body_loc, body, lang, country, content
                        )
                        problems += body_problems
                        group = [] if body_problems else group
                    for category in openers:
                        opener = texts.openers[category]
                        shown = (_render(opener.get(lang), values) or "") + "\n\n" + body
                        loc = ["escalations", level, "openers", category, lang]
                        if level == "crisis" and not body_problems:
                            problems += _crisis_order_problems(
                                doc, loc, shown, lang, country, category, content
                            )
                        if len(shown) > MAX_ESCALATION_CHARS:
                            problems.append(
                                problem_at(
                                    doc,
                                    loc,
                                    f"the {level} message for {category!r} in {lang}, with the "
                                    f"help lines of {country}, is {len(shown)} characters; keep "
                                    f"opener + body under {MAX_ESCALATION_CHARS} so it fits a "
                                    "phone screen without scrolling: shorten this opener or "
                                    "the body",
                                )
                            )
                problems += group
    return sorted(set(problems))


def _crisis_numbers(content: Content, country: str) -> list[str]:
    crisis = content.helplines.countries[country].crisis.phone  # type: ignore[index]
    return [number for number in (crisis, EMERGENCY_NUMBER) if number]


def _crisis_body_problems(
    doc: YamlDoc, loc: list[object], body: str, lang: str, country: str, content: Content
) -> list[Problem]:
    """The body carries the numbers for every opener: missing, late or after a question."""
    numbers = _crisis_numbers(content, country)
    missing = [n for n in numbers if not holds_number(body, n)]
    where = f"the crisis body in {lang}, with the help lines of {country},"
    if missing:
        return [
            problem_at(
                doc,
                loc,
                f"{where} does not give {' and '.join(missing)}; every crisis message "
                "gives the crisis line and 112 in its first lines (SAFETY.md): write "
                "{crisis_phone} and {emergency_phone} in the first sentence, not the "
                "numbers themselves, so each country gets its own",
            )
        ]
    problems = []
    lines = [line for line in body.split("\n") if line.strip()]
    # The opener takes at least one line before the body.
    first_lines = "\n".join(lines[: CRISIS_NUMBER_WITHIN_LINES - 1])
    late = [n for n in numbers if not holds_number(first_lines, n)]
    if late:
        problems.append(
            problem_at(
                doc,
                loc,
                f"{where} gives {' and '.join(late)} only after line "
                f"{CRISIS_NUMBER_WITHIN_LINES - 1}; the numbers go in the "
                "first lines (SAFETY.md): move them to the first sentence",
            )
        )
    question = body.find("?")
    asked = [n for n in numbers if 0 <= question < number_at(body, n).start()]  # type: ignore[union-attr]
    if asked:
        problems.append(
            problem_at(
                doc,
                loc,
                f"{where} asks a question before it gives "
                f"{' and '.join(asked)}; never ask before giving the number "
                "(SAFETY.md): give the numbers first",
            )
        )
    return problems


def _group_problems(doc: YamlDoc, loc: list[object], template: str, lang: str) -> list[Problem]:
    """In a group the crisis answer has no buttons, so it leaves out the body's closing
    question (without_closing_question): no other line may ask one, and that question may
    give no help line, which the group would then miss."""
    kept = without_closing_question(template)
    rest = template if kept is None else kept
    where = f"the crisis body in {lang}"
    if "?" in rest:
        return [
            problem_at(
                doc,
                loc,
                f"{where} asks a question before its last line; it may ask one only, its "
                "closing offer to stay with an exercise (its buttons answer it; in a group, "
                "where there are none, that line is left out): make this a statement",
            )
        ]
    closing = template[len(kept) :] if kept is not None else ""
    given = sorted(set(re.findall(r"\{(\w+)\}", closing)))
    if given:
        names = ", ".join("{" + name + "}" for name in given)
        return [
            problem_at(
                doc,
                loc,
                f"{where}: its closing question gives {names}, but in a group that question "
                "is left out (no buttons answer it there): give the help line in an earlier "
                "line",
            )
        ]
    return []


def _crisis_order_problems(
    doc: YamlDoc,
    loc: list[object],
    shown: str,
    lang: str,
    country: str,
    category: str,
    content: Content,
) -> list[Problem]:
    problems = []
    lines = [line for line in shown.split("\n") if line.strip()]
    first_lines = "\n".join(lines[:CRISIS_NUMBER_WITHIN_LINES])
    for number in _crisis_numbers(content, country):
        if holds_number(shown, number) and not holds_number(first_lines, number):
            problems.append(
                problem_at(
                    doc,
                    loc,
                    f"in the crisis message for {category!r} ({lang}, "
                    f"{country}), {number} comes after line "
                    f"{CRISIS_NUMBER_WITHIN_LINES}; the numbers go in the "
                    "first lines (SAFETY.md): shorten this opener",
                )
            )
        question = shown.find("?")
        position = number_at(shown, number)
        if position and 0 <= question < position.start():
            problems.append(
                problem_at(
                    doc,
                    loc,
                    f"the crisis message for {category!r} ({lang}, {country}) "
                    f"asks a question before it gives {number}; never ask "
                    "before giving the number (SAFETY.md): make this opener "
                    "a statement",
                )
            )
    return problems


_PHONE = re.compile(r"\+?\d[\d -]*\d")


def check_helplines(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["safety/helplines.yaml"]
    problems = []
    for country in COUNTRIES:
        if country not in content.helplines.countries:
            problems.append(
                problem_at(
                    doc,
                    ["countries"],
                    f"the help lines of {country} are missing; the bot "
                    f"serves coachees in {' and '.join(COUNTRIES)}, so add "
                    f"`{country}:` with crisis, talk, emergency and "
                    "gp_after_hours (numbers in shared/SAFETY.md)",
                )
            )
            continue
        lines = content.helplines.countries[country]  # type: ignore[index]
        for service in ("crisis", "talk", "emergency", "violence"):
            if not getattr(lines, service).phone:
                problems.append(
                    problem_at(
                        doc,
                        ["countries", country, service],
                        f"{country} {service} has no `phone:`; crisis "
                        "messages give it, so add the number as it is "
                        "dialled",
                    )
                )
        if lines.emergency.phone and lines.emergency.phone != EMERGENCY_NUMBER:
            problems.append(
                problem_at(
                    doc,
                    ["countries", country, "emergency", "phone"],
                    f"the emergency number in {country} is "
                    f"{EMERGENCY_NUMBER}, not {lines.emergency.phone}",
                )
            )
        for service in ("crisis", "talk", "emergency", "gp_after_hours", "violence"):
            line = getattr(lines, service)
            for field in ("phone", "phone_alt"):
                number = getattr(line, field)
                if number and not _PHONE.fullmatch(number):
                    problems.append(
                        problem_at(
                            doc,
                            ["countries", country, service, field],
                            f"{country} {service} {field} {number!r} is not "
                            "a phone number as it is dialled; use digits, "
                            "spaces and dashes only",
                        )
                    )
    return problems
