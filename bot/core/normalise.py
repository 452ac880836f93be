"""Text as the safety net reads it: one canonical form, whatever was pasted or typed.

Copy-paste and phone keyboards put characters into a message that look like nothing or like
ordinary letters: zero-width spaces, soft hyphens, joiners, full-width letters, ligatures,
Cyrillic and Greek look-alikes ("sеlf" with a Cyrillic "е"). Left in, each of them hides a
crisis phrase from every matcher. Both safety layers (the phrase rules and the learned
model) read text only through `canonical`, and every step here is linear in the length of
the text.
"""

from __future__ import annotations

import re
import unicodedata

# Look-alike letters of other scripts, folded to the Latin letter they pass for (after
# lower-casing). Only letters that are confused in practice are listed; the Unicode
# confusables table holds thousands, most irrelevant to Dutch and English text.
CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "з": "3",
        "и": "u",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "һ": "h",
        "ո": "n",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ω": "w",
        # Latin letters that NFKC leaves alone
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        # Punctuation look-alikes: every apostrophe and dash one way
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "ʼ": "'",
        "′": "'",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
    }
)
# Digits typed for letters inside a word ("z3lfmoord", "k1ll myself", "d00d"): only in a word
# that starts with a letter, so numbers and amounts ("10 pillen", "20mg", "3x") stay as typed.
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a"})
# Whole words, then a look for digits inside: one pass, no backtracking (a pattern that
# demanded the digit took quadratic time on a long run of letters).
_LEET_WORD = re.compile(r"[a-z][a-z0-9@]*")
_LEET_CHARS = frozenset("013457@")
_LETTER_RUN = re.compile(r"([a-z])\1{2,}")
_SPACE = re.compile(r"[^\S\n]+")


def _visible(ch: str) -> bool:
    """Drop format characters (zero-width space, soft hyphen, joiners, direction marks) and
    combining marks (accents once decomposed); keep everything else."""
    category = unicodedata.category(ch)
    return category != "Cf" and not category.startswith("M")


def _unleet(match: re.Match[str]) -> str:
    word = match.group(0)
    return word.translate(LEET) if _LEET_CHARS.intersection(word) else word


def canonical(text: str) -> str:
    """Lower case, compatibility forms (NFKC), no invisible characters, no accents,
    look-alike letters as Latin, digits inside words as letters, runs of three or more of
    a letter as two ("nieeeet" -> "nieet"), and one space between words (new lines kept:
    they end sentences)."""
    text = unicodedata.normalize("NFKC", text).lower().translate(CONFUSABLES)
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():  # no ASCII character is a format character or a mark
        text = "".join(ch for ch in text if _visible(ch))
    text = _LEET_WORD.sub(_unleet, text)
    text = _LETTER_RUN.sub(r"\1\1", text)
    return _SPACE.sub(" ", text)
