"""The live content: one validated Content that can be swapped for a newer one at run time,
with the safety assessor built from it (the phrase rules and the learned layer).

At the bot's start the content is loaded and checked (the check compiles every rule pattern
that has an example; files and code that passed before are not checked again, see
passed_checks), and the rest of the assessor, the sentence encoder (about a second) and the
remaining patterns, is built by `warm_up` in a background thread while the bot already
polls: the start takes about half as long, and a message that comes during the
warm-up waits for the encoder instead of being assessed without it. A reload builds all of
it before the swap (it runs in a worker thread already)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from bot.content.loader import Content, load_content
from bot.core.assessment import SafetyAssessor
from bot.core.learned_safety import LearnedLayer
from bot.safety_embedding import LazyEncoder

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
    from bot.safety_embedding import LazyEncoder, encoder_problem, fast_head, load_encoder

    learned, problem = load_learned_layer(directory)
    if learned is not None and learned.dense is not None and lazy:
        why = encoder_problem()
        if why is not None:
            problem = f"the sentence encoder did not load ({why}): the n-gram vote runs alone"
        else:
            learned = replace(learned, embed=LazyEncoder(), dense=fast_head(learned.dense))
    elif learned is not None and learned.dense is not None:
        encoder, why = load_encoder()
        if encoder is None:
            problem = f"the sentence encoder did not load ({why}): the n-gram vote runs alone"
        else:
            learned = replace(learned, embed=encoder, dense=fast_head(learned.dense))
    elif problem is not None:
        problem = f"the learned safety layer did not load ({problem}): the rules run alone"
    engine = content.safety_engine
    if not lazy:
        engine.compile_all()
    return SafetyAssessor(engine, learned), problem


def _checked_content(directory: Path) -> Content:
    """The content, checked unless these very files passed the checks with this very code
    before (see passed_checks); files that change while they load are checked."""
    from bot.content import passed_checks

    key = passed_checks.digest(directory)
    if key is not None and passed_checks.passed(key):
        content = load_content(directory, checks=())
        if passed_checks.digest(directory) == key:
            return content
    content = load_content(directory, checks=None)
    if key is not None and passed_checks.digest(directory) == key:
        passed_checks.record(key)
    return content


def _load(directory: Path, lazy: bool = False) -> _Live:
    content = _checked_content(directory)
    assessor, problem = build_assessor(directory, content, lazy)
    if problem is not None:
        # Never silently without it: the rules alone missed a third of unseen crises.
        log.error("safety.learned_layer_degraded reason=%s", problem)
    return _Live(content, assessor, problem)


class LiveContent:
    """Holds the content in force and its safety assessor; a failed reload keeps both.

    Both are swapped as one object, so a reload running in a worker thread never lets a
    handler see new texts with the old safety rules or the other way round.
    """

    def __init__(self, directory: Path, lazy: bool = False) -> None:
        """Load and check the content; with `lazy` (the bot's start), leave the sentence
        encoder and the patterns the check did not compile to `warm_up`."""
        self.directory = directory
        self._live = _load(directory, lazy)

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

    def warm_up(self) -> threading.Thread:
        """Build what a lazy load left for later, in a background thread (returned, started):
        the sentence encoder first (a message that comes meanwhile waits for it), then every
        rule pattern not compiled yet."""
        assessor = self._live.safety

        def build() -> None:
            try:
                embed = assessor.learned.embed if assessor.learned is not None else None
                if isinstance(embed, LazyEncoder):
                    embed.load()
                assessor.rules.compile_all()
            except Exception:  # the assessor still builds what it needs when it needs it
                log.exception("safety.warm_up_failed")
            else:
                log.info("safety.warmed_up")

        thread = threading.Thread(target=build, name="safety-warm-up", daemon=True)
        thread.start()
        return thread

    def reload(self) -> Content:
        """Load again from disk; raises ContentError and keeps the old content on problems."""
        self._live = _load(self.directory)
        return self._live.content
