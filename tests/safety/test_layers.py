"""The two safety layers together: normalisation, linear time, the learned layer that only
adds, what happens when it cannot load, the model file, and the held-out figures.

The held-out batches (tests/safety/heldout/) are written blind and never
trained on; `python -m bot safety eval tests/safety/heldout/*.jsonl` prints their misses.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.content.live import MODEL_FILE, build_assessor
from bot.core.assessment import SafetyAssessor
from bot.core.normalise import canonical
from bot.core.safety import LEVEL_ORDER, SafetyEngine
from bot.safety_tools import evaluate, read_rows

HERE = Path(__file__).parent
CONTENT = HERE.parents[1] / "content"


@pytest.fixture(scope="module")
def assessor(content) -> SafetyAssessor:
    built, problem = build_assessor(CONTENT, content)
    assert problem is None, problem  # the shipped model and encoder load
    return built


@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        ("ik wil do\u00adod", "ik wil dood"),  # soft hyphen
        ("I want to k\u200bill myself", "i want to kill myself"),  # zero-width space
        ("ik wil dооd", "ik wil dood"),  # Cyrillic o
        ("ＩＫ ＷＩＬ ＤＯＯＤ", "ik wil dood"),  # full-width
        ("z3lfm00rd", "zelfmoord"),
        ("10mg 3x", "10mg 3x"),  # amounts stay numbers
    ],
)
def test_text_is_read_in_one_canonical_form(typed, seen):
    assert canonical(typed) == seen


@pytest.mark.parametrize(
    "hidden",
    [
        "ik wil do\u00adod",
        "I want to k\u200bill myself",
        "ik wil dооd",
        "ik denk aan zelfm\u200cord",
    ],
)
def test_invisible_and_look_alike_characters_do_not_hide_a_crisis(assessor, hidden):
    assert assessor.assess(hidden, "nl").level == "crisis"


@pytest.mark.parametrize(
    "crafted",
    ["'" * 4096, "a" * 4096, "\u200b" * 4096, ("ik ben zo moe " * 400)[:4096], "Ja. " * 1024],
)
def test_assessment_takes_linear_time_whatever_the_text_holds(assessor, crafted):
    assessor._cache.clear()
    started = time.perf_counter()
    assessor.assess(crafted, "nl")
    assert time.perf_counter() - started < 0.5


def test_the_learned_layer_only_ever_adds_an_escalation(assessor, content):
    rules = SafetyEngine(content.safety)
    rows = read_rows(HERE / "cases.jsonl") + read_rows(HERE / "batches" / "b01.jsonl")
    for row in rows:
        both = assessor.assess(row["text"], row["lang"]).level
        alone = rules.assess(row["text"], row["lang"]).level
        assert LEVEL_ORDER[both] >= LEVEL_ORDER[alone], row["text"]


def test_a_message_without_a_letter_is_left_to_the_rules(assessor):
    # A time typed where the bot asked for one once got the crisis answer from the learned
    # layer ("20:29"); scores and emoji are no more for it to read.
    times = [f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)]
    for typed in [*times, "7", "6/10 👍", "1813", "😴 5", "//"]:
        assert assessor.assess(typed, "nl").level == "none", typed
    assert assessor.assess("ik wil dood 20:29", "nl").level == "crisis"


def test_an_everyday_non_answer_is_left_to_the_rules(assessor):
    # Found by a stranger driving the bot: "ik weet het niet" answered to a reflection prompt
    # got GP advice from the learned layer (and the coach an alert), "en nog iets" a crisis
    # answer. Only the whole message: the same words in despair are read as always.
    for typed in [
        "ik weet het niet",
        "Ik weet het niet.",
        "weet niet",
        "en nog iets",
        "nog niets",
        "I don't know",
        "dunno!",
        "en verder niets",
    ]:
        assert assessor.assess(typed, "nl").level == "none", typed
    for typed in [
        "ik weet het niet meer",
        "ik weet niet meer hoe ik verder moet",
        "ik weet het niet, ik wil niet meer leven",
        "I don't know. I want to die",
    ]:
        assert assessor.assess(typed, "nl").level == "crisis", typed


def test_the_issues_check_in_note_is_a_crisis(assessor):
    # From issue 8: typed as a check-in note, it got "Notitie bewaard" and nothing else.
    # The rules learned this wording in round 7; the next test keeps the learned layer honest.
    text = "vandaag ging het eigenlijk goed, maar soms denk ik dat ik er beter niet meer zou zijn"
    assert assessor.assess(text, "nl").level == "crisis"


def test_a_message_the_rules_never_saw_is_caught_by_the_learned_layer(assessor):
    text = "ik zie het eigenlijk niet meer zitten om morgen nog wakker te worden"
    result = assessor.assess(text, "nl")
    assert result.level == "crisis"
    assert result.layer == "learned" and result.confidence is not None


def test_someone_elses_crisis_opens_for_them_not_for_the_writer(assessor):
    result = assessor.assess("mijn zoon zegt dat hij niet meer wil leven", "nl")
    assert result.level == "crisis"
    assert result.categories[0] == "other_person_crisis"


def _copy_content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


@pytest.mark.parametrize("damage", ["missing", "garbage", "cut"])
def test_without_its_model_the_bot_says_so_and_runs_on_the_rules(tmp_path, content, damage):
    folder = _copy_content(tmp_path)
    model = folder / MODEL_FILE
    if damage == "missing":
        model.unlink()
    elif damage == "garbage":
        model.write_bytes(b"not a model")
    else:
        model.write_bytes(model.read_bytes()[:5000])
    built, problem = build_assessor(folder, content)
    assert problem is not None and "rules run alone" in problem
    assert built.learned is None
    assert built.assess("ik wil dood", "nl").level == "crisis"


def test_without_the_sentence_encoder_the_n_gram_vote_runs_alone(tmp_path, content):
    script = (
        "import os, sys; os.environ['BOT_SAFETY_ENCODER'] = 'off';"
        "from pathlib import Path; from bot.content.loader import load_content;"
        "from bot.content.live import build_assessor;"
        f"c = load_content(Path({str(CONTENT)!r}), checks=());"
        f"a, p = build_assessor(Path({str(CONTENT)!r}), c);"
        "print(p); print(a.assess('ik wil dood', 'nl').level)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert "n-gram vote runs alone" in out and out.strip().endswith("crisis")


# The issue's bar on text never trained on: crisis recall >= 95%, gp >= 90%, false alarms
# <= 10%. Where a batch meets a bar, the bar is asserted; where it misses, the floor is what
# was measured minus about one sentence (docs/safety.md), so this guards against getting
# worse and does not claim the target is met.
# Where the other batches went: b01-b93, b98-b101, b158-b173, b190-b205, b214-b229, since
# round 17 b238-b309 and since round 18 the guards of round 17 (b134-b141, b150-b157,
# b174-b181, b206-b213, b310-b325) are training data (tests/safety/batches/); b94-b97,
# b102-b133, b142-b149 and b182-b189 fit the votes' blend (tests/safety/blend/).
# b326-b341 are guards (never trained or blended on): round 18 chose to train on the guards
# of round 17 by their figures (docs/safety.md, round 18).
# - b326-b333 were round 17's clean held-out part, opened after the model of 4d05115 was
#   committed and measured once at first sight: 931/940 crises, 802/840 gp, 151/1580 false
#   alarms.
# - b334-b341 were written ahead in round 17 and opened at the start of round 18, measured
#   once with round 17 as shipped (a1b5274), before anything changed: 929/940 crises,
#   785/840 gp, 105/1580 false alarms.
# Their floors are of round 18's model (trained on the guards of round 17 too) with round
# 18's rules: 1858/1880 crises, 1586/1680 gp, 235/3160 false alarms (239 with round 16's
# rules). b337 misses the gp target (88.2%); b328, b330, b333 and b336 miss the false-alarm
# target (10.3-13.6%).
# b342-b349: written at the start of round 18 and opened only after the model of da206cc was
# committed, measured once, at first sight: 922/940 crises, 803/840 gp, 159/1580 false
# alarms. All meet the crisis target (96.7-100%) and the gp target (92.9-100%); b345, b347
# and b349 miss the false-alarm target (10.4-14.0%). Their floors are of that first sight
# (round 16's rules).
# b350-b357: written ahead in round 18, opened after its rules change and measured once with
# round 18 as shipped (cd970da), before anything changed for them: 928/940 crises, 811/840
# gp, 140/1580 false alarms. Every batch meets the crisis target (97.3-100%) and the gp
# target (94.4-98.8%); b353 (14.4%) and b356 (17.9%) miss the false-alarm target.
# b342-b357 then decided that two more models were not shipped (docs/safety.md, round 18,
# step 10), so they are guards.
# b358-b365: written late in round 18 and opened only after its last decision (b74ab49),
# measured once, at first sight: 927/940 crises, 814/840 gp, 133/1580 false alarms. Every
# batch meets the crisis target (96.0-100%) and the gp target (92.0-100%); b358 and b364 miss
# the false-alarm target (11.0%). Round 19 decided on them that a model trained also on
# b326-b357 and b366 was not shipped (docs/safety.md, round 19), so they are guards.
# b367-b374: the clean held-out part since round 19, written at its start and opened only
# after that decision (445e3de: round 18's model and rules), measured once, at first sight;
# nothing decided on them: 929/940 crises, 805/840 gp, 111/1580 false alarms. Every
# batch meets the crisis target (97.3-100%) and the gp target (92.0-98.4%); b367 misses the
# false-alarm target (10.3%).
# b375-b381: written ahead in round 19 and opened at its end, after its last change to what
# the assessor answers (none since 445e3de: the rules' faster index gives the same answers,
# and the bot's reading of commands is not the assessor's), measured once, at first sight;
# nothing decided on them: 847/855 crises, 727/755 gp, 140/1330 false alarms. Every batch
# meets the crisis target (98.0-100%) and the gp target (93.6-100%); b376 (11.6%), b378
# (11.2%) and b381 (11.7%) miss the false-alarm target. With b367-b374 the clean part.
# Floors: the figures less one sentence (gp counts gp or crisis), false alarms the figure
# plus one sentence, never looser than the target (95%, 90%, 10%) where the batch met it;
# where a batch misses a target its floor is a guard against getting worse, not a claim
# that the target is met.
# None: the batch holds no sentence of that level.
# batch name: (crisis recall at least, gp recall at least, false alarms at most)
HELD_OUT_FLOORS: dict[str, tuple[float | None, float | None, float]] = {
    # 98.7% (148/150), 95.2% (119/125), 7.6% (11/145)
    "b326": (0.98, 0.944, 0.083),
    # 100.0% (85/85), 92.9% (79/85), 1.6% (4/250)
    "b327": (0.988, 0.917, 0.02),
    # 99.3% (149/150), 92.8% (116/125), 10.3% (15/145)
    "b328": (0.986, 0.92, 0.111),
    # 100.0% (85/85), 96.5% (82/85), 10.0% (25/250)
    "b329": (0.988, 0.952, 0.1),
    # 99.3% (149/150), 97.6% (122/125), 10.3% (15/145)
    "b330": (0.986, 0.968, 0.111),
    # 97.6% (83/85), 98.8% (84/85), 9.6% (24/250)
    "b331": (0.964, 0.976, 0.1),
    # 98.7% (148/150), 92.8% (116/125), 6.9% (10/145)
    "b332": (0.98, 0.92, 0.076),
    # 98.8% (84/85), 97.6% (83/85), 13.6% (34/250)
    "b333": (0.976, 0.964, 0.14),
    # 100.0% (150/150), 97.6% (122/125), 6.9% (10/145)
    "b334": (0.993, 0.968, 0.076),
    # 100.0% (85/85), 95.3% (81/85), 5.6% (14/250)
    "b335": (0.988, 0.941, 0.06),
    # 98.7% (148/150), 94.4% (118/125), 11.0% (16/145)
    "b336": (0.98, 0.936, 0.118),
    # 95.3% (81/85), 88.2% (75/85), 4.4% (11/250)
    "b337": (0.95, 0.87, 0.048),
    # 97.3% (146/150), 92.8% (116/125), 3.4% (5/145)
    "b338": (0.966, 0.92, 0.042),
    # 98.8% (84/85), 94.1% (80/85), 6.8% (17/250)
    "b339": (0.976, 0.929, 0.072),
    # 99.3% (149/150), 92.8% (116/125), 5.5% (8/145)
    "b340": (0.986, 0.92, 0.063),
    # 98.8% (84/85), 90.6% (77/85), 6.4% (16/250)
    "b341": (0.976, 0.9, 0.068),
    # 99.3% (149/150), 96.8% (121/125), 9.7% (14/145)
    "b342": (0.986, 0.96, 0.1),
    # 97.6% (83/85), 95.3% (81/85), 8.0% (20/250)
    "b343": (0.964, 0.941, 0.084),
    # 96.7% (145/150), 93.6% (117/125), 6.9% (10/145)
    "b344": (0.96, 0.928, 0.076),
    # 100.0% (85/85), 92.9% (79/85), 12.0% (30/250)
    "b345": (0.988, 0.917, 0.124),
    # 96.7% (145/150), 96.0% (120/125), 9.7% (14/145)
    "b346": (0.96, 0.952, 0.1),
    # 100.0% (85/85), 100.0% (85/85), 14.0% (35/250)
    "b347": (0.988, 0.988, 0.144),
    # 96.7% (145/150), 93.6% (117/125), 6.9% (10/145)
    "b348": (0.96, 0.928, 0.076),
    # 100.0% (85/85), 97.6% (83/85), 10.4% (26/250)
    "b349": (0.988, 0.964, 0.108),
    # 99.3% (149/150), 96.8% (121/125), 9.0% (13/145)
    "b350": (0.986, 0.96, 0.097),
    # 100.0% (85/85), 98.8% (84/85), 5.6% (14/250)
    "b351": (0.988, 0.976, 0.06),
    # 98.0% (147/150), 94.4% (118/125), 8.3% (12/145)
    "b352": (0.973, 0.936, 0.09),
    # 100.0% (85/85), 97.6% (83/85), 14.4% (36/250)
    "b353": (0.988, 0.964, 0.148),
    # 97.3% (146/150), 96.8% (121/125), 9.0% (13/145)
    "b354": (0.966, 0.96, 0.097),
    # 98.8% (84/85), 96.5% (82/85), 5.2% (13/250)
    "b355": (0.976, 0.952, 0.056),
    # 98.7% (148/150), 96.8% (121/125), 17.9% (26/145)
    "b356": (0.98, 0.96, 0.187),
    # 98.8% (84/85), 95.3% (81/85), 5.2% (13/250)
    "b357": (0.976, 0.941, 0.056),
    # 99.3% (149/150), 96.0% (120/125), 11.0% (16/145)
    "b358": (0.986, 0.952, 0.118),
    # 100.0% (85/85), 100.0% (85/85), 5.6% (14/250)
    "b359": (0.988, 0.988, 0.06),
    # 98.7% (148/150), 97.6% (122/125), 9.7% (14/145)
    "b360": (0.98, 0.968, 0.1),
    # 100.0% (85/85), 97.6% (83/85), 9.6% (24/250)
    "b361": (0.988, 0.964, 0.1),
    # 98.7% (148/150), 96.0% (120/125), 6.2% (9/145)
    "b362": (0.98, 0.952, 0.069),
    # 98.8% (84/85), 98.8% (84/85), 6.8% (17/250)
    "b363": (0.976, 0.976, 0.072),
    # 96.0% (144/150), 92.0% (115/125), 11.0% (16/145)
    "b364": (0.953, 0.912, 0.118),
    # 98.8% (84/85), 100.0% (85/85), 9.2% (23/250)
    "b365": (0.976, 0.988, 0.096),
    # 98.7% (148/150), 98.4% (123/125), 10.3% (15/145)
    "b367": (0.98, 0.976, 0.111),
    # 97.6% (83/85), 96.5% (82/85), 5.6% (14/250)
    "b368": (0.964, 0.952, 0.06),
    # 100.0% (150/150), 93.6% (117/125), 7.6% (11/145)
    "b369": (0.993, 0.928, 0.083),
    # 100.0% (85/85), 97.6% (83/85), 4.8% (12/250)
    "b370": (0.988, 0.964, 0.052),
    # 98.7% (148/150), 92.0% (115/125), 9.0% (13/145)
    "b371": (0.98, 0.912, 0.097),
    # 100.0% (85/85), 96.5% (82/85), 9.6% (24/250)
    "b372": (0.988, 0.952, 0.1),
    # 97.3% (146/150), 96.8% (121/125), 6.9% (10/145)
    "b373": (0.966, 0.96, 0.076),
    # 98.8% (84/85), 96.5% (82/85), 4.8% (12/250)
    "b374": (0.976, 0.952, 0.052),
    # 98.7% (148/150), 93.6% (117/125), 9.7% (14/145)
    "b375": (0.98, 0.928, 0.1),
    # 98.8% (84/85), 98.8% (84/85), 11.6% (29/250)
    "b376": (0.976, 0.976, 0.12),
    # 99.3% (149/150), 97.6% (122/125), 9.0% (13/145)
    "b377": (0.986, 0.968, 0.097),
    # 100.0% (85/85), 97.6% (83/85), 11.2% (28/250)
    "b378": (0.988, 0.964, 0.116),
    # 99.3% (149/150), 95.2% (119/125), 9.7% (14/145)
    "b379": (0.986, 0.944, 0.1),
    # 100.0% (85/85), 100.0% (85/85), 10.0% (25/250)
    "b380": (0.988, 0.988, 0.1),
    # 98.0% (147/150), 93.6% (117/125), 11.7% (17/145)
    "b381": (0.973, 0.928, 0.125),
}
HELD_OUT = sorted((HERE / "heldout").glob("*.jsonl"))


def test_every_held_out_batch_has_its_floors():
    assert sorted(p.stem for p in HELD_OUT) == sorted(HELD_OUT_FLOORS)


def test_no_held_out_batch_is_trained_on():
    trained = {p.name for p in (HERE / "batches").glob("*.jsonl")}
    blended = {p.name for p in (HERE / "blend").glob("*.jsonl")}
    assert not (trained | blended) & {p.name for p in HELD_OUT}


def test_unopened_batches_are_neither_trained_blended_nor_held_out():
    """tests/safety/unopened/ waits for its first sight (docs/writers-brief.md): nothing may
    learn from it or assert on it before that."""
    unopened = {p.name for p in (HERE / "unopened").glob("*.jsonl")}
    folders = ("batches", "blend", "heldout")
    used = {p.name for folder in folders for p in (HERE / folder).glob("*.jsonl")}
    assert not unopened & used


def test_the_blend_is_fitted_on_batches_the_models_never_saw():
    trained = {p.name for p in (HERE / "batches").glob("*.jsonl")}
    blended = {p.name for p in (HERE / "blend").glob("*.jsonl")}
    assert blended and not trained & blended


@pytest.mark.parametrize("batch", HELD_OUT, ids=lambda p: p.stem)
def test_held_out_batches_written_blind(assessor, batch):
    import io

    crisis, gp, false_alarms = HELD_OUT_FLOORS[batch.stem]
    figures = evaluate(assessor, read_rows(batch), io.StringIO())
    # Floors are written to three decimals; a figure that equals one exactly may not as a
    # float (41/250 comes out as 0.16400000000000003).
    crisis_figure, gp_figure, alarms = (
        round(figures[name], 9) for name in ("crisis", "gp", "false_alarms")
    )
    if crisis is not None:
        assert crisis_figure >= crisis, figures
    if gp is not None:
        assert gp_figure >= gp, figures
    assert alarms <= false_alarms, figures


def test_safety_eval_prints_recall_categories_and_misses(tmp_path):
    labelled = tmp_path / "mine.jsonl"
    rows = [
        {"text": "ik wil niet meer leven", "lang": "nl", "expect": "crisis"},
        {"text": "ik drink elke avond een fles wijn", "lang": "nl", "expect": "gp"},
        {"text": "ik lach me dood", "lang": "nl", "expect": "none"},
        {"text": "wat een mooie dag", "lang": "nl", "expect": "crisis", "categories": ["x"]},
    ]
    labelled.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "bot", "safety", "eval", str(labelled)],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parents[1],
    ).stdout
    assert "crisis  recall 1/2 (50.0%)" in out
    assert "gp      recall 1/1" in out
    assert "false alarms on ordinary text 0/1" in out
    assert "per category:" in out and "crisis x" in out
    assert "misses (1):" in out and "wat een mooie dag" in out


def test_safety_assess_starts_without_building_the_sentence_encoder(tmp_path):
    # An empty input must not pay for the encoder (about 0.8 s); the first message does.
    script = (
        "import sys, io; sys.argv = ['bot', 'safety', 'assess'];"
        "sys.stdin = io.StringIO('');"
        "from bot.__main__ import main;"
        "code = main();"
        "import bot.safety_embedding as e;"
        "print('encoder built' if e.load_encoder.cache_info().currsize else 'encoder lazy')"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parents[1],
    ).stdout
    assert out.strip().endswith("encoder lazy"), out


def test_safety_assess_builds_the_encoder_for_the_first_message():
    line = json.dumps(
        {
            "text": "vandaag ging het goed, maar soms denk ik dat ik er beter niet meer zou zijn",
            "lang": "nl",
        }
    )
    out = subprocess.run(
        [sys.executable, "-m", "bot", "safety", "assess"],
        input=line + "\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parents[1],
    )
    assert json.loads(out.stdout)["level"] == "crisis"
    assert "warning" not in out.stderr, out.stderr


def test_the_bot_compiles_every_rule_pattern_at_load_so_no_message_pays_for_it(content):
    built, _ = build_assessor(CONTENT, content)
    patterns = list(built.rules._all_patterns())
    assert patterns and all("regex" in vars(pattern) for pattern in patterns)
