"""The safety rules and check-in rules: a lexicon for every language with each of its word
lists, a rule for every crisis category in every language, patterns the engine can read, every
rule matching its own examples and none of its counter-examples, and every check-in rule
holding for its examples.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.content.checks.common import LANGUAGE_NAMES, problem_at
from bot.content.loader import Content, Problem, YamlDoc
from bot.content.schema import CRISIS_CATEGORIES, LANGS

# The lexicon's word lists, each with what the engine silently stops doing for a language
# whose list is empty: so every language must have every one.
WORD_LISTS = {
    "weakeners": '"niet zo vaak" and "not so often" read as "not at all", and a thought '
    "that is there is dropped",
    "negation_cancellers": '"ik kan niet stoppen met krassen" and "I can\'t stop thinking '
    'about it" read as denials',
    "present_markers": 'history told as now ("I used to be happy now I want to die") is '
    "lowered to gp",
    "relapse": 'a gp matter said to be back ("weer", "again") can be cleared as over',
    "first_person": "a film, book or the news named first can clear the writer's own words",
    "also": '"en ik wil dat ook" and "me too" do not bring a story home',
    "own": '"ik denk er zelf ook aan" and "my own thoughts" do not bring a story home',
    "self_subject": "the writer's own crisis of the past can be called over as someone else's",
}

# The lexicon's lists of patterns (the pattern language of the rules), as opposed to words.
PATTERN_LISTS = (
    "idioms",
    "reaffirmations",
    "past_markers",
    "answered_no",
    "resolved",
    "explained",
    "stories",
    "on_purpose",
)


def check_safety_rules(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    from bot.core.safety import PatternError, pattern_problem

    doc = docs["safety/rules.yaml"]
    problems = []
    for lang in LANGS:
        if lang not in content.safety.lexicon:
            problems.append(
                problem_at(
                    doc,
                    ["lexicon"],
                    f"the lexicon has no `{lang}:` part; negations and "
                    f"idioms in {LANGUAGE_NAMES[lang]} are needed to read "
                    "texts in that language",
                )
            )
            continue
        for field, lost in WORD_LISTS.items():
            if not getattr(content.safety.lexicon[lang], field):
                problems.append(
                    problem_at(
                        doc,
                        ["lexicon", lang],
                        f"the {lang} lexicon has no `{field}`: without it {lost}; "
                        f"list the {LANGUAGE_NAMES[lang]} words (content/README.md "
                        "says what each list is for)",
                    )
                )
    for category in CRISIS_CATEGORIES:
        for lang in LANGS:
            if not any(r.category == category and r.lang == lang for r in content.safety.rules):
                problems.append(
                    problem_at(
                        doc,
                        ["rules"],
                        f"no {lang} rule has the crisis category "
                        f"{category!r}; a coachee who writes it in "
                        f"{LANGUAGE_NAMES[lang]} would get no crisis help: "
                        "add one (never delete a crisis rule to silence a "
                        "test)",
                    )
                )
    ids = [rule.id for rule in content.safety.rules]
    if len(set(ids)) != len(ids):
        return problems  # check_unique_ids names them; the engine needs unique ids
    try:
        engine = content.safety_engine
    except PatternError as error:
        unread = _pattern_problems(content, doc, pattern_problem)
        # Never "content ok" for rules the bot cannot build: if no single pattern is to
        # blame, the engine's own message is the problem.
        return problems + (unread or [problem_at(doc, ["lexicon"], str(error))])
    for lang, lexicon in content.safety.lexicon.items():
        for field in WORD_LISTS:
            for number, entry in enumerate(getattr(lexicon, field)):
                read = engine.lexicon_words(entry)
                if len(read) != 1:
                    problems.append(
                        problem_at(
                            doc,
                            ["lexicon", lang, field, number],
                            f"{lang} {field}: {entry!r} is read as "
                            f"{' '.join(read) or 'no word'!r} (after `spellings`); "
                            "this list holds single words: list the words it should "
                            "stand for, one by one",
                        )
                    )
    for index, rule in enumerate(content.safety.rules):
        for number, example in enumerate(rule.examples):
            if not engine.rule_matches(rule.id, example):
                problems.append(
                    problem_at(
                        doc,
                        ["rules", index, "examples", number],
                        f"rule {rule.id!r} no longer matches its own example "
                        f"{example!r}; widen a pattern (or add a spelling to "
                        "the lexicon) until it does; never delete the example "
                        "to pass",
                    )
                )
        for number, example in enumerate(rule.counter_examples):
            if engine.rule_matches(rule.id, example):
                problems.append(
                    problem_at(
                        doc,
                        ["rules", index, "counter_examples", number],
                        f"rule {rule.id!r} matches its counter-example "
                        f"{example!r}; narrow the pattern or add the phrase "
                        "to the lexicon's `idioms`",
                    )
                )
    return problems


def _pattern_problems(
    content: Content, doc: YamlDoc, pattern_problem: Callable[[str], str | None]
) -> list[Problem]:
    """Which patterns the engine could not read: each is tried on its own."""
    problems = []
    for index, rule in enumerate(content.safety.rules):
        for number, pattern in enumerate(rule.patterns):
            if (why := pattern_problem(pattern)) is not None:
                problems.append(
                    problem_at(
                        doc, ["rules", index, "patterns", number], f"rule {rule.id!r}: {why}"
                    )
                )
    for lang, lexicon in content.safety.lexicon.items():
        for field in PATTERN_LISTS:
            for number, pattern in enumerate(getattr(lexicon, field)):
                if (why := pattern_problem(pattern)) is not None:
                    problems.append(
                        problem_at(doc, ["lexicon", lang, field, number], f"{lang} {field}: {why}")
                    )
    return problems


def check_checkin_rules(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    rules = getattr(content, "checkin_rules", None)
    doc = docs.get("safety/checkin_rules.yaml")
    if rules is None or doc is None:
        return []
    from bot.core.checkin_rules import example_mismatches

    return [
        problem_at(doc, ["rules", m.rule_index, "examples", m.example_index], m.message)
        for m in example_mismatches(rules)
    ]
