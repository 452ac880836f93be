"""The loader hands the domain its own types (bot.core.rules), with everything content says.

Each converted value is compared with the validated pydantic model it came from, field by
field and all the way down: a field added to the schema and forgotten in the core type or in
the conversion fails here, not in a coachee's chat.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.content import schema
from bot.content.loader import (
    CONTENT_FILES,
    Content,
    Problem,
    read_yaml,
    validate,
)
from bot.core import rules

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


def differences(core: object, model: object, where: str = "") -> list[str]:
    """Where a core value and the pydantic value it was made from differ."""
    if isinstance(model, BaseModel):
        if not dataclasses.is_dataclass(core) or type(core).__module__ != rules.__name__:
            return [f"{where or 'top'}: {type(core).__name__} is not a bot.core.rules type"]
        names = set(type(model).model_fields)
        core_names = {f.name for f in dataclasses.fields(core)}
        if names != core_names:
            return [f"{where}: fields {sorted(names ^ core_names)} are on one side only"]
        return [
            found
            for name in sorted(names)
            for found in differences(getattr(core, name), getattr(model, name), f"{where}.{name}")
        ]
    if isinstance(model, tuple):
        if not isinstance(core, tuple) or len(core) != len(model):
            return [f"{where}: {core!r} is not {model!r}"]
        return [
            found
            for index, (c, m) in enumerate(zip(core, model, strict=True))
            for found in differences(c, m, f"{where}[{index}]")
        ]
    if isinstance(model, Mapping):
        if not isinstance(core, Mapping) or set(core) != set(model):
            return [f"{where}: keys {core!r} are not {model!r}"]
        return [found for key in model for found in differences(core[key], model[key], where)]
    if type(core) is not type(model) or core != model:
        return [f"{where}: {core!r} is not {model!r}"]
    return []


def validated(name: str) -> BaseModel:
    problems: list[Problem] = []
    doc = read_yaml(CONTENT_DIR / name, CONTENT_DIR, problems)
    assert doc is not None and not problems, problems
    model = validate(doc, CONTENT_FILES.get(name, schema.Questionnaire), problems)
    assert model is not None and not problems, problems
    return model


def test_exercises_and_prompts_are_core_types_with_every_field(content: Content):
    exercises = validated("exercises.yaml").exercises  # type: ignore[attr-defined]
    prompts = validated("prompts.yaml").prompts  # type: ignore[attr-defined]

    assert differences(tuple(content.exercises.values()), exercises) == []
    assert differences(content.prompts, prompts) == []
    assert list(content.exercises) == [e.id for e in exercises]


def test_safety_and_checkin_rules_are_core_types_with_every_field(content: Content):
    assert differences(content.safety, validated("safety/rules.yaml")) == []
    assert differences(content.checkin_rules, validated("safety/checkin_rules.yaml")) == []


@pytest.mark.parametrize("path", sorted((CONTENT_DIR / "questionnaires").glob("*.yaml")))
def test_questionnaires_are_core_types_with_every_field(content: Content, path: Path):
    model = validated(f"questionnaires/{path.name}")

    assert differences(content.questionnaires[model.id], model) == []  # type: ignore[attr-defined]


def test_the_comparison_sees_a_missing_or_changed_field():
    """Guards the guard: a difference must not pass unseen."""
    text = schema.Text(nl="Adem in", en="Breathe in")
    prompt = schema.Prompt(id="p", phase="recovery", text=text)

    same = rules.Prompt(
        id="p", phase="recovery", text=rules.LocalText(nl="Adem in", en="Breathe in")
    )
    changed = dataclasses.replace(same, text=rules.LocalText(nl="Adem uit", en="Breathe in"))

    assert differences(same, prompt) == []
    assert differences(changed, prompt) == [".text.nl: 'Adem uit' is not 'Adem in'"]
    assert differences(prompt, prompt) == ["top: Prompt is not a bot.core.rules type"]


def test_core_texts_read_like_content_texts():
    text = rules.LocalText(nl="Hoi {name}", en="Hi {name}")

    assert text.get("nl") == "Hoi {name}"
    assert text.get("en") == "Hi {name}"
    assert text.placeholders() == {"name"}
