"""What every kind of content check shares: naming a problem at a place in a YAML file,
walking a file's text values, and judging the placeholders of one text.

Owns: `problem_at` (a problem at a path of keys and list positions), the node walks
(`scalars`, `mapping_items`, `line_in`), `fold` (the form the wording patterns read),
`text_problems` (placeholders a text uses that the bot does not fill), the "did you mean"
suggestions, and `questionnaire_docs`. Holds no check of its own.
"""

from __future__ import annotations

import difflib
import re
import string
import unicodedata
from collections.abc import Iterator

import yaml

from bot.content.loader import Content, Problem, YamlDoc
from bot.content.schema import LANGS, Questionnaire, Text

LANGUAGE_NAMES = {"nl": "Dutch (nl)", "en": "English (en)"}


def fold(text: str) -> str:
    """Lower case, accents dropped, curly apostrophes made straight: what the patterns read."""
    text = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


def problem_at(doc: YamlDoc, loc: list[object], message: str) -> Problem:
    return Problem(doc.display, doc.line_of(loc), message)


def named(ids: list[str] | tuple[str, ...], limit: int = 12) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (", ..." if len(ids) > limit else "")


# Words editors reach for that the placeholders spell otherwise.
_SYNONYMS = {"number": "phone", "nummer": "phone", "telefoon": "phone", "naam": "name"}


def closest(name: str, candidates: list[str]) -> str:
    for word, meant in _SYNONYMS.items():
        name = name.replace(word, meant)
    match = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def mapping_items(node: yaml.Node | None) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return [(key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)]


def scalars(
    node: yaml.Node | None, path: tuple[object, ...] = ()
) -> Iterator[tuple[tuple[object, ...], yaml.ScalarNode]]:
    """Every string value in a document with its path (keys and list positions)."""
    if isinstance(node, yaml.ScalarNode):
        yield path, node
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            yield from scalars(child, (*path, index))
    else:
        for key, value in mapping_items(node):
            yield from scalars(value, (*path, key.value))


def line_in(node: yaml.ScalarNode, folded_phrase: str) -> int:
    """The line of a phrase inside a `|` block, else the line where the value starts."""
    line = node.start_mark.line + 1
    if node.style != "|":
        return line
    lines = node.value.split("\n")
    for offset in range(len(lines)):
        if folded_phrase in fold("\n".join(lines[: offset + 1])):
            return line + 1 + offset
    return line


def _format_problem(value: str) -> str | None:
    """Why str.format cannot fill this text, or None when it can."""
    try:
        fields = list(string.Formatter().parse(value))
    except ValueError:
        return (
            "has a { or } that does not close; a placeholder is a name in braces like "
            "{name}, and a brace meant as text is written twice: {{ or }}"
        )
    for _, name, _, _ in fields:
        if name is not None and not re.fullmatch(r"[a-z_]+", name):
            shown = "{" + name + "}"
            return (
                f"has the placeholder {shown}, which is not a name; placeholders are "
                "lower-case names in braces like {name}"
            )
    return None


def _placeholders(value: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(value) if name}


def text_problems(
    doc: YamlDoc, loc: list[object], text: Text, allowed: frozenset[str], what: str
) -> list[Problem]:
    """Placeholders one text uses that the code does not fill, or braces it cannot fill."""
    problems = []
    for lang in LANGS:
        value = text.get(lang)
        if not allowed:
            # Never formatted: a lone brace is shown as written; only a {name} is a mistake.
            unfilled = sorted(set(re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", value)))
            if unfilled:
                names = ", ".join("{" + name + "}" for name in unfilled)
                problems.append(
                    problem_at(
                        doc,
                        [*loc, lang],
                        f"{what} ({lang}) uses {names}, but the bot fills no "
                        "placeholders here, so the braces would be shown as "
                        "written; remove them",
                    )
                )
            continue
        if (why := _format_problem(value)) is not None:
            problems.append(problem_at(doc, [*loc, lang], f"{what} ({lang}) {why}"))
            continue
        unknown = sorted(_placeholders(value) - allowed)
        if unknown:
            names = ", ".join("{" + name + "}" for name in unknown)
            fillable = ", ".join("{" + name + "}" for name in sorted(allowed))
            fix = f"the bot fills only {fillable} here; use one of those or remove it"
            suggestion = "".join(closest(name, sorted(allowed)) for name in unknown)
            problems.append(
                problem_at(doc, [*loc, lang], f"{what} ({lang}) uses {names}{suggestion}: {fix}")
            )
    return problems


def questionnaire_docs(
    content: Content, docs: dict[str, YamlDoc]
) -> Iterator[tuple[Questionnaire, YamlDoc]]:
    for name, doc in docs.items():
        if name.startswith("questionnaires/") and isinstance(doc.data, dict):
            questionnaire = content.questionnaires.get(str(doc.data.get("id")))
            if questionnaire is not None:
                yield questionnaire, doc
