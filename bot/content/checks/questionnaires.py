"""Questionnaires: answer values the buttons can carry, bands and rules that someone can
reach (and not everyone reaches), rule categories an escalation knows, and subscales and
rules that name items the questionnaire has.
"""

from __future__ import annotations

from statistics import fmean

from bot.content.checks.common import closest, named, problem_at, questionnaire_docs
from bot.content.loader import Content, Problem, YamlDoc
from bot.content.schema import CRISIS_CATEGORIES, GP_CATEGORIES, Questionnaire

QUESTIONNAIRE_CATEGORY = "questionnaire"


def check_questionnaires(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    problems = []
    for questionnaire, doc in questionnaire_docs(content, docs):
        problems += _questionnaire_problems(questionnaire, doc)
    return problems


def _questionnaire_problems(q: Questionnaire, doc: YamlDoc) -> list[Problem]:
    problems = []
    item_ids = [item.id for item in q.items]
    for index, item in enumerate(q.items):
        options = q.options_for(item)
        if not options:
            problems.append(
                problem_at(
                    doc,
                    ["items", index],
                    f"item {item.id!r} has no answer options; give the "
                    "questionnaire `options:` or this item its own",
                )
            )
            continue
        where = ["items", index, "options"] if item.options else ["options"]
        values = [o.value for o in options]
        for number, value in enumerate(values):
            if not 0 <= value <= 9:
                problems.append(
                    problem_at(
                        doc,
                        [*where, number, "value"],
                        f"answer value {value} of {item.id!r} cannot be "
                        "carried by the answer buttons, which hold one digit "
                        "per answer: use values 0 to 9",
                    )
                )
            if values.index(value) != number:
                problems.append(
                    problem_at(
                        doc,
                        [*where, number, "value"],
                        f"answer value {value} is given twice for "
                        f"{item.id!r}; each answer needs its own value",
                    )
                )
    if any(not q.options_for(item) for item in q.items):
        return problems

    highs = [max(o.value for o in q.options_for(item)) for item in q.items]
    lows = [min(o.value for o in q.options_for(item)) for item in q.items]
    combine = sum if q.scoring.method == "sum" else fmean
    highest, lowest = combine(highs), combine(lows)
    score = "total" if q.scoring.method == "sum" else "mean score"
    shown = f"{highest:g}" if q.scoring.method == "sum" else f"{highest:.2f}"

    for index, band in enumerate(q.scoring.bands):
        if band.min > highest:
            problems.append(
                problem_at(
                    doc,
                    ["scoring", "bands", index, "min"],
                    f"band {index + 1} starts at {band.min:g}, but the "
                    f"highest possible {score} is {shown}; nobody ever "
                    "gets it: lower `min` or remove the band",
                )
            )
    mins = [band.min for band in q.scoring.bands]
    for index, value in enumerate(mins):
        if value in mins[:index]:
            problems.append(
                problem_at(
                    doc,
                    ["scoring", "bands", index, "min"],
                    f"two bands start at {value:g}; only one of them can be "
                    "shown: give each band its own `min`",
                )
            )
    if mins and min(mins) > lowest:
        problems.append(
            problem_at(
                doc,
                ["scoring", "bands"],
                f"the lowest band starts at {min(mins):g}, but a {score} can "
                f"be as low as {lowest:g}; those coachees see no result "
                f"text: start the first band at `min: {lowest:g}`",
            )
        )

    for index, rule in enumerate(q.scoring.rules):
        loc: list[object] = ["scoring", "rules", index]
        allowed = CRISIS_CATEGORIES if rule.level == "crisis" else GP_CATEGORIES
        if rule.level != "none" and rule.category not in (*allowed, QUESTIONNAIRE_CATEGORY):
            problems.append(
                problem_at(
                    doc,
                    [*loc, "category"],
                    f"rule {rule.id!r}: {rule.category!r} is not a "
                    f"{rule.level} category"
                    f"{closest(rule.category, list(allowed))}; use one of: "
                    f"{', '.join((*allowed, QUESTIONNAIRE_CATEGORY))}",
                )
            )
        if rule.when == "total":
            if rule.item:
                problems.append(
                    problem_at(
                        doc,
                        [*loc, "item"],
                        f"rule {rule.id!r} has `when: total`, so `item:` "
                        "has no effect; remove it, or write `when: item`",
                    )
                )
            if rule.min > highest:
                problems.append(
                    problem_at(
                        doc,
                        [*loc, "min"],
                        f"rule {rule.id!r} needs a {score} of {rule.min:g}, "
                        f"but the highest possible is {shown}; it can never "
                        "fire: lower `min`",
                    )
                )
            elif rule.min <= lowest:
                problems.append(
                    problem_at(
                        doc,
                        [*loc, "min"],
                        f"rule {rule.id!r} needs a {score} of {rule.min:g}, "
                        f"which every answer reaches (the lowest possible is "
                        f"{lowest:g}); it would fire for everyone: raise "
                        "`min`",
                    )
                )
            continue
        if rule.item not in item_ids:
            problems.append(
                problem_at(
                    doc,
                    [*loc, "item"],
                    f"rule {rule.id!r} names item {rule.item!r}, which this "
                    f"questionnaire does not have"
                    f"{closest(str(rule.item), item_ids)}; items: "
                    f"{named(item_ids)}",
                )
            )
            continue
        position = item_ids.index(rule.item)
        if rule.min > highs[position]:
            problems.append(
                problem_at(
                    doc,
                    [*loc, "min"],
                    f"rule {rule.id!r} needs {rule.min:g} on {rule.item!r}, "
                    f"whose highest answer is {highs[position]}; it can never "
                    "fire: lower `min`",
                )
            )
        elif rule.min <= lows[position]:
            problems.append(
                problem_at(
                    doc,
                    [*loc, "min"],
                    f"rule {rule.id!r} needs {rule.min:g} on {rule.item!r}, "
                    f"which every answer reaches (the lowest is "
                    f"{lows[position]}); it would fire for everyone: raise "
                    "`min`",
                )
            )

    for name, subscale in q.subscales.items():
        for number, item in enumerate(subscale.items):
            if item not in item_ids:
                problems.append(
                    problem_at(
                        doc,
                        ["subscales", name, "items", number],
                        f"subscale {name!r} names item {item!r}, which this "
                        f"questionnaire does not have"
                        f"{closest(item, item_ids)}; items: "
                        f"{named(item_ids)}",
                    )
                )
            elif subscale.items.index(item) != number:
                problems.append(
                    problem_at(
                        doc,
                        ["subscales", name, "items", number],
                        f"subscale {name!r} names {item!r} twice; remove one",
                    )
                )
    return problems
