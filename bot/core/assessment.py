"""The safety assessment of a message: the phrase rules and the learned layer together.

The rules (bot.core.safety) say what maintainers wrote down; the learned layer
(bot.core.learned_safety) reads what they did not foresee. The level is the higher of the
two: the learned layer may add an escalation, never remove one. When only the learned layer
sees a crisis, and it is not sure (its crisis probability between `unsure_at` and
`crisis_at`), the answer is still a crisis answer, with the crisis line and 112 first, and
then the bot asks plainly (SAFETY.md: "When a message is worrying but unclear, give the
crisis line and 112 first, then ask plainly").
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

from bot.core.learned_safety import LearnedLayer
from bot.core.safety import LEVEL_ORDER, Assessment, SafetyEngine

# The learned layer's kind of crisis, as the crisis category whose opener and help fit it.
KIND_CATEGORIES = {
    "other_person": "other_person_crisis",
    "danger_to_others": "danger_to_others",
    "danger_from_others": "danger_from_others",
    "medical": "medical_emergency",
}
# Categories of the writer's own crisis: a confident learned reading that the crisis is
# someone else's, or a danger, opens with that instead ("mijn zoon wil niet meer leven" is
# no wish of the writer's own).
SELF_CATEGORIES = frozenset({"suicidal_ideation", "suicide_plan", "self_harm", "overdose"})
# The same text is assessed by the update processor and then by the safety net. The cache
# keeps a digest of the text, never the text: a coachee's words stay nowhere after /delete.
CACHE_SIZE = 256


@dataclass
class SafetyAssessor:
    """Assesses a message with the rules and, when it loaded, the learned layer."""

    rules: SafetyEngine
    learned: LearnedLayer | None = None
    _cache: OrderedDict[tuple[bytes, str], Assessment] = field(
        default_factory=OrderedDict, repr=False
    )

    def assess(self, text: str, lang: str = "nl") -> Assessment:
        key = (hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest(), lang)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        result = self._assess(text, lang)
        self._cache[key] = result
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return result

    def _assess(self, text: str, lang: str) -> Assessment:
        ruled = self.rules.assess(text, lang)
        if self.learned is None or not any(c.isalpha() for c in text):
            # The learned layer reads words. A message without a letter (a time, a score,
            # emoji) gave it nothing to read and it still raised a crisis now and then: eight
            # of the 1,440 times of day ("20:29"), typed where the bot asked for one.
            return ruled
        if self.rules.plain_answer(text):
            # "ik weet het niet" as the whole answer to a question: the learned layer had
            # learned those words from despair and sent GP advice (see the lexicon's
            # `plain_answers`); the rules have read it like any text.
            return ruled
        verdict = self.learned.verdict(text)
        layer = self.learned
        kind_category = (
            KIND_CATEGORIES.get(verdict.kind or "")
            if verdict.kind_confidence >= layer.kind_at
            else None
        )
        if ruled.level == "crisis":
            if kind_category and ruled.categories and ruled.categories[0] in SELF_CATEGORIES:
                categories = (kind_category, *ruled.categories)
                return Assessment("crisis", categories, ruled.rule, "rules", verdict.crisis)
            return Assessment("crisis", ruled.categories, ruled.rule, "rules", verdict.crisis)
        if verdict.crisis >= verdict.unsure_at:
            sure = verdict.crisis >= verdict.crisis_at
            category = kind_category or ("unsure" if not sure else "default")
            categories = (category, *ruled.categories)
            return Assessment("crisis", categories, "learned", "learned", verdict.crisis, not sure)
        if LEVEL_ORDER[ruled.level] >= LEVEL_ORDER["gp"]:
            return ruled
        if verdict.concern >= verdict.gp_at:
            return Assessment("gp", ("default",), "learned", "learned", verdict.concern)
        return ruled
