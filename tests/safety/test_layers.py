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
# b06, b07 and b14-b17 decided something and are training data now (tests/safety/batches/);
# b94-b97, b102-b149 and b182-b189 fit the votes' blend (tests/safety/blend/); b158-b173
# decided round 9 and are training data (tests/safety/batches/).
# b190-b205 decided round 11 and b214-b229 round 12; they are training data
# (tests/safety/batches/).
# b134-b141, b150-b157, b174-b181, b206-b213, b238-b261: never trained or blended on,
# but they decided something (b134-b157 the gp bar of round 9; b174-b181 the blend batches
# and the gp bar of round 10; b206-b213 round 11's model, and their misses wrote rules of
# 84ff9a6; b238-b245 round 12's model; the misses of b246-b261 wrote the rules of round 13
# (ec2ea4a); docs/safety.md), so they are guards, not a clean measure.
# Figures of the shipped model of round 12 (86d9c7b) with the rules of 63bdd36, bars 0.12 /
# 0.85. b238-b245 chose that model at first sight (b238, b240, b242 and b244 were under the
# crisis target then, 94.0-94.7%); their misses wrote the rules of 63bdd36 since.
# b246-b253 were round 12's clean held-out part: at its first sight b246 and b248 missed the
# crisis target (93.3%) and b253 (94.1%); their floors are those figures, kept as guards.
# Floors of b254-b269: round 12's model (86d9c7b) with the rules of round 13 (ec2ea4a).
# b262-b269: the clean held-out part since round 13, written at its start before anything was
# measured and opened only after ec2ea4a was committed, measured once, at first sight;
# nothing decided on them. All meet the crisis target (95.3-98.8%); b264 (newcomers writing
# Dutch or English as a second language) misses the gp target (89.6%); b262, b264, b266, b267
# and b268 the false-alarm target (11.6-18.6%).
# Round 14: b262-b269 are guards now; b270-b277 were opened after round 13 and their misses
# wrote round 14's rules (1f5817f, 4a1bd7c), so they are guards too; their floors are of round
# 14's rules with the same model. b278-b285: the clean held-out part since round 14, written
# at its start and opened only after 4a1bd7c, measured once, at first sight (b278 and b279 a
# few minutes early, by a glob, with the same commit); nothing decided on them. b278 (nurses
# and carers) misses the crisis target (94.7%); b278, b281, b282 and b285 the false-alarm
# target (10.8-16.0%). The review of round 14's rules (56ad108) added one false alarm on b281:
# 41 of 250, its floor exactly.
# Round 15: the embedding head has a hidden layer (bot.safety_training.HEAD_HIDDEN). It was
# chosen on b286-b293 (written ahead in round 14, opened at the start of round 15 and measured
# once with round 14 as shipped) and on the guards above, so b286-b293 are guards too. Every
# floor here is of round 15's model with the rules of 282dcd7; a batch's figures moved by a
# sentence or two either way (over all the guards: one crisis and ten gp sentences more, 103
# false alarms fewer; docs/safety.md, round 15).
# b294-b301: the clean held-out part since round 15, written at its start and opened only
# after the model of c609019 was committed, measured once, at first sight; nothing decided on
# them. All meet the crisis target (97.3-98.8%) and the gp target (91.2-98.8%); b296, b298,
# b299, b300 and b301 miss the false-alarm target (10.8-18.6%).
# Round 16: the rules drop a match told of a film, book, series or the news (lexicon
# `stories`); it was decided on b302-b309 (written ahead in round 15, opened at the start of
# round 16 and measured once with round 15 as shipped), so they are guards; their floors are
# of f5260ec. The older floors hold as they were (the change only removed false alarms:
# 27 on b134-b301). b310-b317: the clean held-out part since round 16, written at its start
# and opened only after f5260ec was committed, measured once, at first sight; nothing decided
# on them. All meet the crisis target (95.3-100%); b310 (firefighters, ambulance crews and
# police) and b311 (sport and bodies) miss the gp target (86.4%, 84.7%); b310, b313 and
# b314 the false-alarm target (10.8-11.0%).
# Floors: the figures less one sentence (gp counts gp or crisis), false alarms the figure
# plus one sentence, never looser than the target (95%, 90%, 10%) where the batch met it;
# where a batch misses a target its floor is a guard against getting worse, not a claim
# that the target is met.
# None: the batch holds no sentence of that level.
# batch name: (crisis recall at least, gp recall at least, false alarms at most)
HELD_OUT_FLOORS: dict[str, tuple[float | None, float | None, float]] = {
    # 98.6% (145/147), 96.0% (120/125), 4.7% (7/148)
    "b134": (0.979, 0.952, 0.055),
    # 99.3% (146/147), 96.8% (122/126), 6.1% (9/147)
    "b135": (0.986, 0.96, 0.069),
    # 99.3% (142/143), 94.7% (124/131), 5.5% (8/146)
    "b136": (0.986, 0.938, 0.062),
    # 99.3% (146/147), 97.6% (123/126), 6.8% (10/147)
    "b137": (0.986, 0.968, 0.075),
    # 98.6% (145/147), 94.4% (119/126), 3.4% (5/147)
    "b138": (0.979, 0.936, 0.041),
    # 99.4% (158/159), 96.7% (118/122), 5.8% (8/139)
    "b139": (0.987, 0.959, 0.065),
    # 100.0% (84/84), 97.6% (82/84), 3.2% (8/252)
    "b140": (0.988, 0.964, 0.036),
    # 100.0% (84/84), 96.4% (81/84), 2.8% (7/252)
    "b141": (0.988, 0.952, 0.032),
    # 99.3% (148/149), 95.3% (122/128), 8.4% (12/143)
    "b150": (0.986, 0.945, 0.091),
    # 100.0% (147/147), 95.2% (120/126), 6.1% (9/147)
    "b151": (0.993, 0.944, 0.069),
    # 99.3% (149/150), 92.9% (117/126), 4.2% (6/144)
    "b152": (0.986, 0.92, 0.049),
    # 97.3% (145/149), 98.4% (124/126), 8.3% (12/145)
    "b153": (0.966, 0.976, 0.09),
    # 99.3% (146/147), 95.2% (120/126), 12.2% (18/147)
    "b154": (0.986, 0.944, 0.13),
    # 98.7% (148/150), 97.6% (121/124), 9.6% (14/146)
    "b155": (0.98, 0.967, 0.1),
    # 100.0% (84/84), 96.4% (81/84), 5.6% (14/252)
    "b156": (0.988, 0.952, 0.06),
    # 100.0% (88/88), 98.8% (83/84), 5.6% (14/248)
    "b157": (0.988, 0.976, 0.061),
    # 98.0% (150/153), 97.6% (122/125), 7.0% (10/142)
    "b174": (0.973, 0.968, 0.078),
    # 98.0% (147/150), 88.8% (111/125), 2.8% (4/145)
    "b175": (0.973, 0.88, 0.035),
    # 99.3% (149/150), 96.0% (120/125), 2.8% (4/145)
    "b176": (0.986, 0.952, 0.035),
    # 99.3% (149/150), 92.0% (115/125), 9.0% (13/145)
    "b177": (0.986, 0.912, 0.097),
    # 98.0% (148/151), 91.2% (114/125), 6.2% (9/144)
    "b178": (0.973, 0.904, 0.07),
    # 100.0% (85/85), 96.5% (82/85), 4.8% (12/250)
    "b179": (0.988, 0.952, 0.052),
    # 100.0% (85/85), 98.8% (84/85), 5.2% (13/250)
    "b180": (0.988, 0.976, 0.056),
    # 100.0% (85/85), 100.0% (85/85), 5.2% (13/250)
    "b181": (0.988, 0.988, 0.056),
    # 100.0% (150/150), 96.8% (121/125), 9.0% (13/145)
    "b206": (0.993, 0.96, 0.097),
    # 100.0% (85/85), 97.6% (83/85), 9.6% (24/250)
    "b207": (0.988, 0.964, 0.1),
    # 99.3% (149/150), 99.2% (124/125), 13.8% (20/145)
    "b208": (0.986, 0.984, 0.145),
    # 100.0% (85/85), 100.0% (85/85), 8.0% (20/250)
    "b209": (0.988, 0.988, 0.084),
    # 100.0% (150/150), 100.0% (125/125), 15.2% (22/145)
    "b210": (0.993, 0.992, 0.159),
    # 100.0% (85/85), 97.6% (83/85), 8.0% (20/250)
    "b211": (0.988, 0.964, 0.084),
    # 99.3% (149/150), 96.8% (121/125), 6.9% (10/145)
    "b212": (0.986, 0.96, 0.076),
    # 100.0% (85/85), 98.8% (84/85), 10.8% (27/250)
    "b213": (0.988, 0.976, 0.112),
    # 98.7% (148/150), 97.6% (122/125), 13.1% (19/145)
    "b238": (0.98, 0.968, 0.138),
    # 100.0% (85/85), 98.8% (84/85), 18.0% (45/250)
    "b239": (0.988, 0.976, 0.184),
    # 98.7% (148/150), 100.0% (125/125), 16.6% (24/145)
    "b240": (0.98, 0.992, 0.173),
    # 98.8% (84/85), 100.0% (85/85), 6.8% (17/250)
    "b241": (0.976, 0.988, 0.072),
    # 98.0% (147/150), 98.4% (123/125), 22.1% (32/145)
    "b242": (0.973, 0.976, 0.228),
    # 98.8% (84/85), 100.0% (85/85), 12.8% (32/250)
    "b243": (0.976, 0.988, 0.132),
    # 97.3% (146/150), 97.6% (122/125), 15.2% (22/145)
    "b244": (0.966, 0.968, 0.159),
    # 100.0% (85/85), 98.8% (84/85), 8.4% (21/250)
    "b245": (0.988, 0.976, 0.088),
    # 98.7% (148/150), 87.2% (109/125), 5.5% (8/145)
    "b246": (0.98, 0.864, 0.063),
    # 100.0% (85/85), 91.8% (78/85), 9.2% (23/250)
    "b247": (0.988, 0.905, 0.096),
    # 96.0% (144/150), 91.2% (114/125), 8.3% (12/145)
    "b248": (0.953, 0.904, 0.09),
    # 100.0% (85/85), 95.3% (81/85), 8.4% (21/250)
    "b249": (0.988, 0.941, 0.088),
    # 98.7% (148/150), 96.8% (121/125), 9.0% (13/145)
    "b250": (0.98, 0.96, 0.097),
    # 98.8% (84/85), 90.6% (77/85), 11.6% (29/250)
    "b251": (0.976, 0.9, 0.12),
    # 98.7% (148/150), 95.2% (119/125), 11.0% (16/145)
    "b252": (0.98, 0.944, 0.118),
    # 97.6% (83/85), 91.8% (78/85), 3.6% (9/250)
    "b253": (0.964, 0.905, 0.04),
    # 96.7% (145/150), 96.8% (121/125), 11.0% (16/145)
    "b254": (0.96, 0.96, 0.118),
    # 100.0% (85/85), 97.6% (83/85), 7.2% (18/250)
    "b255": (0.988, 0.964, 0.076),
    # 100.0% (150/150), 98.4% (123/125), 9.0% (13/145)
    "b256": (0.993, 0.976, 0.097),
    # 98.8% (84/85), 98.8% (84/85), 5.2% (13/250)
    "b257": (0.976, 0.976, 0.056),
    # 99.3% (149/150), 97.6% (122/125), 20.7% (30/145)
    "b258": (0.986, 0.968, 0.214),
    # 98.8% (84/85), 98.8% (84/85), 16.8% (42/250)
    "b259": (0.976, 0.976, 0.172),
    # 99.3% (149/150), 98.4% (123/125), 18.6% (27/145)
    "b260": (0.986, 0.976, 0.194),
    # 100.0% (85/85), 100.0% (85/85), 12.0% (30/250)
    "b261": (0.988, 0.988, 0.124),
    # 96.7% (145/150), 92.8% (116/125), 18.6% (27/145)
    "b262": (0.96, 0.92, 0.194),
    # 98.8% (84/85), 97.6% (83/85), 5.2% (13/250)
    "b263": (0.976, 0.964, 0.056),
    # 97.3% (146/150), 92.0% (115/125), 13.1% (19/145)
    "b264": (0.966, 0.912, 0.138),
    # 98.8% (84/85), 89.4% (76/85), 6.8% (17/250)
    "b265": (0.976, 0.882, 0.072),
    # 96.7% (145/150), 96.8% (121/125), 13.8% (20/145)
    "b266": (0.96, 0.96, 0.145),
    # 97.6% (83/85), 94.1% (80/85), 10.8% (27/250)
    "b267": (0.964, 0.929, 0.112),
    # 96.7% (145/150), 96.8% (121/125), 14.5% (21/145)
    "b268": (0.96, 0.96, 0.152),
    # 97.6% (83/85), 92.9% (79/85), 6.8% (17/250)
    "b269": (0.964, 0.917, 0.072),
    # 99.3% (149/150), 98.4% (123/125), 9.7% (14/145)
    "b270": (0.986, 0.976, 0.1),
    # 100.0% (85/85), 96.5% (82/85), 7.6% (19/250)
    "b271": (0.988, 0.952, 0.08),
    # 99.3% (149/150), 98.4% (123/125), 8.3% (12/145)
    "b272": (0.986, 0.976, 0.09),
    # 100.0% (85/85), 100.0% (85/85), 11.6% (29/250)
    "b273": (0.988, 0.988, 0.12),
    # 98.7% (148/150), 98.4% (123/125), 8.3% (12/145)
    "b274": (0.98, 0.976, 0.09),
    # 98.8% (84/85), 97.6% (83/85), 10.0% (25/250)
    "b275": (0.976, 0.964, 0.1),
    # 99.3% (149/150), 98.4% (123/125), 13.1% (19/145)
    "b276": (0.986, 0.976, 0.138),
    # 100.0% (85/85), 98.8% (84/85), 8.8% (22/250)
    "b277": (0.988, 0.976, 0.092),
    # 95.3% (143/150), 98.4% (123/125), 14.5% (21/145)
    "b278": (0.95, 0.976, 0.152),
    # 95.3% (81/85), 94.1% (80/85), 8.0% (20/250)
    "b279": (0.95, 0.929, 0.084),
    # 97.3% (146/150), 92.8% (116/125), 4.8% (7/145)
    "b280": (0.966, 0.92, 0.056),
    # 97.6% (83/85), 98.8% (84/85), 14.4% (36/250)
    "b281": (0.964, 0.976, 0.148),
    # 98.7% (148/150), 96.8% (121/125), 10.3% (15/145)
    "b282": (0.98, 0.96, 0.111),
    # 97.6% (83/85), 100.0% (85/85), 8.0% (20/250)
    "b283": (0.964, 0.988, 0.084),
    # 98.7% (148/150), 94.4% (118/125), 7.6% (11/145)
    "b284": (0.98, 0.936, 0.083),
    # 98.8% (84/85), 90.6% (77/85), 11.2% (28/250)
    "b285": (0.976, 0.9, 0.116),
    # 98.0% (147/150), 96.0% (120/125), 13.8% (20/145)
    "b286": (0.973, 0.952, 0.145),
    # 97.6% (83/85), 97.6% (83/85), 11.2% (28/250)
    "b287": (0.964, 0.964, 0.116),
    # 95.3% (143/150), 95.2% (119/125), 13.1% (19/145)
    "b288": (0.95, 0.944, 0.138),
    # 96.5% (82/85), 96.5% (82/85), 6.0% (15/250)
    "b289": (0.952, 0.952, 0.064),
    # 95.3% (143/150), 97.6% (122/125), 9.7% (14/145)
    "b290": (0.95, 0.968, 0.1),
    # 96.5% (82/85), 95.3% (81/85), 11.6% (29/250)
    "b291": (0.952, 0.941, 0.12),
    # 96.0% (144/150), 95.2% (119/125), 11.0% (16/145)
    "b292": (0.953, 0.944, 0.118),
    # 100.0% (85/85), 91.8% (78/85), 6.4% (16/250)
    "b293": (0.988, 0.905, 0.068),
    # 98.0% (147/150), 94.4% (118/125), 6.9% (10/145)
    "b294": (0.973, 0.936, 0.076),
    # 98.8% (84/85), 95.3% (81/85), 9.6% (24/250)
    "b295": (0.976, 0.941, 0.1),
    # 97.3% (146/150), 91.2% (114/125), 18.6% (27/145)
    "b296": (0.966, 0.904, 0.194),
    # 98.8% (84/85), 98.8% (84/85), 3.6% (9/250)
    "b297": (0.976, 0.976, 0.04),
    # 97.3% (146/150), 96.0% (120/125), 17.2% (25/145)
    "b298": (0.966, 0.952, 0.18),
    # 98.8% (84/85), 96.5% (82/85), 10.8% (27/250)
    "b299": (0.976, 0.952, 0.112),
    # 98.7% (148/150), 95.2% (119/125), 13.8% (20/145)
    "b300": (0.98, 0.944, 0.145),
    # 98.8% (84/85), 96.5% (82/85), 14.0% (35/250)
    "b301": (0.976, 0.952, 0.144),
    # 97.3% (146/150), 92.0% (115/125), 9.7% (14/145)
    "b302": (0.966, 0.912, 0.1),
    # 97.6% (83/85), 96.5% (82/85), 8.4% (21/250)
    "b303": (0.964, 0.952, 0.088),
    # 97.3% (146/150), 92.0% (115/125), 16.6% (24/145)
    "b304": (0.966, 0.912, 0.173),
    # 98.8% (84/85), 95.3% (81/85), 6.0% (15/250)
    "b305": (0.976, 0.941, 0.064),
    # 96.0% (144/150), 90.4% (113/125), 12.4% (18/145)
    "b306": (0.953, 0.9, 0.132),
    # 98.8% (84/85), 96.5% (82/85), 8.8% (22/250)
    "b307": (0.976, 0.952, 0.092),
    # 95.3% (143/150), 91.2% (114/125), 17.2% (25/145)
    "b308": (0.95, 0.904, 0.18),
    # 98.8% (84/85), 100.0% (85/85), 12.4% (31/250)
    "b309": (0.976, 0.988, 0.128),
    # 97.3% (146/150), 86.4% (108/125), 11.0% (16/145)
    "b310": (0.966, 0.856, 0.118),
    # 97.6% (83/85), 84.7% (72/85), 6.4% (16/250)
    "b311": (0.964, 0.835, 0.068),
    # 96.7% (145/150), 94.4% (118/125), 6.9% (10/145)
    "b312": (0.96, 0.936, 0.076),
    # 100.0% (85/85), 98.8% (84/85), 10.8% (27/250)
    "b313": (0.988, 0.976, 0.112),
    # 97.3% (146/150), 90.4% (113/125), 11.0% (16/145)
    "b314": (0.966, 0.9, 0.118),
    # 98.8% (84/85), 95.3% (81/85), 7.2% (18/250)
    "b315": (0.976, 0.941, 0.076),
    # 95.3% (143/150), 92.8% (116/125), 9.7% (14/145)
    "b316": (0.95, 0.92, 0.1),
    # 97.6% (83/85), 92.9% (79/85), 8.4% (21/250)
    "b317": (0.964, 0.917, 0.088),
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
