"""The safety assessment: which level (none, gp, crisis) a coachee's free text calls for.

A pure function of (text, rules from content). Rules are phrase patterns, never single
keywords; this module owns how they match: normalising spelling and spoken forms, tolerating
typos, ignoring everyday idioms, and dropping statements the writer negates. Every language's
rules run on every text, because people switch languages and a missed crisis costs most.

Pattern syntax (documented for maintainers in content/README.md):
  word        the word itself           word*     any word starting with it
  (a|b|c)     one of these words        elem?     the element may be absent
  ...         up to four other words
  $           the end of the sentence
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from bot.content.schema import SafetyRule, SafetyRules

LEVEL_ORDER = {"none": 0, "gp": 1, "crisis": 2}
GAP_WORDS = 4
NEGATION_WINDOW = 5
BLANK = "_"


@dataclass(frozen=True)
class Assessment:
    level: str
    categories: tuple[str, ...] = ()
    rule: str | None = None

    @property
    def escalates(self) -> bool:
        return self.level != "none"


NONE = Assessment("none")


def fold(text: str) -> str:
    """Lower-case, strip accents and apostrophes so "Één" and "don’t" meet "een" and "dont"."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['’‘`´]", "", text)
    return re.sub(r"(\w)\1{2,}", r"\1\1", text)  # "nieeeet" -> "nieet": runs of three or more to two


COMMA = ","


def _sentences(text: str) -> list[str]:
    return [part for part in re.split(r"[.!?\n;:]+", text) if part.strip()]


def _words(sentence: str) -> list[str]:
    """Words, with commas kept as their own token: they end a negation's reach."""
    return re.findall(r"[a-z0-9]+|,", sentence)


def _within_one_edit(a: str, b: str, swaps_only: bool = False) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1 and not swaps_only:
            return True
        # one swap of neighbours ("zelfomord")
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if swaps_only:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


class PatternError(ValueError):
    """A pattern a maintainer wrote that cannot be read; the message says why."""


def _elements(source: str) -> list[str]:
    """Split a pattern on spaces outside parentheses: "(het nut|de zin) van" -> 2 elements."""
    elements, current, depth = [], "", 0
    for char in source:
        if char == "(":
            depth += 1
            if depth > 1:
                raise PatternError(f"{source!r}: parentheses inside parentheses are not "
                                   "supported; write the alternatives out in full")
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise PatternError(f"{source!r}: a ')' without its '('")
        if char == " " and depth == 0:
            if current:
                elements.append(current)
            current = ""
        else:
            current += char
    if depth:
        raise PatternError(f"{source!r}: a '(' without its ')'")
    if current:
        elements.append(current)
    return elements


def pattern_problem(source: str) -> str | None:
    """Why a maintainer's pattern cannot be read, or None when it is fine."""
    try:
        _Pattern(source)
    except PatternError as exc:
        return str(exc)
    return None


def _word_regex(word: str) -> str:
    if word.endswith("*"):
        return re.escape(word[:-1]) + "[a-z0-9]*"
    return re.escape(word)


class _Pattern:
    """One compiled phrase pattern, matched against ' '-joined normalised words."""

    def __init__(self, source: str, spellings: dict[str, list[str]] | None = None) -> None:
        self.source = source
        spellings = spellings or {}
        self.literals: set[str] = set()
        parts = []
        for element in _elements(fold(source)):
            if element == "...":
                parts.append(rf"(?:\S+ ){{0,{GAP_WORDS}}}")
                continue
            if element == "$":
                parts.append("$")
                continue
            optional = element.endswith("?")
            element = element.rstrip("?")
            grouped = element.startswith("(") and element.endswith(")")
            choices = element[1:-1].split("|") if grouped else [element]
            alternatives = []
            for choice in choices:
                words = [s for w in choice.split() for s in spellings.get(w, [w])]
                if not words or not all(re.fullmatch(r"[a-z0-9]+\*?", w) for w in words):
                    raise PatternError(f"{source!r}: {choice!r} is not a word, a word*, or "
                                       "words separated by spaces")
                self.literals.update(w.rstrip("*") for w in words)
                alternatives.append(" ".join(_word_regex(w) for w in words))
            body = "(?:" + "|".join(alternatives) + ") "
            parts.append(f"(?:{body})?" if optional else body)
        self.regex = re.compile("(?<= )" + "".join(parts))

    def find(self, joined: str) -> Iterable[re.Match[str]]:
        return self.regex.finditer(joined)


@dataclass(frozen=True)
class _Hit:
    rule: SafetyRule
    start_word: int
    end_word: int
    sentence_index: int


class SafetyEngine:
    """Assesses texts against the content's rules; build once per content load."""

    def __init__(self, rules: SafetyRules) -> None:
        self._rules = rules
        lexicons = list(rules.lexicon.values())
        self._spellings: dict[str, list[str]] = {}
        for lexicon in lexicons:
            for spoken, written in lexicon.spellings.items():
                self._spellings[fold(spoken)] = _words(fold(written))
        self._negations = {fold(word) for lex in lexicons for word in lex.negations}
        self._breaks = {fold(word) for lex in lexicons for word in lex.clause_breaks}
        spell = self._spellings
        self._idioms = [_Pattern(p, spell) for lex in lexicons for p in lex.idioms]
        self._reaffirmations = [_Pattern(p, spell) for lex in lexicons for p in lex.reaffirmations]
        self._past = [_Pattern(p, spell) for lex in lexicons for p in lex.past_markers]
        self._compiled = [(rule, [_Pattern(p, spell) for p in rule.patterns])
                          for rule in rules.rules]
        self._by_id = {rule.id: patterns for rule, patterns in self._compiled}

    @cached_property
    def _vocabulary(self) -> dict[int, list[str]]:
        """Pattern words by length, the only words a typo is corrected toward."""
        by_length: dict[int, list[str]] = {}
        words = {w for _, patterns in self._compiled for p in patterns for w in p.literals}
        for word in sorted(w for w in words if len(w) >= 4):
            by_length.setdefault(len(word), []).append(word)
        return by_length

    @lru_cache(maxsize=20_000)  # noqa: B019 - one engine per content load, bounded
    def _correct(self, word: str) -> tuple[str, ...]:
        if word in self._spellings:
            return tuple(self._spellings[word])
        if len(word) < 3 or word in self._vocabulary.get(len(word), ()):
            return (word,)
        # Long words forgive one slip of any kind; short ones only two swapped letters.
        for length in (len(word), len(word) - 1, len(word) + 1):
            for known in self._vocabulary.get(length, ()):
                if min(len(word), len(known)) >= 5 or len(word) == len(known):
                    if _within_one_edit(word, known, swaps_only=min(len(word), len(known)) < 5):
                        return (known,)
        return (word,)

    def normalise(self, text: str) -> list[list[str]]:
        """The text as sentences of corrected words, idioms blanked out."""
        sentences = []
        for sentence in _sentences(fold(text)):
            words = [w for raw in _words(sentence) for w in self._correct(raw)]
            joined = " " + " ".join(words) + " "
            for idiom in self._idioms:
                for match in idiom.find(joined):
                    first = joined[: match.start()].count(" ") - 1
                    count = match.group(0).count(" ")
                    words[first : first + count] = [BLANK] * count
                    joined = " " + " ".join(words) + " "
            sentences.append(words)
        return sentences

    def _hits(self, sentences: list[list[str]], compiled) -> list[_Hit]:
        hits = []
        for index, words in enumerate(sentences):
            joined = " " + " ".join(words) + " "
            for rule, patterns in compiled:
                for pattern in patterns:
                    for match in pattern.find(joined):
                        start = joined[: match.start()].count(" ") - 1
                        end = start + match.group(0).count(" ")
                        hits.append(_Hit(rule, start, end, index))
        return hits

    def _negated(self, hit: _Hit, sentences: list[list[str]]) -> bool:
        words = sentences[hit.sentence_index]
        literal = {w for p in self._by_id[hit.rule.id] for w in p.literals}
        span = words[hit.start_word : hit.end_word]
        if any(w in self._negations and w not in literal for w in span):
            return True
        for position in range(hit.start_word - 1, max(-1, hit.start_word - NEGATION_WINDOW - 1),
                              -1):
            word = words[position]
            if word in self._breaks or word == COMMA:
                return False
            if word in self._negations:
                following = words[position + 1] if position + 1 < len(words) else ""
                return following not in {"zo", "so", "zoveel", "such"}
        return False

    def _reaffirmed(self, hit: _Hit, sentences: list[list[str]]) -> bool:
        tail = sentences[hit.sentence_index][hit.end_word :]
        for words in [tail, *sentences[hit.sentence_index + 1 :]]:
            joined = " " + " ".join(words) + " "
            if any(any(True for _ in p.find(joined)) for p in self._reaffirmations):
                return True
        return False

    def _kept(self, hits: list[_Hit], sentences: list[list[str]]) -> list[_Hit]:
        return [h for h in hits
                if not self._negated(h, sentences) or self._reaffirmed(h, sentences)]

    def _in_the_past(self, hit: _Hit, sentences: list[list[str]]) -> bool:
        """Told as history ("vroeger sneed ik me"), and not said to be back."""
        joined = " " + " ".join(w for s in sentences for w in s) + " "
        told_as_past = any(any(True for _ in p.find(joined)) for p in self._past)
        return told_as_past and not self._reaffirmed(hit, sentences)

    def _level(self, hit: _Hit, sentences: list[list[str]]) -> str:
        # History of a crisis signal is still worth raising with the GP, never ignored.
        if hit.rule.level == "crisis" and self._in_the_past(hit, sentences):
            return "gp"
        return hit.rule.level

    def assess(self, text: str, lang: str = "nl") -> Assessment:
        """Level, categories and deciding rule for one message; `lang` is informative only."""
        del lang  # every language's rules run on every text, see the module docstring
        sentences = self.normalise(text)
        hits = self._kept(self._hits(sentences, self._compiled), sentences)
        if not hits:
            return NONE
        levelled = sorted(((self._level(h, sentences), h) for h in hits),
                          key=lambda pair: -LEVEL_ORDER[pair[0]])
        level, top = levelled[0]
        categories = list(dict.fromkeys(h.rule.category for _, h in levelled))
        return Assessment(level, tuple(categories), top.rule.id)

    def rule_matches(self, rule_id: str, text: str) -> bool:
        rule = next(r for r, _ in self._compiled if r.id == rule_id)
        sentences = self.normalise(text)
        hits = self._hits(sentences, [(rule, self._by_id[rule_id])])
        return bool(self._kept(hits, sentences))
