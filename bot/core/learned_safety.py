"""The learned safety layer: an n-gram model and a sentence-embedding head, blended.

The phrase rules (bot.core.safety) know the wordings someone wrote down; people in distress
use others ("de helft van mijn doosje", "if I'm not online tomorrow"). This layer was
trained on labelled sentences written blind (see docs/safety.md for the data, the design
comparison and the figures) and generalises over spelling and word order through character
n-grams. It can only add an escalation to what the rules decide, never remove one
(bot.core.assessment combines the two).

Pure Python and linear in the length of the text: the features of a message are hashed
(CRC-32) into buckets, and a bucket's weight is looked up in a dict. Training
(`python -m bot safety train`, bot.safety_training) uses exactly `features` below, so what
was learned is what is applied. A long message is scored as a whole and per sentence, and
the most worrying part is a vote of its own: one sentence of plan inside three of scope
creep must not be averaged away.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import re
import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.normalise import canonical

HASH_BITS = 20
CHAR_SIZES = (2, 3, 4, 5)
# Character n-grams are taken from a word's first letters only: no word is longer, and a
# 4,096-letter "word" must cost no more than a sentence.
MAX_WORD = 32
_TOKEN = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"[.!?\n;]+")
# Parts of a message scored on their own besides the whole: each sentence, and each with its
# neighbour, so a thought split over two short sentences ("ik ben er klaar mee. morgen ben
# ik er niet meer") is read as one.
MAX_PARTS = 60


def tokens(text: str) -> list[str]:
    """The words of a canonical text, apostrophes dropped ("don't" -> "dont")."""
    return _TOKEN.findall(text.replace("'", ""))


_MASK = (1 << HASH_BITS) - 1


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode()) & _MASK


@functools.lru_cache(maxsize=8192)  # about 9 MB; the words of a language mostly recur
def _word_buckets(word: str) -> tuple[int, ...]:
    """The buckets of one word's own features: the word, and the character n-grams of it
    padded with spaces. Words recur across messages, so each is hashed once, not per use."""
    padded = f" {word[:MAX_WORD]} "
    grams = [
        "c " + padded[start : start + size]
        for size in CHAR_SIZES
        for start in range(max(1, len(padded) - size + 1))
    ]
    return tuple(_bucket(feature) for feature in ["w " + word, *grams])


def features(text: str) -> Counter[int]:
    """Hashed feature counts of one (canonical) text: words, word pairs, and character
    n-grams of each word padded with spaces (so "dood" and "doodop" share " doo" but not
    "ood "). Features that share a bucket add up."""
    words = tokens(text)
    counts: Counter[int] = Counter()
    for word in words:
        counts.update(_word_buckets(word))
    counts.update(_bucket(f"b {first} {second}") for first, second in itertools.pairwise(words))
    return counts


def sentences(text: str) -> list[str]:
    """The sentences of a message, in canonical form."""
    return [s.strip() for s in _SENTENCE_END.split(canonical(text)) if tokens(s)]


def message_features(text: str) -> list[Counter[int]]:
    """Features of the whole message first, then of each sentence and each pair of
    neighbouring sentences (at most MAX_PARTS parts, spread over a very long message).

    Each sentence is hashed once; the whole and the pairs are sums of sentences, so a long
    message costs what its words cost. Training uses the first (the whole) only.
    """
    per_sentence = [features(s) for s in sentences(text)]
    if len(per_sentence) < 2:
        return per_sentence or [Counter()]
    whole: Counter[int] = Counter()
    for counts in per_sentence:
        whole.update(counts)
    pairs = [per_sentence[i] + per_sentence[i + 1] for i in range(len(per_sentence) - 1)]
    chosen = per_sentence + pairs
    if len(chosen) > MAX_PARTS:
        step = len(chosen) / MAX_PARTS
        chosen = [chosen[int(i * step)] for i in range(MAX_PARTS)]
    return [whole, *chosen]


@dataclass(frozen=True)
class LinearModel:
    """Multinomial logistic regression over hashed, idf-weighted, L2-normalised features.

    `weights[bucket]` holds the bucket's idf and one weight per class; buckets never seen
    in training are absent and count for nothing.
    """

    classes: tuple[str, ...]
    intercepts: tuple[float, ...]
    weights: Mapping[int, tuple[float, ...]]

    def probabilities(self, counts: Mapping[int, int]) -> dict[str, float]:
        """P(class) for the hashed feature counts of one text (see `message_features`)."""
        # One pass: the dot products are summed unscaled and divided by the norm at the end
        # (the same figures; this is the inner loop of every message's assessment).
        weights = self.weights
        sums = [0.0] * len(self.intercepts)
        norm = 0.0
        if len(sums) == 3:  # the levels model, unrolled: a third faster than the loop below
            first = second = third = 0.0
            for bucket, count in counts.items():
                row = weights.get(bucket)
                if row is None:
                    continue
                value = row[0] if count == 1 else (1.0 + math.log(count)) * row[0]
                norm += value * value
                first += value * row[1]
                second += value * row[2]
                third += value * row[3]
            sums = [first, second, third]
        else:
            for bucket, count in counts.items():
                row = weights.get(bucket)
                if row is None:
                    continue
                value = row[0] if count == 1 else (1.0 + math.log(count)) * row[0]
                norm += value * value
                for k in range(len(sums)):
                    sums[k] += value * row[k + 1]
        scale = 1.0 / math.sqrt(norm) if norm > 0 else 0.0
        scores = [b + scale * s for b, s in zip(self.intercepts, sums, strict=True)]
        return _softmax(self.classes, scores)

    def known(self, counts: Mapping[int, int]) -> LinearModel:
        """The same model with only the rows these buckets use: a message's whole holds
        every bucket of its parts, so each part then looks its rows up in a small table
        instead of the full one (the same figures, a few times faster to look up)."""
        weights = self.weights
        rows = {b: row for b in counts if (row := weights.get(b)) is not None}
        return LinearModel(self.classes, self.intercepts, rows)


def _softmax(names: Sequence[str], scores: Sequence[float]) -> dict[str, float]:
    top = max(scores)
    exp = [math.exp(s - top) for s in scores]
    total = sum(exp)
    return {name: e / total for name, e in zip(names, exp, strict=True)}


@dataclass(frozen=True)
class DenseHead:
    """A small classifier over a sentence embedding: multinomial logistic regression (one
    row per class), since round 15 over one hidden layer of rectified units (`hidden`, one
    row of weights per unit, and `hidden_biases`) rather than over the embedding itself.

    A linear head can only weigh each direction of the embedding space once; with the
    hidden layer it can set apart regions that a line cannot. On text it never saw that cut
    false alarms without losing crises in all (docs/safety.md, round 15). Its own P(crisis)
    for "hij wil de hond, ik wil de hond. wie had gedacht dat het hierover zou gaan" fell
    from 0.91 to 0.46; the message still gets the "ask" answer, from the n-gram vote.

    `project` computes the hidden layer faster (numpy, set at run time by
    bot.safety_embedding.fast_head: 64 units over 512 values are 32,768 products, about
    2 ms in Python against a few microseconds); None computes it here, in Python. The two
    agree to the last few bits of a float.
    """

    classes: tuple[str, ...]
    intercepts: tuple[float, ...]
    rows: tuple[tuple[float, ...], ...]
    hidden: tuple[tuple[float, ...], ...] = ()
    hidden_biases: tuple[float, ...] = ()
    project: Callable[[Sequence[float]], Sequence[float]] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def width(self) -> int:
        """How many values the embedding must have."""
        return len(self.hidden[0]) if self.hidden else len(self.rows[0])

    def hidden_units(self, vector: Sequence[float]) -> Sequence[float]:
        """The hidden layer's output for an embedding (in Python)."""
        return [
            max(0.0, b + sum(map(operator.mul, row, vector)))
            for b, row in zip(self.hidden_biases, self.hidden, strict=True)
        ]

    def probabilities(self, vector: Sequence[float]) -> dict[str, float]:
        if len(vector) != self.width:
            raise ValueError(f"an embedding of {len(vector)} values, the head takes {self.width}")
        if self.hidden:
            vector = (self.project or self.hidden_units)(vector)
        # map() over the pairs adds the same products in the same order as a generator
        # would, at half the cost (this runs for every message).
        scores = [
            b + sum(map(operator.mul, row, vector))
            for b, row in zip(self.intercepts, self.rows, strict=True)
        ]
        return _softmax(self.classes, scores)


# The votes a blend reads, in this order: P(crisis) of the whole message and of its most
# worrying part by the n-gram model and of the message by the embedding head, then the same
# three for P(gp or crisis).
BLEND_VOTES = ("whole", "part", "dense")


def log_odds(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return round(math.log(p / (1 - p)), 3)


@dataclass(frozen=True)
class Blend:
    """How the votes are combined, learned on batches the votes' models never saw.

    Two logistic regressions over the six votes' log-odds (see BLEND_VOTES): one gives
    P(crisis), the other P(gp or crisis). They were fitted on the first-sight votes of
    blind batches that are not in the models' training data (tests/safety/blend/), so
    they learn how far each vote can be trusted on text it has never seen, which a fixed
    average cannot: on those batches the whole message's n-gram vote is the one to trust,
    the most worrying part and the embedding less (docs/safety.md, round 8).
    `crisis` and `concern`: the intercept, then one weight per vote; `crisis_at`,
    `unsure_at`, `gp_at`: the bars on the blend's own probabilities.
    """

    crisis: tuple[float, ...]
    concern: tuple[float, ...]
    crisis_at: float
    unsure_at: float
    gp_at: float

    def probabilities(self, votes: Sequence[float]) -> tuple[float, float]:
        """(P(crisis), P(gp or crisis)) for the six votes (probabilities, BLEND_VOTES)."""
        odds = [log_odds(v) for v in votes]
        return _logistic(self.crisis, odds), _logistic(self.concern, odds)


def _logistic(weights: Sequence[float], odds: Sequence[float]) -> float:
    score = weights[0] + sum(w * x for w, x in zip(weights[1:], odds, strict=True))
    if score < -60:
        return 0.0
    return 1.0 / (1.0 + math.exp(-score))


@dataclass(frozen=True)
class LearnedVerdict:
    """What the learned layer says of a message: P(crisis), P(gp or crisis), the bars they
    are read against, and for a crisis, which kind (its sub-model's best guess and that
    guess's probability)."""

    crisis: float
    concern: float
    kind: str | None = None
    kind_confidence: float = 0.0
    crisis_at: float = 0.5
    unsure_at: float = 0.4
    gp_at: float = 0.6


@dataclass(frozen=True)
class LearnedLayer:
    """The level models and the crisis-kind model, with the thresholds chosen in training.

    Two level models vote: the n-gram model (`levels`, on the whole message and on its
    most worrying part) and, when the sentence encoder is there (`embed`, set at run time;
    the encoder is a package, not part of the model file), a head over the embedding of the
    whole message (`dense`). Each catches what the other misses (see docs/safety.md). With
    the encoder, the `blend` combines the votes (since round 8); without it, or with a model
    file from before round 8, they are averaged with the weights the file carries
    (`part_weight`, `dense_weight`).

    `crisis_at`: P(crisis) from which the averaged votes call a crisis outright;
    `unsure_at`: from which they still answer at crisis level but ask plainly (see
    bot.core.assessment); `gp_at`: P(gp or crisis) from which they point to the GP (the
    blend has bars of its own; a verdict carries the bars it is read against); `kind_at`:
    how sure the kind model must be before the answer opens for that kind (else the
    general crisis opener).
    """

    levels: LinearModel
    kinds: LinearModel | None
    crisis_at: float
    unsure_at: float
    gp_at: float
    kind_at: float
    version: str = ""
    dense: DenseHead | None = None
    embed: Callable[[str], Sequence[float] | None] | None = field(default=None, compare=False)
    # How the votes are weighed (the model file says; these defaults are the files before
    # round 4): the n-gram vote is `part_weight` times the most worrying part's and the
    # rest the whole message's; the head's vote counts `dense_weight`, the n-grams' the rest.
    part_weight: float = 1.0
    dense_weight: float = 0.5
    # Since round 8: the votes' blend (with its own bars), used when the encoder runs.
    blend: Blend | None = None

    def verdict(self, text: str) -> LearnedVerdict:
        """With the blend (and the sentence encoder): the blend of the six votes, read
        against its own bars. Without either: the fixed average of rounds 4-7, the most
        worrying part of the message counting most (part 0.75 / whole 0.25, the head 0.4),
        read against the model's own bars."""
        best: tuple[float, float, Counter[int]] | None = None
        whole: tuple[float, float] | None = None
        parts = message_features(text)
        levels = self.levels.known(parts[0]) if len(parts) > 1 else self.levels
        for part in parts:
            p = levels.probabilities(part)
            crisis, concern = p.get("crisis", 0.0), p.get("crisis", 0.0) + p.get("gp", 0.0)
            if whole is None:
                whole = (crisis, concern)  # the first part is the whole message
            if best is None or (crisis, concern) > best[:2]:
                best = (crisis, concern, part)
        assert best is not None and whole is not None  # there is always one part
        part = best[2]
        vector = self.embed(text) if self.dense is not None and self.embed is not None else None
        bars = (self.crisis_at, self.unsure_at, self.gp_at)
        if self.dense is not None and vector is not None:
            p = self.dense.probabilities(vector)
            dense = (p.get("crisis", 0.0), p.get("crisis", 0.0) + p.get("gp", 0.0))
            if self.blend is not None:
                b = self.blend
                votes = (whole[0], best[0], dense[0], whole[1], best[1], dense[1])
                crisis, concern = b.probabilities(votes)
                bars = (b.crisis_at, b.unsure_at, b.gp_at)
            else:
                crisis, concern = self._average(best, whole)
                w = self.dense_weight
                crisis = (1 - w) * crisis + w * dense[0]
                concern = (1 - w) * concern + w * dense[1]
        else:
            crisis, concern = self._average(best, whole)
        crisis_at, unsure_at, gp_at = bars
        if crisis < unsure_at or self.kinds is None:
            return LearnedVerdict(crisis, concern, None, 0.0, crisis_at, unsure_at, gp_at)
        kinds = self.kinds.probabilities(part)
        kind, confidence = max(kinds.items(), key=lambda item: item[1])
        return LearnedVerdict(crisis, concern, kind, confidence, crisis_at, unsure_at, gp_at)

    def _average(
        self, best: tuple[float, float, object], whole: tuple[float, float]
    ) -> tuple[float, float]:
        share = self.part_weight
        return (
            share * best[0] + (1 - share) * whole[0],
            share * best[1] + (1 - share) * whole[1],
        )
