"""`python -m bot ...` as a maintainer runs it: a real subprocess, exit codes, stdout, stderr.

`run` must refuse a bad configuration with one line and exit code 2, never a traceback and
never the token. `content check` must pass on the shipped content. `safety assess` reads JSON
lines and answers one JSON line per input, in order.

Commands other than the shipped-content check run against a copy of content/ whose safety
rules are replaced by a small fixed set (one per crisis category and language, as the checks
require): the command's contract is under test here, not the wording of the rules, which
someone may be tuning while this runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.content.schema import CRISIS_CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"
TOKEN = "987654321:AAH-very_secret-Token-do-not-print"
# Where `run` would go if a bad value ever slipped through: nowhere, and fast.
UNREACHABLE_API = "http://127.0.0.1:9/bot"
LEADS = {"nl": "proefzin", "en": "sample"}


def bot(
    *args: str, env: dict[str, str] | None = None, stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        text=True,
        capture_output=True,
        cwd=ROOT,
        env={**base, **(env or {})},
        timeout=timeout,
    )


def fixture_rules() -> dict:
    rules = []
    for lang, lead in LEADS.items():
        for category in CRISIS_CATEGORIES:
            phrase = f"{lead} {category.replace('_', ' ')}"
            rules.append(
                {
                    "id": f"fixture-{lang}-{category.replace('_', '-')}",
                    "level": "crisis",
                    "category": category,
                    "lang": lang,
                    "patterns": [phrase],
                    "examples": [phrase],
                }
            )
        rules.append(
            {
                "id": f"fixture-{lang}-alcohol",
                "level": "gp",
                "category": "alcohol",
                "lang": lang,
                "patterns": [f"{lead} drinking"],
                "examples": [f"{lead} drinking"],
                "counter_examples": [f"{lead} thinking"],
            }
        )
    return {
        "lexicon": {
            "nl": {
                "negations": ["niet", "nooit", "geen"],
                "weakeners": ["zo", "alleen"],
                "negation_cancellers": ["stoppen", "laten"],
                "present_markers": ["nu", "weer"],
                "relapse": ["weer", "opnieuw"],
                "first_person": ["ik", "me", "mijn"],
                "also": ["ook"],
                "own": ["zelf", "eigen"],
                "self_subject": ["ik"],
            },
            "en": {
                "negations": ["not", "never", "no"],
                "weakeners": ["so", "only"],
                "negation_cancellers": ["stop", "help"],
                "present_markers": ["now", "again"],
                "relapse": ["again", "relapse"],
                "first_person": ["i", "me", "my"],
                "also": ["too", "also"],
                "own": ["myself", "own"],
                "self_subject": ["i"],
            },
        },
        "rules": rules,
    }


@pytest.fixture(scope="module")
def content_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """content/ with a small, fixed set of safety rules."""
    target = tmp_path_factory.mktemp("cli") / "content"
    shutil.copytree(CONTENT_DIR, target)
    (target / "safety" / "rules.yaml").write_text(
        yaml.safe_dump(fixture_rules(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return target


# --- run ----------------------------------------------------------------------------------

RUN_CASES = {  # every bad value is in test_config.py; here, the path each one takes out
    "no token": ({}, "TELEGRAM_BOT_TOKEN"),
    "token of the wrong shape": (
        {"TELEGRAM_BOT_TOKEN": "secret-without-a-colon"},
        "TELEGRAM_BOT_TOKEN",
    ),
    "bad country": ({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_COUNTRY": "DE"}, "BOT_COUNTRY"),
    "a folder of zones": ({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_TIMEZONE": "Europe"}, "BOT_TIMEZONE"),
}


@pytest.mark.parametrize(("settings", "named"), RUN_CASES.values(), ids=RUN_CASES.keys())
def test_run_refuses_bad_settings_with_one_line_and_exit_2(
    settings: dict[str, str], named: str, tmp_path: Path
) -> None:
    env = {"TELEGRAM_API_URL": UNREACHABLE_API, "BOT_DATA_DIR": str(tmp_path / "data"), **settings}

    result = bot("run", env=env)

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and named in lines[0]
    assert result.stdout == ""
    secret = settings.get("TELEGRAM_BOT_TOKEN", "").strip()
    if secret:
        assert secret not in result.stderr + result.stdout
        assert secret.split(":")[-1] not in result.stderr + result.stdout
    assert not (tmp_path / "data").exists(), "nothing is written before the settings are good"


# --- content check ------------------------------------------------------------------------


def test_the_shipped_content_passes_its_check() -> None:
    result = bot("content", "check", str(CONTENT_DIR))

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("content ok:")


def test_content_check_reads_the_folder_from_the_environment(content_copy: Path) -> None:
    result = bot("content", "check", env={"BOT_CONTENT_DIR": str(content_copy)})

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("content ok:")
    assert f"{len(fixture_rules()['rules'])} safety rules" in result.stdout
    assert result.stderr == ""


def test_content_check_lists_problems_and_exits_1(content_copy: Path, tmp_path: Path) -> None:
    broken = tmp_path / "content"
    shutil.copytree(content_copy, broken)
    (broken / "ui.yaml").unlink()

    result = bot("content", "check", str(broken))

    assert result.returncode == 1
    assert "ui.yaml" in result.stdout
    assert "problem(s)" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


# --- safety assess ------------------------------------------------------------------------


def assess(content_dir: Path, lines: list[str]) -> subprocess.CompletedProcess[str]:
    return bot(
        "safety",
        "assess",
        "--content",
        str(content_dir),
        stdin="".join(line + "\n" for line in lines),
    )


def test_safety_assess_answers_each_line_in_order(content_copy: Path) -> None:
    requests = [
        {"text": "Sample suicidal ideation.", "lang": "en"},
        {"text": "vandaag proefzin drinking", "lang": "nl"},
        {"text": "lekker gewandeld in het bos", "lang": "nl"},
        {"text": "sample drinking, and sample self harm"},  # lang is optional
        {"text": "proefzin overdose", "lang": "nl"},
    ]
    lines = [json.dumps(r) for r in requests]
    lines.insert(2, "   ")  # blank lines are skipped, not answered

    result = assess(content_copy, lines)

    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    # Which layer decided, how sure the learned layer is, and whether to ask: added fields.
    assert all({"layer", "confidence", "ask"} <= set(a) for a in answers)
    contract = [{k: a[k] for k in ("level", "categories", "rule")} for a in answers]
    assert contract == [
        {
            "level": "crisis",
            "categories": ["suicidal_ideation"],
            "rule": "fixture-en-suicidal-ideation",
        },
        {"level": "gp", "categories": ["alcohol"], "rule": "fixture-nl-alcohol"},
        {"level": "none", "categories": [], "rule": None},
        {"level": "crisis", "categories": ["self_harm", "alcohol"], "rule": "fixture-en-self-harm"},
        {"level": "crisis", "categories": ["overdose"], "rule": "fixture-nl-overdose"},
    ]


@pytest.mark.parametrize("bad", ["not json", '{"lang": "nl"}', '["ik wil dood"]'])
def test_safety_assess_stops_at_malformed_input_with_exit_2(content_copy: Path, bad: str) -> None:
    result = assess(
        content_copy,
        ['{"text": "hallo", "lang": "nl"}', bad, '{"text": "nooit gelezen", "lang": "nl"}'],
    )

    assert result.returncode == 2
    assert len(result.stdout.splitlines()) == 1  # the good line before it was answered
    assert "line 2" in result.stderr and '"text"' in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
