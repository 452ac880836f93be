"""content/README.md's examples are valid content: a maintainer may copy any of them."""

from __future__ import annotations

import re
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from bot.content.loader import (
    EscalationsFile,
    ExercisesFile,
    PhasesFile,
    PromptsFile,
    UiFile,
    core_checkin_rules,
    core_safety_rule,
    load_content,
)
from bot.content.schema import (
    CheckinRules,
    Helplines,
    Questionnaire,
    SafetyLexicon,
    SafetyRule,
    Text,
)
from bot.core.checkin_rules import example_mismatches
from bot.core.safety import SafetyEngine

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
README = CONTENT_DIR / "README.md"


def yaml_examples() -> list[object]:
    blocks = re.findall(r"^( *)```yaml\n(.*?)^\1```", README.read_text(), re.DOTALL | re.M)
    return [yaml.safe_load(textwrap.dedent(body)) for _, body in blocks]


def model_for(example: dict) -> type[BaseModel] | None:
    keys = set(example)
    if keys == {"nl", "en"}:
        return Text
    if "id" in keys and "items" in keys:
        return Questionnaire
    return {
        "texts": UiFile,
        "phases": PhasesFile,
        "exercises": ExercisesFile,
        "prompts": PromptsFile,
        "countries": Helplines,
        "escalations": EscalationsFile,
    }.get(next(iter(example)))


EXAMPLES = yaml_examples()


def test_the_readme_has_an_example_of_every_kind():
    kinds = {next(iter(e)) for e in EXAMPLES if isinstance(e, dict)}
    assert {
        "texts",
        "phases",
        "exercises",
        "prompts",
        "rules",
        "lexicon",
        "countries",
        "escalations",
        "id",
    } <= kinds


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: next(iter(e)))
def test_every_example_fits_the_schema(example):
    if "rules" in example:
        rules = example["rules"]
        if "kind" in rules[0]:
            CheckinRules.model_validate(example)
        else:
            for rule in rules:
                SafetyRule.model_validate(rule)
        return
    if "lexicon" in example:
        for lexicon in example["lexicon"].values():
            SafetyLexicon.model_validate(lexicon)
        return
    model = model_for(example)
    assert model is not None, f"no model for an example with keys {sorted(example)}"
    model.model_validate(example)


def test_the_safety_rule_example_matches_its_examples_with_the_shipped_lexicon():
    shipped = load_content(CONTENT_DIR, checks=())
    rule = SafetyRule.model_validate(
        next(e for e in EXAMPLES if "rules" in e and "patterns" in e["rules"][0])["rules"][0]
    )
    engine = SafetyEngine(replace(shipped.safety, rules=(core_safety_rule(rule),)))
    assert all(engine.rule_matches(rule.id, text) for text in rule.examples)
    assert not any(engine.rule_matches(rule.id, text) for text in rule.counter_examples)


def test_the_checkin_rule_example_agrees_with_its_examples():
    rules = CheckinRules.model_validate(
        next(e for e in EXAMPLES if "rules" in e and "kind" in e["rules"][0])
    )
    assert example_mismatches(core_checkin_rules(rules)) == []
