"""The safety assessment: which level (none, gp, crisis) a coachee's free text calls for.

A pure function of (text, rules from content). Rules are phrase patterns, never single
keywords; this module owns how they match: normalising spelling and spoken forms, tolerating
typos, ignoring everyday idioms, and dropping statements the writer negates or tells as
history. Every language's rules run on every text, because people switch languages and a
missed crisis costs most.

Pattern syntax (documented for maintainers at the top of content/safety/rules.yaml):
  word        the word itself           word*     any word starting with it
  (a|b c|d)   one of these; an alternative may be several words
  elem?       the element may be absent
  ...         up to four other words
  $           the end of the sentence, or a comma
Between two elements up to two filler words may stand that change nothing of what is said
("ik wil GEWOON dood", "I JUST want to disappear", "ik zou er ZO GRAAG niet meer zijn"):
see FILLERS; patterns never list them.

How a text is read, in order:
  1. fold: lower case, accents dropped, apostrophes kept for a moment ("i'll" is not "ill").
  2. sentences: split on . ! ? ; : and new lines (not a point or colon between digits, as in
     "2.300 euro"); a fragment of one or two words ("Voorgoed." "Goodbye.") is read as the
     end of the sentence before it.
  3. spellings: spoken, regional and texting forms are rewritten, longest phrase first
     ("'k hem" -> "ik heb", "mijn eigen" -> "mezelf", "kms" -> "kill myself"); the same
     rewriting is applied to the words of every pattern, so both sides meet.
  4. typos: a word no rule or lexicon knows is corrected toward a pattern word one slip
     away (see `SafetyEngine._correct`).
  5. idioms are blanked ("ik schrok me dood", "this deadline is killing me"), unless the
     sentence says it was done on purpose ("expres", "met opzet", "on purpose": the
     lexicon's `on_purpose`), which no accident or figure of speech is.
  6. every pattern is tried at every word (a pattern whose indispensable words are not all in
     the sentence is skipped unread, which keeps assessing fast); a match is dropped when a
     negation stands in one of its `...` gaps or just before it in the same clause, unless
     the message goes on to affirm it ("... maar de laatste tijd wel"). Being unable to stop
     is no negation: "I can't stop thinking about killing myself", "ik kan niet stoppen met
     krassen", "ik kan het niet laten" say the thing goes on (the lexicon's
     `negation_cancellers`); nor is "not so much" (`weakeners`).
  7. a crisis match told as history in its own clause ("vroeger sneed ik me") counts as gp,
     unless the clause says it is now (`present_markers`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from bot.core.normalise import canonical
from bot.core.rules import SafetyRule, SafetyRules

LEVEL_ORDER = {"none": 0, "gp": 1, "crisis": 2}
GAP_WORDS = 4
NEGATION_WINDOW = 5
# How many words of the next sentence may hold the answer to a reported question.
ANSWER_WORDS = 6
FRAGMENT_WORDS = 2
BLANK = "_"
COMMA = ","
APOSTROPHE = "'"
# The gp category of suicidality told as the past: "over" does not clear it.
PAST_SUICIDAL = "past_suicidal"
# Perceptions can be of the media themselves ("het nieuws op tv gaat over mij"): a story
# frame never clears them.
PERCEPTION = "perception"
# A sentence of at most this many words before a match can be a story's heading ("Op het
# journaal:", "Net gezien op Netflix.").
STORY_HEADING_WORDS = 5
# A plain answer (the lexicon's `plain_answers`) is a short whole message: longer ones are
# not even compared.
PLAIN_ANSWER_CHARS = 60
VOWELS = frozenset("aeiouy")
# Words people put anywhere without changing what is said ("ik wil GEWOON dood", "I
# JUST want to disappear", "ik zou er ZO GRAAG niet meer zijn"): up to two may stand between
# any two neighbouring words of a pattern. Softeners that make a thought passing ("even",
# "a bit") are deliberately not here. (Language data still kept in code: this module's
# pattern compiler reads it.)
FILLERS = (
    "gewoon",
    "echt",
    "eigenlijk",
    "soms",
    "toch",
    "graag",
    "liefst",
    "ook",
    "heel",
    "helemaal",
    "compleet",
    "totaal",
    "serieus",
    "letterlijk",
    "just",
    "really",
    "honestly",
    "literally",
    "actually",
    "simply",
    "sometimes",
    "seriously",
    "truly",
    "completely",
    "totally",
    "utterly",
    "very",
)
MAX_FILLERS = 2
# The words a pattern runs on carry this mark after a filler ("gewoon~"), so the regex that
# lets fillers stand between a pattern's words is a few characters, not the whole list at
# every junction: that list made 2.2 MB of regex source, two seconds of every start.
_FILLER_MARK = "~"
_FILLER_SET = frozenset(FILLERS)
_FILLER_REGEX = f"(?:[a-z]+{_FILLER_MARK} ){{0,{MAX_FILLERS}}}"
# Typo correction toward a word* pattern's stem only for stems this long: long stems are
# specific compounds ("flashback*", "slaappil*"), short ones would swallow ordinary words.
MIN_STEM_FOR_TYPOS = 8


@dataclass(frozen=True)
class Assessment:
    """What one message calls for: the level, the categories seen, the deciding rule.

    `layer` says which layer decided ("rules" or "learned"; see bot.core.assessment),
    `confidence` the learned layer's probability for the level when it has one, and `ask`
    that the evidence is weaker: the answer is still at crisis level, and then asks plainly
    whether they are thinking of ending their life.
    """

    level: str
    categories: tuple[str, ...] = ()
    rule: str | None = None
    layer: str = "rules"
    confidence: float | None = None
    ask: bool = False

    @property
    def escalates(self) -> bool:
        """Whether the coachee should be pointed to the GP or to crisis help."""
        return self.level != "none"


NONE = Assessment("none")


def fold(text: str, keep_apostrophes: bool = False) -> str:
    """The canonical text (see bot.core.normalise) with apostrophes kept only when asked.

    Text keeps them until spellings are applied, so "i'll" and "ill" can be told apart;
    pattern sources drop them ("dont" is written without one).
    """
    text = canonical(text)
    return text if keep_apostrophes else text.replace(APOSTROPHE, "")


# A point or colon between digits is a number or a time ("2.300 euro", "om 3:30"), not an end.
_SENTENCE_END = re.compile(r"(?:(?<!\d)[.:]|[.:](?!\d)|[!?\n;])+")


def _sentences(text: str) -> list[str]:
    """Sentences, with a fragment of one or two words joined to the sentence before it.

    People write "ik wil dat het stopt. Voorgoed." or "i'm done. with everything. goodbye":
    the fragment finishes the thought, so it must be read with it.
    """
    sentences: list[str] = []
    for part in _SENTENCE_END.split(text):
        if not part.strip():
            continue
        if sentences and len(_words(part)) <= FRAGMENT_WORDS:
            sentences[-1] = sentences[-1] + " " + part
        else:
            sentences.append(part)
    return sentences


_WORD = re.compile(r"[a-z0-9']+|,")


def _words(sentence: str) -> list[str]:
    """Words, with commas kept as their own token: they end a negation's reach.

    One pass without backtracking (a run of apostrophes once took quadratic time); a token
    of apostrophes alone is no word."""
    return [w for w in _WORD.findall(sentence) if w.strip(APOSTROPHE)]


def _plain(word: str) -> str:
    """The word without apostrophes, as patterns and most spellings are written."""
    return word.replace(APOSTROPHE, "")


def _within_one_edit(a: str, b: str, swaps_only: bool = False) -> bool:
    """One substitution, insertion, deletion or swap of neighbours apart ("zelfomord")."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1 and not swaps_only:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if swaps_only:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _typing_slip(typed: str, meant: str, long_compound: bool = False) -> bool:
    """Whether `typed` is `meant` with one of the slips `SafetyEngine._correct` undoes.

    A wrong or an extra letter is only forgiven against the stem of a long compound
    ("zelfmoprd", "zelfmoordd"): against whole words it too often makes another real word
    ("overleden" is not "overreden", "spannend" not "spannen").
    """
    if len(typed) == len(meant):
        return _within_one_edit(typed, meant, swaps_only=True) or (
            long_compound and _within_one_edit(typed, meant)
        )
    if len(meant) == len(typed) + 1 and len(typed) >= 4:  # a letter left out
        for i in range(2, len(meant)):
            if meant[:i] + meant[i + 1 :] == typed:
                return len(typed) >= 5 or meant[i] in VOWELS
        return False
    if len(meant) == len(typed) + 1:
        # three letters: only a vowel after two consonants, as no word starts so ("lfe")
        return (
            len(typed) == 3
            and meant[1] in VOWELS
            and meant[0] + meant[2:] == typed
            and not VOWELS & set(typed[:2])
        )
    return long_compound and _within_one_edit(typed, meant)


class PatternError(ValueError):
    """A pattern a maintainer wrote that cannot be read; the message says why."""


def _elements(source: str) -> list[str]:
    """Split a pattern on spaces outside parentheses: "(het nut|de zin) van" -> 2 elements."""
    elements, current, depth = [], "", 0
    for char in source:
        if char == "(":
            depth += 1
            if depth > 1:
                raise PatternError(
                    f"{source!r}: parentheses inside parentheses are not "
                    "supported; write the alternatives out in full"
                )
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
    """A pattern word as a regex: "word*" takes any ending, other words only themselves;
    either also takes a filler's mark where the word could be a filler ("echt", "ech*")."""
    if word.endswith("*"):
        stem = word[:-1]
        marked = any(filler.startswith(stem) for filler in FILLERS)
        return re.escape(stem) + "[a-z0-9]*" + (f"{_FILLER_MARK}?" if marked else "")
    return re.escape(word) + (f"{_FILLER_MARK}?" if word in _FILLER_SET else "")


@lru_cache(maxsize=4096)
def _compiled_regex(source: str) -> re.Pattern[str]:
    """Compile once per process: the rules hold hundreds of patterns, and an engine is
    built again at every content load and check (re's own cache holds only 512)."""
    return re.compile(source)


class _Spellings:
    """Spoken, regional and texting forms and what they stand for, matched phrase-first.

    Keys may be several words ("k hem" -> "ik heb", "mijn eigen" -> "mezelf"); at each
    position the longest key wins, so "mijn eigen" is read before "mijn". A key written with
    an apostrophe ("i'll") only meets that spelling; one without meets both ("dont", "don't").
    """

    def __init__(self, table: dict[str, str] | None = None) -> None:
        """Index the table by each key's first word, longest keys first."""
        self.by_first: dict[str, list[tuple[tuple[str, ...], list[str]]]] = {}
        self._words: dict[str, tuple[str, ...]] = {}
        for spoken, written in (table or {}).items():
            key = tuple(_words(fold(spoken, keep_apostrophes=True)))
            if key:
                self.by_first.setdefault(key[0], []).append((key, _words(fold(written))))
        for entries in self.by_first.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    @staticmethod
    def _meets(key_word: str, word: str) -> bool:
        """Whether a word of a text is the key's word, apostrophes as the key demands."""
        return key_word == word or (APOSTROPHE not in key_word and key_word == _plain(word))

    def rewrite(self, words: list[str]) -> list[tuple[str, bool]]:
        """(word, rewritten?) pairs; rewritten words are final and never typo-corrected."""
        out: list[tuple[str, bool]] = []
        i = 0
        while i < len(words):
            entries = self.by_first.get(words[i], []) + self.by_first.get(_plain(words[i]), [])
            for key, written in sorted(entries, key=lambda entry: -len(entry[0])):
                span = words[i : i + len(key)]
                if len(span) == len(key) and all(map(self._meets, key, span)):
                    out += [(w, True) for w in written]
                    i += len(key)
                    break
            else:
                if _plain(words[i]):
                    out.append((_plain(words[i]), False))
                i += 1
        return out

    def words(self, source: str) -> list[str]:
        """A pattern alternative's words rewritten; word* stems are left as written.
        Remembered: the rules repeat the same few thousand alternatives, and building the
        engine at every start and reload read each of them dozens of times."""
        known = self._words.get(source)
        if known is None:
            known = self._words[source] = tuple(w for w, _ in self.rewrite(source.split()))
        return list(known)

    def vocabulary(self) -> set[str]:
        """Every form on either side of the table: all are words the engine knows."""
        known: set[str] = set()
        for entries in self.by_first.values():
            for key, written in entries:
                known.update(_plain(w) for w in key)
                known.update(written)
        return known


class _Pattern:
    """One compiled phrase pattern, tried at every word of ' '-joined normalised words.

    Each `...` is a capturing group, so a match can say which of its words were free gap
    words: a negation there ("ik denk NIET aan doodgaan") negates the match, while a
    negation the pattern names itself ("niet meer wakker") is part of what it means.
    """

    def __init__(self, source: str, spellings: _Spellings | None = None) -> None:
        """Compile `source`; raises PatternError with a maintainer-readable reason.

        Gaps are lazy: the shortest match is found first, so a negation only counts as
        standing in a gap when no match without it exists from that word.
        """
        self.source = source
        spellings = spellings or _Spellings()
        self.literals: set[str] = set()
        self.stems: set[str] = set()
        # For each element that must be present and names only whole words: the words one
        # of its alternatives starts with. A sentence lacking all of one such set cannot
        # match, so the regex is not even tried (see `may_match`).
        required: list[frozenset[str]] = []
        parts, self._gap_groups, group, has_word = [], [], 1, False
        after_word = False  # fillers may stand after a word or a gap, not at the start
        for element in _elements(fold(source)):
            if element == "...":
                group += 1
                self._gap_groups.append(group)
                parts.append(rf"((?:\S+ ){{0,{GAP_WORDS}}}?)")
                after_word = True  # fillers do not use up a gap's words
                continue
            if after_word:
                parts.append(_FILLER_REGEX)
            if element == "$":
                parts.append(r"(?=, |$)")
                after_word = False
                continue
            after_word = True
            optional = element.endswith("?")
            has_word = has_word or not optional
            element = element.rstrip("?")
            grouped = element.startswith("(") and element.endswith(")")
            choices = element[1:-1].split("|") if grouped else [element]
            alternatives = []
            for choice in choices:
                words = spellings.words(choice)
                if not words or not all(re.fullmatch(r"[a-z0-9]+\*?", w) for w in words):
                    raise PatternError(
                        f"{source!r}: {choice!r} is not a word, a word*, or "
                        "words separated by spaces"
                    )
                self.literals.update(w for w in words if not w.endswith("*"))
                self.stems.update(w[:-1] for w in words if w.endswith("*"))
                alternatives.append(" ".join(_word_regex(w) for w in words))
            firsts = {spellings.words(choice)[0] for choice in choices}
            if not optional and not any(w.endswith("*") for w in firsts):
                required.append(frozenset(firsts))
            body = "(?:" + "|".join(alternatives) + ") "
            parts.append(f"(?:{body})?" if optional else body)
        if not has_word:
            raise PatternError(
                f"{source!r}: a pattern needs at least one word that is not optional"
            )
        # A lookahead finds a match starting at every word, overlapping ones included.
        self._regex_source = "(?<= )(?=(" + "".join(parts) + "))"
        # the most selective first: fewest alternatives
        self.required = tuple(sorted(required, key=len))

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """Compiled when first tried, not at load: a message tries only the few patterns
        its words point at (see `may_match`), and compiling all of them was most of the
        start-up time of `safety assess`."""
        return _compiled_regex(self._regex_source)

    def may_match(self, present: frozenset[str] | set[str]) -> bool:
        """False when a word the pattern cannot do without is missing from the sentence:
        a cheap test that spares most regexes on most sentences."""
        # A loop, not all() over a generator: this runs dozens of times per sentence, and the
        # generator cost as much as the test.
        for words in self.required:  # noqa: SIM110
            if words.isdisjoint(present):
                return False
        return True

    def find(self, joined: str) -> Iterator[tuple[int, int, list[int]]]:
        """(first word, word after the last, gap word positions) of every match."""
        for match in self.regex.finditer(joined):
            start = joined.count(" ", 0, match.start(1)) - 1
            end = start + match.group(1).count(" ")
            gaps: list[int] = []
            for group in self._gap_groups:
                if match.group(group):
                    first = joined.count(" ", 0, match.start(group)) - 1
                    gaps.extend(range(first, first + match.group(group).count(" ")))
            yield start, end, gaps

    def occurs(self, joined: str) -> bool:
        """Whether the pattern matches anywhere: enough for reaffirmations."""
        return self.regex.search(joined) is not None


class _PatternIndex:
    """Patterns in their content order, found from a sentence's words: a sentence only tries
    the patterns its own words point at (each pattern is indexed under its most selective
    indispensable element), plus those that have no such word (stems only)."""

    def __init__(self, patterns: Sequence[_Pattern]) -> None:
        self.patterns = list(patterns)
        self._by_word: dict[str, list[int]] = {}
        self._unindexed: list[int] = []
        # What a pattern found through its first element still needs (found through it, that
        # one is there): the check that spares most regexes runs for dozens of patterns per
        # sentence, so it does no more than it must.
        self._rest = [pattern.required[1:] for pattern in self.patterns]
        for number, pattern in enumerate(self.patterns):
            if pattern.required:
                for word in pattern.required[0]:
                    self._by_word.setdefault(word, []).append(number)
            else:
                self._unindexed.append(number)

    def numbers(self, present: frozenset[str] | set[str]) -> list[int]:
        """The positions of the patterns a sentence with these words may match, in order."""
        numbers = set(self._unindexed)
        for word in present:
            numbers.update(self._by_word.get(word, ()))
        chosen = []
        for number in sorted(numbers):
            for words in self._rest[number]:
                if words.isdisjoint(present):
                    break
            else:
                chosen.append(number)
        return chosen

    def __iter__(self) -> Iterator[_Pattern]:
        return iter(self.patterns)


@dataclass(frozen=True)
class _Hit:
    """One match of one rule's pattern, located in the normalised sentences."""

    rule: SafetyRule
    start_word: int
    end_word: int
    sentence_index: int
    gap_words: tuple[int, ...] = ()


def _joined(words: Iterable[str]) -> str:
    """Words as the string patterns run on: each word followed by one space, a filler
    marked (see _FILLER_MARK)."""
    return " " + " ".join(w + _FILLER_MARK if w in _FILLER_SET else w for w in words) + " "


class SafetyEngine:
    """Assesses texts against the content's rules; build once per content load."""

    def __init__(self, rules: SafetyRules) -> None:
        """Compile every lexicon phrase and rule pattern once; all lexicons serve all texts."""
        self._rules = rules
        lexicons = list(rules.lexicon.values())
        table: dict[str, str] = {}
        for lexicon in lexicons:
            table.update(lexicon.spellings)
        spell = self._spellings = _Spellings(table)

        def words_of(items: Iterable[str]) -> set[str]:
            return {w for item in items for w in self.lexicon_words(item)}

        self._negations = words_of(w for lex in lexicons for w in lex.negations)
        self._weakeners = words_of(w for lex in lexicons for w in lex.weakeners)
        self._cancellers = words_of(w for lex in lexicons for w in lex.negation_cancellers)
        self._present = words_of(w for lex in lexicons for w in lex.present_markers)
        self._relapse = words_of(w for lex in lexicons for w in lex.relapse)
        self._first_person = words_of(w for lex in lexicons for w in lex.first_person)
        self._also = words_of(w for lex in lexicons for w in lex.also)
        self._own = words_of(w for lex in lexicons for w in lex.own)
        self._self_subject = words_of(w for lex in lexicons for w in lex.self_subject)
        self._breaks = words_of(w for lex in lexicons for w in lex.clause_breaks) | {COMMA}
        self._idioms = _PatternIndex([_Pattern(p, spell) for lex in lexicons for p in lex.idioms])
        self._on_purpose = [_Pattern(p, spell) for lex in lexicons for p in lex.on_purpose]
        self._reaffirmations = [_Pattern(p, spell) for lex in lexicons for p in lex.reaffirmations]
        self._past = [_Pattern(p, spell) for lex in lexicons for p in lex.past_markers]
        self._answered = [_Pattern(p, spell) for lex in lexicons for p in lex.answered_no]
        self._resolved = [_Pattern(p, spell) for lex in lexicons for p in lex.resolved]
        self._explained = [_Pattern(p, spell) for lex in lexicons for p in lex.explained]
        self._stories = [_Pattern(p, spell) for lex in lexicons for p in lex.stories]
        self._compiled = [
            (rule, [_Pattern(p, spell) for p in rule.patterns]) for rule in rules.rules
        ]
        self._by_id = {rule.id: (rule, patterns) for rule, patterns in self._compiled}
        self._order = {rule.id: index for index, rule in enumerate(rules.rules)}
        self._flat = [(rule, pattern) for rule, patterns in self._compiled for pattern in patterns]
        self._flat_index = _PatternIndex([pattern for _, pattern in self._flat])

    @cached_property
    def _plain_answers(self) -> frozenset[tuple[str, ...]]:
        lexicons = self._rules.lexicon.values()
        return frozenset(self._whole(p) for lex in lexicons for p in lex.plain_answers)

    def _whole(self, text: str) -> tuple[str, ...]:
        return tuple(w for sentence in self.normalise(text) for w in sentence if w != COMMA)

    def plain_answer(self, text: str) -> bool:
        """Whether the whole message is one of the lexicon's `plain_answers` ("ik weet het
        niet.", "I don't know"), read as the rules read it (spellings, typos)."""
        if len(text) > PLAIN_ANSWER_CHARS or not self._plain_answers:
            return False
        return self._whole(text) in self._plain_answers

    def lexicon_words(self, entry: str) -> list[str]:
        """A lexicon word as the engine looks for it: folded, spellings applied ("mij" ->
        "me", "im" -> "i am"); `content check` wants one word from a word list's entry."""
        return self._spellings.words(fold(entry))

    # --- reading the text -------------------------------------------------------------

    @cached_property
    def _known(self) -> frozenset[str]:
        """Words the engine knows as written: never corrected as typos."""
        known = set(self._spellings.vocabulary()) | self._negations | self._breaks | set(FILLERS)
        for pattern in self._all_patterns():
            known |= pattern.literals
        return frozenset(known)

    @cached_property
    def _stems(self) -> frozenset[str]:
        """Stems of word* patterns: any word starting with one is known."""
        return frozenset(s for p in self._all_patterns() for s in p.stems)

    @cached_property
    def _targets(self) -> dict[int, list[str]]:
        """Rule pattern words by length: the only words a typo is corrected toward."""
        by_length: dict[int, list[str]] = {}
        words = {w for _, patterns in self._compiled for p in patterns for w in p.literals}
        for word in sorted(w for w in words if len(w) >= 3 and w not in self._negations):
            by_length.setdefault(len(word), []).append(word)
        return by_length

    @cached_property
    def _long_stems(self) -> list[str]:
        """Rule stems long enough to correct typos toward (see MIN_STEM_FOR_TYPOS)."""
        return sorted(
            s
            for _, ps in self._compiled
            for p in ps
            for s in p.stems
            if len(s) >= MIN_STEM_FOR_TYPOS
        )

    def _all_patterns(self) -> Iterator[_Pattern]:
        """Lexicon phrases and rule patterns alike: all their words are known words."""
        yield from self._idioms
        yield from self._on_purpose
        yield from self._reaffirmations
        yield from self._past
        yield from self._answered
        yield from self._stories
        for _, patterns in self._compiled:
            yield from patterns

    def compile_all(self) -> None:
        """Compile every pattern now rather than when first tried: the bot does this at
        load, so no coachee's message pays for it (`safety assess` does not, to start
        fast)."""
        for pattern in self._all_patterns():
            _ = pattern.regex

    def _is_known(self, word: str) -> bool:
        """A word some pattern or the lexicon uses, or one starting with a word* stem."""
        longest = self._longest_stem
        return word in self._known or any(
            word[:n] in self._stems for n in range(1, min(len(word), longest) + 1)
        )

    @cached_property
    def _longest_stem(self) -> int:
        """Stems are short: trying longer prefixes of a word would only cost time (a
        4,096-letter word once took quadratic time)."""
        return max((len(s) for s in self._stems), default=0)

    @lru_cache(maxsize=20_000)  # noqa: B019 - one engine per content load, bounded
    def _correct(self, word: str) -> str:
        """The pattern word a typo was meant to be, or the word itself.

        Without a dictionary every correction risks turning one real word into another
        ("geslapen" -> "geslagen", "back" -> "black", "net" -> "niet"), so only the slips
        typists make most, and that rarely land on another word, are undone:
        - only words no rule or lexicon knows are touched, only toward words rules use,
          never toward a negation (that would silence a match), and the first letter is
          always taken as typed;
        - two neighbours swapped ("wnat", "dei", "mezlef", "genoemn");
        - one letter left out after the first two ("hearng", "zelfmord", "okober"), in a
          word of three or four letters only a vowel, as texters leave out ("levn", "wekn"),
          and in a three-letter word only after two consonants, as no word starts so ("lfe");
        - "y" typed for "ij" ("tyd", "wyn");
        - a long word* stem with any one slip, a wrong or an extra letter included,
          followed by any ending ("flashbaks", "slaapilen", "zelfmoprdgedachten").
        """
        if len(word) < 3 or not word.isalpha() or self._is_known(word):
            return word
        if "y" in word and self._is_known(word.replace("y", "ij")):
            return word.replace("y", "ij")
        for length in (len(word), len(word) + 1, len(word) - 1):
            for known in self._targets.get(length, ()):
                if known[0] == word[0] and _typing_slip(word, known):
                    return known
        for stem in self._long_stems:
            if stem[0] != word[0]:
                continue
            for cut in (len(stem) - 1, len(stem), len(stem) + 1):
                if len(word) >= cut and _typing_slip(word[:cut], stem, long_compound=True):
                    return stem + word[cut:]
        return word

    def normalise(self, text: str) -> list[list[str]]:
        """The text as sentences of respelled, corrected words, idioms blanked out."""
        sentences = []
        for sentence in _sentences(fold(text, keep_apostrophes=True)):
            words = [
                w if final else self._correct(w)
                for w, final in self._spellings.rewrite(_words(sentence))
            ]
            # Hundreds of idioms per sentence: only those whose words are all there run their
            # regex (blanking only removes words, so the set stays a safe superset).
            present, joined = set(words), _joined(words)
            if self._done_on_purpose(present, joined):
                sentences.append(words)  # no accident and no figure of speech
                continue
            for number in self._idioms.numbers(present):
                idiom = self._idioms.patterns[number]
                found = list(idiom.find(joined))
                for start, end, _ in found:
                    words[start:end] = [BLANK] * (end - start)
                if found:
                    joined = _joined(words)
            sentences.append(words)
        return sentences

    def _done_on_purpose(self, present: set[str], joined: str) -> bool:
        return any(p.may_match(present) and any(p.find(joined)) for p in self._on_purpose)

    # --- matching ---------------------------------------------------------------------

    def _candidates(self, present: set[str]) -> list[tuple[SafetyRule, _Pattern]]:
        """The rule patterns a sentence with these words may match, in content order."""
        return [self._flat[n] for n in self._flat_index.numbers(present)]

    def _hits(self, sentences: list[list[str]], compiled=None) -> list[_Hit]:
        """Every match of the given patterns (all rules when None) in every sentence,
        before negation."""
        hits = []
        for index, words in enumerate(sentences):
            joined = _joined(words)
            present = set(words)
            if compiled is None:
                pairs = self._candidates(present)
            else:
                pairs = [
                    (rule, p)
                    for rule, patterns in compiled
                    for p in patterns
                    if p.may_match(present)
                ]
            for rule, pattern in pairs:
                for start, end, gaps in pattern.find(joined):
                    hits.append(_Hit(rule, start, end, index, tuple(gaps)))
        return hits

    def _breaks_at(self, words: list[str], position: int) -> bool:
        """A clause break, unless it is another language's verb: English "want to" is not
        the Dutch conjunction "want" (because), so "I don't want to ..." stays one clause."""
        if words[position] not in self._breaks:
            return False
        following = words[position + 1] if position + 1 < len(words) else ""
        return following != "to"

    def _negates(self, words: list[str], position: int, free: Iterable[int] = ()) -> bool:
        """A negation at `position` that is not weakened ("niet zo", "not only") and not
        turned onto a verb of stopping that stands at one of the `free` positions, outside
        the words the pattern matched ("I can't STOP thinking about ...")."""
        if words[position] not in self._negations:
            return False
        after = position + 1
        if after < len(words) and words[after] in ("meer", "more", "langer", "longer"):
            after += 1
        if after < len(words) and words[after] in self._cancellers and after in free:
            return False
        following = words[position + 1] if position + 1 < len(words) else ""
        return following not in self._weakeners

    def _negated(self, hit: _Hit, sentences: list[list[str]]) -> bool:
        """A negation in one of the match's gaps, or just before it in the same clause."""
        words = sentences[hit.sentence_index]
        if any(self._negates(words, position, hit.gap_words) for position in hit.gap_words):
            return True
        before = range(0, hit.start_word)
        for position in range(
            hit.start_word - 1, max(-1, hit.start_word - NEGATION_WINDOW - 1), -1
        ):
            if self._breaks_at(words, position):
                return False
            if words[position] in self._negations:
                return self._negates(words, position, before)
        return False

    def _answered_no(self, hit: _Hit, sentences: list[list[str]]) -> bool:
        """Inside a question put to the writer, which the message answers no ("mijn zus vroeg
        of ik aan zelfmoord denk. Nee, ik ben moe", "Gedachten aan zelfdoding: nee."): not the
        writer's statement."""
        index = hit.sentence_index
        answer = sentences[index + 1][:ANSWER_WORDS] if index + 1 < len(sentences) else []
        # The sentence's end stays an end ("$") for the answer: "gedachten aan zelfdoding: nee."
        joined = _joined([*sentences[index], COMMA, *answer])
        return any(
            start <= hit.start_word and hit.end_word <= end
            for pattern in self._answered
            for start, end, _ in pattern.find(joined)
        )

    def _reaffirmed(self, hit: _Hit, sentences: list[list[str]]) -> bool:
        """The message goes on to affirm it after all ("... but lately I have")."""
        tail = sentences[hit.sentence_index][hit.end_word :]
        return any(
            any(p.occurs(_joined(words)) for p in self._reaffirmations)
            for words in [tail, *sentences[hit.sentence_index + 1 :]]
        )

    def _resolved_after(self, hit: _Hit, sentences: list[list[str]]) -> bool:
        """A gp signal the message goes on to explain away ("ik hoorde stemmen, bleek de
        radio van de buren"), or, told as the past, to call over ("mijn broer had vroeger een
        gokprobleem. Hij is nu tien jaar clean"), in the rest of its sentence or in the next
        one. Only of the past: "ik drink elke avond. Mijn vader is nu tien jaar droog" keeps
        the first. Not when the match's own sentence says it is back ("ik gebruik weer speed,
        was vijf jaar clean").

        A crisis rule's match, or suicidality of the past, is called over only when it is
        someone else's: told as the past in a sentence where the writer is not the subject
        (the lexicon's `self_subject`), called over after it in words about them, and not
        brought home after ("mijn zus heeft vroeger een poging gedaan. Nu gaat het goed met
        haar" is her story; "... en ik denk er zelf ook aan" is not, nor "dat ligt nu jaren
        achter me"). One's own, however long ago, the GP should hear of; nor is it ever
        explained away."""
        words = sentences[hit.sentence_index]
        if self._relapse.intersection(words):
            return False
        nearby = [
            words[hit.end_word :],
            *sentences[hit.sentence_index + 1 : hit.sentence_index + 2],
        ]
        after = [_joined(part) for part in nearby]
        gp_signal = hit.rule.level == "gp" and hit.rule.category != PAST_SUICIDAL
        if gp_signal and any(p.occurs(part) for part in after for p in self._explained):
            return True
        if not gp_signal and self._self_subject.intersection(words):
            return False
        if not any(p.occurs(_joined(words)) for p in self._past):
            return False
        if gp_signal:
            return any(p.occurs(part) for part in after for p in self._resolved)
        # Someone else's is called over in words about them ("nu gaat het goed met haar"),
        # not the writer ("dat ligt nu jaren achter me" is one's own past, told without "ik").
        mine = self._first_person | self._self_subject
        if not any(
            not mine.intersection(part[start:end])
            for part, joined in zip(nearby, after, strict=True)
            for p in self._resolved
            for start, end, _ in p.find(joined)
        ):
            return False
        later = [words[hit.end_word :], *sentences[hit.sentence_index + 1 :]]
        return not self._brought_home(later) and not self._reaffirmed(hit, sentences)

    def _brought_home(self, parts: list[list[str]]) -> bool:
        """The writer's own self after someone's story: "... dat denk ik zelf ook", "ik wil
        dat ook", "me too"."""
        return any(
            self._own.intersection(part)
            or (self._first_person.intersection(part) and self._also.intersection(part))
            for part in parts
        )

    def _told_as_story(self, hit: _Hit, sentences: list[list[str]]) -> bool:
        """Told of a film, book, series, podcast or the news that the sentence names before
        the match ("in de serie die ik kijk pleegt de hoofdpersoon zelfmoord", "on the news:
        another overdose at a festival"): someone's story, not the writer's. The frame must
        come first: in "ik huil elke dag, zelfs bij reclame op tv" the match is the writer's
        own. Not when the message brings it home after the match (a present or relapse word
        in its sentence, "... and now I think about it again"; or the writer's own self
        anywhere after it, "ik denk er zelf ook aan", "I thought: that's the way"), nor when
        it affirms it after all. Never a perception: the news or the TV can be what is
        perceived."""
        if hit.rule.category == PERCEPTION:
            return False
        words = sentences[hit.sentence_index]
        if self._first_person.intersection(words[hit.start_word : hit.end_word]):
            return False  # the match is the writer's own: "... and I thought I'd do it too"
        # The frame first (its own sentence, or a short heading just before it: "Op het
        # journaal: weer een overdosis."), so that the rest of the message is read only for
        # the rare match that has one.
        joined = _joined(words)
        framed = any(
            end <= hit.start_word for pattern in self._stories for _, end, _ in pattern.find(joined)
        )
        index = hit.sentence_index
        if not framed and index > 0 and len(sentences[index - 1]) <= STORY_HEADING_WORDS:
            heading = _joined(sentences[index - 1])
            framed = any(pattern.occurs(heading) for pattern in self._stories)
        if not framed:
            return False
        after = words[hit.end_word :]
        if self._present.intersection(after) or self._relapse.intersection(after):
            return False
        if self._brought_home([after, *sentences[index + 1 :]]):
            return False
        return not self._reaffirmed(hit, sentences)

    def _kept(self, hits: list[_Hit], sentences: list[list[str]]) -> list[_Hit]:
        """The matches that stand: not negated (nor asked and answered no), or negated and
        then affirmed after all; not a gp matter the message says is over; and not told of
        a film, book or the news."""
        return [
            h
            for h in hits
            if (
                not (self._negated(h, sentences) or self._answered_no(h, sentences))
                or self._reaffirmed(h, sentences)
            )
            and not self._resolved_after(h, sentences)
            and not self._told_as_story(h, sentences)
        ]

    def _clause(self, hit: _Hit, words: list[str]) -> tuple[int, int]:
        """The word range of the clause(s) a match stands in, between commas and breaks."""
        first = hit.start_word
        while first > 0 and not self._breaks_at(words, first - 1):
            first -= 1
        last = hit.end_word
        while last < len(words) and not self._breaks_at(words, last):
            last += 1
        return first, last

    def _in_the_past(self, hit: _Hit, sentences: list[list[str]]) -> bool:
        """Told as history in its own clause ("vroeger sneed ik me"), and not said to be back.

        Only the match's own clause counts: in "vroeger dacht ik er nooit aan, nu denk ik
        elke dag aan de dood" the past belongs to the first clause, the crisis to the second;
        and a clause that says "now" or "again" is not history.
        """
        words = sentences[hit.sentence_index]
        first, last = self._clause(hit, words)
        if self._present.intersection(words[first:last]):
            return False
        told_as_past = any(
            start < last and end > first
            for marker in self._past
            for start, end, _ in marker.find(_joined(words))
        )
        return told_as_past and not self._reaffirmed(hit, sentences)

    def _level(self, hit: _Hit, sentences: list[list[str]]) -> str:
        """The rule's level, but history of a crisis signal is raised with the GP instead."""
        if hit.rule.level == "crisis" and self._in_the_past(hit, sentences):
            return "gp"
        return hit.rule.level

    def assess(self, text: str, lang: str = "nl") -> Assessment:
        """Level, categories and deciding rule for one message; `lang` is informative only.

        The highest level decides; among matches of that level the rule written first in
        the content does, so maintainers put the most urgent and specific rules on top.
        Categories come in the same order, for the escalation's opening lines.
        """
        del lang  # every language's rules run on every text, see the module docstring
        sentences = self.normalise(text)
        hits = self._kept(self._hits(sentences), sentences)
        if not hits:
            return NONE
        levelled = sorted(
            ((self._level(h, sentences), h) for h in hits),
            key=lambda pair: (-LEVEL_ORDER[pair[0]], self._order[pair[1].rule.id]),
        )
        level, top = levelled[0]
        categories = list(dict.fromkeys(h.rule.category for _, h in levelled))
        return Assessment(level, tuple(categories), top.rule.id)

    def rule_matches(self, rule_id: str, text: str) -> bool:
        """Whether one rule, on its own, matches a text (negations and idioms applied)."""
        rule, patterns = self._by_id[rule_id]
        sentences = self.normalise(text)
        return bool(self._kept(self._hits(sentences, [(rule, patterns)]), sentences))
