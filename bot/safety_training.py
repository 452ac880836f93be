"""Training, storing and loading the learned safety layer (see bot.core.learned_safety).

The model file is rebuilt byte for byte from the labelled data by
`python -m bot safety train` (scikit-learn, a dev dependency pinned to one version; the bot
itself needs only this module's `load_model` and the standard library). Weights are
quantised before they are written, so the last bits of floating point arithmetic that
differ between machines do not change the file.

File layout (little-endian): the magic line, one JSON header line (sorted keys: version,
thresholds, classes, intercepts, training data digest, counts), then for each model its
bucket numbers (uint32) and rows (int16: idf, then one weight per class, each times SCALE).
The whole is zlib-compressed.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.learned_safety import (
    BLEND_VOTES,
    Blend,
    DenseHead,
    LearnedLayer,
    LinearModel,
    message_features,
)

MAGIC = b"BURNOUT-COACH-SAFETY-MODEL 1\n"
SCALE = 1024.0  # int16 steps: weights and idf up to +-32 are kept to 1/1024
LEVELS = ("none", "gp", "crisis")
# The kind of crisis, for the opening lines and the help that come first; the level model
# decides whether it is a crisis at all.
KINDS = ("self", "other_person", "danger_to_others", "danger_from_others", "medical")
_KIND_OF_CATEGORY = {
    "other_person_crisis": "other_person",
    "danger_to_others": "danger_to_others",
    "danger_from_others": "danger_from_others",
    "acute_danger": "danger_from_others",
    "medical_emergency": "medical",
}
MIN_DOCUMENTS = 2  # a feature seen in one sentence only is that sentence, not a pattern
SEED = 20261130


@dataclass(frozen=True)
class Labelled:
    text: str
    lang: str
    level: str
    categories: tuple[str, ...] = ()
    source: str = ""

    @property
    def kind(self) -> str:
        for category in self.categories:
            if category in _KIND_OF_CATEGORY:
                return _KIND_OF_CATEGORY[category]
        return "self"


def read_labelled(path: Path) -> list[Labelled]:
    """Labelled lines: {"text", "lang", "expect" (or "level"), "categories"?}."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        level = row.get("expect", row.get("level"))
        if level not in LEVELS:
            raise ValueError(f"{path}:{number}: expect must be one of {', '.join(LEVELS)}")
        out.append(
            Labelled(
                str(row["text"]),
                str(row.get("lang", "nl")),
                level,
                tuple(row.get("categories") or ()),
                path.stem,
            )
        )
    return out


# --- training ---------------------------------------------------------------------------------


def _matrix(examples: Sequence[Labelled], buckets: dict[int, int] | None = None):
    """(sparse log-tf matrix, bucket -> column); columns only for buckets seen in
    MIN_DOCUMENTS texts when `buckets` is not given."""
    from scipy.sparse import csr_matrix

    counted = [message_features(e.text)[0] for e in examples]
    if buckets is None:
        documents: Counter[int] = Counter()
        for counts in counted:
            documents.update(counts.keys())
        kept = sorted(b for b, n in documents.items() if n >= MIN_DOCUMENTS)
        buckets = {b: column for column, b in enumerate(kept)}
    rows, cols, values = [], [], []
    for row, counts in enumerate(counted):
        for bucket, count in counts.items():
            column = buckets.get(bucket)
            if column is not None:
                rows.append(row)
                cols.append(column)
                values.append(1.0 + math.log(count))
    shape = (len(examples), len(buckets))
    return csr_matrix((values, (rows, cols)), shape=shape), buckets


def _quantise(value: float) -> int:
    return max(-32767, min(32767, round(value * SCALE)))


@dataclass(frozen=True)
class TrainedModel:
    classes: tuple[str, ...]
    intercepts: tuple[float, ...]
    buckets: tuple[int, ...]
    rows: tuple[tuple[int, ...], ...]  # quantised idf, weights

    def linear(self) -> LinearModel:
        """The model as the bot reads it back from the file."""
        pairs = zip(self.buckets, self.rows, strict=True)
        weights = {bucket: tuple(v / SCALE for v in row) for bucket, row in pairs}
        return LinearModel(self.classes, self.intercepts, weights)


def fit(examples: Sequence[Labelled], labels: Sequence[str], c: float) -> TrainedModel:
    """Multinomial logistic regression, classes balanced, on idf-weighted n-grams."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    matrix, buckets = _matrix(examples)
    documents = np.bincount(matrix.indices, minlength=matrix.shape[1])
    idf = np.log((1 + matrix.shape[0]) / (1 + documents)) + 1.0
    idf = np.round(idf * SCALE) / SCALE  # what the file will hold
    weighted = normalize(matrix.multiply(idf.reshape(1, -1)).tocsr())
    model = LogisticRegression(
        C=c, class_weight="balanced", max_iter=5000, tol=1e-6, random_state=SEED
    )
    model.fit(weighted, list(labels))
    classes = tuple(str(c) for c in model.classes_)
    coef = model.coef_
    intercept = model.intercept_
    if len(classes) == 2:  # binary: sklearn keeps one row; make it one per class
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    ordered = sorted(buckets, key=buckets.get)  # type: ignore[arg-type]
    rows = []
    kept_buckets = []
    for column, bucket in enumerate(ordered):
        weights = tuple(_quantise(coef[k][column]) for k in range(len(classes)))
        if not any(weights):
            continue  # a feature with no weight is no feature
        kept_buckets.append(bucket)
        rows.append((_quantise(idf[column]), *weights))
    return TrainedModel(
        classes,
        tuple(round(float(v), 6) for v in intercept),
        tuple(kept_buckets),
        tuple(rows),
    )


def fit_layer(
    examples: Sequence[Labelled], c_levels: float = 10.0, c_kinds: float = 10.0
) -> tuple[TrainedModel, TrainedModel]:
    """The level model on every example, the kind model on the crisis examples."""
    levels = fit(examples, [e.level for e in examples], c_levels)
    crises = [e for e in examples if e.level == "crisis"]
    kinds = fit(crises, [e.kind for e in crises], c_kinds)
    return levels, kinds


@dataclass(frozen=True)
class TrainedHead:
    classes: tuple[str, ...]
    intercepts: tuple[float, ...]
    rows: tuple[tuple[int, ...], ...]  # quantised weights, one row per class
    hidden: tuple[tuple[int, ...], ...] = ()  # quantised weights, one row per hidden unit
    hidden_biases: tuple[float, ...] = ()

    def head(self) -> DenseHead:
        return DenseHead(
            self.classes,
            self.intercepts,
            tuple(tuple(v / SCALE for v in r) for r in self.rows),
            tuple(tuple(v / SCALE for v in r) for r in self.hidden),
            self.hidden_biases,
        )


# The embedding head since round 15: one hidden layer of 64 rectified units, L2 penalty 1e-4,
# Adam on mini-batches of 256 for 40 passes (not run to convergence: the passes are the
# stopping rule, chosen with the others on b286-b293 and the guards; docs/safety.md).
HEAD_HIDDEN, HEAD_ALPHA, HEAD_EPOCHS = 64, 1e-4, 40


def fit_dense(vectors: Sequence[Sequence[float]], labels: Sequence[str]) -> TrainedHead:
    """A one-hidden-layer network over sentence embeddings, classes balanced (by weight)."""
    import warnings

    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.utils.class_weight import compute_sample_weight

    # Embeddings rounded as the file would hold them: the last bits differ by machine.
    matrix = np.round(np.asarray(vectors, dtype=np.float64) * 4096) / 4096
    model = MLPClassifier(
        hidden_layer_sizes=(HEAD_HIDDEN,),
        alpha=HEAD_ALPHA,
        batch_size=256,
        learning_rate_init=1e-3,
        max_iter=HEAD_EPOCHS,
        n_iter_no_change=HEAD_EPOCHS,
        tol=1e-5,
        random_state=SEED,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the passes are the stopping rule
        model.fit(matrix, list(labels), sample_weight=compute_sample_weight("balanced", labels))
    first, second = model.coefs_
    return TrainedHead(
        tuple(str(c) for c in model.classes_),
        tuple(round(float(v), 6) for v in model.intercepts_[1]),
        tuple(tuple(_quantise(w) for w in column) for column in second.T),
        tuple(tuple(_quantise(w) for w in column) for column in first.T),
        tuple(round(float(v), 6) for v in model.intercepts_[0]),
    )


def blend_votes(layer: LearnedLayer, text: str, vector: Sequence[float]) -> tuple[float, ...]:
    """The six votes a blend reads (BLEND_VOTES, crisis then gp or crisis) for one text,
    with the models as the file holds them."""
    parts = [layer.levels.probabilities(p) for p in message_features(text)]
    pairs = [(p.get("crisis", 0.0), p.get("crisis", 0.0) + p.get("gp", 0.0)) for p in parts]
    whole, best = pairs[0], max(pairs)
    assert layer.dense is not None
    d = layer.dense.probabilities(vector)
    dense = (d.get("crisis", 0.0), d.get("crisis", 0.0) + d.get("gp", 0.0))
    assert len(BLEND_VOTES) == 3
    return (whole[0], best[0], dense[0], whole[1], best[1], dense[1])


def fit_blend(
    votes: Sequence[Sequence[float]], levels: Sequence[str], c: float
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The blend's two logistic regressions (crisis; gp or crisis) over the votes' log-odds:
    (intercept, weights...) each, rounded so the file does not depend on the last bits."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from bot.core.learned_safety import log_odds

    matrix = np.asarray([[log_odds(v) for v in row] for row in votes], dtype=np.float64)
    fitted = []
    for target in ([x == "crisis" for x in levels], [x != "none" for x in levels]):
        model = LogisticRegression(C=c, max_iter=5000, tol=1e-8, random_state=SEED)
        model.fit(matrix, target)
        weights = (model.intercept_[0], *model.coef_[0])
        fitted.append(tuple(round(float(w), 4) for w in weights))
    return fitted[0], fitted[1]


# --- the file ---------------------------------------------------------------------------------


def digest(paths: Iterable[Path]) -> str:
    """What the model was trained on: a hash of the training files' bytes, in order."""
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.name.encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:16]


def encode(
    levels: TrainedModel,
    kinds: TrainedModel,
    dense: TrainedHead | None,
    header: dict[str, Any],
) -> bytes:
    header = dict(header)
    header["models"] = [
        {"classes": list(m.classes), "intercepts": list(m.intercepts), "buckets": len(m.buckets)}
        for m in (levels, kinds)
    ]
    if dense is not None:
        header["dense"] = {
            "classes": list(dense.classes),
            "intercepts": list(dense.intercepts),
            "dim": len(dense.rows[0]),
        }
        if dense.hidden:
            header["dense"]["hidden"] = {
                "dim": len(dense.hidden[0]),
                "biases": list(dense.hidden_biases),
            }
    body = bytearray(MAGIC)
    body += json.dumps(header, sort_keys=True).encode() + b"\n"
    for model in (levels, kinds):
        body += array("I", model.buckets).tobytes() if _little() else _swap("I", model.buckets)
        flat = [v for row in model.rows for v in row]
        body += array("h", flat).tobytes() if _little() else _swap("h", flat)
    if dense is not None:
        flat = [v for row in (*dense.hidden, *dense.rows) for v in row]
        body += array("h", flat).tobytes() if _little() else _swap("h", flat)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY)
    return compressor.compress(bytes(body)) + compressor.flush()


def _little() -> bool:
    return struct.pack("=H", 1) == b"\x01\x00"


def _swap(code: str, values: Sequence[int]) -> bytes:
    data = array(code, values)
    data.byteswap()
    return data.tobytes()


class ModelFileError(ValueError):
    """The model file is missing, damaged or of another version; the message says which."""


def decode(data: bytes) -> LearnedLayer:
    try:
        raw = zlib.decompress(data)
    except zlib.error as exc:
        raise ModelFileError(f"not a model file (cannot decompress: {exc})") from None
    if not raw.startswith(MAGIC):
        raise ModelFileError("not a model file of this version")
    newline = raw.index(b"\n", len(MAGIC))
    header = json.loads(raw[len(MAGIC) : newline])
    offset = newline + 1
    models = []
    for spec in header["models"]:
        count, width = spec["buckets"], len(spec["classes"]) + 1
        buckets = array("I")
        buckets.frombytes(raw[offset : offset + 4 * count])
        offset += 4 * count
        values = array("h")
        values.frombytes(raw[offset : offset + 2 * count * width])
        offset += 2 * count * width
        if not _little():
            buckets.byteswap()
            values.byteswap()
        if len(buckets) != count or len(values) != count * width:
            raise ModelFileError("the model file is cut short")
        scaled = [v / SCALE for v in values]
        # Rows of `width` values, cut by zip over one iterator: the same tuples as slicing,
        # built without a Python step per bucket (a few hundred thousand at every start).
        rows = zip(*[iter(scaled)] * width, strict=True)
        weights = dict(zip(buckets, rows, strict=True))
        models.append(LinearModel(tuple(spec["classes"]), tuple(spec["intercepts"]), weights))
    dense = None
    if "dense" in header:
        spec = header["dense"]
        width, count = spec["dim"], len(spec["classes"])
        # Since round 15 a hidden layer: the output rows then read the hidden units (`dim`
        # is their number) and the hidden rows read the embedding (`hidden.dim` values).
        hidden_spec = spec.get("hidden")
        inputs, units = (hidden_spec["dim"], width) if hidden_spec else (0, 0)
        size = units * inputs + width * count
        values = array("h")
        values.frombytes(raw[offset : offset + 2 * size])
        if not _little():
            values.byteswap()
        if len(values) != size:
            raise ModelFileError("the model file is cut short")
        scaled = [v / SCALE for v in values]
        hidden = tuple(tuple(scaled[k * inputs : (k + 1) * inputs]) for k in range(units))
        start = units * inputs
        rows = tuple(
            tuple(scaled[start + k * width : start + (k + 1) * width]) for k in range(count)
        )
        biases = tuple(hidden_spec["biases"]) if hidden_spec else ()
        if len(biases) != units:
            raise ModelFileError("the model file's hidden layer does not add up")
        dense = DenseHead(tuple(spec["classes"]), tuple(spec["intercepts"]), rows, hidden, biases)
    thresholds = header["thresholds"]
    votes = header.get("votes", {})
    blend = None
    if "blend" in header:
        spec = header["blend"]
        bars = spec["thresholds"]
        blend = Blend(
            tuple(spec["crisis"]),
            tuple(spec["concern"]),
            bars["crisis"],
            bars["unsure"],
            bars["gp"],
        )
    return LearnedLayer(
        levels=models[0],
        kinds=models[1],
        crisis_at=thresholds["crisis"],
        unsure_at=thresholds["unsure"],
        gp_at=thresholds["gp"],
        kind_at=thresholds["kind"],
        version=header.get("trained_on", ""),
        dense=dense,
        part_weight=float(votes.get("part", 1.0)),
        dense_weight=float(votes.get("dense", 0.5)),
        blend=blend,
    )


def load_model(path: Path) -> LearnedLayer:
    """The learned layer from its file; ModelFileError says what is wrong."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return decode(data)
    except ModelFileError:
        raise
    except (KeyError, ValueError, IndexError, TypeError) as exc:
        raise ModelFileError(f"the model file {path} is damaged ({exc})") from None
