"""The design's boundaries, checked on the source (docs: /work/shared/DESIGN.md).

- bot/core is plain Python: no telegram, tinydb, pydantic or yaml, and not bot.content (the
  loader turns content's pydantic models into core's own rule types, bot.core.rules).
- Only bot/content reads YAML.
- Handlers under bot/telegram never touch tinydb.
- bot/content imports neither bot.services nor bot.telegram (no package cycle).
- Every text id the chat layer asks for is in the UI_TEXTS table, and every id in that table
  is written in content/ui.yaml.

Imports are found by walking each file's syntax tree, so an import inside a function counts.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from bot.content.loader import Problem, UiFile, read_yaml, validate
from bot.content.ui_texts import UI_TEXTS

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
CONTENT_DIR = ROOT / "content"


def python_files(folder: Path) -> list[Path]:
    files = sorted(folder.rglob("*.py"))
    assert files, f"no Python files under {folder}"
    return files


@cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported_modules(path: Path, root: Path = ROOT) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in the file; relative imports resolved from `root`."""
    package = path.relative_to(root).with_suffix("").parts[:-1]
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:  # `from bot.storage import tinydb_store`
                yield node.lineno, f"{module}.{alias.name}"


def offenders(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in files:
        for line, module in imported_modules(path):
            if any(module == name or module.startswith(name + ".") for name in forbidden):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


def test_import_finder_sees_every_form(tmp_path):
    source = tmp_path / "bot" / "core" / "sample.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "import telegram.ext\n"
        "from tinydb import TinyDB\n"
        "def late():\n"
        "    import yaml\n"
        "from ..storage import tinydb_store\n"
    )

    modules = [m for _, m in imported_modules(source, root=tmp_path)]

    assert "telegram.ext" in modules
    assert "tinydb" in modules
    assert "yaml" in modules
    assert "bot.storage.tinydb_store" in modules


def test_core_imports_no_framework_and_not_the_content_package():
    forbidden = ("telegram", "tinydb", "pydantic", "yaml", "bot.content")
    assert offenders(python_files(BOT / "core"), forbidden) == []


def test_services_import_neither_telegram_nor_storage():
    """Use cases reach storage through the port (a unit of work) and say what to say; a
    second channel would reuse every one of them."""
    forbidden = (
        "telegram",
        "tinydb",
        "yaml",
        "pydantic",
        "bot.content.schema",
        "bot.storage",
        "bot.telegram",
    )
    assert offenders(python_files(BOT / "services"), forbidden) == []


def test_content_imports_neither_the_services_nor_telegram():
    """The services read content; `content show` runs the services from bot.services.preview,
    so a preview of content never makes a package cycle."""
    assert offenders(python_files(BOT / "content"), ("bot.services", "bot.telegram")) == []


def test_only_bot_content_reads_yaml():
    outside = [p for p in python_files(BOT) if BOT / "content" not in p.parents]

    assert offenders(outside, ("yaml",)) == []


def test_handlers_never_touch_tinydb():
    files = python_files(BOT / "telegram")

    assert offenders(files, ("tinydb", "bot.storage.tinydb_store")) == []


# --- text ids --------------------------------------------------------------------------------

# Where a text id stands in the calls the chat layer and the services make:
#   text(context, "id", lang)   reply(update, context, "id")   <anything>.text("id", lang)
#   the settings menu's _button(context, lang, "id", ...)   say("id", ...)   Text("id")
POSITIONAL = {"text": 1, "reply": 2, "_button": 2, "say": 0, "Text": 0}


def _id_argument(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "text_id":
            return keyword.value
    if isinstance(call.func, ast.Name) and call.func.id in POSITIONAL:
        index = POSITIONAL[call.func.id]
    elif isinstance(call.func, ast.Attribute) and call.func.attr == "text":
        index = 0
    else:
        return None
    return call.args[index] if len(call.args) > index else None


def _literals(node: ast.expr) -> Iterator[str]:
    """String literals, also both sides of `"a" if shared else "b"`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)


def _fstring_prefix(node: ast.expr) -> str | None:
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def text_ids_used() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Literal ids and f-string prefixes ("checkin.ack.") the chat layer and the services
    pass, with where."""
    literals: dict[str, list[str]] = {}
    prefixes: dict[str, list[str]] = {}
    for path in python_files(BOT / "telegram") + python_files(BOT / "services"):
        for node in ast.walk(tree(path)):
            if not isinstance(node, ast.Call):
                continue
            argument = _id_argument(node)
            if argument is None:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for literal in _literals(argument):
                literals.setdefault(literal, []).append(where)
            prefix = _fstring_prefix(argument)
            if prefix:
                prefixes.setdefault(prefix, []).append(where)
    return literals, prefixes


def test_the_scan_finds_the_chat_layers_texts():
    """Guards the guard: a renamed helper must not make the next test pass on nothing."""
    literals, prefixes = text_ids_used()

    assert len(literals) > 60
    assert {"checkin.energy", "reflect.later_ok", "reminder.later", "settings.back"} <= set(
        literals
    )
    assert {"reflect.shared", "reflect.private"} <= set(literals)
    assert "checkin.ack." in prefixes


def test_every_literal_text_id_is_in_the_ui_texts_table():
    literals, _ = text_ids_used()

    missing = {text_id: where for text_id, where in literals.items() if text_id not in UI_TEXTS}

    assert missing == {}


def test_every_fstring_text_id_starts_like_a_known_id():
    _, prefixes = text_ids_used()

    unknown = {
        prefix: where
        for prefix, where in prefixes.items()
        if not any(text_id.startswith(prefix) for text_id in UI_TEXTS)
    }

    assert unknown == {}


@pytest.fixture(scope="module")
def ui_file_ids() -> set[str]:
    problems: list[Problem] = []
    doc = read_yaml(CONTENT_DIR / "ui.yaml", CONTENT_DIR, problems)
    assert doc is not None and not problems, problems
    ui = validate(doc, UiFile, problems)
    assert ui is not None and not problems, problems
    return set(ui.texts)


def test_every_ui_text_id_is_written_in_content(ui_file_ids):
    assert sorted(set(UI_TEXTS) - ui_file_ids) == []


def test_jobs_are_found_by_id_never_by_scanning_every_job():
    """JobQueue.get_jobs_by_name walks every job: with thousands of coachees start-up and
    /delete turn quadratic. Names (= ids) are built in bot/telegram/job_names.py."""
    scans = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in python_files(BOT)
        for node in ast.walk(tree(path))
        if isinstance(node, ast.Attribute) and node.attr == "get_jobs_by_name"
    ]
    assert scans == []


def test_test_file_names_are_unique_across_folders():
    """The test folders are not packages: two files of one name cannot both be collected
    ("import file mismatch"), and the whole suite stops at collection."""
    names: dict[str, list[str]] = {}
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        if "node_modules" not in path.parts:
            names.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert {name: paths for name, paths in names.items() if len(paths) > 1} == {}
