"""Loads content/*.yaml into one immutable Content, or reports every problem as file:line.

Nothing outside this package reads YAML. Problems carry the file and line a maintainer
must open, and a message that says how to fix it. What the domain reads (exercises, prompts,
questionnaires, safety and check-in rules) is handed over as bot.core.rules' own types: the
pydantic models stay at this edge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from bot.content import schema
from bot.content.schema import (
    Escalations,
    Helplines,
    Model,
    Phase,
    Text,
)
from bot.core import rules
from bot.core.safety import SafetyEngine


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentError(Exception):
    """Content that must not go live; `problems` says where and why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class UiFile(Model):
    texts: dict[str, Text]


class PhasesFile(Model):
    phases: tuple[Phase, ...]


class ExercisesFile(Model):
    exercises: tuple[schema.Exercise, ...]


class PromptsFile(Model):
    prompts: tuple[schema.Prompt, ...]


class EscalationsFile(Model):
    escalations: Escalations


@dataclass(frozen=True)
class Content:
    """Everything a maintainer wrote, validated. Texts are looked up by id and language."""

    texts: MappingProxyType[str, Text]
    phases: tuple[Phase, ...]
    exercises: MappingProxyType[str, rules.Exercise]
    prompts: tuple[rules.Prompt, ...]
    safety: rules.SafetyRules
    helplines: Helplines
    escalations: Escalations
    questionnaires: MappingProxyType[str, rules.Questionnaire]
    checkin_rules: rules.CheckinRules
    source_dir: Path = field(compare=False)

    @cached_property
    def safety_engine(self) -> SafetyEngine:
        """The engine for these safety rules, built once per load when first asked for: the
        content check runs every rule's examples through it, and the bot then assesses with
        the same one (building and compiling the rules is most of a load's time)."""
        return SafetyEngine(self.safety)

    def text(self, text_id: str, lang: str, **values: object) -> str:
        template = self.texts[text_id].get(lang)
        return template.format(**values) if values else template

    def phase(self, phase_id: str) -> Phase:
        return next(p for p in self.phases if p.id == phase_id)

    def prompts_for(self, phase_id: str) -> tuple[rules.Prompt, ...]:
        return tuple(p for p in self.prompts if p.phase == phase_id)


@dataclass
class YamlDoc:
    """A parsed file with its node tree, so any path inside it can be traced to a line."""

    path: Path
    display: str
    data: Any
    root: yaml.Node | None

    def line_of(self, loc: Iterable[object]) -> int:
        node = self.root
        line = node.start_mark.line + 1 if node is not None else 1
        for part in loc:
            child = _child(node, part)
            if child is None:
                break
            key_node, node = child
            line = (key_node or node).start_mark.line + 1
        return line


def _child(node: yaml.Node | None, part: object) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return key, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return None, node.value[part]
    return None


def _display(path: Path, content_dir: Path) -> str:
    """How a file is named in problems: relative to the folder above the content folder."""
    return (
        str(path.relative_to(content_dir.parent))
        if path.is_relative_to(content_dir.parent)
        else str(path)
    )


# Limits checked before and while parsing: a 31 MB ui.yaml once took 80 s and 772 MB to load,
# and a file nested 20,000 deep crashed the parser. The shipped files are at most 7 levels
# deep; the largest, safety/rules.yaml, is about 520 KB and grows with every round of rules
# (1 MB was the limit until it passed half of that).
MAX_FILE_BYTES = 2_000_000
MAX_NESTING = 20


class _Bounded:
    """Refuses nesting deeper than MAX_NESTING at the line where it happens (PyYAML's composer
    recurses once per level, and runs out of stack long before 20,000)."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                mark = self.peek_event().start_mark  # type: ignore[attr-defined]
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested more than {MAX_NESTING} levels deep; content never needs that",
                    mark,
                )
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


class _BoundedLoader(_Bounded, yaml.SafeLoader):
    """PyYAML's safe loader, bounded: pure Python, so it works everywhere."""


def _fast_loader() -> type | None:
    """PyYAML's safe loader on libyaml's parser, bounded: the same nodes, marks and data as
    _BoundedLoader (PyYAML's own composer, constructor and resolver read libyaml's events)
    in an eighth of the time; None where PyYAML was built without libyaml."""
    try:
        from yaml.cyaml import CParser
    except ImportError:
        return None

    class FastBoundedLoader(_Bounded, Composer, SafeConstructor, Resolver, CParser):
        # CParser composes in C, where the nesting cannot be bounded: PyYAML's composer does.
        get_single_node = Composer.get_single_node
        compose_document = Composer.compose_document

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        def compose_scalar_node(self, anchor: str | None) -> yaml.ScalarNode:
            node = super().compose_scalar_node(anchor)
            node.style = node.style or None  # libyaml says "" for plain, PyYAML None
            return node

    return FastBoundedLoader


_FastBoundedLoader = _fast_loader()


def _parse(text: str, loader_class: type) -> tuple[yaml.Node | None, Any]:
    """One parse gives both the node tree (for line numbers) and the data."""
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def read_yaml(path: Path, content_dir: Path, problems: list[Problem]) -> YamlDoc | None:
    display = _display(path, content_dir)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(
                Problem(
                    display,
                    1,
                    f"this file is {size / 1_000_000:.0f} MB; a content file may be at most "
                    f"{MAX_FILE_BYTES // 1_000_000} MB (is it the right file? else split it)",
                )
            )
            return None
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(display, 1, f"cannot read the file: {exc.strerror}"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(display, line, "this line is not UTF-8 text; save the file as UTF-8")
        )
        return None
    try:
        try:
            root, data = _parse(text, _FastBoundedLoader or _BoundedLoader)
        except yaml.YAMLError:
            if _FastBoundedLoader is None:
                raise
            # A problem is reported as PyYAML's own parser words it, at the line it names.
            root, data = _parse(text, _BoundedLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        problems.append(
            Problem(
                display,
                line,
                f"this is not valid YAML ({problem}); check the indentation "
                "and quotes on this line and the one above",
            )
        )
        return None
    return YamlDoc(path, display, data, root)


def validate(doc: YamlDoc, model: type[BaseModel], problems: list[Problem]) -> Any:
    try:
        return model.model_validate(doc.data if doc.data is not None else {})
    except ValidationError as exc:
        for error in exc.errors():
            loc = [p for p in error["loc"] if not (isinstance(p, str) and p in _UNION_TAGS)]
            where = ".".join(str(p) for p in loc) or "(top level)"
            problems.append(Problem(doc.display, doc.line_of(loc), f"{where}: {_explain(error)}"))
        return None


_UNION_TAGS = {"str", "Text", "function-after[_has_default(), dict[str,Text]]"}


_LANGUAGE_NAMES = {"nl": "Dutch (nl)", "en": "English (en)"}


def _explain(error: dict[str, Any]) -> str:
    """Pydantic's message, said the way a coach editing YAML can act on it."""
    kind = error["type"]
    last = error["loc"][-1] if error["loc"] else None
    if last in _LANGUAGE_NAMES and kind in ("missing", "string_too_short"):
        state = "missing" if kind == "missing" else "empty"
        return f"the {_LANGUAGE_NAMES[last]} text is {state}; write the translation"
    if kind == "too_short" and isinstance(error.get("input"), list | tuple):
        return f"this list is empty; add at least {error['ctx'].get('min_length', 1)} item(s)"
    if kind == "missing":
        return "this field is missing; add it"
    if kind == "extra_forbidden":
        return "this field is not part of the schema; remove it or check its spelling"
    if isinstance(error.get("input"), bool) and "str" in kind:
        return (
            "YAML reads an unquoted yes/no/on/off/true/false as a yes-or-no value; "
            "put this text in quotes"
        )
    if kind == "literal_error":
        return f"{error['msg'].lower()}"
    return error["msg"]


# Files and the model each must satisfy; questionnaires/*.yaml come on top.
CONTENT_FILES: dict[str, type[BaseModel]] = {
    "ui.yaml": UiFile,
    "phases.yaml": PhasesFile,
    "exercises.yaml": ExercisesFile,
    "prompts.yaml": PromptsFile,
    "safety/rules.yaml": schema.SafetyRules,
    "safety/helplines.yaml": Helplines,
    "safety/escalations.yaml": EscalationsFile,
    "safety/checkin_rules.yaml": schema.CheckinRules,
}

Check = Callable[[Content, dict[str, YamlDoc]], list[Problem]]


def load_content(content_dir: Path | str, checks: Iterable[Check] | None = None) -> Content:
    """Load and check every content file; raise ContentError listing all problems at once."""
    from bot.content.checks import ALL_CHECKS

    content_dir = Path(content_dir).resolve()
    problems: list[Problem] = []
    docs: dict[str, YamlDoc] = {}
    models: dict[str, Any] = {}
    if not content_dir.is_dir():
        raise ContentError([Problem(str(content_dir), 1, "the content folder does not exist")])
    for name, model in CONTENT_FILES.items():
        path = content_dir / name
        if not path.exists():
            problems.append(
                Problem(
                    _display(path, content_dir),
                    1,
                    "this file is missing; every content folder has it",
                )
            )
            continue
        doc = read_yaml(path, content_dir, problems)
        if doc is not None:
            docs[name] = doc
            models[name] = validate(doc, model, problems)
    questionnaires: dict[str, schema.Questionnaire] = {}
    for path in sorted((content_dir / "questionnaires").glob("*.yaml")):
        doc = read_yaml(path, content_dir, problems)
        if doc is None:
            continue
        name = f"questionnaires/{path.name}"
        docs[name] = doc
        questionnaire = validate(doc, schema.Questionnaire, problems)
        if questionnaire is not None:
            if questionnaire.id in questionnaires:
                problems.append(
                    Problem(
                        doc.display,
                        doc.line_of(["id"]),
                        f"questionnaire id {questionnaire.id!r} is used twice",
                    )
                )
            questionnaires[questionnaire.id] = questionnaire
    if problems or any(m is None for m in models.values()):
        raise ContentError(problems)
    content = Content(
        texts=MappingProxyType(dict(models["ui.yaml"].texts)),
        phases=models["phases.yaml"].phases,
        exercises=MappingProxyType(
            {e.id: core_exercise(e) for e in models["exercises.yaml"].exercises}
        ),
        prompts=tuple(core_prompt(p) for p in models["prompts.yaml"].prompts),
        safety=core_safety_rules(models["safety/rules.yaml"]),
        helplines=models["safety/helplines.yaml"],
        escalations=models["safety/escalations.yaml"].escalations,
        questionnaires=MappingProxyType(
            {qid: core_questionnaire(q) for qid, q in questionnaires.items()}
        ),
        checkin_rules=core_checkin_rules(models["safety/checkin_rules.yaml"]),
        source_dir=content_dir,
    )
    for check in ALL_CHECKS if checks is None else checks:
        problems.extend(check(content, docs))
    if problems:
        raise ContentError(problems)
    return content


# --- from the validated models to the domain's own types (bot.core.rules) ----------------------


def core_text(text: Text) -> rules.LocalText:
    return rules.LocalText(nl=text.nl, en=text.en)


def core_exercise(exercise: schema.Exercise) -> rules.Exercise:
    return rules.Exercise(
        id=exercise.id,
        kind=exercise.kind,
        duration_minutes=exercise.duration_minutes,
        phases=exercise.phases,
        energy=exercise.energy,
        source=exercise.source,
        title=core_text(exercise.title),
        intro=core_text(exercise.intro),
        steps=tuple(
            rules.ExerciseStep(seconds=step.seconds, text=core_text(step.text))
            for step in exercise.steps
        ),
        outro=core_text(exercise.outro),
    )


def core_prompt(prompt: schema.Prompt) -> rules.Prompt:
    return rules.Prompt(id=prompt.id, phase=prompt.phase, text=core_text(prompt.text))


def core_safety_rules(safety: schema.SafetyRules) -> rules.SafetyRules:
    return rules.SafetyRules(
        lexicon={
            lang: rules.SafetyLexicon(
                negations=lexicon.negations,
                weakeners=lexicon.weakeners,
                negation_cancellers=lexicon.negation_cancellers,
                reaffirmations=lexicon.reaffirmations,
                past_markers=lexicon.past_markers,
                present_markers=lexicon.present_markers,
                answered_no=lexicon.answered_no,
                resolved=lexicon.resolved,
                relapse=lexicon.relapse,
                explained=lexicon.explained,
                stories=lexicon.stories,
                first_person=lexicon.first_person,
                also=lexicon.also,
                own=lexicon.own,
                self_subject=lexicon.self_subject,
                plain_answers=lexicon.plain_answers,
                idioms=lexicon.idioms,
                on_purpose=lexicon.on_purpose,
                spellings=dict(lexicon.spellings),
                clause_breaks=lexicon.clause_breaks,
            )
            for lang, lexicon in safety.lexicon.items()
        },
        rules=tuple(core_safety_rule(rule) for rule in safety.rules),
    )


def core_safety_rule(rule: schema.SafetyRule) -> rules.SafetyRule:
    return rules.SafetyRule(
        id=rule.id,
        level=rule.level,
        category=rule.category,
        lang=rule.lang,
        patterns=rule.patterns,
        examples=rule.examples,
        counter_examples=rule.counter_examples,
    )


def _core_options(options: Iterable[schema.AnswerOption]) -> tuple[rules.AnswerOption, ...]:
    return tuple(
        rules.AnswerOption(value=option.value, text=core_text(option.text)) for option in options
    )


def core_questionnaire(questionnaire: schema.Questionnaire) -> rules.Questionnaire:
    scoring = questionnaire.scoring
    return rules.Questionnaire(
        id=questionnaire.id,
        title=core_text(questionnaire.title),
        source=questionnaire.source,
        licence=questionnaire.licence,
        intro=core_text(questionnaire.intro),
        options=_core_options(questionnaire.options),
        items=tuple(
            rules.QuestionnaireItem(
                id=item.id,
                text=core_text(item.text),
                options=None if item.options is None else _core_options(item.options),
            )
            for item in questionnaire.items
        ),
        subscales={
            name: rules.Subscale(label=core_text(subscale.label), items=subscale.items)
            for name, subscale in questionnaire.subscales.items()
        },
        scoring=rules.Scoring(
            method=scoring.method,
            bands=tuple(
                rules.ScoreBand(min=band.min, label=core_text(band.label)) for band in scoring.bands
            ),
            rules=tuple(
                rules.ScoreRule(
                    id=rule.id,
                    when=rule.when,
                    item=rule.item,
                    min=rule.min,
                    level=rule.level,
                    category=rule.category,
                )
                for rule in scoring.rules
            ),
        ),
    )


def core_checkin_rules(checkin_rules: schema.CheckinRules) -> rules.CheckinRules:
    return rules.CheckinRules(rules=tuple(core_checkin_rule(rule) for rule in checkin_rules.rules))


def core_checkin_rule(rule: schema.CheckinRule) -> rules.CheckinRule:
    return rules.CheckinRule(
        id=rule.id,
        kind=rule.kind,
        metric=rule.metric,
        window_days=rule.window_days,
        min_checkins=rule.min_checkins,
        threshold=rule.threshold,
        share=rule.share,
        min_coaching_days=rule.min_coaching_days,
        min_improvement=rule.min_improvement,
        compare_days=rule.compare_days,
        level=rule.level,
        category=rule.category,
        examples=tuple(
            rules.CheckinRuleExample(
                days=example.days, coaching_days=example.coaching_days, fires=example.fires
            )
            for example in rule.examples
        ),
    )
