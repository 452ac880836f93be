"""Cross-file content checks that a schema alone cannot express.

Each check takes the loaded Content and the parsed documents (for line numbers) and returns
problems. `content check`, `run` and /reload all run every check.
"""

from __future__ import annotations

from collections import Counter

from bot.content.loader import Content, Problem, YamlDoc
from bot.content.schema import PHASE_IDS, Text
from bot.content.ui_texts import UI_TEXTS

MIN_PROMPTS_PER_PHASE = 5
ESCALATION_PLACEHOLDERS = {
    "crisis_name",
    "crisis_phone",
    "crisis_phone_alt",
    "crisis_web",
    "talk_name",
    "talk_phone",
    "emergency_phone",
    "gp_after_hours",
}


def _duplicates(doc: YamlDoc | None, key: str, kind: str) -> list[Problem]:
    if doc is None or not isinstance(doc.data, dict):
        return []
    items = doc.data.get(key) or []
    seen = Counter(item.get("id") for item in items if isinstance(item, dict))
    return [
        Problem(doc.display, doc.line_of([key, index, "id"]),
                f"{kind} id {item['id']!r} is used {seen[item['id']]} times; ids must be unique")
        for index, item in enumerate(items)
        if isinstance(item, dict) and seen[item.get("id")] > 1
    ]


def check_unique_ids(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    return (
        _duplicates(docs.get("exercises.yaml"), "exercises", "exercise")
        + _duplicates(docs.get("prompts.yaml"), "prompts", "prompt")
        + _duplicates(docs.get("phases.yaml"), "phases", "phase")
    )


def check_phases(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["phases.yaml"]
    problems = []
    ids = [p.id for p in content.phases]
    missing = [p for p in PHASE_IDS if p not in ids]
    if missing:
        problems.append(Problem(doc.display, doc.line_of(["phases"]),
                                f"phases missing: {', '.join(missing)}; the plan has eight"))
    for index, phase in enumerate(content.phases):
        if phase.number != PHASE_IDS.index(phase.id) + 1:
            problems.append(Problem(doc.display, doc.line_of(["phases", index, "number"]),
                                    f"phase {phase.id!r} is number "
                                    f"{PHASE_IDS.index(phase.id) + 1} in the plan"))
    return problems


def check_prompts_per_phase(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["prompts.yaml"]
    counts = Counter(p.phase for p in content.prompts)
    return [
        Problem(doc.display, doc.line_of(["prompts"]),
                f"phase {phase!r} has {counts[phase]} reflection prompts; write at least "
                f"{MIN_PROMPTS_PER_PHASE}")
        for phase in PHASE_IDS
        if counts[phase] < MIN_PROMPTS_PER_PHASE
    ]


def check_exercise_timing(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["exercises.yaml"]
    problems = []
    for index, exercise in enumerate(content.exercises.values()):
        seconds = sum(step.seconds for step in exercise.steps)
        minutes = exercise.duration_minutes
        if not (minutes * 60 * 0.5 <= seconds <= minutes * 60 * 1.5 + 60):
            problems.append(Problem(doc.display, doc.line_of(["exercises", index,
                                                              "duration_minutes"]),
                                    f"exercise {exercise.id!r} says {minutes} min but its steps "
                                    f"take {seconds} s; make the two agree"))
    return problems


def _placeholder_problems(doc: YamlDoc, loc: list[object], text: Text, allowed: set[str],
                          what: str) -> list[Problem]:
    unknown = text.placeholders() - allowed
    if not unknown:
        return []
    names = ", ".join("{" + name + "}" for name in sorted(unknown))
    fillable = ", ".join("{" + name + "}" for name in sorted(allowed)) or "none"
    return [Problem(doc.display, doc.line_of(loc),
                    f"{what} uses {names}, which the bot does not fill; it fills: {fillable}")]


def check_ui_texts(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["ui.yaml"]
    problems = []
    for text_id, filled in sorted(UI_TEXTS.items()):
        if text_id not in content.texts:
            problems.append(Problem(doc.display, doc.line_of(["texts"]),
                                    f"text {text_id!r} is missing; the bot shows it "
                                    f"(placeholders it fills: {sorted(filled) or 'none'})"))
            continue
        problems += _placeholder_problems(doc, ["texts", text_id], content.texts[text_id],
                                          set(filled), f"text {text_id!r}")
    return problems


def check_escalations(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["safety/escalations.yaml"]
    escalations = content.escalations
    problems = []
    for level in ("crisis", "gp"):
        texts = getattr(escalations, level)
        problems += _placeholder_problems(doc, ["escalations", level, "body"], texts.body,
                                          ESCALATION_PLACEHOLDERS, f"the {level} body")
        for category, opener in texts.openers.items():
            problems += _placeholder_problems(doc, ["escalations", level, "openers", category],
                                              opener, ESCALATION_PLACEHOLDERS,
                                              f"the {level} opener {category!r}")
    body = escalations.crisis.body
    for lang in ("nl", "en"):
        value = body.get(lang)
        if "{crisis_phone}" not in value or not ("{emergency_phone}" in value or "112" in value):
            problems.append(Problem(doc.display, doc.line_of(["escalations", "crisis", "body",
                                                              lang]),
                                    "the crisis body must give {crisis_phone} and "
                                    "{emergency_phone} (112) in its first lines"))
    return problems


def check_questionnaires(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    problems = []
    for questionnaire in content.questionnaires.values():
        doc = next(d for d in docs.values() if isinstance(d.data, dict)
                   and d.data.get("id") == questionnaire.id and "items" in d.data)
        item_ids = [item.id for item in questionnaire.items]
        for index, item in enumerate(questionnaire.items):
            if not questionnaire.options_for(item):
                problems.append(Problem(doc.display, doc.line_of(["items", index]),
                                        f"item {item.id!r} has no answer options; give the "
                                        "questionnaire `options:` or the item its own"))
        if len(set(item_ids)) != len(item_ids):
            problems.append(Problem(doc.display, doc.line_of(["items"]),
                                    "item ids must be unique within a questionnaire"))
        per_item_max = [max((o.value for o in questionnaire.options_for(i)), default=0)
                        for i in questionnaire.items]
        if questionnaire.scoring.method == "sum":
            highest = sum(per_item_max)
        else:
            highest = max(per_item_max, default=0)
        for index, rule in enumerate(questionnaire.scoring.rules):
            loc = ["scoring", "rules", index]
            if rule.when == "total" and rule.min > highest:
                problems.append(Problem(doc.display, doc.line_of(loc + ["min"]),
                                        f"rule {rule.id!r} needs a total of {rule.min}, but "
                                        f"the highest possible is {highest}; it can never fire"))
            if rule.when == "item":
                if rule.item not in item_ids:
                    problems.append(Problem(doc.display, doc.line_of(loc + ["item"]),
                                            f"rule {rule.id!r} names item {rule.item!r}, which "
                                            f"does not exist; items: {', '.join(item_ids)}"))
                    continue
                position = item_ids.index(rule.item)
                if rule.min > per_item_max[position]:
                    problems.append(Problem(doc.display, doc.line_of(loc + ["min"]),
                                            f"rule {rule.id!r} needs {rule.min} on "
                                            f"{rule.item!r}, whose highest answer is "
                                            f"{per_item_max[position]}; it can never fire"))
        for name, subscale in questionnaire.subscales.items():
            for item in subscale.items:
                if item not in item_ids:
                    problems.append(Problem(doc.display, doc.line_of(["subscales", name]),
                                            f"subscale {name!r} names item {item!r}, which does "
                                            "not exist"))
    return problems


def check_safety_examples(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    from bot.core.safety import SafetyEngine, pattern_problem

    doc = docs["safety/rules.yaml"]
    problems = []
    for index, rule in enumerate(content.safety.rules):
        for number, pattern in enumerate(rule.patterns):
            if (why := pattern_problem(pattern)) is not None:
                problems.append(Problem(doc.display,
                                        doc.line_of(["rules", index, "patterns", number]), why))
    for lang, lexicon in content.safety.lexicon.items():
        for field in ("idioms", "reaffirmations", "past_markers"):
            for number, pattern in enumerate(getattr(lexicon, field)):
                if (why := pattern_problem(pattern)) is not None:
                    problems.append(Problem(doc.display,
                                            doc.line_of(["lexicon", lang, field, number]), why))
    if problems:
        return problems
    engine = SafetyEngine(content.safety)
    for index, rule in enumerate(content.safety.rules):
        for number, example in enumerate(rule.examples):
            if not engine.rule_matches(rule.id, example):
                problems.append(Problem(doc.display,
                                        doc.line_of(["rules", index, "examples", number]),
                                        f"rule {rule.id!r} no longer matches its own example "
                                        f"{example!r}; widen a pattern or fix the example"))
        for number, example in enumerate(rule.counter_examples):
            if engine.rule_matches(rule.id, example):
                problems.append(Problem(doc.display,
                                        doc.line_of(["rules", index, "counter_examples",
                                                     number]),
                                        f"rule {rule.id!r} matches its counter-example "
                                        f"{example!r}; narrow the pattern or add an idiom"))
    problems += _duplicates(doc, "rules", "safety rule")
    return problems


ALL_CHECKS = (
    check_unique_ids,
    check_phases,
    check_prompts_per_phase,
    check_exercise_timing,
    check_ui_texts,
    check_escalations,
    check_questionnaires,
    check_safety_examples,
)
