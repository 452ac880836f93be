"""The wording of every text the bot writes: the mechanical part of shared/SAFETY.md and the
Dutch register.

Owns: the diagnosis, banned and minimising phrase patterns and the functions that find them
(`diagnosis_phrases`, `banned_phrases`, `minimising_phrases`; test_wording reads the rendered
escalations with them too), which texts count as the bot's own, and the register the bot
keeps in Dutch ("je kunt", "als je wilt"). Safety rules are what coachees write and
questionnaire items keep their validated wording: both are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from bot.content.checks.common import fold, line_in, scalars
from bot.content.loader import Content, Problem, YamlDoc

_NL_DIAGNOSES = (
    r"(depressie|depressief|burn-?out|overspannen(heid)?|angststoornis|paniekstoornis|"
    r"eetstoornis|persoonlijkheidsstoornis|stoornis|ptss|trauma|verslaving|verslaafd|"
    r"alcoholist|alcoholverslaving|alcoholprobleem|drankprobleem|gokverslaving|anorexia|"
    r"boulimia|psychose|psychotisch|bipolair|manisch|suicidaal|adhd|autisme)"
)


_EN_DIAGNOSES = (
    r"(depression|depressed|burn-?out|burned out|burnt out|anxiety disorder|panic disorder|"
    r"eating disorder|personality disorder|disorder|ptsd|trauma|addiction|addicted|"
    r"alcoholic|alcoholism|drinking problem|anorexia|anorexic|bulimia|bulimic|psychosis|"
    r"psychotic|bipolar|manic|suicidal|adhd|autism|autistic|mental illness|mentally ill)"
)


_NL_YOU = r"(je|jij|u|ge|gij)"


_NL_HEDGE = r"((waarschijnlijk|misschien|mogelijk|duidelijk|echt|wellicht|vermoedelijk) )?"


_EN_HEDGE = r"((probably|clearly|obviously|likely|possibly|really) )?"


# Second-person diagnosis phrases, in nl and en (SAFETY.md, "Writing an escalation": describe
# what they said, not what they have). Matched on lower-cased text without accents.
DIAGNOSIS_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (lang, re.compile(source))
    for lang, source in (
        # je hebt (een) depressie / u heeft misschien een burn-out / je hebt last van een ...
        (
            "nl",
            rf"\b{_NL_YOU} (hebt|heeft|had) {_NL_HEDGE}(een |de |last van (een )?)?"
            rf"{_NL_DIAGNOSES}\b",
        ),
        # je bent depressief / verslaafd / een alcoholist; je lijkt depressief
        ("nl", rf"\b{_NL_YOU} (bent|zijt|was|lijkt) {_NL_HEDGE}(een )?{_NL_DIAGNOSES}\b"),
        # je zit in een burn-out
        ("nl", rf"\b{_NL_YOU} (zit|zat) {_NL_HEDGE}(in|met) (een |de )?{_NL_DIAGNOSES}\b"),
        ("nl", rf"\b{_NL_YOU} (lijdt|leed) aan\b"),
        # dit is een burn-out / dat klinkt als een depressie / het wijst op een verslaving
        (
            "nl",
            rf"\b(dit|dat|het) (is|lijkt|klinkt als|lijkt op|wijst op|duidt op) {_NL_HEDGE}"
            rf"(een |de )?{_NL_DIAGNOSES}\b",
        ),
        # you have (a) depression / you may have a burn-out / you've got ...
        (
            "en",
            rf"\byou( have|'ve|ve| might have| may have| seem to have| have got|'ve got)"
            rf" {_EN_HEDGE}(got )?(an? )?{_EN_DIAGNOSES}\b",
        ),
        # you are depressed / addicted / an alcoholic; you seem depressed
        (
            "en",
            rf"\b(you are|you're|youre|you seem|you sound|you might be|you may be) "
            rf"{_EN_HEDGE}(an? )?{_EN_DIAGNOSES}\b",
        ),
        ("en", r"\byou (suffer|are suffering|re suffering|'re suffering) from\b"),
        # this is a burn-out / that sounds like depression / it points to an addiction
        (
            "en",
            rf"\b(this|that|it)( is|'s|s| sounds like| looks like| seems like| could be|"
            rf" might be| points to| suggests) {_EN_HEDGE}(an? )?{_EN_DIAGNOSES}\b",
        ),
    )
)


# SAFETY.md: never "zelfmoord plegen" / "commit suicide"; say "zelfdoding", "suicide",
# "een einde aan je leven maken", "thoughts of ending your life".
BANNED_PHRASES: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bzelfmoord (\w+ ){0,2}(te )?(plegen|pleeg|pleegt|pleegde|pleegden|gepleegd)\b"),
    re.compile(r"\bcommit(s|ted|ting)? (\w+ )?suicide\b"),
)


BANNED_ADVICE = (
    'say "zelfdoding" or "een einde aan je leven maken" instead of "zelfmoord '
    'plegen", "suicide" or "end your life" instead of "commit suicide"'
)


# SAFETY.md, "Don't": minimise, or promise secrecy the system does not keep.
MINIMISING_PHRASES: tuple[re.Pattern[str], ...] = (
    re.compile(r"\b(het|dat) valt (best |wel |nog )*mee\b"),
    re.compile(r"\biedereen (voelt|heeft) (dat|dit|zich)\b"),
    re.compile(r"\b(everyone|everybody) (feels|has felt|goes through) (that|this)\b"),
    re.compile(r"\b(it|that)('s| is) not (that|so) bad\b"),
    re.compile(r"\b(dit|het) blijft (tussen ons|geheim)\b"),
    re.compile(r"\b(this|it) (stays|will stay) between us\b"),
)


def diagnosis_phrases(text: str) -> list[str]:
    """The second-person diagnosis phrases in a text, as written there (folded)."""
    folded = fold(text)
    return [
        match.group(0) for _, pattern in DIAGNOSIS_PATTERNS for match in pattern.finditer(folded)
    ]


def banned_phrases(text: str) -> list[str]:
    folded = fold(text)
    return [match.group(0) for pattern in BANNED_PHRASES for match in pattern.finditer(folded)]


def minimising_phrases(text: str) -> list[str]:
    folded = fold(text)
    return [match.group(0) for pattern in MINIMISING_PHRASES for match in pattern.finditer(folded)]


def check_banned_phrases(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """SAFETY.md: no text says "zelfmoord plegen" or "commit suicide".

    Safety rules are the exception: their patterns and examples are what coachees write.
    """
    problems = []
    for name, doc in docs.items():
        if name == "safety/rules.yaml":
            continue
        for _, node in scalars(doc.root):
            for phrase in banned_phrases(node.value):
                problems.append(
                    Problem(
                        doc.display,
                        line_in(node, phrase),
                        f"{phrase!r} must not be used (SAFETY.md); {BANNED_ADVICE}",
                    )
                )
    return problems


def _bots_own_texts(
    docs: dict[str, YamlDoc],
) -> Iterator[tuple[YamlDoc, tuple[object, ...], yaml.ScalarNode]]:
    """Every text the bot writes itself: not the safety rules (what coachees write), not a
    questionnaire's items, answers, source or licence (their validated wording)."""
    skipped_in_questionnaires = {"items", "options", "source", "licence"}
    for name, doc in docs.items():
        if name == "safety/rules.yaml":
            continue
        for path, node in scalars(doc.root):
            if name.startswith("questionnaires/") and path and path[0] in skipped_in_questionnaires:
                continue
            yield doc, path, node


def check_no_diagnosis(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """SAFETY.md: the bot never names or suggests a diagnosis.

    Every text the bot writes itself is read; questionnaire items and answers keep their
    validated wording and are left alone, as are the safety rules (what coachees write).
    """
    problems = []
    for doc, _, node in _bots_own_texts(docs):
        for phrase in diagnosis_phrases(node.value):
            problems.append(
                Problem(
                    doc.display,
                    line_in(node, phrase),
                    f"{phrase!r} names or suggests a diagnosis, which a coach and this bot "
                    "never do (SAFETY.md); describe what the person said instead, e.g. "
                    '"you wrote that you feel low" / "je schreef dat je je somber voelt"',
                )
            )
    return problems


# One register per language, held everywhere: the bot says "je" and the full verb forms
# ("je kunt", "als je wilt"), as Dutch style guides advise for written text; the PHQ-9 keeps
# its validated "u" (its items are not the bot's own words).
DUTCH_REGISTER: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bje kan\b"), '"je kunt"'),
    (re.compile(r"\bkan je\b"), '"kun je"'),
    (re.compile(r"(?<!tegen )\bje wil\b(?!t)"), '"je wilt" (keep "wil je" when it comes first)'),
    (re.compile(r"\been of twee\b"), '"één of twee" (the number one has its accents)'),
    (re.compile(r"\bfijn je weer te zien\b"), '"fijn om je weer te zien"'),
)


def register_slips(text: str) -> list[tuple[str, str]]:
    """(phrase, advice) for every slip from the bot's Dutch register in one text."""
    # Lower case but accents kept: "één" and "een" differ here on purpose.
    lowered = " ".join(text.lower().replace("\u2019", "'").split())
    return [
        (match.group(0), advice)
        for pattern, advice in DUTCH_REGISTER
        for match in pattern.finditer(lowered)
    ]


def check_dutch_register(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """Every Dutch text the bot writes holds one register (see DUTCH_REGISTER)."""
    problems = []
    for doc, path, node in _bots_own_texts(docs):
        if "nl" not in path:
            continue
        for phrase, advice in register_slips(node.value):
            problems.append(
                Problem(
                    doc.display,
                    line_in(node, fold(phrase)),
                    f"{phrase!r}: the bot writes {advice} in every Dutch text",
                )
            )
    return problems
