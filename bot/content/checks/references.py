"""Ids and the references between files: every exercise, prompt, phase, safety rule,
questionnaire item and questionnaire rule has an id of its own, and a prompt never shares
one with an exercise (history and `content show` tell them apart by id).
"""

from __future__ import annotations

from bot.content.checks.common import problem_at, questionnaire_docs
from bot.content.loader import Content, Problem, YamlDoc


def _duplicates(doc: YamlDoc | None, key: str, kind: str) -> list[Problem]:
    if doc is None or not isinstance(doc.data, dict):
        return []
    items = doc.data.get(key) or []
    first: dict[object, int] = {}
    problems = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or "id" not in item:
            continue
        line = doc.line_of([key, index, "id"])
        if item["id"] in first:
            problems.append(
                Problem(
                    doc.display,
                    line,
                    f"{kind} id {item['id']!r} is already used at line {first[item['id']]}; ids "
                    "must be unique: give this one a new id (never rename one that is live, "
                    "history points at it)",
                )
            )
        else:
            first[item["id"]] = line
    return problems


def check_unique_ids(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    problems = (
        _duplicates(docs.get("exercises.yaml"), "exercises", "exercise")
        + _duplicates(docs.get("prompts.yaml"), "prompts", "prompt")
        + _duplicates(docs.get("phases.yaml"), "phases", "phase")
        + _duplicates(docs.get("safety/rules.yaml"), "rules", "safety rule")
    )
    for _, doc in questionnaire_docs(content, docs):
        problems += _duplicates(doc, "items", "item")
        scoring = doc.data.get("scoring")
        if isinstance(scoring, dict):
            rules = scoring.get("rules") or []
            first: dict[object, int] = {}
            for index, rule in enumerate(rules):
                if isinstance(rule, dict) and "id" in rule:
                    line = doc.line_of(["scoring", "rules", index, "id"])
                    if rule["id"] in first:
                        problems.append(
                            Problem(
                                doc.display,
                                line,
                                f"rule id {rule['id']!r} is already used at line "
                                f"{first[rule['id']]}; give this rule its own id",
                            )
                        )
                    first.setdefault(rule["id"], line)
    ids = [p.id for p in content.prompts] + list(content.exercises)
    shared = sorted({i for i in ids if ids.count(i) > 1} & set(content.exercises))
    doc = docs["prompts.yaml"]
    for index, prompt in enumerate(content.prompts):
        if prompt.id in shared:
            problems.append(
                problem_at(
                    doc,
                    ["prompts", index, "id"],
                    f"prompt id {prompt.id!r} is also an exercise id; give "
                    "the prompt its own id so `content show` and history "
                    "can tell them apart",
                )
            )
    return problems
