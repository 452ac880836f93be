"""`content check` on broken copies of a content folder: each break is reported at its file
and line.

Every test copies the fixture content (tests/fixtures/content: a small content folder that
passes every check, with a few exercises, prompts and safety rules taken from content/), breaks
it in one way by editing the YAML text (so line numbers are those a maintainer would see in
their editor), loads it, and asserts the problem that comes back: the file, the exact line and
a message that says what to do. The shipped content is checked once, as a whole.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from fixture_content import fixture_copy

from bot.__main__ import main
from bot.content import checks
from bot.content.loader import ContentError, Problem, load_content

ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = ROOT / "content"
BAT12_FIXTURE = ROOT / "tests" / "fixtures" / "questionnaires" / "bat12-fixture.yaml"


def problems_of(directory: Path) -> list[Problem]:
    try:
        load_content(directory)
    except ContentError as exc:
        return list(exc.problems)
    return []


_baselines: dict[str, set[tuple[str, str]]] = {}


def baseline_of(directory: Path) -> set[tuple[str, str]]:
    """Problems of an untouched copy, by file and message (an edit may shift their lines).

    None while the fixture passes every check; should it stop passing, only
    test_the_fixture_passes_every_check fails (and says which), not every test here. Keyed
    by a digest of the files, so it is taken once.
    """
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*.yaml")):
        digest.update(path.relative_to(directory).as_posix().encode() + path.read_bytes())
    key = digest.hexdigest()
    if key not in _baselines:
        _baselines[key] = {(p.file, p.message) for p in problems_of(directory)}
    return _baselines[key]


class ContentCopy:
    """A copy of the fixture content to break, one text edit at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.baseline = baseline_of(root)

    def path(self, name: str) -> Path:
        return self.root / name

    def edit(self, name: str, old: str, new: str, count: int = 1) -> None:
        """Replace the first `count` occurrences of `old` (-1: all of them)."""
        text = self.path(name).read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {name}: the fixture content changed"
        self.path(name).write_text(text.replace(old, new, count), encoding="utf-8")

    def sub(self, name: str, pattern: str, new: str) -> None:
        """Replace the first match of a regular expression (DOTALL, MULTILINE)."""
        text = self.path(name).read_text(encoding="utf-8")
        changed, n = re.subn(pattern, new, text, count=1, flags=re.DOTALL | re.MULTILINE)
        assert n == 1, f"{pattern!r} does not match {name}: the fixture content changed"
        self.path(name).write_text(changed, encoding="utf-8")

    def line(self, name: str, needle: str, nth: int = 1) -> int:
        """The line (1-based) of the `nth` occurrence of `needle` in the file as it is now."""
        text = self.path(name).read_text(encoding="utf-8")
        at = -1
        for _ in range(nth):
            at = text.index(needle, at + 1)
        return text.count("\n", 0, at) + 1

    def problems(self) -> list[Problem]:
        """What loading reports now, minus what the untouched copy reported."""
        return [p for p in problems_of(self.root) if (p.file, p.message) not in self.baseline]


@pytest.fixture
def copy(tmp_path: Path) -> ContentCopy:
    root = tmp_path / "content"
    fixture_copy(root)
    return ContentCopy(root)


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "expected one problem, got:\n" + "\n".join(map(str, problems))
    return problems[0]


def reported(problems: list[Problem], file: str, line: int, *fragments: str) -> Problem:
    """The problem at file:line whose message holds every fragment."""
    for problem in problems:
        if (
            problem.file == file
            and problem.line == line
            and all(fragment in problem.message for fragment in fragments)
        ):
            return problem
    listing = "\n".join(map(str, problems)) or "(none)"
    raise AssertionError(f"no problem at {file}:{line} saying {fragments}; got:\n{listing}")


def test_the_shipped_content_passes_every_check():
    load_content(CONTENT_DIR)


def test_the_fixture_passes_every_check(tmp_path: Path):
    assert problems_of(fixture_copy(tmp_path / "content")) == []


# --- YAML itself ----------------------------------------------------------------------------


def test_a_yaml_syntax_error_names_its_line(copy):
    copy.edit("exercises.yaml", "    duration_minutes: 4\n", "   duration_minutes: 4\n")
    problem = only(copy.problems())
    assert problem.file == "content/exercises.yaml"
    assert problem.line == copy.line("exercises.yaml", "   duration_minutes: 4")
    assert "not valid YAML" in problem.message and "indentation" in problem.message


def test_an_unquoted_no_is_read_as_a_yes_or_no_value(copy):
    copy.edit("ui.yaml", '    en: "No, rather not"', "    en: no")
    problem = only(copy.problems())
    assert problem.file == "content/ui.yaml"
    assert problem.line == copy.line("ui.yaml", "    en: no\n")
    assert "texts.consent.no.en" in problem.message and "quotes" in problem.message


def test_an_unquoted_no_in_the_lexicon_is_caught_too(copy):
    copy.edit("safety/rules.yaml", 'negations: [not, never, "no",', "negations: [not, never, no,")
    problem = only(copy.problems())
    assert problem.file == "content/safety/rules.yaml"
    assert problem.line == copy.line("safety/rules.yaml", "negations: [not, never, no,")
    assert "quotes" in problem.message


def test_a_key_written_twice_is_reported_not_silently_dropped(copy):
    copy.edit(
        "ui.yaml",
        "  exercise.next:\n",
        '  exercise.next:\n    nl: "Volgende"\n    en: "Next one"\n  exercise.next:\n',
    )
    problem = only(copy.problems())
    first = copy.line("ui.yaml", "  exercise.next:")
    assert (problem.file, problem.line) == (
        "content/ui.yaml",
        copy.line("ui.yaml", "  exercise.next:", nth=2),
    )
    assert f"first at line {first}" in problem.message
    assert "keeps only the last one" in problem.message


def test_a_missing_file_is_named(copy):
    copy.path("prompts.yaml").unlink()
    problem = only(copy.problems())
    assert (problem.file, problem.line) == ("content/prompts.yaml", 1)
    assert "missing" in problem.message


# --- translations -------------------------------------------------------------------------


def test_a_missing_translation(copy):
    copy.edit("ui.yaml", '    en: "Hello {name}, welcome."\n', "")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/ui.yaml",
        copy.line("ui.yaml", "  start.greeting:"),
    )
    assert "texts.start.greeting.en" in problem.message and "missing" in problem.message


def test_an_empty_translation(copy):
    copy.edit("phases.yaml", '      en: "Orientation"', '      en: ""')
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/phases.yaml",
        copy.line("phases.yaml", '      en: ""'),
    )
    assert "phases.0.title.en" in problem.message
    assert "the English (en) text is empty; write the translation" in problem.message


def test_a_blank_translation(copy):
    copy.sub(
        "prompts.yaml", r'^      nl: "Wanneer merkte je voor het eerst[^\n]*', '      nl: "   "'
    )
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/prompts.yaml",
        copy.line("prompts.yaml", '      nl: "   "'),
    )
    assert "Dutch (nl) text here is blank" in problem.message


def test_a_missing_escalation_translation(copy):
    copy.sub(
        "safety/escalations.yaml",
        r"^      en: \|-\n        This is something your GP.*?"
        r"alongside that care\.\n",
        "",
    )
    problem = only(copy.problems())
    assert problem.file == "content/safety/escalations.yaml"
    assert problem.line == copy.line("safety/escalations.yaml", "    body:", nth=2)
    assert "escalations.gp.body.en" in problem.message and "missing" in problem.message


# --- ids and references -----------------------------------------------------------------


def test_a_duplicate_exercise_id(copy):
    copy.edit("exercises.yaml", "  - id: slow-exhale-breathing", "  - id: box-breathing")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/exercises.yaml",
        copy.line("exercises.yaml", "  - id: box-breathing", nth=2),
    )
    assert "'box-breathing' is already used at line 8" in problem.message


def test_a_duplicate_prompt_id(copy):
    copy.edit("prompts.yaml", "  - id: orientation-hopes", "  - id: orientation-what-brings-you")
    problem = only(copy.problems())
    assert problem.file == "content/prompts.yaml"
    assert problem.line == copy.line("prompts.yaml", "  - id: orientation-what-brings-you", nth=2)
    assert "prompt id 'orientation-what-brings-you' is already used" in problem.message


def test_a_prompt_id_that_is_also_an_exercise_id(copy):
    copy.edit("prompts.yaml", "  - id: orientation-hopes\n", "  - id: box-breathing\n")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/prompts.yaml",
        copy.line("prompts.yaml", "  - id: box-breathing"),
    )
    assert "prompt id 'box-breathing' is also an exercise id" in problem.message


def test_a_duplicate_safety_rule_id(copy):
    copy.edit("safety/rules.yaml", "  - id: en-self-harm", "  - id: nl-wish-to-die")
    problem = reported(
        copy.problems(),
        "content/safety/rules.yaml",
        copy.line("safety/rules.yaml", "  - id: nl-wish-to-die", nth=2),
        "safety rule id 'nl-wish-to-die' is already used",
    )
    assert "unique" in problem.message


def test_a_prompt_in_a_phase_that_does_not_exist(copy):
    copy.edit("prompts.yaml", "    phase: orientation\n", "    phase: orientaton\n")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/prompts.yaml",
        copy.line("prompts.yaml", "phase: orientaton"),
    )
    assert "prompts.0.phase" in problem.message and "'orientation'" in problem.message


def test_an_exercise_in_a_phase_that_does_not_exist(copy):
    copy.edit(
        "exercises.yaml",
        "    phases: [recovery, coping, return]",
        "    phases: [recovery, copin, return]",
    )
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/exercises.yaml",
        copy.line("exercises.yaml", "copin, return]"),
    )
    assert "exercises.0.phases.1" in problem.message and "'coping'" in problem.message


def test_a_missing_phase(copy):
    copy.sub("phases.yaml", r"^  - id: return\n.*\Z", "")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/phases.yaml",
        copy.line("phases.yaml", "phases:"),
    )
    assert "missing: return" in problem.message


def test_a_phase_with_the_wrong_number(copy):
    copy.edit("phases.yaml", "    number: 3\n", "    number: 4\n")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/phases.yaml",
        copy.line("phases.yaml", "    number: 4"),
    )
    assert "'recovery' is number 3" in problem.message and "number: 3" in problem.message


def test_a_phase_without_enough_prompts(copy):
    for _ in range(3):  # orientation has 7 prompts; leave it 4
        copy.edit("prompts.yaml", "    phase: orientation\n", "    phase: analysis\n")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/prompts.yaml",
        copy.line("prompts.yaml", "    phase: orientation", nth=4),
    )
    assert "'orientation' has 4 reflection prompt(s)" in problem.message
    assert "add 1 more with `phase: orientation`" in problem.message


# --- exercises --------------------------------------------------------------------------


def test_an_exercise_without_steps(copy):
    copy.sub("exercises.yaml", r"^    steps:\n.*?(?=^    outro:)", "    steps: []\n")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/exercises.yaml",
        copy.line("exercises.yaml", "    steps: []"),
    )
    assert "exercises.0.steps" in problem.message and "at least 1 item" in problem.message


def test_an_exercise_without_a_duration(copy):
    copy.edit("exercises.yaml", "    duration_minutes: 4\n", "")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/exercises.yaml",
        copy.line("exercises.yaml", "  - id: box-breathing"),
    )
    assert "exercises.0.duration_minutes: this field is missing" in problem.message


def test_an_exercise_whose_steps_do_not_fit_its_duration(copy):
    copy.edit("exercises.yaml", "    duration_minutes: 4\n", "    duration_minutes: 20\n")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/exercises.yaml",
        copy.line("exercises.yaml", "duration_minutes: 20"),
    )
    assert "'box-breathing' says 20 min, but its steps add up to 250 s" in problem.message
    assert "duration_minutes: 4" in problem.message


def test_a_step_that_is_too_short(copy):
    copy.edit("exercises.yaml", "      - seconds: 30\n", "      - seconds: 2\n")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/exercises.yaml",
        copy.line("exercises.yaml", "seconds: 2\n"),
    )
    assert "steps.0.seconds" in problem.message and "greater than or equal to 5" in problem.message


def test_an_exercise_title_that_gives_its_duration(copy):
    """The bot writes "(3 min)" after every title: "(3 minuten) (3 min)" was shipped once."""
    copy.edit("exercises.yaml", '"Box breathing (4-4-4-4)"', '"Box breathing (4 minutes)"')
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/exercises.yaml",
        copy.line("exercises.yaml", "Box breathing (4 minutes)"),
    )
    assert "'box-breathing' title (en) gives its duration ('4 minutes')" in problem.message
    assert "(4 min)" in problem.message


def test_a_step_that_numbers_itself(copy):
    """The bot writes "Stap 2 van 4" above every step: "Stap 1." under it was shipped once."""
    copy.edit(
        "exercises.yaml",
        'nl: "Adem rustig in door je neus',
        'nl: "Stap 1. Adem rustig in door je neus',
    )
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/exercises.yaml",
        copy.line("exercises.yaml", "Stap 1. Adem rustig"),
    )
    assert "'box-breathing' step 2 (nl) numbers a step ('Stap 1')" in problem.message


def test_a_step_written_as_a_numbered_list_item(copy):
    copy.edit("exercises.yaml", 'en: "Breathe in gently', 'en: "2) Breathe in gently')
    problem = only(copy.problems())
    assert problem.line == copy.line("exercises.yaml", "2) Breathe in gently")
    assert "step 2 (en) numbers a step ('2)')" in problem.message


def test_an_outro_that_points_to_a_step_by_number(copy):
    copy.edit("exercises.yaml", "Open je ogen als ze dicht waren.", "Denk terug aan stap 3.")
    problem = only(copy.problems())
    # a block text: the line of its `nl: |-` key, just above the sentence
    assert problem.line == copy.line("exercises.yaml", "Denk terug aan stap 3.") - 1
    assert "'box-breathing' outro (nl) numbers a step ('stap 3')" in problem.message


def test_numbers_that_are_no_step_or_duration_pass(copy):
    copy.edit("exercises.yaml", '"Vierkante ademhaling (4-4-4-4)"', '"5 tellen, 4 zijden"')
    copy.edit(
        "exercises.yaml",
        'nl: "Adem rustig in door je neus',
        'nl: "4 tellen: adem rustig in door je neus',
    )
    assert copy.problems() == []


def test_an_exercise_id_too_long_for_its_buttons(copy):
    long_id = "box-breathing-" + "x" * 40
    copy.edit("exercises.yaml", "  - id: box-breathing", f"  - id: {long_id}")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == ("content/exercises.yaml", 8)
    assert "its buttons can carry at most 34" in problem.message  # with a 12-character run id


def test_a_prompt_id_too_long_for_its_buttons(copy):
    long_id = "orientation-hopes-" + "x" * 40
    copy.edit("prompts.yaml", "  - id: orientation-hopes\n", f"  - id: {long_id}\n")
    problem = only(copy.problems())
    assert problem.line == copy.line("prompts.yaml", long_id)
    assert "its buttons can carry at most 52" in problem.message


def test_a_questionnaire_id_too_long_for_its_answer_buttons(copy):
    copy.edit("questionnaires/phq9.yaml", "id: phq9\n", f"id: phq9-{'x' * 50}\n")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/questionnaires/phq9.yaml",
        copy.line("questionnaires/phq9.yaml", "id: phq9-x"),
    )
    assert "does not fit its answer buttons" in problem.message


def test_no_grounding_exercise_left_for_the_crisis_answer(copy):
    copy.edit("exercises.yaml", "    kind: grounding\n", "    kind: breathing\n", count=-1)
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/exercises.yaml",
        copy.line("exercises.yaml", "exercises:\n"),
    )
    assert "kind: grounding" in problem.message and "crisis answer" in problem.message


def test_no_exercise_for_a_low_energy_day(copy):
    copy.edit("exercises.yaml", "    energy: low\n", "", count=-1)
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/exercises.yaml",
        copy.line("exercises.yaml", "exercises:\n"),
    )
    assert "energy: low" in problem.message


# --- placeholders -------------------------------------------------------------------------


def test_a_ui_text_with_a_placeholder_the_code_does_not_fill(copy):
    copy.edit("ui.yaml", '"Hallo {name}, welkom."', '"Hallo {naam}, welkom."')
    problem = only(copy.problems())
    assert (problem.file, problem.line) == ("content/ui.yaml", copy.line("ui.yaml", "Hallo {naam}"))
    assert "'start.greeting' (nl) uses {naam} (did you mean 'name'?)" in problem.message
    assert "the bot fills only {name} here" in problem.message


def test_a_ui_text_with_a_brace_that_does_not_close(copy):
    copy.edit("ui.yaml", '"Hallo {name}, welkom."', '"Hallo {name, welkom."')
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/ui.yaml",
        copy.line("ui.yaml", "Hallo {name, welkom"),
    )
    assert "does not close" in problem.message and "{{" in problem.message


def test_a_ui_text_the_code_needs_is_missing(copy):
    copy.edit("ui.yaml", "  exercise.next:\n", "  exercise.nxt:\n")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == ("content/ui.yaml", copy.line("ui.yaml", "texts:"))
    assert "'exercise.next' is missing (did you mean 'exercise.nxt'?)" in problem.message


def test_a_placeholder_in_an_exercise_step_would_be_shown_as_written(copy):
    copy.edit(
        "exercises.yaml",
        "Adem eerst een paar keer gewoon",
        "Adem eerst een paar keer gewoon, {name}",
    )
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/exercises.yaml",
        copy.line("exercises.yaml", "Adem eerst een paar keer"),
    )
    assert "'box-breathing' step 1 (nl) uses {name}" in problem.message
    assert "shown as written" in problem.message


def test_a_placeholder_in_a_prompt(copy):
    copy.edit(
        "prompts.yaml",
        "Wat brengt je naar deze coaching?",
        "Wat brengt je naar deze coaching, {name}?",
    )
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/prompts.yaml",
        copy.line("prompts.yaml", "      nl: |-"),
    )
    assert "prompt 'orientation-what-brings-you' (nl) uses {name}" in problem.message


def test_an_escalation_placeholder_the_code_does_not_fill(copy):
    copy.edit(
        "safety/escalations.yaml",
        "Bel nu {crisis_phones} ({crisis_name})",
        "Bel nu {crisis_number} ({crisis_name})",
    )
    problem = only(copy.problems())
    assert problem.file == "content/safety/escalations.yaml"
    assert problem.line == copy.line("safety/escalations.yaml", "      nl: |-")
    assert (
        "the crisis body (nl) uses {crisis_number} (did you mean 'crisis_phone'?)"
        in problem.message
    )


def test_a_placeholder_in_the_gp_followup_would_be_shown_as_written(copy):
    copy.edit(
        "safety/escalations.yaml", '"Onlangs stelde ik voor', '"{name}, onlangs stelde ik voor'
    )
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/escalations.yaml", "{name}, onlangs")
    assert "gp_followup question (nl) uses {name}" in problem.message


# --- questionnaires -------------------------------------------------------------------------


def test_a_total_rule_that_can_never_fire(copy):
    copy.edit("questionnaires/phq9.yaml", "when: total, min: 10,", "when: total, min: 28,")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/questionnaires/phq9.yaml",
        copy.line("questionnaires/phq9.yaml", "min: 28"),
    )
    assert "'phq9-total-10' needs a total of 28, but the highest possible is 27" in problem.message


def test_a_rule_that_fires_for_everyone(copy):
    copy.edit("questionnaires/auditc.yaml", "when: total, min: 4,", "when: total, min: 0,")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/questionnaires/auditc.yaml",
        copy.line("questionnaires/auditc.yaml", "min: 0,"),
    )
    assert "fire for everyone" in problem.message


def test_an_item_rule_that_names_a_missing_item(copy):
    copy.edit("questionnaires/phq9.yaml", "item: phq9-9,", "item: phq9-10,")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/questionnaires/phq9.yaml",
        copy.line("questionnaires/phq9.yaml", "phq9-10,"),
    )
    assert "names item 'phq9-10', which this questionnaire does not have" in problem.message


def test_an_item_rule_above_the_highest_answer(copy):
    copy.edit("questionnaires/phq9.yaml", "item: phq9-9, min: 1,", "item: phq9-9, min: 4,")
    problem = only(copy.problems())
    assert problem.line == copy.line("questionnaires/phq9.yaml", "item: phq9-9, min: 4")
    assert "whose highest answer is 3; it can never fire" in problem.message


def test_a_band_nobody_can_reach(copy):
    copy.edit("questionnaires/phq9.yaml", "    - min: 20\n", "    - min: 30\n")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/questionnaires/phq9.yaml",
        copy.line("questionnaires/phq9.yaml", "min: 30"),
    )
    assert "band 5 starts at 30, but the highest possible total is 27" in problem.message


def test_low_scores_without_a_band(copy):
    copy.edit("questionnaires/phq9.yaml", "    - min: 0\n", "    - min: 1\n")
    problem = only(copy.problems())
    assert problem.line == copy.line("questionnaires/phq9.yaml", "  bands:")
    assert "start the first band at `min: 0`" in problem.message


def test_an_answer_value_the_buttons_cannot_carry(copy):
    copy.edit(
        "questionnaires/auditc.yaml",
        '{value: 4, text: {nl: "10 of meer"',
        '{value: 10, text: {nl: "10 of meer"',
    )
    problem = only(copy.problems())
    assert problem.line == copy.line("questionnaires/auditc.yaml", "value: 10")
    assert "answer value 10 of 'auditc-2'" in problem.message and "0 to 9" in problem.message


def test_a_duplicate_item_id(copy):
    copy.edit("questionnaires/phq9.yaml", "  - id: phq9-2\n", "  - id: phq9-1\n")
    problem = only(copy.problems())
    assert problem.line == copy.line("questionnaires/phq9.yaml", "  - id: phq9-1", nth=2)
    assert "item id 'phq9-1' is already used" in problem.message


def test_a_rule_category_with_a_typo(copy):
    copy.edit("questionnaires/phq9.yaml", "category: depressive_signs", "category: depresive_signs")
    problem = only(copy.problems())
    assert problem.line == copy.line("questionnaires/phq9.yaml", "depresive_signs")
    assert "(did you mean 'depressive_signs'?)" in problem.message


def test_the_bat12_drop_in_passes(copy):
    shutil.copy(BAT12_FIXTURE, copy.path("questionnaires/bat12.yaml"))
    assert copy.problems() == []


def test_a_bat12_subscale_naming_a_missing_item(copy):
    shutil.copy(BAT12_FIXTURE, copy.path("questionnaires/bat12.yaml"))
    copy.edit(
        "questionnaires/bat12.yaml",
        "items: [bat12-1, bat12-2, bat12-3]",
        "items: [bat12-1, bat12-2, bat12-13]",
    )
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/questionnaires/bat12.yaml",
        copy.line("questionnaires/bat12.yaml", "bat12-13]"),
    )
    assert "subscale 'exhaustion' names item 'bat12-13'" in problem.message


def test_a_bat12_mean_rule_that_can_never_fire(copy):
    shutil.copy(BAT12_FIXTURE, copy.path("questionnaires/bat12.yaml"))
    text = copy.path("questionnaires/bat12.yaml").read_text()
    rule = re.search(r"when: total, min: ([\d.]+)", text)
    assert rule is not None
    copy.edit("questionnaires/bat12.yaml", rule.group(0), "when: total, min: 5.5")
    problem = only(copy.problems())
    assert problem.line == copy.line("questionnaires/bat12.yaml", "min: 5.5")
    assert "needs a mean score of 5.5, but the highest possible is 5.00" in problem.message


# --- safety rules and check-in rules ----------------------------------------------------


def test_a_safety_rule_that_no_longer_matches_its_example(copy):
    copy.edit("safety/rules.yaml", "    examples:\n", "    examples:\n      - het weer is mooi\n")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/safety/rules.yaml",
        copy.line("safety/rules.yaml", "- het weer is mooi"),
    )
    assert "no longer matches its own example 'het weer is mooi'" in problem.message
    assert "widen a pattern" in problem.message


# The first rule's first example, and its counter-examples, with no other rule in between.
FIRST_RULE = (
    r"^    examples:\n      - (?P<example>[^\n]*)\n(?P<between>(?:(?!^  - id:).)*?)"
    r"^    counter_examples:\n"
)


def test_a_safety_rule_that_matches_its_counter_example(copy):
    text = copy.path("safety/rules.yaml").read_text()
    found = re.search(FIRST_RULE, text, flags=re.DOTALL | re.MULTILINE)
    assert found is not None
    example = found.group("example")
    copy.sub(
        "safety/rules.yaml",
        FIRST_RULE,
        r"    examples:\n      - \g<example>\n\g<between>    counter_examples:\n"
        r"      - \g<example>\n",
    )
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/rules.yaml", f"      - {example}\n", nth=2)
    assert f"matches its counter-example {example!r}" in problem.message
    assert "idioms" in problem.message


def test_a_safety_pattern_that_cannot_be_read(copy):
    copy.edit("safety/rules.yaml", "    patterns:\n", "    patterns:\n      - wens (dood|sterven\n")
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/rules.yaml", "      - wens (dood|sterven")
    assert "a '(' without its ')'" in problem.message


@pytest.mark.parametrize("field", ["stories", "on_purpose"])
def test_a_story_or_on_purpose_pattern_that_cannot_be_read(copy, field):
    # Every list of patterns in the lexicon is checked: a broken one stopped the bot from
    # building its rules at start while `content check` said "content ok".
    negations = "    negations: [niet, nooit, geen, niets, niks, nimmer, nergens]\n"
    copy.edit("safety/rules.yaml", negations, f"{negations}    {field}:\n      - (in de\n")
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/rules.yaml", "      - (in de\n")
    assert problem.message == f"nl {field}: '(in de': a '(' without its ')'"


def test_a_crisis_category_left_without_a_rule(copy):
    line = copy.line("safety/rules.yaml", "  - id: en-self-harm")
    text = copy.path("safety/rules.yaml").read_text().splitlines(keepends=True)
    assert text[line + 1] == "    category: self_harm\n"
    text[line + 1] = "    category: overdose\n"
    copy.path("safety/rules.yaml").write_text("".join(text))
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/rules.yaml", "rules:\n")
    assert "no en rule has the crisis category 'self_harm'" in problem.message


def test_a_lexicon_word_list_left_out(copy):
    # Every language's words serve every text, so the engine would still run: the check
    # must say that English writers lost what the list does.
    copy.edit("safety/rules.yaml", "    negation_cancellers: [stop, stopping, quit, help]\n", "")
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/rules.yaml", "  en:\n")
    assert "the en lexicon has no `negation_cancellers`" in problem.message
    assert "read as denials" in problem.message


def test_an_empty_lexicon_word_list(copy):
    copy.edit("safety/rules.yaml", "    also: [ook]\n", "    also: []\n")
    problem = only(copy.problems())
    assert "the nl lexicon has no `also`" in problem.message


def test_a_word_list_entry_the_spellings_make_several_words(copy):
    copy.edit("safety/rules.yaml", "first_person: [i, me,", "first_person: [i, im, me,")
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/rules.yaml", "first_person: [i, im, me,")
    assert "en first_person: 'im' is read as 'i am'" in problem.message
    assert "single words" in problem.message


def test_a_checkin_rule_example_that_no_longer_holds(copy):
    copy.edit(
        "safety/checkin_rules.yaml",
        "      - fires: true   # 8 of 14 days low",
        "      - fires: false  # 8 of 14 days low",
    )
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/safety/checkin_rules.yaml",
        copy.line("safety/checkin_rules.yaml", "fires: false  # 8 of 14 days low"),
    )
    assert "'energy-low-two-weeks' fires on its example 1" in problem.message


def test_a_checkin_rule_threshold_off_its_scale(copy):
    copy.edit("safety/checkin_rules.yaml", "    threshold: 2\n", "    threshold: 6\n")
    problem = only(copy.problems())
    assert problem.file == "content/safety/checkin_rules.yaml"
    assert problem.line == copy.line("safety/checkin_rules.yaml", "  - id: sleep-poor-two-weeks")
    assert "outside the sleep scale of 1 to 5" in problem.message


# --- escalations: SAFETY.md's mechanical rules ----------------------------------------------


def test_a_crisis_body_without_the_crisis_number(copy):
    copy.edit(
        "safety/escalations.yaml",
        "Bel nu {crisis_phones} ({crisis_name})",
        "Bel nu de zelfmoordlijn",
    )
    problems = copy.problems()
    line = copy.line("safety/escalations.yaml", "Bel nu de zelfmoordlijn") - 1
    reported(
        problems,
        "content/safety/escalations.yaml",
        line,
        "the crisis body in nl, with the help lines of BE, does not give 1813",
        "{crisis_phone}",
    )
    reported(
        problems,
        "content/safety/escalations.yaml",
        line,
        "the crisis body in nl, with the help lines of NL, does not give 113",
    )
    assert len(problems) == 2


def test_a_crisis_body_that_writes_one_countrys_number(copy):
    copy.edit(
        "safety/escalations.yaml",
        "Call {crisis_phones} now ({crisis_name})",
        "Call 1813 now (Zelfmoordlijn)",
    )
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/escalations.yaml", "Call 1813 now") - 1
    assert "in en, with the help lines of NL, does not give 113" in problem.message


def test_a_crisis_body_without_112(copy):
    copy.edit("safety/escalations.yaml", "call {emergency_phone}.", "call for help.")
    problems = copy.problems()
    line = copy.line("safety/escalations.yaml", "call for help.") - 1
    for country in ("BE", "NL"):
        reported(
            problems, "content/safety/escalations.yaml", line, f"of {country}", "does not give 112"
        )
    assert len(problems) == 2


def test_a_crisis_opener_that_asks_before_giving_the_number(copy):
    copy.edit(
        "safety/escalations.yaml",
        '"Je schreef dat je jezelf pijn doet',
        '"Mag ik iets vragen? Je schreef dat je jezelf pijn doet',
    )
    problems = copy.problems()
    line = copy.line("safety/escalations.yaml", "Mag ik iets vragen?")
    problem = reported(
        problems,
        "content/safety/escalations.yaml",
        line,
        "'self_harm'",
        "asks a question before it gives 1813",
    )
    assert "make this opener a statement" in problem.message
    assert {p.line for p in problems} == {line}


def test_a_crisis_body_that_asks_before_giving_the_numbers(copy):
    copy.edit(
        "safety/escalations.yaml",
        "        Bel nu {crisis_phones}",
        "        Gaat het? Bel nu {crisis_phones}",
    )
    problems = copy.problems()
    line = copy.line("safety/escalations.yaml", "Gaat het? Bel nu") - 1
    for country, number in (("BE", "1813"), ("NL", "113")):
        reported(
            problems,
            "content/safety/escalations.yaml",
            line,
            f"of {country}",
            f"asks a question before it gives {number} and 112",
            "give the numbers first",
        )
    assert len(problems) == 2


def test_a_crisis_body_that_asks_before_its_last_line(copy):
    # A group gets the crisis answer without buttons and without the body's last line (the
    # offer that the buttons answer): a question anywhere else would be asked there too.
    copy.edit(
        "safety/escalations.yaml",
        "        Praten helpt, en je hoeft er niet mee te wachten.",
        "        Wil je erover praten? Je hoeft er niet mee te wachten.",
    )
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/escalations.yaml", "Wil je erover praten?") - 3
    assert "the crisis body in nl asks a question before its last line" in problem.message


def test_a_crisis_body_whose_closing_question_gives_a_help_line(copy):
    copy.edit(
        "safety/escalations.yaml",
        "        Zal ik nu bij je blijven met een korte grondings- of ademoefening?",
        "        Zal ik bij je blijven, of bel je liever {talk_phone}?",
    )
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/escalations.yaml", "of bel je liever") - 4
    assert "its closing question gives {talk_phone}" in problem.message


def test_a_crisis_body_that_gives_the_numbers_too_late(copy):
    copy.edit(
        "safety/escalations.yaml",
        "        Bel nu {crisis_phones}",
        "        Je bent niet alleen.\n        Praten helpt.\n        Bel nu {crisis_phones}",
    )
    problems = copy.problems()
    line = copy.line("safety/escalations.yaml", "Je bent niet alleen.") - 1
    reported(
        problems,
        "content/safety/escalations.yaml",
        line,
        "of BE",
        "gives 1813 and 112 only after line 2",
        "move them to the first sentence",
    )
    assert {p.line for p in problems} == {line} and len(problems) == 2


def test_a_crisis_message_too_long_for_a_phone_screen(copy):
    copy.edit(
        "safety/escalations.yaml",
        '"Wat je schreef klinkt ernstig,',
        '"' + "Dat is heel veel om te dragen. " * 10 + "Wat je schreef klinkt ernstig,",
    )
    problems = copy.problems()
    line = copy.line("safety/escalations.yaml", "Dat is heel veel om te dragen.")
    reported(
        problems, "content/safety/escalations.yaml", line, "'default' in nl", "fits a phone screen"
    )
    assert {p.line for p in problems} == {line}


def test_a_diagnosis_in_a_gp_opener(copy):
    copy.edit(
        "safety/escalations.yaml",
        '"Je beschreef dat je je al een tijd somber voelt',
        '"Je hebt waarschijnlijk een depressie. Je beschreef dat je je al een tijd somber voelt',
    )
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/escalations.yaml", "Je hebt waarschijnlijk")
    assert "'je hebt waarschijnlijk een depressie' names or suggests a diagnosis" in problem.message


def test_a_diagnosis_in_english_in_a_crisis_body(copy):
    copy.edit(
        "safety/escalations.yaml",
        "Talking helps, and you do not have to wait.",
        "You are depressed, and talking helps.",
    )
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/escalations.yaml", "You are depressed")
    assert "'you are depressed'" in problem.message and "SAFETY.md" in problem.message


def test_a_diagnosis_in_a_ui_text(copy):
    copy.edit(
        "ui.yaml",
        '"Weinig energie vandaag. Dat mag er zijn.',
        '"Weinig energie vandaag. Dit is een burn-out.',
    )
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/ui.yaml",
        copy.line("ui.yaml", "Dit is een burn-out"),
    )
    assert "'dit is een burn-out'" in problem.message


def test_zelfmoord_plegen_anywhere(copy):
    copy.edit(
        "prompts.yaml",
        "Wat brengt je naar deze coaching?",
        "Wat brengt je naar deze coaching?\n        Ooit gedacht aan zelfmoord plegen?",
    )
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/prompts.yaml",
        copy.line("prompts.yaml", "zelfmoord plegen"),
    )
    assert "'zelfmoord plegen' must not be used" in problem.message
    assert "zelfdoding" in problem.message


def test_commit_suicide_anywhere(copy):
    copy.edit(
        "ui.yaml",
        '"Hello {name}, welcome."',
        '"Hello {name}, welcome. People who commit suicide ..."',
    )
    problem = only(copy.problems())
    assert problem.line == copy.line("ui.yaml", "commit suicide")
    assert "'commit suicide' must not be used" in problem.message


def test_a_minimising_crisis_opener(copy):
    copy.edit(
        "safety/escalations.yaml",
        '"Wat je schreef klinkt ernstig, en het is goed',
        '"Het valt wel mee, en het is goed',
    )
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/escalations.yaml", "Het valt wel mee")
    assert "minimises" in problem.message


def test_an_opener_for_a_category_that_does_not_exist(copy):
    copy.edit("safety/escalations.yaml", "      trauma:\n", "      traumas:\n")
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/escalations.yaml", "      traumas:")
    assert "(did you mean 'trauma'?)" in problem.message and "never shown" in problem.message


def test_escalation_openers_need_a_default(copy):
    copy.edit("safety/escalations.yaml", "      default:\n", "      fallback:\n")
    problems = copy.problems()
    reported(
        problems,
        "content/safety/escalations.yaml",
        copy.line("safety/escalations.yaml", "    openers:"),
        "'default' entry",
    )


# --- help lines -----------------------------------------------------------------------------


def test_help_lines_missing_for_a_country(copy):
    copy.sub("safety/helplines.yaml", r"^  NL:\n.*?(?=^verified:)", "")
    problem = only(copy.problems())
    assert (problem.file, problem.line) == (
        "content/safety/helplines.yaml",
        copy.line("safety/helplines.yaml", "countries:"),
    )
    assert "the help lines of NL are missing" in problem.message


def test_a_crisis_line_without_a_number(copy):
    copy.edit("safety/helplines.yaml", '      phone: "1813"\n', "")
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/helplines.yaml", "    crisis:")
    assert "BE crisis has no `phone:`" in problem.message


def test_an_emergency_number_that_is_not_112(copy):
    copy.edit("safety/helplines.yaml", '      phone: "112"\n', '      phone: "911"\n')
    problems = copy.problems()
    reported(
        problems,
        "content/safety/helplines.yaml",
        copy.line("safety/helplines.yaml", '"911"'),
        "is 112, not 911",
    )
    body = copy.line("safety/escalations.yaml", "    body:")
    reported(problems, "content/safety/escalations.yaml", body + 1, "of BE", "does not give 112")


def test_a_phone_number_with_letters(copy):
    copy.edit("safety/helplines.yaml", '      phone: "106"\n', '      phone: "1o6"\n')
    problem = only(copy.problems())
    assert problem.line == copy.line("safety/helplines.yaml", '"1o6"')
    assert "not a phone number as it is dialled" in problem.message


# --- the command line -------------------------------------------------------------------------


def test_the_cli_prints_file_line_message_and_exits_1(copy, capsys):
    copy.edit("ui.yaml", '"Hallo {name}, welkom."', '"Hallo {naam}, welkom."')
    line = copy.line("ui.yaml", "Hallo {naam}")
    assert main(["content", "check", str(copy.root)]) == 1
    out, err = capsys.readouterr()
    assert f"content/ui.yaml:{line}: text 'start.greeting' (nl) uses {{naam}}" in out
    assert "problem(s) in" in err


def test_the_cli_reports_several_files_at_once(copy, capsys):
    copy.edit("exercises.yaml", "    duration_minutes: 4\n", "   duration_minutes: 4\n")
    copy.edit("phases.yaml", '      en: "Orientation"', "      en: no")
    assert main(["content", "check", str(copy.root)]) == 1
    out = capsys.readouterr().out
    assert f"content/exercises.yaml:{copy.line('exercises.yaml', '   duration_minutes')}:" in out
    assert f"content/phases.yaml:{copy.line('phases.yaml', 'en: no')}:" in out


@pytest.mark.parametrize(
    ("old", "new", "slip"),
    [
        ("Je kunt altijd /sos typen", "Je kan altijd /sos typen", "'je kan'"),
        ("met /start kun je opnieuw", "met /start kan je opnieuw", "'kan je'"),
        ("staat nog klaar, als je wilt.", "staat nog klaar, als je wil.", "'je wil'"),
        ("Fijn om je weer te zien", "Fijn je weer te zien", "'fijn je weer te zien'"),
    ],
)
def test_a_slip_from_the_dutch_register_names_its_line(copy, old, new, slip):
    copy.edit("ui.yaml", old, new)
    problem = only(copy.problems())
    assert (problem.file, problem.line) == ("content/ui.yaml", copy.line("ui.yaml", new))
    assert slip in problem.message and '"' in problem.message


def test_the_register_check_leaves_correct_dutch_alone():
    assert not checks.register_slips("Wil je iets meenemen? Je kunt het tegen je wil doen.")
    assert not checks.register_slips("Als je wilt, doe je er nog één of twee.")
    assert checks.register_slips("Doe er een of twee.")
