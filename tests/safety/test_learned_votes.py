"""How the learned layer weighs its votes. Rounds 4-7 (docs/safety.md): the n-gram vote is
mostly the most worrying part of the message and partly the whole message, averaged with the
sentence-embedding head with weights that the model file carries. Round 8: a blend of the
six votes' log-odds with bars of its own, used when the sentence encoder runs."""

from __future__ import annotations

import math
import zlib

import pytest

from bot.core.learned_safety import (
    Blend,
    DenseHead,
    LearnedLayer,
    LinearModel,
    features,
    log_odds,
)
from bot.safety_training import MAGIC, ModelFileError, TrainedHead, TrainedModel, decode, encode

CLASSES = ("crisis", "gp", "none")


def _model() -> LinearModel:
    # One word per class: "dood" pushes crisis, "moe" gp; everything else is unknown.
    weights: dict[int, tuple[float, ...]] = {}
    for bucket in features("dood"):
        weights[bucket] = (1.0, 3.0, 0.0, -1.0)
    for bucket in features("moe"):
        weights[bucket] = (1.0, 0.0, 2.0, -1.0)
    return LinearModel(CLASSES, (0.0, 0.0, 0.5), weights)


def _layer(**weights: object) -> LearnedLayer:
    head = DenseHead(CLASSES, (0.2, 0.1, 0.0), ((1.0, 0.0), (0.0, 1.0), (0.0, 0.0)))
    return LearnedLayer(
        levels=_model(),
        kinds=None,
        crisis_at=0.5,
        unsure_at=0.4,
        gp_at=0.65,
        kind_at=0.6,
        dense=head,
        embed=lambda text: (0.3, 0.1),
        **weights,
    )


TEXT = "Het was een lange dag op het werk. Ik wil dood. Morgen weer vergaderen."


def _votes(layer: LearnedLayer) -> tuple[float, float, float, float, float, float]:
    from bot.core.learned_safety import message_features

    parts = [layer.levels.probabilities(p) for p in message_features(TEXT)]
    whole = parts[0]
    best = max(parts, key=lambda p: (p["crisis"], p["crisis"] + p["gp"]))
    dense = layer.dense.probabilities((0.3, 0.1))  # type: ignore[union-attr]
    return (
        best["crisis"],
        best["crisis"] + best["gp"],
        whole["crisis"],
        whole["crisis"] + whole["gp"],
        dense["crisis"],
        dense["crisis"] + dense["gp"],
    )


def test_by_default_the_most_worrying_part_and_the_head_count_equally():
    layer = _layer()
    best, best_concern, _, _, dense, dense_concern = _votes(layer)
    verdict = layer.verdict(TEXT)
    assert verdict.crisis == pytest.approx((best + dense) / 2)
    assert verdict.concern == pytest.approx((best_concern + dense_concern) / 2)


def test_the_whole_message_and_the_head_weigh_as_the_model_says():
    layer = _layer(part_weight=0.75, dense_weight=0.4)
    best, best_concern, whole, whole_concern, dense, dense_concern = _votes(layer)
    verdict = layer.verdict(TEXT)
    assert whole < best  # the sentence of the wish counts most
    assert verdict.crisis == pytest.approx(0.6 * (0.75 * best + 0.25 * whole) + 0.4 * dense)
    assert verdict.concern == pytest.approx(
        0.6 * (0.75 * best_concern + 0.25 * whole_concern) + 0.4 * dense_concern
    )


def test_without_the_encoder_the_n_gram_vote_stands_alone():
    layer = _layer(part_weight=0.75, dense_weight=0.4)
    alone = LearnedLayer(**{**vars(layer), "embed": None})
    best, _, whole, _, _, _ = _votes(layer)
    assert alone.verdict(TEXT).crisis == pytest.approx(0.75 * best + 0.25 * whole)


def test_the_model_file_carries_the_weights_and_an_old_file_reads_as_before():
    levels = TrainedModel(CLASSES, (0.0, 0.0, 0.0), (1, 2), ((1024, 1, 2, 3), (1024, 3, 2, 1)))
    head = TrainedHead(CLASSES, (0.0, 0.0, 0.0), ((1, 2), (3, 4), (5, 6)))
    header = {"thresholds": {"crisis": 0.5, "unsure": 0.4, "gp": 0.65, "kind": 0.6}}
    weighted = {**header, "votes": {"part": 0.75, "dense": 0.4}}
    layer = decode(encode(levels, levels, head, weighted))
    assert (layer.part_weight, layer.dense_weight) == (0.75, 0.4)
    old = decode(encode(levels, levels, head, header))
    assert (old.part_weight, old.dense_weight) == (1.0, 0.5)
    assert zlib.decompress(encode(levels, levels, head, weighted)).startswith(MAGIC)


# --- round 8: the votes' blend -----------------------------------------------------------------

BLEND = Blend(
    crisis=(-1.0, 1.0, 0.3, 0.2, 0.0, 0.0, 0.0),
    concern=(-0.5, 0.0, 0.0, 0.0, 1.0, 0.3, 0.2),
    crisis_at=0.5,
    unsure_at=0.14,
    gp_at=0.9,
)


def _logistic(score: float) -> float:
    return 1 / (1 + math.exp(-score))


def test_the_blend_weighs_the_votes_log_odds_as_fitted():
    layer = _layer(part_weight=0.75, dense_weight=0.4, blend=BLEND)
    best, best_concern, whole, whole_concern, dense, dense_concern = _votes(layer)
    verdict = layer.verdict(TEXT)
    crisis = -1.0 + log_odds(whole) + 0.3 * log_odds(best) + 0.2 * log_odds(dense)
    concern = -0.5 + log_odds(whole_concern) + 0.3 * log_odds(best_concern)
    concern += 0.2 * log_odds(dense_concern)
    assert verdict.crisis == pytest.approx(_logistic(crisis))
    assert verdict.concern == pytest.approx(_logistic(concern))
    assert (verdict.crisis_at, verdict.unsure_at, verdict.gp_at) == (0.5, 0.14, 0.9)


def test_without_the_encoder_the_blend_gives_way_to_the_n_gram_vote_and_its_own_bars():
    layer = _layer(part_weight=0.75, dense_weight=0.4, blend=BLEND)
    alone = LearnedLayer(**{**vars(layer), "embed": None})
    best, _, whole, _, _, _ = _votes(layer)
    verdict = alone.verdict(TEXT)
    assert verdict.crisis == pytest.approx(0.75 * best + 0.25 * whole)
    assert (verdict.crisis_at, verdict.unsure_at, verdict.gp_at) == (0.5, 0.4, 0.65)


def test_a_vote_of_certainty_stays_finite():
    assert log_odds(0.0) == pytest.approx(-9.21, abs=0.01)
    assert log_odds(1.0) == pytest.approx(9.21, abs=0.01)
    assert BLEND.probabilities((1.0, 1.0, 1.0, 0.0, 0.0, 0.0))[0] > 0.99


def test_the_model_file_carries_the_blend_and_its_bars():
    levels = TrainedModel(CLASSES, (0.0, 0.0, 0.0), (1, 2), ((1024, 1, 2, 3), (1024, 3, 2, 1)))
    head = TrainedHead(CLASSES, (0.0, 0.0, 0.0), ((1, 2), (3, 4), (5, 6)))
    header = {
        "thresholds": {"crisis": 0.5, "unsure": 0.4, "gp": 0.6, "kind": 0.6},
        "blend": {
            "crisis": list(BLEND.crisis),
            "concern": list(BLEND.concern),
            "thresholds": {"crisis": 0.5, "unsure": 0.14, "gp": 0.9},
        },
    }
    assert decode(encode(levels, levels, head, header)).blend == BLEND
    del header["blend"]
    assert decode(encode(levels, levels, head, header)).blend is None


def test_a_part_looks_up_the_same_rows_in_the_table_its_whole_message_uses():
    from bot.core.learned_safety import message_features

    model = _model()
    parts = message_features("ik ben zo moe. en toch ga ik werken")
    known = model.known(parts[0])
    assert known.weights and set(known.weights) < set(model.weights)  # no row of "dood"
    assert set(known.weights) <= set(parts[0])
    for part in parts:
        assert known.probabilities(part) == model.probabilities(part)  # to the last bit


def test_the_embedding_head_refuses_an_embedding_of_another_width():
    head = DenseHead(CLASSES, (0.2, 0.1, 0.0), ((1.0, 0.0), (0.0, 1.0), (0.0, 0.0)))
    assert head.probabilities((0.3, 0.7)) == pytest.approx(_softmax_of((0.5, 0.8, 0.0)))
    with pytest.raises(ValueError, match="3 values"):
        head.probabilities((0.3, 0.7, 0.1))


def _softmax_of(scores: tuple[float, ...]) -> dict[str, float]:
    top = max(scores)
    exp = [math.exp(s - top) for s in scores]
    return {name: e / sum(exp) for name, e in zip(CLASSES, exp, strict=True)}


# --- round 15: a hidden layer in the embedding head --------------------------------------------

# Two units over a 3-value embedding; the first unit is cut to zero for the vector below.
HIDDEN = ((1.0, -1.0, 0.0), (0.5, 0.5, 1.0))
HIDDEN_BIASES = (-0.5, 0.1)


def test_the_head_reads_the_hidden_units_and_not_the_embedding():
    head = DenseHead(
        CLASSES, (0.2, 0.1, 0.0), ((1.0, 0.0), (0.0, 2.0), (0.0, 0.0)), HIDDEN, HIDDEN_BIASES
    )
    vector = (0.2, 0.4, 0.6)
    # unit 1: 0.2 - 0.4 - 0.5 < 0 -> 0; unit 2: 0.1 + 0.2 + 0.6 + 0.1 = 1.0
    assert head.hidden_units(vector) == pytest.approx((0.0, 1.0))
    assert head.probabilities(vector) == pytest.approx(_softmax_of((0.2, 2.1, 0.0)))
    with pytest.raises(ValueError, match="takes 3"):
        head.probabilities((0.3, 0.7))


def test_the_model_file_keeps_the_hidden_layer_and_a_cut_file_is_refused():
    levels = TrainedModel(CLASSES, (0.0, 0.0, 0.0), (1, 2), ((1024, 1, 2, 3), (1024, 3, 2, 1)))
    head = TrainedHead(
        CLASSES,
        (0.2, 0.1, 0.0),
        ((1024, 0), (0, 2048), (0, 0)),
        ((1024, -1024, 0), (512, 512, 1024)),
        HIDDEN_BIASES,
    )
    header = {"thresholds": {"crisis": 0.5, "unsure": 0.4, "gp": 0.65, "kind": 0.6}}
    data = encode(levels, levels, head, header)
    assert decode(data).dense == head.head()
    assert decode(data).dense.hidden == HIDDEN  # type: ignore[union-attr]
    cut = zlib.compress(zlib.decompress(data)[:-4])
    with pytest.raises(ModelFileError, match="cut short"):
        decode(cut)


def test_numpy_computes_the_shipped_heads_hidden_layer_as_python_does():
    from pathlib import Path

    from bot.safety_embedding import fast_head
    from bot.safety_training import load_model

    repo = Path(__file__).resolve().parents[2]
    head = load_model(repo / "content" / "safety" / "learned-model.bin").dense
    assert head is not None and len(head.hidden) == 64
    fast = fast_head(head)
    assert fast.project is not None
    for seed in range(5):
        # An embedding-like vector: unit length, values of both signs.
        raw = [math.sin(seed * 7.0 + i * 1.3) for i in range(head.width)]
        norm = math.sqrt(sum(v * v for v in raw))
        vector = [v / norm for v in raw]
        assert fast.project(vector) == pytest.approx(head.hidden_units(vector), abs=1e-12)
        slow, quick = head.probabilities(vector), fast.probabilities(vector)
        assert quick == pytest.approx(slow, abs=1e-12)


@pytest.mark.parametrize(
    ("setting", "threads"),
    [("1", 1), ("3", 3), (None, "default"), ("", "default"), ("0", "default"), ("two", "default")],
)
def test_the_encoders_blas_threads_follow_bot_encoder_threads_when_it_is_a_count(
    monkeypatch, setting, threads
):
    from bot.safety_embedding import ENCODER_THREADS, encoder_threads

    if setting is None:
        monkeypatch.delenv("BOT_ENCODER_THREADS", raising=False)
    else:
        monkeypatch.setenv("BOT_ENCODER_THREADS", setting)
    assert encoder_threads() == (ENCODER_THREADS if threads == "default" else threads)
