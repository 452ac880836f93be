"""Cross-file content checks that a schema alone cannot express.

Each check takes the loaded Content and the parsed documents (for line numbers) and returns
problems. `content check`, `run` and /reload all run every check, so content that breaks one
never goes live. A problem names the file and line to open and says what to change there:
the people who read them are coaches and editors, not programmers.

The wording checks enforce the mechanical part of shared/SAFETY.md: every crisis text holds
the country's crisis number and 112, no escalation text names or suggests a diagnosis, and
no text says "zelfmoord plegen" or "commit suicide".
"""

from __future__ import annotations

import difflib
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from statistics import fmean

import yaml

from bot.content.escalation_texts import CRISIS_ONLY_OPENERS, SOURCE_OPENERS, helpline_values
from bot.content.loader import Content, Problem, YamlDoc
from bot.content.schema import (
    CRISIS_CATEGORIES,
    GP_CATEGORIES,
    LANGS,
    PHASE_IDS,
    Questionnaire,
    SafetyRules,
    Text,
)
from bot.content.ui_texts import UI_TEXTS
from bot.core.practice import RUN_ID_CHARS
from bot.core.safety import SafetyEngine

MIN_PROMPTS_PER_PHASE = 5
ESCALATION_PLACEHOLDERS = frozenset(
    {
        "crisis_name",
        "crisis_phone",
        "crisis_phone_alt",
        "crisis_phones",
        "crisis_web",
        "talk_name",
        "talk_phone",
        "emergency_phone",
        "gp_after_hours",
        "violence_name",
        "violence_phone",
        "violence_web",
    }
)
COUNTRIES = ("BE", "NL")
LANGUAGE_NAMES = {"nl": "Dutch (nl)", "en": "English (en)"}
EMERGENCY_NUMBER = "112"
# SAFETY.md: "short enough to read on a phone without scrolling"; about 15 lines of a phone.
MAX_ESCALATION_CHARS = 700
# SAFETY.md: the crisis line and 112 "in the first lines", before any question.
CRISIS_NUMBER_WITHIN_LINES = 3
# Telegram carries at most 64 bytes of data per button (bot.telegram.callbacks.MAX_BYTES).
# The longest payloads that carry content ids: `v1:exend:<exercise id>:skipped:<run id>`,
# `v1:rf:other:<prompt id>` and `v1:q:<questionnaire id>:<one digit per answer>`.
BUTTON_BYTES = 64
EXERCISE_PAYLOAD_OVERHEAD = len("v1:exend::skipped:") + RUN_ID_CHARS
PROMPT_PAYLOAD_OVERHEAD = len("v1:rf:other:")
QUESTIONNAIRE_PAYLOAD_OVERHEAD = len("v1:q::")
QUESTIONNAIRE_CATEGORY = "questionnaire"


# --- wording: SAFETY.md's mechanical rules ----------------------------------------------

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


def fold(text: str) -> str:
    """Lower case, accents dropped, curly apostrophes made straight: what the patterns read."""
    text = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


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


def holds_number(text: str, number: str) -> bool:
    """The number, not as part of a longer one ("113" is not in "0800-0113")."""
    return _number_at(text, number) is not None


def _number_at(text: str, number: str) -> re.Match[str] | None:
    # Not inside a longer number or a web address: "zelfmoord1813.be" and "113.nl" do not
    # give the number to call.
    digits = re.escape(number).replace(r"\ ", r"[\s-]?")
    return re.search(rf"(?<![\w.-]){digits}(?!\w|[.-]\w)", text)


# --- helpers ----------------------------------------------------------------------------


def _problem(doc: YamlDoc, loc: list[object], message: str) -> Problem:
    return Problem(doc.display, doc.line_of(loc), message)


def _named(ids: list[str] | tuple[str, ...], limit: int = 12) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (", ..." if len(ids) > limit else "")


# Words editors reach for that the placeholders spell otherwise.
_SYNONYMS = {"number": "phone", "nummer": "phone", "telefoon": "phone", "naam": "name"}


def _closest(name: str, candidates: list[str]) -> str:
    for word, meant in _SYNONYMS.items():
        name = name.replace(word, meant)
    match = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _mapping_items(node: yaml.Node | None) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return [(key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)]


def _scalars(
    node: yaml.Node | None, path: tuple[object, ...] = ()
) -> Iterator[tuple[tuple[object, ...], yaml.ScalarNode]]:
    """Every string value in a document with its path (keys and list positions)."""
    if isinstance(node, yaml.ScalarNode):
        yield path, node
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            yield from _scalars(child, (*path, index))
    else:
        for key, value in _mapping_items(node):
            yield from _scalars(value, (*path, key.value))


def _line_in(node: yaml.ScalarNode, folded_phrase: str) -> int:
    """The line of a phrase inside a `|` block, else the line where the value starts."""
    line = node.start_mark.line + 1
    if node.style != "|":
        return line
    lines = node.value.split("\n")
    for offset in range(len(lines)):
        if folded_phrase in fold("\n".join(lines[: offset + 1])):
            return line + 1 + offset
    return line


def _format_problem(value: str) -> str | None:
    """Why str.format cannot fill this text, or None when it can."""
    try:
        fields = list(string.Formatter().parse(value))
    except ValueError:
        return (
            "has a { or } that does not close; a placeholder is a name in braces like "
            "{name}, and a brace meant as text is written twice: {{ or }}"
        )
    for _, name, _, _ in fields:
        if name is not None and not re.fullmatch(r"[a-z_]+", name):
            shown = "{" + name + "}"
            return (
                f"has the placeholder {shown}, which is not a name; placeholders are "
                "lower-case names in braces like {name}"
            )
    return None


def _placeholders(value: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(value) if name}


def _text_problems(
    doc: YamlDoc, loc: list[object], text: Text, allowed: frozenset[str], what: str
) -> list[Problem]:
    """Placeholders one text uses that the code does not fill, or braces it cannot fill."""
    problems = []
    for lang in LANGS:
        value = text.get(lang)
        if not allowed:
            # Never formatted: a lone brace is shown as written; only a {name} is a mistake.
            unfilled = sorted(set(re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", value)))
            if unfilled:
                names = ", ".join("{" + name + "}" for name in unfilled)
                problems.append(
                    _problem(
                        doc,
                        [*loc, lang],
                        f"{what} ({lang}) uses {names}, but the bot fills no "
                        "placeholders here, so the braces would be shown as "
                        "written; remove them",
                    )
                )
            continue
        if (why := _format_problem(value)) is not None:
            problems.append(_problem(doc, [*loc, lang], f"{what} ({lang}) {why}"))
            continue
        unknown = sorted(_placeholders(value) - allowed)
        if unknown:
            names = ", ".join("{" + name + "}" for name in unknown)
            fillable = ", ".join("{" + name + "}" for name in sorted(allowed))
            fix = f"the bot fills only {fillable} here; use one of those or remove it"
            suggestion = "".join(_closest(name, sorted(allowed)) for name in unknown)
            problems.append(
                _problem(doc, [*loc, lang], f"{what} ({lang}) uses {names}{suggestion}: {fix}")
            )
    return problems


def _questionnaire_docs(
    content: Content, docs: dict[str, YamlDoc]
) -> Iterator[tuple[Questionnaire, YamlDoc]]:
    for name, doc in docs.items():
        if name.startswith("questionnaires/") and isinstance(doc.data, dict):
            questionnaire = content.questionnaires.get(str(doc.data.get("id")))
            if questionnaire is not None:
                yield questionnaire, doc


# --- checks that read the YAML itself -----------------------------------------------------


def check_duplicate_keys(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """YAML keeps only the last of two equal keys, silently: a text written twice is lost."""
    problems = []

    def walk(node: yaml.Node | None) -> None:
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                walk(child)
        elif isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in _mapping_items(node):
                line = key.start_mark.line + 1
                if key.value in first:
                    problems.append(
                        Problem(
                            doc.display,
                            line,
                            f"{key.value!r} is written twice here (first at line "
                            f"{first[key.value]}); YAML keeps only the last one and drops the "
                            "other without a word: remove one, or give it another name",
                        )
                    )
                else:
                    first[key.value] = line
                walk(value)

    for doc in docs.values():
        walk(doc.root)
    return problems


def check_blank_texts(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """A translation of only spaces passes the schema but shows the coachee nothing."""
    problems = []
    for doc in docs.values():
        for path, node in _scalars(doc.root):
            if path and path[-1] in LANGS and node.tag.endswith(":str") and not node.value.strip():
                problems.append(
                    Problem(
                        doc.display,
                        node.start_mark.line + 1,
                        f"the {LANGUAGE_NAMES[str(path[-1])]} text here is blank; write the "
                        "translation between the quotes",
                    )
                )
    return problems


def check_banned_phrases(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """SAFETY.md: no text says "zelfmoord plegen" or "commit suicide".

    Safety rules are the exception: their patterns and examples are what coachees write.
    """
    problems = []
    for name, doc in docs.items():
        if name == "safety/rules.yaml":
            continue
        for _, node in _scalars(doc.root):
            for phrase in banned_phrases(node.value):
                problems.append(
                    Problem(
                        doc.display,
                        _line_in(node, phrase),
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
        for path, node in _scalars(doc.root):
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
                    _line_in(node, phrase),
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
                    _line_in(node, fold(phrase)),
                    f"{phrase!r}: the bot writes {advice} in every Dutch text",
                )
            )
    return problems


# --- ids and references -----------------------------------------------------------------


def _duplicates(doc: YamlDoc | None, key: str, kind: str) -> list[Problem]:
    if doc is None or not isinstance(doc.data, dict):
        return []
    items = doc.data.get(key) or []
    first: dict[object, int] = {}
    problems = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or "id" not in item:
            continue
        line = doc.line_of([key, index, "id"])
        if item["id"] in first:
            problems.append(
                Problem(
                    doc.display,
                    line,
                    f"{kind} id {item['id']!r} is already used at line {first[item['id']]}; ids "
                    "must be unique: give this one a new id (never rename one that is live, "
                    "history points at it)",
                )
            )
        else:
            first[item["id"]] = line
    return problems


def check_unique_ids(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    problems = (
        _duplicates(docs.get("exercises.yaml"), "exercises", "exercise")
        + _duplicates(docs.get("prompts.yaml"), "prompts", "prompt")
        + _duplicates(docs.get("phases.yaml"), "phases", "phase")
        + _duplicates(docs.get("safety/rules.yaml"), "rules", "safety rule")
    )
    for _, doc in _questionnaire_docs(content, docs):
        problems += _duplicates(doc, "items", "item")
        scoring = doc.data.get("scoring")
        if isinstance(scoring, dict):
            rules = scoring.get("rules") or []
            first: dict[object, int] = {}
            for index, rule in enumerate(rules):
                if isinstance(rule, dict) and "id" in rule:
                    line = doc.line_of(["scoring", "rules", index, "id"])
                    if rule["id"] in first:
                        problems.append(
                            Problem(
                                doc.display,
                                line,
                                f"rule id {rule['id']!r} is already used at line "
                                f"{first[rule['id']]}; give this rule its own id",
                            )
                        )
                    first.setdefault(rule["id"], line)
    ids = [p.id for p in content.prompts] + list(content.exercises)
    shared = sorted({i for i in ids if ids.count(i) > 1} & set(content.exercises))
    doc = docs["prompts.yaml"]
    for index, prompt in enumerate(content.prompts):
        if prompt.id in shared:
            problems.append(
                _problem(
                    doc,
                    ["prompts", index, "id"],
                    f"prompt id {prompt.id!r} is also an exercise id; give "
                    "the prompt its own id so `content show` and history "
                    "can tell them apart",
                )
            )
    return problems


def check_phases(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["phases.yaml"]
    problems = []
    ids = [p.id for p in content.phases]
    missing = [p for p in PHASE_IDS if p not in ids]
    if missing:
        problems.append(
            _problem(
                doc,
                ["phases"],
                f"the plan has eight phases, and these are missing: "
                f"{', '.join(missing)}; add an entry with `id:` for each "
                "(prompts and exercises point at them)",
            )
        )
    for index, phase in enumerate(content.phases):
        number = PHASE_IDS.index(phase.id) + 1
        if phase.number != number:
            problems.append(
                _problem(
                    doc,
                    ["phases", index, "number"],
                    f"phase {phase.id!r} is number {number} in the plan; write `number: {number}`",
                )
            )
    return problems


def check_prompts_per_phase(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["prompts.yaml"]
    counts = Counter(p.phase for p in content.prompts)
    problems = []
    for phase in PHASE_IDS:
        if counts[phase] >= MIN_PROMPTS_PER_PHASE:
            continue
        positions = [i for i, p in enumerate(content.prompts) if p.phase == phase]
        loc: list[object] = ["prompts", positions[-1], "phase"] if positions else ["prompts"]
        problems.append(
            _problem(
                doc,
                loc,
                f"phase {phase!r} has {counts[phase]} reflection prompt(s); "
                f"a coachee answers one most days, so each phase needs at "
                f"least {MIN_PROMPTS_PER_PHASE}: add "
                f"{MIN_PROMPTS_PER_PHASE - counts[phase]} more with "
                f"`phase: {phase}`",
            )
        )
    return problems


# --- exercises --------------------------------------------------------------------------


def check_exercises(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["exercises.yaml"]
    problems = []
    exercises = list(content.exercises.values())
    for index, exercise in enumerate(exercises):
        seconds = sum(step.seconds for step in exercise.steps)
        minutes = exercise.duration_minutes
        if not (minutes * 60 * 0.5 <= seconds <= minutes * 60 * 1.5 + 60):
            suggested = max(1, round(seconds / 60))
            problems.append(
                _problem(
                    doc,
                    ["exercises", index, "duration_minutes"],
                    f"exercise {exercise.id!r} says {minutes} min, but its "
                    f"steps add up to {seconds} s (about {suggested} min); "
                    f"write `duration_minutes: {suggested}` or change the "
                    "steps' `seconds`",
                )
            )
        for part in ("title", "intro", "outro"):
            problems += _text_problems(
                doc,
                ["exercises", index, part],
                getattr(exercise, part),
                frozenset(),
                f"exercise {exercise.id!r} {part}",
            )
        for number, step in enumerate(exercise.steps):
            problems += _text_problems(
                doc,
                ["exercises", index, "steps", number, "text"],
                step.text,
                frozenset(),
                f"exercise {exercise.id!r} step {number + 1}",
            )
    if not any(e.kind == "grounding" for e in exercises):
        problems.append(
            _problem(
                doc,
                ["exercises"],
                "no exercise has `kind: grounding`; the crisis answer offers "
                "to do a grounding exercise together, so keep at least one",
            )
        )
    if not any(e.energy == "low" for e in exercises):
        problems.append(
            _problem(
                doc,
                ["exercises"],
                "no exercise has `energy: low`; on a low-energy day the bot "
                "offers those first, so mark at least one",
            )
        )
    return problems


# The chat writes the duration after an exercise's title ("{title} ({minutes} min)", ui.yaml
# exercise.option and exercise.intro) and the step number above every step ("Stap 2 van 4",
# exercise.step). A title that gives its duration says it twice; a step number written in the
# text says it twice too, and soon disagrees with the bot's count (which counts every step).
_DURATION = re.compile(r"\b\d+\s*(?:min|mins|minuut|minuten|minute|minutes)\b", re.IGNORECASE)
_STEP_NUMBER = re.compile(r"\b(?:stap|step)\s*\d+\b", re.IGNORECASE)
_LIST_NUMBER = re.compile(r"^\s*\d+\s*[.)](?!\d)")


def check_exercise_numbers(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """An exercise leaves its duration and the numbering of its steps to the bot."""
    doc = docs["exercises.yaml"]
    problems = []
    for index, exercise in enumerate(content.exercises.values()):
        total = len(exercise.steps)
        for lang in LANGS:
            title = exercise.title.get(lang)
            if match := _DURATION.search(title):
                problems.append(
                    _problem(
                        doc,
                        ["exercises", index, "title", lang],
                        f"exercise {exercise.id!r} title ({lang}) gives its duration "
                        f"({match.group(0)!r}); the bot writes it after the title already "
                        f'("({exercise.duration_minutes} min)"), so it would show twice: '
                        "remove it from the title",
                    )
                )
            texts = [(["intro"], "intro", exercise.intro), (["outro"], "outro", exercise.outro)]
            texts += [
                (["steps", number, "text"], f"step {number + 1}", step.text)
                for number, step in enumerate(exercise.steps)
            ]
            for loc, what, text in texts:
                value = text.get(lang)
                match = _STEP_NUMBER.search(value)
                if match is None and what.startswith("step"):
                    match = _LIST_NUMBER.match(value)
                if match is not None:
                    problems.append(
                        _problem(
                            doc,
                            ["exercises", index, *loc, lang],
                            f"exercise {exercise.id!r} {what} ({lang}) numbers a step "
                            f"({match.group(0).strip()!r}); the bot numbers every step itself "
                            f'("Stap 1 van {total}" above the first), so a number written '
                            "here shows twice or disagrees: remove it, or name the step by "
                            "what it does",
                        )
                    )
    return problems


def check_ids_fit_buttons(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """Buttons carry ids, and Telegram allows 64 bytes per button: a longer one cannot be sent."""
    problems = []
    longest = BUTTON_BYTES - EXERCISE_PAYLOAD_OVERHEAD
    for index, exercise in enumerate(content.exercises.values()):
        if len(exercise.id.encode()) > longest:
            problems.append(
                _problem(
                    docs["exercises.yaml"],
                    ["exercises", index, "id"],
                    f"exercise id {exercise.id!r} is {len(exercise.id)} "
                    f"characters; its buttons can carry at most {longest}: "
                    "shorten it",
                )
            )
    longest = BUTTON_BYTES - PROMPT_PAYLOAD_OVERHEAD
    for index, prompt in enumerate(content.prompts):
        if len(prompt.id.encode()) > longest:
            problems.append(
                _problem(
                    docs["prompts.yaml"],
                    ["prompts", index, "id"],
                    f"prompt id {prompt.id!r} is {len(prompt.id)} characters; "
                    f"its buttons can carry at most {longest}: shorten it",
                )
            )
    longest = BUTTON_BYTES - QUESTIONNAIRE_PAYLOAD_OVERHEAD
    for q, doc in _questionnaire_docs(content, docs):
        if len(q.id.encode()) + len(q.items) > longest:
            problems.append(
                _problem(
                    doc,
                    ["id"],
                    f"questionnaire {q.id!r} with {len(q.items)} items does "
                    "not fit its answer buttons, which carry the id and one "
                    f"digit per answer: the id's length plus the number of "
                    f"items may be at most {longest}; shorten the id",
                )
            )
    return problems


# --- texts and placeholders ---------------------------------------------------------------


def check_ui_texts(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["ui.yaml"]
    problems = []
    unused = sorted(set(content.texts) - set(UI_TEXTS))
    for text_id, filled in sorted(UI_TEXTS.items()):
        if text_id not in content.texts:
            fills = ", ".join("{" + name + "}" for name in sorted(filled)) or "no placeholders"
            problems.append(
                _problem(
                    doc,
                    ["texts"],
                    f"text {text_id!r} is missing{_closest(text_id, unused)}; "
                    f"the bot shows it, so add it under `texts:` with nl and "
                    f"en (it may use {fills})",
                )
            )
            continue
        problems += _text_problems(
            doc, ["texts", text_id], content.texts[text_id], filled, f"text {text_id!r}"
        )
    return problems


def check_content_placeholders(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    """Prompts, phases, questionnaires and the GP follow-up are shown as written."""
    none: frozenset[str] = frozenset()
    problems = []
    doc = docs["prompts.yaml"]
    for index, prompt in enumerate(content.prompts):
        problems += _text_problems(
            doc, ["prompts", index, "text"], prompt.text, none, f"prompt {prompt.id!r}"
        )
    doc = docs["phases.yaml"]
    for index, phase in enumerate(content.phases):
        for field in ("title", "summary"):
            problems += _text_problems(
                doc,
                ["phases", index, field],
                getattr(phase, field),
                none,
                f"phase {phase.id!r} {field}",
            )
    doc = docs["safety/escalations.yaml"]
    followup = content.escalations.gp_followup
    for field in type(followup).model_fields:
        problems += _text_problems(
            doc,
            ["escalations", "gp_followup", field],
            getattr(followup, field),
            none,
            f"gp_followup {field}",
        )
    # After a crisis answer: these give the help lines again, so they are filled with them.
    for block in ("crisis_ask", "crisis_followup"):
        texts = getattr(content.escalations, block)
        for field in type(texts).model_fields:
            problems += _text_problems(
                doc,
                ["escalations", block, field],
                getattr(texts, field),
                ESCALATION_PLACEHOLDERS,
                f"{block} {field}",
            )
    for questionnaire, doc in _questionnaire_docs(content, docs):
        what = f"questionnaire {questionnaire.id!r}"
        for field in ("title", "intro"):
            problems += _text_problems(
                doc, [field], getattr(questionnaire, field), none, f"{what} {field}"
            )
        for index, item in enumerate(questionnaire.items):
            problems += _text_problems(
                doc, ["items", index, "text"], item.text, none, f"{what} item {item.id!r}"
            )
        for index, band in enumerate(questionnaire.scoring.bands):
            problems += _text_problems(
                doc,
                ["scoring", "bands", index, "label"],
                band.label,
                none,
                f"{what} band {index + 1}",
            )
    return problems


# --- escalations and help lines -----------------------------------------------------------


def _render(template: str, values: dict[str, str]) -> str | None:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return None  # check_escalations reports the placeholder itself


def check_escalations(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["safety/escalations.yaml"]
    escalations = content.escalations
    problems: list[Problem] = []
    unfillable: list[Problem] = []
    known = {
        "crisis": (*CRISIS_CATEGORIES, *SOURCE_OPENERS, *CRISIS_ONLY_OPENERS, "default"),
        "gp": (*GP_CATEGORIES, *SOURCE_OPENERS, "default"),
    }
    for level in ("crisis", "gp"):
        texts = getattr(escalations, level)
        unfillable += _text_problems(
            doc,
            ["escalations", level, "body"],
            texts.body,
            ESCALATION_PLACEHOLDERS,
            f"the {level} body",
        )
        for part, what, entries in (
            ("bodies", "body", texts.bodies),
            ("openers", "opener", texts.openers),
        ):
            for category, entry in entries.items():
                loc = ["escalations", level, part, category]
                unfillable += _text_problems(
                    doc, loc, entry, ESCALATION_PLACEHOLDERS, f"the {level} {what} {category!r}"
                )
                if category not in known[level]:
                    problems.append(
                        _problem(
                            doc,
                            loc,
                            f"no {level} escalation has the category {category!r}"
                            f"{_closest(category, list(known[level]))}, so this {what} is "
                            f"never shown; {level} {part} are for: {', '.join(known[level])}",
                        )
                    )
        for category, opener in texts.openers.items():
            loc = ["escalations", level, "openers", category]
            for lang in LANGS:
                for phrase in minimising_phrases(opener.get(lang)):
                    problems.append(
                        _problem(
                            doc,
                            [*loc, lang],
                            f"{phrase!r} minimises or promises secrecy (SAFETY.md); say that "
                            "what they wrote matters",
                        )
                    )
    if unfillable:
        return unfillable + problems  # rendering needs every placeholder to be fillable
    countries = content.helplines.countries
    for level in ("crisis", "gp"):
        texts = getattr(escalations, level)
        # Each body with the openers it is shown after: its own category's (and the
        # source openers, which share the default body), or every other opener.
        pairs = [("body", texts.body, [c for c in texts.openers if c not in texts.bodies])]
        pairs += [
            (f"bodies.{category}", body, [c for c in texts.openers if c == category] or ["default"])
            for category, body in texts.bodies.items()
        ]
        for where, template, openers in pairs:
            for lang in LANGS:
                body_loc = ["escalations", level, *where.split("."), lang]
                for phrase in minimising_phrases(template.get(lang)):
                    problems.append(
                        _problem(
                            doc,
                            body_loc,
                            f"{phrase!r} minimises or promises secrecy (SAFETY.md); leave it out",
                        )
                    )
                for country in COUNTRIES:
                    if country not in countries:
                        continue  # check_helplines reports it
                    values = helpline_values(content, country, lang)
                    body = _render(template.get(lang), values) or ""
                    body_problems = []
                    if level == "crisis":
                        body_problems = _crisis_body_problems(
                            doc, body_loc, body, lang, country, content
                        )
                        problems += body_problems
                    for category in openers:
                        opener = texts.openers[category]
                        shown = (_render(opener.get(lang), values) or "") + "\n\n" + body
                        loc = ["escalations", level, "openers", category, lang]
                        if level == "crisis" and not body_problems:
                            problems += _crisis_order_problems(
                                doc, loc, shown, lang, country, category, content
                            )
                        if len(shown) > MAX_ESCALATION_CHARS:
                            problems.append(
                                _problem(
                                    doc,
                                    loc,
                                    f"the {level} message for {category!r} in {lang}, with the "
                                    f"help lines of {country}, is {len(shown)} characters; keep "
                                    f"opener + body under {MAX_ESCALATION_CHARS} so it fits a "
                                    "phone screen without scrolling: shorten this opener or "
                                    "the body",
                                )
                            )
    return sorted(set(problems))


def _crisis_numbers(content: Content, country: str) -> list[str]:
    crisis = content.helplines.countries[country].crisis.phone  # type: ignore[index]
    return [number for number in (crisis, EMERGENCY_NUMBER) if number]


def _crisis_body_problems(
    doc: YamlDoc, loc: list[object], body: str, lang: str, country: str, content: Content
) -> list[Problem]:
    """The body carries the numbers for every opener: missing, late or after a question."""
    numbers = _crisis_numbers(content, country)
    missing = [n for n in numbers if not holds_number(body, n)]
    where = f"the crisis body in {lang}, with the help lines of {country},"
    if missing:
        return [
            _problem(
                doc,
                loc,
                f"{where} does not give {' and '.join(missing)}; every crisis message "
                "gives the crisis line and 112 in its first lines (SAFETY.md): write "
                "{crisis_phone} and {emergency_phone} in the first sentence, not the "
                "numbers themselves, so each country gets its own",
            )
        ]
    problems = []
    lines = [line for line in body.split("\n") if line.strip()]
    # The opener takes at least one line before the body.
    first_lines = "\n".join(lines[: CRISIS_NUMBER_WITHIN_LINES - 1])
    late = [n for n in numbers if not holds_number(first_lines, n)]
    if late:
        problems.append(
            _problem(
                doc,
                loc,
                f"{where} gives {' and '.join(late)} only after line "
                f"{CRISIS_NUMBER_WITHIN_LINES - 1}; the numbers go in the "
                "first lines (SAFETY.md): move them to the first sentence",
            )
        )
    question = body.find("?")
    asked = [n for n in numbers if 0 <= question < _number_at(body, n).start()]  # type: ignore[union-attr]
    if asked:
        problems.append(
            _problem(
                doc,
                loc,
                f"{where} asks a question before it gives "
                f"{' and '.join(asked)}; never ask before giving the number "
                "(SAFETY.md): give the numbers first",
            )
        )
    return problems


def _crisis_order_problems(
    doc: YamlDoc,
    loc: list[object],
    shown: str,
    lang: str,
    country: str,
    category: str,
    content: Content,
) -> list[Problem]:
    problems = []
    lines = [line for line in shown.split("\n") if line.strip()]
    first_lines = "\n".join(lines[:CRISIS_NUMBER_WITHIN_LINES])
    for number in _crisis_numbers(content, country):
        if holds_number(shown, number) and not holds_number(first_lines, number):
            problems.append(
                _problem(
                    doc,
                    loc,
                    f"in the crisis message for {category!r} ({lang}, "
                    f"{country}), {number} comes after line "
                    f"{CRISIS_NUMBER_WITHIN_LINES}; the numbers go in the "
                    "first lines (SAFETY.md): shorten this opener",
                )
            )
        question = shown.find("?")
        position = _number_at(shown, number)
        if position and 0 <= question < position.start():
            problems.append(
                _problem(
                    doc,
                    loc,
                    f"the crisis message for {category!r} ({lang}, {country}) "
                    f"asks a question before it gives {number}; never ask "
                    "before giving the number (SAFETY.md): make this opener "
                    "a statement",
                )
            )
    return problems


_PHONE = re.compile(r"\+?\d[\d -]*\d")


def check_helplines(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["safety/helplines.yaml"]
    problems = []
    for country in COUNTRIES:
        if country not in content.helplines.countries:
            problems.append(
                _problem(
                    doc,
                    ["countries"],
                    f"the help lines of {country} are missing; the bot "
                    f"serves coachees in {' and '.join(COUNTRIES)}, so add "
                    f"`{country}:` with crisis, talk, emergency and "
                    "gp_after_hours (numbers in shared/SAFETY.md)",
                )
            )
            continue
        lines = content.helplines.countries[country]  # type: ignore[index]
        for service in ("crisis", "talk", "emergency", "violence"):
            if not getattr(lines, service).phone:
                problems.append(
                    _problem(
                        doc,
                        ["countries", country, service],
                        f"{country} {service} has no `phone:`; crisis "
                        "messages give it, so add the number as it is "
                        "dialled",
                    )
                )
        if lines.emergency.phone and lines.emergency.phone != EMERGENCY_NUMBER:
            problems.append(
                _problem(
                    doc,
                    ["countries", country, "emergency", "phone"],
                    f"the emergency number in {country} is "
                    f"{EMERGENCY_NUMBER}, not {lines.emergency.phone}",
                )
            )
        for service in ("crisis", "talk", "emergency", "gp_after_hours", "violence"):
            line = getattr(lines, service)
            for field in ("phone", "phone_alt"):
                number = getattr(line, field)
                if number and not _PHONE.fullmatch(number):
                    problems.append(
                        _problem(
                            doc,
                            ["countries", country, service, field],
                            f"{country} {service} {field} {number!r} is not "
                            "a phone number as it is dialled; use digits, "
                            "spaces and dashes only",
                        )
                    )
    return problems


# --- questionnaires -----------------------------------------------------------------------


def check_questionnaires(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    problems = []
    for questionnaire, doc in _questionnaire_docs(content, docs):
        problems += _questionnaire_problems(questionnaire, doc)
    return problems


def _questionnaire_problems(q: Questionnaire, doc: YamlDoc) -> list[Problem]:
    problems = []
    item_ids = [item.id for item in q.items]
    for index, item in enumerate(q.items):
        options = q.options_for(item)
        if not options:
            problems.append(
                _problem(
                    doc,
                    ["items", index],
                    f"item {item.id!r} has no answer options; give the "
                    "questionnaire `options:` or this item its own",
                )
            )
            continue
        where = ["items", index, "options"] if item.options else ["options"]
        values = [o.value for o in options]
        for number, value in enumerate(values):
            if not 0 <= value <= 9:
                problems.append(
                    _problem(
                        doc,
                        [*where, number, "value"],
                        f"answer value {value} of {item.id!r} cannot be "
                        "carried by the answer buttons, which hold one digit "
                        "per answer: use values 0 to 9",
                    )
                )
            if values.index(value) != number:
                problems.append(
                    _problem(
                        doc,
                        [*where, number, "value"],
                        f"answer value {value} is given twice for "
                        f"{item.id!r}; each answer needs its own value",
                    )
                )
    if any(not q.options_for(item) for item in q.items):
        return problems

    highs = [max(o.value for o in q.options_for(item)) for item in q.items]
    lows = [min(o.value for o in q.options_for(item)) for item in q.items]
    combine = sum if q.scoring.method == "sum" else fmean
    highest, lowest = combine(highs), combine(lows)
    score = "total" if q.scoring.method == "sum" else "mean score"
    shown = f"{highest:g}" if q.scoring.method == "sum" else f"{highest:.2f}"

    for index, band in enumerate(q.scoring.bands):
        if band.min > highest:
            problems.append(
                _problem(
                    doc,
                    ["scoring", "bands", index, "min"],
                    f"band {index + 1} starts at {band.min:g}, but the "
                    f"highest possible {score} is {shown}; nobody ever "
                    "gets it: lower `min` or remove the band",
                )
            )
    mins = [band.min for band in q.scoring.bands]
    for index, value in enumerate(mins):
        if value in mins[:index]:
            problems.append(
                _problem(
                    doc,
                    ["scoring", "bands", index, "min"],
                    f"two bands start at {value:g}; only one of them can be "
                    "shown: give each band its own `min`",
                )
            )
    if mins and min(mins) > lowest:
        problems.append(
            _problem(
                doc,
                ["scoring", "bands"],
                f"the lowest band starts at {min(mins):g}, but a {score} can "
                f"be as low as {lowest:g}; those coachees see no result "
                f"text: start the first band at `min: {lowest:g}`",
            )
        )

    for index, rule in enumerate(q.scoring.rules):
        loc: list[object] = ["scoring", "rules", index]
        allowed = CRISIS_CATEGORIES if rule.level == "crisis" else GP_CATEGORIES
        if rule.level != "none" and rule.category not in (*allowed, QUESTIONNAIRE_CATEGORY):
            problems.append(
                _problem(
                    doc,
                    [*loc, "category"],
                    f"rule {rule.id!r}: {rule.category!r} is not a "
                    f"{rule.level} category"
                    f"{_closest(rule.category, list(allowed))}; use one of: "
                    f"{', '.join((*allowed, QUESTIONNAIRE_CATEGORY))}",
                )
            )
        if rule.when == "total":
            if rule.item:
                problems.append(
                    _problem(
                        doc,
                        [*loc, "item"],
                        f"rule {rule.id!r} has `when: total`, so `item:` "
                        "has no effect; remove it, or write `when: item`",
                    )
                )
            if rule.min > highest:
                problems.append(
                    _problem(
                        doc,
                        [*loc, "min"],
                        f"rule {rule.id!r} needs a {score} of {rule.min:g}, "
                        f"but the highest possible is {shown}; it can never "
                        "fire: lower `min`",
                    )
                )
            elif rule.min <= lowest:
                problems.append(
                    _problem(
                        doc,
                        [*loc, "min"],
                        f"rule {rule.id!r} needs a {score} of {rule.min:g}, "
                        f"which every answer reaches (the lowest possible is "
                        f"{lowest:g}); it would fire for everyone: raise "
                        "`min`",
                    )
                )
            continue
        if rule.item not in item_ids:
            problems.append(
                _problem(
                    doc,
                    [*loc, "item"],
                    f"rule {rule.id!r} names item {rule.item!r}, which this "
                    f"questionnaire does not have"
                    f"{_closest(str(rule.item), item_ids)}; items: "
                    f"{_named(item_ids)}",
                )
            )
            continue
        position = item_ids.index(rule.item)
        if rule.min > highs[position]:
            problems.append(
                _problem(
                    doc,
                    [*loc, "min"],
                    f"rule {rule.id!r} needs {rule.min:g} on {rule.item!r}, "
                    f"whose highest answer is {highs[position]}; it can never "
                    "fire: lower `min`",
                )
            )
        elif rule.min <= lows[position]:
            problems.append(
                _problem(
                    doc,
                    [*loc, "min"],
                    f"rule {rule.id!r} needs {rule.min:g} on {rule.item!r}, "
                    f"which every answer reaches (the lowest is "
                    f"{lows[position]}); it would fire for everyone: raise "
                    "`min`",
                )
            )

    for name, subscale in q.subscales.items():
        for number, item in enumerate(subscale.items):
            if item not in item_ids:
                problems.append(
                    _problem(
                        doc,
                        ["subscales", name, "items", number],
                        f"subscale {name!r} names item {item!r}, which this "
                        f"questionnaire does not have"
                        f"{_closest(item, item_ids)}; items: "
                        f"{_named(item_ids)}",
                    )
                )
            elif subscale.items.index(item) != number:
                problems.append(
                    _problem(
                        doc,
                        ["subscales", name, "items", number],
                        f"subscale {name!r} names {item!r} twice; remove one",
                    )
                )
    return problems


# --- safety rules ---------------------------------------------------------------------------


_last_engine: tuple[SafetyRules, SafetyEngine] | None = None


def safety_engine(rules: SafetyRules) -> SafetyEngine:
    """The engine for these rules, built once per load: the check runs every example
    through it, and the bot then assesses with the same one (compiling the rules is most of
    a load's time)."""
    global _last_engine
    if _last_engine is None or _last_engine[0] is not rules:
        _last_engine = (rules, SafetyEngine(rules))
    return _last_engine[1]


def check_safety_rules(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    from bot.core.safety import PatternError, pattern_problem

    doc = docs["safety/rules.yaml"]
    problems = []
    for lang in LANGS:
        if lang not in content.safety.lexicon:
            problems.append(
                _problem(
                    doc,
                    ["lexicon"],
                    f"the lexicon has no `{lang}:` part; negations and "
                    f"idioms in {LANGUAGE_NAMES[lang]} are needed to read "
                    "texts in that language",
                )
            )
    for category in CRISIS_CATEGORIES:
        for lang in LANGS:
            if not any(r.category == category and r.lang == lang for r in content.safety.rules):
                problems.append(
                    _problem(
                        doc,
                        ["rules"],
                        f"no {lang} rule has the crisis category "
                        f"{category!r}; a coachee who writes it in "
                        f"{LANGUAGE_NAMES[lang]} would get no crisis help: "
                        "add one (never delete a crisis rule to silence a "
                        "test)",
                    )
                )
    ids = [rule.id for rule in content.safety.rules]
    if len(set(ids)) != len(ids):
        return problems  # check_unique_ids names them; the engine needs unique ids
    try:
        engine = safety_engine(content.safety)
    except PatternError:
        return problems + _pattern_problems(content, doc, pattern_problem)
    for index, rule in enumerate(content.safety.rules):
        for number, example in enumerate(rule.examples):
            if not engine.rule_matches(rule.id, example):
                problems.append(
                    _problem(
                        doc,
                        ["rules", index, "examples", number],
                        f"rule {rule.id!r} no longer matches its own example "
                        f"{example!r}; widen a pattern (or add a spelling to "
                        "the lexicon) until it does; never delete the example "
                        "to pass",
                    )
                )
        for number, example in enumerate(rule.counter_examples):
            if engine.rule_matches(rule.id, example):
                problems.append(
                    _problem(
                        doc,
                        ["rules", index, "counter_examples", number],
                        f"rule {rule.id!r} matches its counter-example "
                        f"{example!r}; narrow the pattern or add the phrase "
                        "to the lexicon's `idioms`",
                    )
                )
    return problems


def _pattern_problems(
    content: Content, doc: YamlDoc, pattern_problem: Callable[[str], str | None]
) -> list[Problem]:
    """Which patterns the engine could not read: each is tried on its own."""
    problems = []
    for index, rule in enumerate(content.safety.rules):
        for number, pattern in enumerate(rule.patterns):
            if (why := pattern_problem(pattern)) is not None:
                problems.append(
                    _problem(doc, ["rules", index, "patterns", number], f"rule {rule.id!r}: {why}")
                )
    for lang, lexicon in content.safety.lexicon.items():
        for field in ("idioms", "reaffirmations", "past_markers"):
            for number, pattern in enumerate(getattr(lexicon, field)):
                if (why := pattern_problem(pattern)) is not None:
                    problems.append(
                        _problem(doc, ["lexicon", lang, field, number], f"{lang} {field}: {why}")
                    )
    return problems


def check_checkin_rules(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    rules = getattr(content, "checkin_rules", None)
    doc = docs.get("safety/checkin_rules.yaml")
    if rules is None or doc is None:
        return []
    from bot.core.checkin_rules import example_mismatches

    return [
        _problem(doc, ["rules", m.rule_index, "examples", m.example_index], m.message)
        for m in example_mismatches(rules)
    ]


ALL_CHECKS = (
    check_duplicate_keys,
    check_blank_texts,
    check_unique_ids,
    check_phases,
    check_prompts_per_phase,
    check_exercises,
    check_exercise_numbers,
    check_ids_fit_buttons,
    check_ui_texts,
    check_content_placeholders,
    check_escalations,
    check_helplines,
    check_banned_phrases,
    check_no_diagnosis,
    check_dutch_register,
    check_questionnaires,
    check_safety_rules,
    check_checkin_rules,
)
