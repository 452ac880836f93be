"""Choosing what to offer, on the shipped exercises and prompts.

Only exercises.yaml and prompts.yaml are loaded (through the content package's own reader and
models), so these tests do not depend on the safety rules being mid-edit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.content.loader import (
    ExercisesFile,
    Problem,
    PromptsFile,
    core_exercise,
    core_prompt,
    read_yaml,
    validate,
)
from bot.content.schema import PHASE_IDS
from bot.core.models import ExerciseLog, Reflection
from bot.core.practice import (
    RUN_ID_CHARS,
    end_of_run,
    grounding_exercise,
    new_run,
    next_prompt,
    run_ended,
    step_is_due,
    suggest_exercises,
)
from bot.core.rules import Exercise, ExerciseStep, LocalText, Prompt

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
NOW = datetime(2026, 3, 30, 20, 0, tzinfo=UTC)


def load(name: str, model: type) -> object:
    problems: list[Problem] = []
    doc = read_yaml(CONTENT_DIR / name, CONTENT_DIR, problems)
    assert doc is not None and not problems, problems
    loaded = validate(doc, model, problems)
    assert loaded is not None and not problems, problems
    return loaded


@pytest.fixture(scope="module")
def exercises() -> tuple[Exercise, ...]:
    loaded = load("exercises.yaml", ExercisesFile).exercises  # type: ignore[attr-defined]
    return tuple(core_exercise(e) for e in loaded)


@pytest.fixture(scope="module")
def prompts() -> tuple[Prompt, ...]:
    loaded = load("prompts.yaml", PromptsFile).prompts  # type: ignore[attr-defined]
    return tuple(core_prompt(p) for p in loaded)


def reflection(prompt_id: str, days_ago: float) -> Reflection:
    at = NOW - timedelta(days=days_ago)
    return Reflection(prompt_id=prompt_id, at=at, local_date=at.date(), answer="...")


def exercise(
    id: str,
    kind: str = "breathing",
    minutes: int = 3,
    phases=("recovery",),
    energy: str | None = None,
) -> Exercise:
    text = LocalText(nl="x", en="x")
    return Exercise(
        id=id,
        kind=kind,
        duration_minutes=minutes,
        phases=phases,
        energy=energy,
        source="",
        title=text,
        intro=text,
        steps=(ExerciseStep(seconds=30, text=text),),
        outro=text,
    )


# --- suggest_exercises ---------------------------------------------------------------------


def test_shipped_content_has_what_the_rules_need(exercises):
    assert len(exercises) > 6
    assert any(e.energy == "low" for e in exercises)
    assert any(e.energy is None for e in exercises)
    assert any(e.kind == "grounding" for e in exercises)


@pytest.mark.parametrize("phase", PHASE_IDS)
def test_exercises_of_the_phase_come_before_the_rest(exercises, phase):
    offered = suggest_exercises(exercises, phase, limit=len(exercises))

    fits = [phase in e.phases for e in offered]
    assert fits == sorted(fits, reverse=True)  # all True, then all False
    assert sorted(e.id for e in offered) == sorted(e.id for e in exercises)


def test_within_the_phase_the_shortest_come_first(exercises):
    offered = suggest_exercises(exercises, "recovery", limit=len(exercises))
    in_phase = [e.duration_minutes for e in offered if "recovery" in e.phases]

    assert in_phase == sorted(in_phase)


@pytest.mark.parametrize("phase", PHASE_IDS)
def test_on_a_low_day_restorative_exercises_come_first(exercises, phase):
    offered = suggest_exercises(exercises, phase, low_energy=True, limit=len(exercises))

    low = [e.energy == "low" for e in offered]
    assert low == sorted(low, reverse=True)
    restorative = [e for e in offered if e.energy == "low"]
    fits = [phase in e.phases for e in restorative]
    assert fits == sorted(fits, reverse=True)  # the phase's restorative ones first


def test_low_day_offer_for_the_checkin_is_restorative_in_every_phase(exercises):
    """The check-in acknowledgement promises a short restorative exercise (limit=1)."""
    for phase in PHASE_IDS:
        [offer] = suggest_exercises(exercises, phase, low_energy=True, limit=1)
        assert offer.energy == "low", phase


def test_limit_is_honoured(exercises):
    assert len(suggest_exercises(exercises, "coping")) == 6
    assert len(suggest_exercises(exercises, "coping", limit=3)) == 3
    assert suggest_exercises(exercises, "coping", limit=0) == []
    assert suggest_exercises([], "coping") == []


def test_ranking_on_made_up_exercises():
    long_in_phase = exercise("long-in-phase", minutes=10, phases=("coping",))
    short_in_phase = exercise("short-in-phase", minutes=2, phases=("coping",))
    low_elsewhere = exercise("low-elsewhere", minutes=5, phases=("recovery",), energy="low")
    low_in_phase = exercise("low-in-phase", minutes=8, phases=("coping",), energy="low")
    pool = [long_in_phase, low_elsewhere, short_in_phase, low_in_phase]

    normal = [e.id for e in suggest_exercises(pool, "coping")]
    low = [e.id for e in suggest_exercises(pool, "coping", low_energy=True)]

    assert normal == ["short-in-phase", "low-in-phase", "long-in-phase", "low-elsewhere"]
    assert low == ["low-in-phase", "low-elsewhere", "short-in-phase", "long-in-phase"]


# --- grounding_exercise --------------------------------------------------------------------


def test_grounding_is_the_shortest_grounding_exercise(exercises):
    chosen = grounding_exercise(exercises)

    assert chosen is not None
    assert chosen.kind == "grounding"
    assert chosen.duration_minutes == min(
        e.duration_minutes for e in exercises if e.kind == "grounding"
    )


def test_grounding_ignores_shorter_exercises_of_other_kinds():
    breathing = exercise("sigh", kind="breathing", minutes=1)
    grounding = exercise("feet", kind="grounding", minutes=4)

    assert grounding_exercise([breathing, grounding]) == grounding


def test_no_grounding_exercise_is_none(exercises):
    assert grounding_exercise([e for e in exercises if e.kind != "grounding"]) is None
    assert grounding_exercise([]) is None


# --- next_prompt ---------------------------------------------------------------------------


@pytest.fixture
def phase_prompts(prompts) -> tuple[Prompt, ...]:
    mine = tuple(p for p in prompts if p.phase == "recovery")
    assert len(mine) >= 3
    return mine


def test_first_prompt_when_nothing_was_answered(phase_prompts):
    assert next_prompt(phase_prompts, []) == phase_prompts[0]


def test_never_answered_prompts_come_first_in_content_order(phase_prompts):
    answered = [reflection(phase_prompts[0].id, 1)]

    assert next_prompt(phase_prompts, answered) == phase_prompts[1]


def test_when_all_were_answered_the_least_recent_comes_back(phase_prompts):
    ages = {p.id: 1 + i for i, p in enumerate(phase_prompts)}  # the last one is the oldest
    answered = [reflection(pid, age) for pid, age in ages.items()]

    assert next_prompt(phase_prompts, answered) == phase_prompts[-1]


def test_a_prompt_answered_again_recently_counts_as_recent(phase_prompts):
    first, second, *rest = phase_prompts
    answered = [reflection(p.id, 5) for p in rest]
    # the first prompt: answered long ago and again yesterday; given newest first on purpose
    answered += [reflection(first.id, 1), reflection(first.id, 30), reflection(second.id, 10)]

    assert next_prompt(phase_prompts, answered) == second


def test_answers_to_other_phases_do_not_count(phase_prompts, prompts):
    other = next(p for p in prompts if p.phase != "recovery")

    assert next_prompt(phase_prompts, [reflection(other.id, 1)]) == phase_prompts[0]


def test_skip_is_honoured(phase_prompts):
    skip = [phase_prompts[0].id, phase_prompts[1].id]

    assert next_prompt(phase_prompts, [], skip=skip) == phase_prompts[2]


def test_skip_beats_never_answered(phase_prompts):
    """ "Another question": the one on screen is skipped even if it was never answered."""
    answered = [reflection(p.id, 3) for p in phase_prompts[1:]]

    chosen = next_prompt(phase_prompts, answered, skip=[phase_prompts[0].id])

    assert chosen is not None and chosen.id != phase_prompts[0].id


def test_everything_skipped_falls_back_to_all_prompts(phase_prompts):
    answered = [reflection(p.id, 1 + i) for i, p in enumerate(phase_prompts)]

    chosen = next_prompt(phase_prompts, answered, skip=[p.id for p in phase_prompts])

    assert chosen == phase_prompts[-1]


def test_no_prompts_no_prompt():
    assert next_prompt([], []) is None
    assert next_prompt([], [], skip=["x"]) is None


def test_shipped_prompts_cover_every_phase(prompts):
    assert {p.phase for p in prompts} == set(PHASE_IDS)


# --- when an exercise run is over ------------------------------------------------------------


def _log(run: str, outcome: str = "done") -> ExerciseLog:
    return ExerciseLog("box-breathing", NOW, NOW.date(), outcome, id=run)  # type: ignore[arg-type]


def test_a_new_run_has_the_id_length_its_buttons_leave_room_for():
    runs = {new_run() for _ in range(100)}

    assert len(runs) == 100
    assert all(len(run) == RUN_ID_CHARS and run.isalnum() for run in runs)


def test_a_run_is_not_over_before_its_end():
    assert not run_ended("aaaaaaaaaaaa", [_log("bbbbbbbbbbbb")])
    assert not run_ended("aaaaaaaaaaaa", [], ended_here=["bbbbbbbbbbbb"])


@pytest.mark.parametrize("outcome", ["done", "skipped", "later"])
def test_a_stored_end_of_any_kind_ends_the_run(outcome):
    assert run_ended("aaaaaaaaaaaa", [_log("bbbbbbbbbbbb"), _log("aaaaaaaaaaaa", outcome)])


def test_an_end_seen_in_the_chat_ends_the_run_without_a_stored_record():
    """Without consent nothing is stored: the chat's own memory still counts."""
    assert run_ended("aaaaaaaaaaaa", [], ended_here=["aaaaaaaaaaaa"])


def test_the_end_of_a_run_is_stored_under_the_runs_id():
    log = end_of_run("aaaaaaaaaaaa", "box-breathing", "skipped", NOW, NOW.date())

    assert (log.id, log.exercise_id, log.outcome, log.at) == (
        "aaaaaaaaaaaa",
        "box-breathing",
        "skipped",
        NOW,
    )
    assert run_ended("aaaaaaaaaaaa", [log])


def test_an_earlier_run_of_the_same_exercise_does_not_end_the_next():
    assert not run_ended("cccccccccccc", [_log("aaaaaaaaaaaa"), _log("bbbbbbbbbbbb")])


@pytest.mark.parametrize(
    ("index", "last_sent", "due"),
    [
        (0, None, True),  # nothing known (a fresh chat, or after a restart)
        (0, ("run-a", 0), False),  # Start tapped twice
        (3, ("run-a", 2), True),  # Next on the latest step
        (3, ("run-a", 3), False),  # the timer sent it first
        (2, ("run-a", 5), False),  # Next on an old step of this run
        (2, ("run-b", 5), True),  # another run is the chat's latest
    ],
)
def test_a_step_is_sent_once_per_run(index, last_sent, due):
    assert step_is_due("run-a", index, last_sent) is due
