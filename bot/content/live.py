"""The live content: one validated Content that can be swapped for a newer one at run time,
with the safety assessor built from it (the phrase rules and the learned layer)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from bot.content.loader import Content, load_content
from bot.core.assessment import SafetyAssessor
from bot.core.learned_safety import LearnedLayer

log = logging.getLogger(__name__)
MODEL_FILE = Path("safety") / "learned-model.bin"


def load_learned_layer(directory: Path) -> tuple[LearnedLayer | None, str | None]:
    """The learned layer of a content folder, or None and why it could not load."""
    from bot.safety_training import ModelFileError, load_model

    try:
        return load_model(directory / MODEL_FILE), None
    except ModelFileError as exc:
        return None, str(exc)


@dataclass(frozen=True)
class _Live:
    content: Content
    safety: SafetyAssessor
    learned_problem: str | None


def build_assessor(
    directory: Path, content: Content, lazy: bool = False
) -> tuple[SafetyAssessor, str | None]:
    """The rules with the learned layer and its sentence encoder, as far as they load;
    the second value says what did not (None when everything runs). With `lazy` the
    encoder is built when the first text comes (a failure then is logged) and each rule
    pattern is compiled when first tried: a fast start for a short run, slower first
    messages."""
    from bot.safety_embedding import LazyEncoder, encoder_problem, load_encoder

    learned, problem = load_learned_layer(directory)
    if learned is not None and learned.dense is not None and lazy:
        why = encoder_problem()
        if why is not None:
            problem = f"the sentence encoder did not load ({why}): the n-gram vote runs alone"
        else:
            learned = replace(learned, embed=LazyEncoder())
    elif learned is not None and learned.dense is not None:
        encoder, why = load_encoder()
        if encoder is None:
            problem = f"the sentence encoder did not load ({why}): the n-gram vote runs alone"
        else:
            learned = replace(learned, embed=encoder)
    elif problem is not None:
        problem = f"the learned safety layer did not load ({problem}): the rules run alone"
    engine = content.safety_engine
    if not lazy:
        engine.compile_all()
    return SafetyAssessor(engine, learned), problem


def _load(directory: Path) -> _Live:
    content = load_content(directory, checks=None)
    assessor, problem = build_assessor(directory, content)
    if problem is not None:
        # Never silently without it: the rules alone missed a third of unseen crises.
        log.error("safety.learned_layer_degraded reason=%s", problem)
    return _Live(content, assessor, problem)


class LiveContent:
    """Holds the content in force and its safety assessor; a failed reload keeps both.

    Both are swapped as one object, so a reload running in a worker thread never lets a
    handler see new texts with the old safety rules or the other way round.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._live = _load(directory)

    @property
    def current(self) -> Content:
        return self._live.content

    @property
    def safety(self) -> SafetyAssessor:
        return self._live.safety

    @property
    def learned_problem(self) -> str | None:
        """Why the learned safety layer is not running, or None when it is."""
        return self._live.learned_problem

    def reload(self) -> Content:
        """Load again from disk; raises ContentError and keeps the old content on problems."""
        self._live = _load(self.directory)
        return self._live.content
