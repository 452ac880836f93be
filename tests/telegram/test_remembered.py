"""The remembered language and country are what was last stored, whichever way it was."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rig import profile

from bot.storage.memory import InMemoryRepository
from bot.telegram.remembered import RememberingRepository


def remembering() -> tuple[RememberingRepository, dict[int, tuple[str, str]]]:
    known: dict[int, tuple[str, str]] = {}
    return RememberingRepository(InMemoryRepository(), known), known


def test_a_read_a_save_and_a_unit_of_work_are_each_remembered():
    repo, known = remembering()
    repo.inner.save_profile(profile(1))  # stored by someone else: not known yet
    assert known == {}

    repo.load_profile(1)
    assert known == {1: ("nl", "BE")}
    repo.save_profile(replace(profile(1), country="NL"))
    assert known == {1: ("nl", "NL")}
    with repo.unit_of_work(1) as coachee:
        coachee.save_profile(replace(profile(1), lang="en", country="NL"))
    assert known == {1: ("en", "NL")}


def test_a_unit_of_work_that_fails_changes_nothing_remembered():
    repo, known = remembering()
    repo.save_profile(profile(1))
    with pytest.raises(RuntimeError), repo.unit_of_work(1) as coachee:
        coachee.save_profile(replace(profile(1), country="NL"))
        raise RuntimeError("mid-way")
    assert known == {1: ("nl", "BE")}
    assert repo.load_profile(1).country == "BE"


def test_an_erasure_or_a_missing_profile_is_forgotten():
    repo, known = remembering()
    repo.save_profile(profile(1))
    repo.erase(1)
    assert known == {}
    repo.save_profile(profile(2))
    repo.inner.erase(2)
    repo.load_profile(2)
    assert known == {}
