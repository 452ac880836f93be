"""`content show <id>`: each kind of item rendered as the coachee sees it (the use cases run
for a coachee of the preview's own; tests/telegram/test_preview_drift.py holds the preview to
what the bot sends)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.content.loader import Content, load_content
from bot.services.preview import UnknownItem, all_ids, render_item
from bot.storage.memory import InMemoryRepository

ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = ROOT / "content"
BAT12_FIXTURE = ROOT / "tests" / "fixtures" / "questionnaires" / "bat12-fixture.yaml"


@pytest.fixture(scope="module")
def shipped() -> Content:
    # `content show` previews with the schema only; the cross-file checks are `content check`.
    return load_content(CONTENT_DIR, checks=())


def show(content: Content, item_id: str, lang: str = "nl", country: str = "BE") -> str:
    return render_item(content, item_id, lang, country, new_repository=InMemoryRepository)


def test_an_exercise_shows_title_duration_intro_steps_with_seconds_and_outro(shipped):
    exercise = shipped.exercises["box-breathing"]
    shown = show(shipped, "box-breathing", "nl")
    assert f"{exercise.title.nl} ({exercise.duration_minutes} min)" in shown
    assert exercise.intro.nl in shown
    total = len(exercise.steps)
    for number, step in enumerate(exercise.steps, start=1):
        assert f"step {number} of {total}: {step.seconds} s until the next message" in shown
        assert f"Stap {number} van {total}\n{step.text.nl}" in shown
    assert exercise.outro.nl in shown
    assert "[ Start ]" in shown and "[ Verder ] [ Stoppen ]" in shown
    assert "[ Gedaan ] [ Later nog eens ]" in shown
    # in order: intro, steps, outro
    assert (
        shown.index(exercise.intro.nl)
        < shown.index(exercise.steps[0].text.nl)
        < shown.index(exercise.outro.nl)
    )


def test_an_exercise_in_english(shipped):
    shown = show(shipped, "box-breathing", "en")
    exercise = shipped.exercises["box-breathing"]
    assert exercise.steps[0].text.en in shown and "Step 1 of" in shown
    assert exercise.steps[0].text.nl not in shown


def test_a_prompt_shows_its_phase_and_buttons(shipped):
    prompt = shipped.prompts[0]
    shown = show(shipped, prompt.id, "nl")
    assert prompt.text.nl in shown
    assert shipped.phase(prompt.phase).title.nl in shown
    assert shown.splitlines()[-1] == "[ Andere vraag ] [ Niet nu ]"


def test_each_prompt_of_a_phase_shows_itself_not_the_phase_s_next_one(shipped):
    for prompt in shipped.prompts_for("recovery"):
        shown = show(shipped, prompt.id, "en")
        assert prompt.text.en in shown
        others = [p for p in shipped.prompts_for("recovery") if p.id != prompt.id]
        assert not any(other.text.en in shown for other in others)


def test_the_checkin_shows_its_questions_taps_and_acknowledgement(shipped):
    shown = show(shipped, "checkin", "nl")
    assert shown.startswith("-- the daily check-in")
    energy = shipped.text("checkin.energy", "nl")
    assert f"{energy}\n[ 0 ] [ 1 ] [ 2 ] [ 3 ] [ 4 ] [ 5 ]\n[ 6 ] [ 7 ] [ 8 ] [ 9 ] [ 10 ]" in shown
    stress = shipped.text("checkin.stress", "nl")
    assert f"-- after [ 0 ]\n-- in place of the message whose button was pressed\n{stress}" in shown
    assert shipped.text("checkin.sleep", "nl") + "\n[ 1 ] [ 2 ] [ 3 ] [ 4 ] [ 5 ]" in shown
    assert shipped.text("checkin.recorded", "nl", energy=0, stress=0, sleep=1) in shown
    assert shipped.text("checkin.note_ask", "nl") in shown
    assert shown.splitlines()[-1] == f"[ {shipped.text('checkin.no_note', 'nl')} ]"


def test_a_phase_shows_title_summary_and_what_it_holds(shipped):
    phase = shipped.phase("recovery")
    shown = show(shipped, "recovery", "en")
    assert phase.title.en in shown and phase.summary.en in shown
    assert "number 3 of 8" in shown
    assert "box-breathing" in shown  # an exercise of this phase


def test_a_ui_text_shows_its_template_and_what_the_bot_fills(shipped):
    shown = show(shipped, "start.greeting", "nl")
    assert shipped.texts["start.greeting"].nl in shown
    assert "the bot fills {name}" in shown


def test_a_questionnaire_shows_intro_items_options_bands_and_rules(shipped):
    phq9 = shipped.questionnaires["phq9"]
    shown = show(shipped, "phq9", "nl")
    assert phq9.intro.nl in shown
    for item in phq9.items:
        assert item.text.nl in shown
    for option in phq9.options:  # a button shows its words; its value is a note
        assert f"\n[ {option.text.nl} ]\n" in shown
        assert f"({option.value})" not in shown
    assert "-- item phq9-1; the buttons give 0, 1, 2, 3" in shown
    lowest = min(phq9.scoring.bands, key=lambda band: band.min)
    assert f"{phq9.title.nl}: klaar.\n{lowest.label.nl}" in shown  # the first answers' result
    for band in phq9.scoring.bands:
        assert f"from {band.min:g}: {band.label.nl}" in shown
    assert "rule phq9-item9: answer to phq9-9 >= 1 -> crisis" in shown
    assert "rule phq9-total-10: score >= 10 -> gp" in shown


def test_the_bat12_drop_in_shows_its_subscales_and_mean_scoring(tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    shutil.copy(BAT12_FIXTURE, copy / "questionnaires" / "bat12.yaml")
    shown = show(load_content(copy, checks=()), "bat12", "en")
    assert "scoring: the mean of the answers" in shown
    assert "subscale exhaustion (Exhaustion): bat12-1, bat12-2, bat12-3" in shown


def test_a_broken_ui_text_is_marked_and_the_rest_still_shows(tmp_path, capsys):
    """`content show` loads without the cross-file checks: a text the bot cannot fill
    stops the preview where the bot would stop, with a line that says so."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    path = copy / "ui.yaml"
    path.write_text(path.read_text().replace('"Stap {number} van {total}"', '"Stap {nummer}"', 1))
    broken = load_content(copy, checks=())

    shown = show(broken, "box-breathing", "nl")

    assert broken.exercises["box-breathing"].intro.nl in shown  # the intro, before the steps
    assert "[ Start ]" in shown
    assert shown.splitlines()[-1].startswith("[the bot cannot go on here (KeyError: 'nummer')")
    assert main(["content", "show", "box-breathing", "--content", str(copy)]) == 0
    assert "run `python -m bot content check`" in capsys.readouterr().out


def test_a_broken_button_label_is_marked(tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    path = copy / "ui.yaml"
    path.write_text(path.read_text().replace('nl: "Probeer: {title}"', 'nl: "Probeer: {titel}"'))

    shown = show(load_content(copy, checks=()), "checkin", "nl")

    marker = "[UI text 'checkin.try_exercise' cannot be filled: run `python -m bot content check`]"
    assert f"[ {marker} ]" in shown


@pytest.mark.parametrize(("country", "number"), [("BE", "1813"), ("NL", "113")])
def test_a_crisis_escalation_with_the_help_lines_of_a_country(shipped, country, number):
    shown = show(shipped, "crisis", "nl", country)
    assert shipped.escalations.crisis.openers["default"].nl in shown
    assert number in shown and "112" in shown
    assert f"help lines of {country}" in shown
    assert "characters" in shown.splitlines()[0]
    ground, ok = (shipped.text(f"crisis.{b}_button", "nl") for b in ("ground", "ok"))
    assert shown.endswith(f"\n[ {ground} ]\n[ {ok} ]")  # the safety service's choices


def test_a_crisis_escalation_for_one_category(shipped):
    shown = show(shipped, "crisis:self_harm", "en", "NL")
    assert shipped.escalations.crisis.openers["self_harm"].en in shown
    assert "Call 113 or 0800-0113 now" in shown


def test_a_gp_escalation_and_its_followup(shipped):
    assert shipped.escalations.gp.body.nl in show(shipped, "gp", "nl")
    followup = show(shipped, "gp_followup", "en")
    assert shipped.escalations.gp_followup.question.en in followup
    assert shipped.escalations.gp_followup.prepare.en in followup


def test_an_unknown_id_suggests_the_closest(shipped):
    with pytest.raises(UnknownItem) as raised:
        show(shipped, "box-breathin", "nl")
    assert raised.value.suggestions[0] == "box-breathing"
    assert "did you mean: box-breathing" in str(raised.value)


def test_every_id_renders(shipped):
    for item_id in all_ids(shipped):
        assert show(shipped, item_id, "en", "NL")


def test_the_cli_shows_an_item(capsys):
    assert (
        main(["content", "show", "box-breathing", "--lang", "en", "--content", str(CONTENT_DIR)])
        == 0
    )
    assert "Box breathing" in capsys.readouterr().out


def test_the_cli_exits_1_with_suggestions_for_an_unknown_id(capsys):
    assert main(["content", "show", "exercise.nxt", "--content", str(CONTENT_DIR)]) == 1
    assert "did you mean: exercise.next" in capsys.readouterr().err


def test_the_cli_shows_an_edit_before_it_goes_live(tmp_path, capsys):
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    path = copy / "ui.yaml"
    path.write_text(path.read_text().replace('nl: "Verder"', 'nl: "Volgende stap"', 1))
    assert main(["content", "show", "box-breathing", "--content", str(copy)]) == 0
    assert "[ Volgende stap ] [ Stoppen ]" in capsys.readouterr().out


def test_the_cli_refuses_content_that_does_not_load(tmp_path, capsys):
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    path = copy / "exercises.yaml"
    text = path.read_text()
    path.write_text(text.replace("    duration_minutes: 4\n", "   duration_minutes: 4\n", 1))
    assert main(["content", "show", "box-breathing", "--content", str(copy)]) == 1
    assert "content/exercises.yaml:10: this is not valid YAML" in capsys.readouterr().err
