"""Reading YAML: libyaml's parser where PyYAML has it (a content load's parsing took a third
of `content check`), with the same nodes, lines and problems as PyYAML's own parser."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.content import loader

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "content").rglob("*.yaml")) + sorted(
    (ROOT / "tests" / "fixtures").rglob("*.yaml")
)


def nodes(node: yaml.Node | None) -> list[tuple[object, ...]]:
    """Every node with its kind, tag, value, block style and where it starts and ends."""
    if node is None:
        return []
    own = (
        type(node).__name__,
        node.tag,
        node.value if isinstance(node, yaml.ScalarNode) else None,
        node.style if isinstance(node, yaml.ScalarNode) else None,
        node.start_mark.line,
        node.start_mark.column,
        node.end_mark.line,
        node.end_mark.column,
    )
    if isinstance(node, yaml.SequenceNode):
        return [own, *(n for child in node.value for n in nodes(child))]
    if isinstance(node, yaml.MappingNode):
        return [own, *(n for k, v in node.value for n in (*nodes(k), *nodes(v)))]
    return [own]


def read_with(monkeypatch: pytest.MonkeyPatch, path: Path, fast: bool) -> loader.YamlDoc:
    if not fast:
        monkeypatch.setattr(loader, "_FastBoundedLoader", None)
    problems: list[loader.Problem] = []
    doc = loader.read_yaml(path, path.parent, problems)
    monkeypatch.undo()
    assert doc is not None and not problems, problems
    return doc


def test_pyyaml_here_has_libyaml():
    assert loader._FastBoundedLoader is not None


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_libyaml_reads_every_content_file_as_pyyaml_does(monkeypatch, path):
    fast = read_with(monkeypatch, path, fast=True)
    pure = read_with(monkeypatch, path, fast=False)
    assert fast.data == pure.data
    assert nodes(fast.root) == nodes(pure.root)


@pytest.mark.parametrize(
    "text",
    [
        "texts:\n  a: 1\n   b: 2\n",  # bad indentation
        "texts: [1, 2\n",  # a list that never closes
        "a: 'open\n",  # a quote that never closes
        "texts: " + "[" * 30 + "]" * 30 + "\n",  # too deep
        "a: b: c\n",
    ],
)
def test_a_broken_file_gets_the_problem_pyyaml_reports(monkeypatch, tmp_path, text):
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    fast: list[loader.Problem] = []
    pure: list[loader.Problem] = []
    assert loader.read_yaml(path, tmp_path, fast) is None
    monkeypatch.setattr(loader, "_FastBoundedLoader", None)
    assert loader.read_yaml(path, tmp_path, pure) is None
    assert fast == pure and len(fast) == 1
