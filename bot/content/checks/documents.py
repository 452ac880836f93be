"""Checks on the YAML documents themselves, before their meaning: a key written twice (YAML
silently keeps the last) and a translation of only spaces (the schema lets it pass).
"""

from __future__ import annotations

import yaml

from bot.content.checks.common import LANGUAGE_NAMES, mapping_items, scalars
from bot.content.loader import Content, Problem, YamlDoc
from bot.content.schema import LANGS


def check_duplicate_keys(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """YAML keeps only the last of two equal keys, silently: a text written twice is lost."""
    problems = []

    def walk(node: yaml.Node | None) -> None:
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                walk(child)
        elif isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in mapping_items(node):
                line = key.start_mark.line + 1
                if key.value in first:
                    problems.append(
                        Problem(
                            doc.display,
                            line,
                            f"{key.value!r} is written twice here (first at line "
                            f"{first[key.value]}); YAML keeps only the last one and drops the "
                            "other without a word: remove one, or give it another name",
                        )
                    )
                else:
                    first[key.value] = line
                walk(value)

    for doc in docs.values():
        walk(doc.root)
    return problems


def check_blank_texts(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """A translation of only spaces passes the schema but shows the coachee nothing."""
    problems = []
    for doc in docs.values():
        for path, node in scalars(doc.root):
            if path and path[-1] in LANGS and node.tag.endswith(":str") and not node.value.strip():
                problems.append(
                    Problem(
                        doc.display,
                        node.start_mark.line + 1,
                        f"the {LANGUAGE_NAMES[str(path[-1])]} text here is blank; write the "
                        "translation between the quotes",
                    )
                )
    return problems
