"""SAFETY.md's mechanical rules, over the shipped escalation texts as a coachee receives them.

Every escalation is rendered the way the bot sends it (bot.content.escalation_texts) for
each level, each category and source that can open it, both countries and both languages.
The help-line numbers expected here are copied from SAFETY.md's table on purpose, so a typo
in content/safety/helplines.yaml fails this test instead of reaching someone in crisis.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.content.checks import (
    banned_phrases,
    diagnosis_phrases,
    holds_number,
    minimising_phrases,
)
from bot.content.escalation_texts import SOURCE_OPENERS, escalation_text
from bot.content.loader import Content, load_content
from bot.content.schema import CRISIS_CATEGORIES, GP_CATEGORIES

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
# SAFETY.md, "Help lines": suicide prevention per country, and the emergency number.
CRISIS_NUMBERS = {"BE": "1813", "NL": "113"}
EMERGENCY = "112"
PHONE_SCREEN = 700
COUNTRIES = ("BE", "NL")
LANGS = ("nl", "en")


@pytest.fixture(scope="module")
def shipped() -> Content:
    # Only the schema: the cross-file checks have their own tests, and the wording must be
    # checked even while someone is tuning a safety rule.
    return load_content(CONTENT_DIR, checks=())


def categories(content: Content, level: str) -> list[str]:
    """Everything that can open a message of this level: categories, sources, own openers."""
    texts = content.escalations.crisis if level == "crisis" else content.escalations.gp
    known = CRISIS_CATEGORIES if level == "crisis" else GP_CATEGORIES
    return sorted({*known, *SOURCE_OPENERS, *texts.openers})


def rendered(content: Content, level: str) -> list[tuple[str, str, str, str]]:
    """(category, lang, country, message) for every way the bot can send this level."""
    return [
        (category, lang, country, escalation_text(content, level, category, lang, country))
        for category in categories(content, level)
        for lang in LANGS
        for country in COUNTRIES
    ]


def test_every_crisis_message_gives_the_crisis_line_and_112(shipped):
    missing = [
        f"{category} {lang} {country}: {number}"
        for category, lang, country, message in rendered(shipped, "crisis")
        for number in (CRISIS_NUMBERS[country], EMERGENCY)
        if not holds_number(message, number)
    ]
    assert not missing


# SAFETY.md, "Help lines": in NL the suicide line is "113 or 0800-0113". A body that sends
# someone to the suicide line as its first help gives both numbers.
SUICIDE_LINE_FIRST = ("suicidal_ideation", "suicide_plan", "self_harm", "method_question")


@pytest.mark.parametrize("lang", LANGS)
def test_the_dutch_suicide_line_is_given_with_both_its_numbers(shipped, lang):
    for category in SUICIDE_LINE_FIRST:
        message = escalation_text(shipped, "crisis", category, lang, "NL")
        assert holds_number(message, "113") and holds_number(message, "0800-0113"), category


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("lang", LANGS)
def test_acute_danger_gives_the_violence_line(shipped, country, lang):
    """SAFETY.md: violence at home also gets the violence line. "Hij slaat me" is read as
    acute danger (the rule also covers a bridge or a ledge), so that answer names it too."""
    violence = {"BE": "1712", "NL": "0800-2000"}[country]
    message = escalation_text(shipped, "crisis", "acute_danger", lang, country)
    assert holds_number(message, violence)
    assert holds_number(message, CRISIS_NUMBERS[country]) and holds_number(message, EMERGENCY)


def test_no_help_line_is_named_by_the_number_given_beside_it(shipped):
    # A stranger read "1712, the helpline for violence and abuse (1712)": the name held the
    # number the texts put beside it. "113 Zelfmoordpreventie (113)" stays: the number is
    # part of that organisation's own name, as SAFETY.md writes it.
    own_names = {"113 Zelfmoordpreventie"}
    doubled = []
    for category, lang, country, message in rendered(shipped, "crisis"):
        lines = shipped.helplines.countries[country]
        for field in type(lines).model_fields:
            line = getattr(lines, field)
            if line is None:
                continue
            name = line.name if isinstance(line.name, str) else line.name.get(lang)
            phone = getattr(line, "phone", None)
            if name in own_names:
                continue
            if phone and phone in name and f"{name} ({phone})" in message:
                doubled.append(f"{category} {lang} {country}: {name} ({phone})")
    assert not doubled


def test_the_next_day_question_does_not_say_the_coachee_wrote_something(shipped):
    # It follows /sos and a questionnaire's crisis answer too: "Gisteren schreef je iets dat
    # zwaar klonk" was untrue there (found by a helper).
    followup = shipped.escalations.crisis_followup
    for text in (followup.question, followup.question_later):
        for lang in LANGS:
            said = text.get(lang).lower()
            assert "schreef je" not in said and "you wrote" not in said, said


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("lang", LANGS)
def test_someone_elses_crisis_gives_112_before_the_crisis_line(shipped, country, lang):
    # SAFETY.md: an overdose taken is a medical emergency, 112 first. A stranger wrote "my
    # friend took all her pills and is saying goodbye" and read the crisis line first.
    message = escalation_text(shipped, "crisis", "other_person_crisis", lang, country)
    assert 0 <= message.find(EMERGENCY) < message.find(CRISIS_NUMBERS[country])


def test_the_crisis_numbers_come_before_any_question(shipped):
    late = []
    for category, lang, country, message in rendered(shipped, "crisis"):
        first_question = message.find("?")
        for number in (CRISIS_NUMBERS[country], EMERGENCY):
            at = message.find(number)
            if first_question != -1 and first_question < at:
                late.append(f"{category} {lang} {country}: {number}")
    assert not late


@pytest.mark.parametrize("level", ["crisis", "gp"])
def test_no_escalation_names_or_suggests_a_diagnosis(shipped, level):
    found = [
        f"{category} {lang} {country}: {phrase!r}"
        for category, lang, country, message in rendered(shipped, level)
        for phrase in diagnosis_phrases(message)
    ]
    assert not found


def test_the_gp_followup_names_no_diagnosis(shipped):
    followup = shipped.escalations.gp_followup
    texts = [
        getattr(followup, name).get(lang) for name in type(followup).model_fields for lang in LANGS
    ]
    assert not [phrase for text in texts for phrase in diagnosis_phrases(text)]


@pytest.mark.parametrize("level", ["crisis", "gp"])
def test_no_escalation_minimises_or_uses_a_banned_phrase(shipped, level):
    found = [
        f"{category} {lang} {country}: {phrase!r}"
        for category, lang, country, message in rendered(shipped, level)
        for phrase in banned_phrases(message) + minimising_phrases(message)
    ]
    assert not found


def test_every_crisis_message_fits_a_phone_screen(shipped):
    too_long = [
        f"{category} {lang} {country}: {len(message)} characters"
        for category, lang, country, message in rendered(shipped, "crisis")
        if len(message) > PHONE_SCREEN
    ]
    assert not too_long


def test_no_text_anywhere_says_zelfmoord_plegen_or_commit_suicide():
    """Every string in content, except what coachees write (the safety rules' examples)."""
    found = []
    for path in sorted(CONTENT_DIR.rglob("*.yaml")):
        if path.relative_to(CONTENT_DIR).as_posix() == "safety/rules.yaml":
            continue
        for value in strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            found += [f"{path.name}: {phrase!r}" for phrase in banned_phrases(value)]
    assert not found


def strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for value in data.values() for s in strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in strings(value)]
    return []


def test_help_lines_exist_for_both_countries_with_the_safety_md_numbers(shipped):
    for country, number in CRISIS_NUMBERS.items():
        lines = shipped.helplines.countries[country]  # type: ignore[index]
        assert lines.crisis.phone == number
        assert lines.emergency.phone == EMERGENCY


# --- the phrase lists themselves ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Je hebt een depressie.",
        "je hebt depressie",
        "Je hebt waarschijnlijk een burn-out.",
        "Je bent depressief.",
        "je bent verslaafd",
        "U bent overspannen.",
        "Dit is een burn-out.",
        "Dat klinkt als een depressie.",
        "You have depression.",
        "You have a burnout.",
        "You are depressed.",
        "You're addicted.",
        "You’re clearly burnt out.",
        "This is burn-out.",
        "It sounds like depression.",
    ],
)
def test_diagnosis_phrases_are_recognised(text):
    assert diagnosis_phrases(text)


@pytest.mark.parametrize(
    "text",
    [
        "Je schreef dat je je al een tijd somber voelt.",
        "Je schreef dat je plannen hebt om een einde aan je leven te maken.",
        "You wrote that you have plans to end your life.",
        "Your answers suggest it is worth talking to your GP about how you feel.",
        "Dit is iets wat je huisarts samen met je kan bekijken.",
        "You are not alone, and it is good that you said it.",
        "Je bent niet alleen.",
    ],
)
def test_describing_what_someone_said_is_not_a_diagnosis(text):
    assert not diagnosis_phrases(text)


@pytest.mark.parametrize(
    "text",
    [
        "zelfmoord plegen",
        "om zelfmoord te plegen",
        "Hij heeft zelfmoord gepleegd",
        "commit suicide",
        "He committed suicide.",
    ],
)
def test_banned_phrases_are_recognised(text):
    assert banned_phrases(text)


@pytest.mark.parametrize(
    "text",
    [
        "gedachten aan zelfdoding",
        "thoughts of suicide",
        "een einde aan je leven maken",
        "zelfmoordgedachten",
    ],
)
def test_the_words_to_use_instead_pass(text):
    assert not banned_phrases(text)
