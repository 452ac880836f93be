"""A bot start skips the content checks only for files and code that passed them before
(bot/content/passed_checks.py); `content check` always checks."""

from __future__ import annotations

import pytest
from fixture_content import fixture_copy

import bot.content.checks as checks_module
from bot.content import passed_checks
from bot.content.live import LiveContent
from bot.content.loader import ContentError, Problem


@pytest.fixture
def checks_run(monkeypatch, tmp_path) -> list[int]:
    """Counts the runs of the real checks; the record goes to a folder of this test."""
    monkeypatch.setenv("BOT_CHECKS_CACHE", str(tmp_path / "passed"))
    monkeypatch.setenv("BOT_SAFETY_ENCODER", "off")
    runs: list[int] = []
    real = list(checks_module.ALL_CHECKS)

    def first(content, docs):
        runs.append(1)
        return real[0](content, docs)

    monkeypatch.setattr(checks_module, "ALL_CHECKS", [first, *real[1:]])
    return runs


def test_a_restart_and_a_reload_of_checked_files_do_not_check_them_again(checks_run, tmp_path):
    folder = fixture_copy(tmp_path / "content")
    live = LiveContent(folder)
    assert len(checks_run) == 1
    LiveContent(folder, lazy=True)
    live.reload()
    assert len(checks_run) == 1
    assert live.safety.assess("ik wil dood", "nl").level == "crisis"


def test_a_changed_file_is_checked_again(checks_run, tmp_path):
    folder = fixture_copy(tmp_path / "content")
    LiveContent(folder)
    with (folder / "phases.yaml").open("a", encoding="utf-8") as phases:
        phases.write("\n# a maintainer's comment\n")
    LiveContent(folder)
    assert len(checks_run) == 2


def test_content_that_fails_a_check_is_never_recorded(monkeypatch, tmp_path):
    monkeypatch.setenv("BOT_CHECKS_CACHE", str(tmp_path / "passed"))
    monkeypatch.setenv("BOT_SAFETY_ENCODER", "off")
    folder = fixture_copy(tmp_path / "content")

    def failing(content, docs):
        return [Problem("phases.yaml", 1, "a problem only a check finds")]

    monkeypatch.setattr(checks_module, "ALL_CHECKS", [failing])
    for _ in range(2):  # and so it is refused again, not let through the second time
        with pytest.raises(ContentError, match="only a check finds"):
            LiveContent(folder)
    assert not (tmp_path / "passed").exists() or not any((tmp_path / "passed").iterdir())


def test_other_code_is_another_record(monkeypatch, tmp_path):
    folder = fixture_copy(tmp_path / "content")
    code = tmp_path / "code"
    code.mkdir()
    (code / "checks.py").write_text("RULE = 1\n")
    monkeypatch.setattr(passed_checks, "_PACKAGE", code)
    before = passed_checks.digest(folder)
    (code / "checks.py").write_text("RULE = 2\n")
    assert passed_checks.digest(folder) != before


def test_a_folder_that_cannot_be_written_only_means_checking_every_time(
    checks_run, monkeypatch, tmp_path
):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("BOT_CHECKS_CACHE", str(blocked / "passed"))
    folder = fixture_copy(tmp_path / "content")
    LiveContent(folder)
    LiveContent(folder)
    assert len(checks_run) == 2


def test_the_maintainers_content_check_always_checks(checks_run, tmp_path, capsys):
    from bot.__main__ import main

    folder = fixture_copy(tmp_path / "content")
    LiveContent(folder)
    assert passed_checks.passed(passed_checks.digest(folder))
    assert main(["content", "check", str(folder)]) == 0
    assert len(checks_run) == 2


def test_a_file_the_digest_cannot_read_means_checking_and_no_record(
    checks_run, monkeypatch, tmp_path
):
    from pathlib import Path

    folder = fixture_copy(tmp_path / "content")
    read_bytes = Path.read_bytes

    def unreadable_model(path):
        if path.name.endswith(".bin"):
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    (folder / "safety" / "learned-model.bin").write_bytes(b"not read by the checks")
    monkeypatch.setattr(Path, "read_bytes", unreadable_model)
    assert passed_checks.digest(folder) is None
    LiveContent(folder)
    LiveContent(folder)
    assert len(checks_run) == 2
    assert not (tmp_path / "passed").exists()
