"""The exercise service against the in-memory repository and the shipped content: the
choice, the steps of a run, its end stored once (with consent only), and 'later' that
promises only what will come."""

from __future__ import annotations

from datetime import time

import pytest
from servicerig import ALICE, NOW, coachee_profile

from bot.core.models import Escalation, ExerciseLog, Moments, RunningExercise, Snooze
from bot.services import actions
from bot.services import exercise as service
from bot.services.outcome import Reschedule

BOX = "box-breathing"  # six steps


def said(result) -> list[str]:
    return [t.id for m in result.messages for t in m.body]


def actions_of(message) -> list[tuple[str, tuple]]:
    return [(c.action, c.args) for row in message.choices for c in row]


def end(repo, ending="done", run="r1", ended_here=(), content=None, now=NOW, exercise=BOX):
    with repo.unit_of_work(ALICE) as coachee:
        return service.end(coachee, exercise, ending, run, ended_here, content, now)


def test_the_choice_is_a_list_of_exercises_in_the_coachees_language(repo, content):
    repo.save_profile(coachee_profile(lang="en"))
    with repo.unit_of_work(ALICE) as coachee:
        result = service.choose(coachee, content, NOW, "nl")

    (menu,) = result.messages
    assert said(result) == ["exercise.choose"] and result.lang == "en"
    assert menu.choices and all(c.action == actions.EXERCISE_PICK for r in menu.choices for c in r)
    assert all(c.args[0] in content.exercises for r in menu.choices for c in r)


def test_the_choice_without_consent_reads_nothing_stored_and_uses_the_hint(repo, content):
    with repo.unit_of_work(ALICE) as coachee:
        result = service.choose(coachee, content, NOW, "en")
    assert result.lang == "en" and result.messages[0].choices


def test_the_intro_starts_a_run_that_every_button_carries(content):
    result = service.pick(content, BOX, "nl")

    (intro,) = result.messages
    (start,), (later, skip) = intro.choices
    run = start.args[-1]
    assert (start.action, start.args) == (actions.EXERCISE_START, (BOX, run))
    assert (later.args, skip.args) == ((BOX, "later", run), (BOX, "skipped", run))
    assert service.pick(content, BOX, "nl").messages[0].choices[0][0].args[-1] != run


def test_a_removed_exercise_is_said_to_be_gone(repo, content):
    assert said(service.pick(content, "no-such", "nl")) == ["exercise.gone"]
    with repo.unit_of_work(ALICE) as coachee:
        assert service.step(coachee, "no-such", "r1", 0, (), content, "nl") is None
        assert said(service.end(coachee, "no-such", "done", "r1", (), content, NOW)) == [
            "exercise.gone"
        ]


def test_each_step_has_its_number_next_and_stop_then_the_close_has_done_and_later(repo, content):
    exercise = content.exercises[BOX]
    with repo.unit_of_work(ALICE) as coachee:
        steps = [
            service.step(coachee, BOX, "r1", i, (), content, "nl")
            for i in range(len(exercise.steps) + 1)
        ]

    *shown, close = steps
    for index, step in enumerate(shown):
        assert step.message.body[0].raw.startswith(f"Stap {index + 1} van {len(shown)}\n")
        assert step.seconds == exercise.steps[index].seconds
        assert actions_of(step.message) == [
            (actions.EXERCISE_STEP, (BOX, index + 1, "r1")),
            (actions.EXERCISE_END, (BOX, "skipped", "r1")),
        ]
    assert close.seconds is None
    assert close.message.body[0].raw == exercise.outro.get("nl")
    assert actions_of(close.message) == [
        (actions.EXERCISE_END, (BOX, "done", "r1")),
        (actions.EXERCISE_END, (BOX, "later", "r1")),
    ]


def test_an_ended_runs_buttons_are_old_ones_stored_or_seen_in_the_chat(repo, content):
    repo.save_profile(coachee_profile())
    end(repo, "done", content=content)

    with repo.unit_of_work(ALICE) as coachee:
        with pytest.raises(service.RunOver):
            service.step(coachee, BOX, "r1", 3, (), content, "nl")
        with pytest.raises(service.RunOver):
            service.step(coachee, BOX, "r2", 3, ("r2",), content, "nl")
        assert service.step(coachee, BOX, "r3", 3, ("r2",), content, "nl") is not None


def test_the_end_is_stored_once(repo, content):
    repo.save_profile(coachee_profile())

    assert said(end(repo, "done", content=content)) == ["exercise.ended.done"]
    with pytest.raises(service.RunOver):
        end(repo, "done", content=content)
    with pytest.raises(service.RunOver):
        end(repo, "skipped", content=content)

    assert [(log.id, log.outcome) for log in repo.records(ALICE, ExerciseLog)] == [("r1", "done")]


def test_without_consent_nothing_is_stored_nor_promised(repo, content):
    assert said(end(repo, "done", content=content)) == ["exercise.ended.done_unsaved"]
    assert said(end(repo, "later", run="r2", content=content)) == ["exercise.ended.later_unsaved"]
    assert said(end(repo, "skipped", run="r3", content=content)) == ["exercise.ended.skipped"]
    assert repo.records(ALICE, ExerciseLog) == [] and repo.load_profile(ALICE) is None


def test_later_snoozes_the_days_exercise_when_a_reminder_will_come(repo, content):
    repo.save_profile(coachee_profile())

    result = end(repo, "later", content=content)

    assert said(result) == ["exercise.ended.later"]
    assert result.effects == (Reschedule(),)
    (snooze,) = repo.records(ALICE, Snooze)
    assert snooze.kind == "exercise"
    assert [log.outcome for log in repo.records(ALICE, ExerciseLog)] == ["later"]


def test_later_with_the_moment_off_or_into_quiet_hours_promises_no_snooze(repo, content):
    repo.save_profile(coachee_profile(moments=Moments(exercise=None)))
    assert said(end(repo, "later", content=content)) == ["reminder.later_none"]

    repo.save_profile(coachee_profile(quiet_start=time(16, 15), quiet_end=time(7, 30)))
    result = end(repo, "later", run="r2", content=content)
    assert said(result) == ["reminder.later_next"]
    assert result.messages[0].body[0].values["time"] == "13:00"
    assert repo.records(ALICE, Snooze) == [] and result.effects == ()


def test_the_crisis_grounding_begins_at_its_first_step(content):
    first = service.grounding(content, "nl")
    assert first is not None and first.index == 0
    assert content.exercises[first.exercise_id].kind == "grounding"


# --- the running step, kept so a restart resumes it ----------------------------------------


def remember(repo, content, index=0, run="r1", now=NOW):
    from datetime import timedelta

    exercise = content.exercises[BOX]
    step = service.step_of(content, exercise, run, index, "nl")
    with repo.unit_of_work(ALICE) as coachee:
        service.remember_step(coachee, step, ALICE, "nl", 7, now, now + timedelta(seconds=5))


def to_resume(repo, now=NOW):
    with repo.unit_of_work(ALICE) as coachee:
        return service.to_resume(coachee, now)


def test_the_running_step_is_kept_with_consent_and_resumed_after_a_restart(repo, content):
    repo.save_profile(coachee_profile())
    remember(repo, content, index=0)
    remember(repo, content, index=1)  # one row, replaced

    running = to_resume(repo)

    assert running is not None
    assert (running.exercise_id, running.run, running.index, running.message) == (BOX, "r1", 2, 7)
    assert len(repo.records(ALICE, RunningExercise)) == 1


def test_without_consent_no_running_step_is_stored(repo, content):
    remember(repo, content)

    assert repo.user_ids() == []
    assert to_resume(repo) is None


@pytest.mark.parametrize("ending", ["done", "skipped", "later"])
def test_an_ended_run_is_not_resumed(repo, content, ending):
    repo.save_profile(coachee_profile())
    remember(repo, content)

    end(repo, ending, run="r1", content=content)

    assert to_resume(repo) is None


def test_the_end_of_another_run_leaves_the_running_one(repo, content):
    repo.save_profile(coachee_profile())
    remember(repo, content, run="r2")

    end(repo, "later", run="r1", content=content)  # an old intro's 'later'

    assert to_resume(repo) is not None


def test_a_run_forgotten_or_stopped_by_a_crisis_is_not_resumed(repo, content):
    from datetime import timedelta

    repo.save_profile(coachee_profile())
    remember(repo, content)
    with repo.unit_of_work(ALICE) as coachee:
        service.forget_run(coachee, NOW, "r1")
    assert to_resume(repo) is None

    remember(repo, content, run="r2")
    repo.add(ALICE, Escalation("crisis", "text", "r", "c", NOW + timedelta(seconds=1)))
    assert to_resume(repo) is None


def test_a_step_due_long_before_the_start_is_not_resumed(repo, content):
    from datetime import timedelta

    repo.save_profile(coachee_profile())
    remember(repo, content)  # due 5 seconds after NOW

    assert to_resume(repo, NOW + timedelta(minutes=10, seconds=5)) is not None
    assert to_resume(repo, NOW + timedelta(minutes=10, seconds=6)) is None
