"""The safety engine's mechanics, against a small rule set built here.

tests/safety/test_cases.py measures the shipped rules on labelled sentences; this file pins
down how matching works, so a change to the engine that breaks negation, history, idioms,
spellings, typo correction or the pattern syntax fails here with a clear name, whatever the
shipped rules happen to contain.
"""

from __future__ import annotations

import time

import pytest

from bot.content.schema import SafetyRules
from bot.core.safety import GAP_WORDS, SafetyEngine, _Pattern, pattern_problem


def _rule(rule_id: str, level: str, category: str, lang: str, *patterns: str) -> dict:
    return {
        "id": rule_id,
        "level": level,
        "category": category,
        "lang": lang,
        "patterns": list(patterns),
        "examples": ["-"],
    }


RULES = {
    "lexicon": {
        "nl": {
            "negations": ["niet", "nooit", "geen", "niks"],
            "weakeners": ["zo", "zoveel", "alleen", "enkel"],
            "negation_cancellers": ["stoppen", "ophouden", "laten", "uitscheiden"],
            "present_markers": ["nu", "tegenwoordig", "vandaag", "vanavond", "weer", "opnieuw"],
            "relapse": ["weer", "opnieuw", "terugval", "hervallen"],
            "first_person": ["ik", "me", "mezelf", "mijn"],
            "also": ["ook"],
            "own": ["zelf", "mezelf", "eigen", "dacht"],
            "self_subject": ["ik", "mezelf"],
            "reaffirmations": ["maar ... (nu|laatste|wel|weer)"],
            "past_markers": ["vroeger", "(jaren|lang) geleden"],
            "resolved": ["gaat (het)? (nu)? goed met (hem|haar)", "ligt (nu)? ... achter (me|mij)"],
            "explained": ["(bleek|bleken) (het|de)? (radio|buurman)"],
            "idioms": [
                "(schrik*|schrok|lach*) (me)? ... dood",
                "(gesneden|snij) (aan|bij) (een|het)? (papier|koken)",
            ],
            "on_purpose": ["(expres|met opzet)"],
            "spellings": {
                "k": "ik",
                "nie": "niet",
                "mijn eigen": "mezelf",
                "k hem": "ik heb",
                "mij": "me",
                "gwn": "gewoon",
            },
            "clause_breaks": ["maar", "want", "en"],
        },
        "en": {
            "negations": ["not", "never", "no"],
            "weakeners": ["so", "such", "only", "just"],
            "negation_cancellers": ["stop", "stopping", "quit", "help"],
            "present_markers": ["now", "lately", "today", "tonight", "again"],
            "relapse": ["again", "relapse", "relapsed"],
            "first_person": ["i", "me", "my", "myself"],
            "also": ["too", "also", "either"],
            "own": ["myself", "own", "thought"],
            "self_subject": ["i", "myself"],
            "reaffirmations": ["but ... (now|again)"],
            "past_markers": ["used to", "years ago"],
            "resolved": ["(hes|shes) doing (well|great) (now)?"],
            "idioms": ["(is|are) ... killing me"],
            "spellings": {"dont": "do not", "i'll": "i will", "kms": "kill myself", "im": "i am"},
            "clause_breaks": ["but", "and", "because"],
        },
    },
    "rules": [
        _rule(
            "nl-wish",
            "crisis",
            "suicidal_ideation",
            "nl",
            "(wil|wou) ... (dood|sterven)",
            "(ik) (wil) (echt|gewoon)? niet meer $",
            "(niet|nooit) meer wakker",
            "(denk|dacht|gedacht) ... aan (zelfmoord|doodgaan)",
            "(het|alles) ... (stopt|ophoudt) ... (voorgoed|voor altijd)",
            "(stoppen|ophouden) met (leven|bestaan)",
        ),
        _rule(
            "nl-harm",
            "crisis",
            "self_harm",
            "nl",
            "mezelf ... (gesneden|snij|sneed|gekrast|krassen)",
            "zelfbeschadig*",
        ),
        _rule(
            "nl-nut",
            "crisis",
            "suicidal_ideation",
            "nl",
            "zie (het nut|de zin) (er)? niet (meer)? (van)? (in)? ... leven",
        ),
        _rule("nl-flash", "gp", "trauma", "nl", "flashback*"),
        _rule("nl-voices", "gp", "perception", "nl", "(hoor|hoorde) stemmen"),
        _rule("nl-once", "gp", "past_suicidal", "nl", "ooit (suicidaal|een poging)"),
        _rule("nl-gap", "gp", "medical", "nl", "borst ... pijn"),
        _rule(
            "en-kill",
            "crisis",
            "suicidal_ideation",
            "en",
            "(kill|killing) myself",
            "(want|wanted|wish|wished) ... (die|dead)",
            "i will (hurt|cut) myself",
        ),
        _rule("en-gp", "gp", "depressive_signs", "en", "(feel|feeling) (worthless|hopeless)"),
    ],
}


@pytest.fixture(scope="module")
def engine() -> SafetyEngine:
    return SafetyEngine(SafetyRules.model_validate(RULES))


def level(engine: SafetyEngine, text: str) -> str:
    return engine.assess(text).level


# --- negation ------------------------------------------------------------------------------


def test_a_plain_statement_matches(engine):
    assert level(engine, "ik wil dood") == "crisis"


def test_a_negation_in_a_gap_drops_the_match(engine):
    assert level(engine, "ik wil niet dood") == "none"
    assert level(engine, "nee ik denk niet aan doodgaan hoor") == "none"


def test_a_negation_just_before_the_match_drops_it(engine):
    assert level(engine, "ik heb nooit gedacht aan zelfmoord") == "none"
    assert level(engine, "I never want to die") == "none"


def test_a_negation_the_pattern_names_is_part_of_its_meaning(engine):
    assert level(engine, "ik wil gewoon niet meer wakker worden") == "crisis"
    assert level(engine, "ik zie het nut er niet meer van in om te leven") == "crisis"


def test_a_clause_break_or_comma_ends_a_negations_reach(engine):
    assert level(engine, "ik ben niet moe maar ik wil dood") == "crisis"
    assert level(engine, "nee, ik wil dood") == "crisis"


def test_a_negation_reaches_only_a_few_words_back(engine):
    assert level(engine, "nooit een fijne dag gehad hier, ik wil dood") == "crisis"
    assert level(engine, "nooit gedacht dat ik dit zeg ik wil dood") == "crisis"


def test_not_so_is_no_negation(engine):
    assert level(engine, "ik denk niet zo vaak aan doodgaan") == "crisis"


def test_the_word_lists_are_the_lexicons_of_every_language():
    # The weakener lives in content, not in code: without it "niet zo" negates; listed
    # in the English lexicon only, it still serves a Dutch text, and a spoken form listed
    # counts as what the spellings make of it.
    text = "ik denk niet zo vaak aan doodgaan"
    nl = {key: value for key, value in RULES["lexicon"]["nl"].items() if key != "weakeners"}
    spelled = {**RULES["lexicon"]["en"], "spellings": {"zoo": "zo"}}
    for weakeners, expected in (([], "none"), (["so"], "none"), (["zoo"], "crisis")):
        lexicon = {"nl": nl, "en": {**spelled, "weakeners": weakeners}}
        rules = SafetyRules.model_validate({**RULES, "lexicon": lexicon})
        assert level(SafetyEngine(rules), text) == expected, weakeners


def test_english_want_to_is_no_dutch_clause_break(engine):
    # Dutch "want" (because) ends a clause; English "want to" must not shield the negation.
    assert level(engine, "I don't want to kill myself") == "none"
    assert level(engine, "ik ben niet gelukkig want ik wil dood") == "crisis"


def test_every_word_is_a_possible_start_so_a_later_match_is_not_hidden(engine):
    # The first "wil" only reaches "dood" across "niet"; the second one, after the comma,
    # does not: matching must not stop at the first, negated, match.
    assert level(engine, "ik wil niet slapen, wil dood") == "crisis"


def test_being_unable_to_stop_is_no_negation(engine):
    # "can't stop" says the thought goes on; the negation belongs to "stop", not to it.
    assert level(engine, "I can't stop thinking that I want to die") == "crisis"
    assert level(engine, "ik kan niet meer stoppen met mezelf te krassen") == "crisis"
    assert level(engine, "ik kan het niet laten om mezelf te krassen") == "crisis"


def test_a_negated_stop_that_the_pattern_names_stays_a_negation(engine):
    # "stoppen met leven" is the match itself: not wanting to stop living is no crisis
    assert level(engine, "ik wil niet stoppen met leven") == "none"
    assert level(engine, "ik wil niet meer stoppen met leven") == "none"
    assert level(engine, "I do not want to die") == "none"
    # while not wanting to stop something else says it goes on
    assert level(engine, "ik wil niet stoppen met mezelf te krassen") == "crisis"


# --- fillers -------------------------------------------------------------------------------


def test_up_to_two_fillers_may_stand_between_pattern_words(engine):
    # "i will (hurt|cut) myself" names no filler; people write them anyway
    assert level(engine, "i will just hurt myself") == "crisis"
    assert level(engine, "i will really honestly hurt myself") == "crisis"
    assert level(engine, "i will just really honestly hurt myself") == "none"
    assert level(engine, "ik wil echt gewoon niet meer") == "crisis"


def test_a_word_that_is_no_filler_still_breaks_a_phrase(engine):
    # softeners like "even" or "probably" change what is said and are not skipped
    assert level(engine, "i will probably hurt myself") == "none"


def test_fillers_do_not_use_up_the_words_of_a_gap(engine):
    # four gap words, then a filler: still a match; a fifth ordinary word is not
    assert level(engine, "i wanted to go away and just die") == "crisis"
    assert level(engine, "i wanted to go away and then die") == "none"


def test_a_pattern_may_name_a_filler_word_itself():
    # Fillers are marked in the text the patterns run on; a pattern that names one, as a
    # word or as a stem, still meets it, with or without more fillers around it.
    rules = {
        "lexicon": {"nl": {"negations": ["niet"]}},
        "rules": [
            _rule("nl-x", "crisis", "suicidal_ideation", "nl", "heel erg bang voor mezelf"),
            _rule("nl-y", "crisis", "suicidal_ideation", "nl", "ech* wanhopig"),
        ],
    }
    named = SafetyEngine(SafetyRules.model_validate(rules))
    assert level(named, "ik ben heel erg bang voor mezelf") == "crisis"
    assert level(named, "ik ben gewoon heel erg bang voor echt mezelf") == "crisis"
    assert level(named, "ik ben echt wanhopig") == "crisis"
    assert level(named, "ik ben echter wanhopig") == "crisis"
    assert level(named, "ik ben erg bang voor mezelf") == "none"


# --- reaffirmation and history -------------------------------------------------------------


def test_a_reaffirmation_brings_a_negated_match_back(engine):
    assert level(engine, "ik heb nooit gedacht aan zelfmoord maar de laatste tijd wel") == "crisis"
    assert level(engine, "I never wanted to die but now I do") == "crisis"


def test_a_crisis_told_as_history_is_raised_with_the_gp(engine):
    assert level(engine, "vroeger heb ik mezelf gesneden") == "gp"
    assert level(engine, "ik heb jaren geleden gedacht aan zelfmoord") == "gp"
    assert level(engine, "I used to want to die") == "gp"


def test_history_counts_only_in_the_clause_it_is_told_in(engine):
    assert level(engine, "vroeger was alles goed, nu denk ik aan doodgaan") == "crisis"
    assert level(engine, "vroeger niet. nu denk ik elke dag aan zelfmoord") == "crisis"


def test_history_that_is_said_to_be_back_stays_crisis(engine):
    assert level(engine, "vroeger heb ik mezelf gesneden maar nu weer") == "crisis"
    assert level(engine, "I used to be happy now I want to die") == "crisis"


def test_a_gp_matter_the_message_explains_away_or_calls_over_is_dropped(engine):
    assert level(engine, "ik hoorde stemmen in de gang, bleek de buurman") == "none"
    assert level(engine, "Mijn broer had vroeger flashbacks. Nu gaat het goed met hem.") == "none"


def test_only_a_matter_of_the_past_is_called_over(engine):
    assert level(engine, "Ik heb flashbacks. Nu gaat het goed met hem.") == "gp"


def test_over_counts_only_after_the_match_and_one_sentence_on(engine):
    assert level(engine, "Het gaat goed met hem. Ik hoor stemmen.") == "gp"
    assert level(engine, "Ik hoor stemmen. Dat zeg ik niet graag. Bleek de radio.") == "gp"


def test_over_never_clears_a_crisis_a_relapse_or_suicidality_of_the_past(engine):
    assert level(engine, "ik wil dood, nu gaat het goed met hem") == "crisis"
    assert level(engine, "vroeger wou ik dood. Nu gaat het goed met haar.") == "gp"
    assert level(engine, "ik hoor stemmen, opnieuw, bleek de radio niet aan te staan") == "gp"
    assert level(engine, "ik was ooit suicidaal. Nu gaat het goed met hem.") == "gp"


def test_someone_elses_crisis_of_the_past_can_be_called_over(engine):
    assert level(engine, "Mijn broer wou vroeger dood. Nu gaat het goed met hem.") == "none"
    assert level(engine, "My brother used to want to die, he's doing great now") == "none"
    # told to the writer ("me") is still someone else's
    told = "Mijn vriend vertelde me dat hij vroeger dood wou. Gaat goed met hem."
    assert level(engine, told) == "none"


def test_ones_own_crisis_of_the_past_is_never_called_over(engine):
    assert level(engine, "Vroeger wou ik dood. Nu gaat het goed met hem.") == "gp"
    assert level(engine, "I used to want to die, she's doing great now") == "gp"
    assert level(engine, "My brother and I used to want to die, he's doing great now") == "gp"
    # one's own past told without "ik", called over in words about oneself
    assert level(engine, "Vroeger wou dood. Dat ligt nu achter me.") == "gp"


def test_someone_elses_crisis_brought_home_or_back_is_not_called_over(engine):
    brother = "Mijn broer wou vroeger dood. Nu gaat het goed met hem."
    assert level(engine, brother + " Ik denk er zelf ook aan.") == "gp"
    assert level(engine, brother + " En ik wil dat ook.") == "gp"
    # said to be back: kept (its clause is history, so raised with the GP)
    assert level(engine, "Mijn broer wou vroeger dood en nu weer. Gaat goed met hem.") == "gp"
    # not of the past: what happens now is never called over
    assert level(engine, "Mijn broer wil dood. Nu gaat het goed met hem.") == "crisis"


def test_a_plain_answer_is_the_whole_message_read_as_the_rules_read_it():
    lexicon = {**RULES["lexicon"]["nl"], "plain_answers": ["ik weet het niet", "geen idee"]}
    rules = {"lexicon": {**RULES["lexicon"], "nl": lexicon}, "rules": RULES["rules"]}
    engine = SafetyEngine(SafetyRules.model_validate(rules))
    assert engine.plain_answer("Ik weet het niet.")
    assert engine.plain_answer("k weet het nie")  # spellings: "k" ik, "nie" niet
    assert engine.plain_answer("geen idee!")
    assert not engine.plain_answer("ik weet het niet meer")
    assert not engine.plain_answer("geen idee hoe ik nog verder moet")


def test_without_plain_answers_no_message_is_one(engine):
    assert not engine.plain_answer("ik weet het niet")


# --- idioms --------------------------------------------------------------------------------


def test_idioms_are_blanked_before_matching(engine):
    assert level(engine, "ik schrok me dood") == "none"
    assert level(engine, "ik lach me echt dood") == "none"
    assert level(engine, "this deadline is slowly killing me") == "none"
    assert "_" in engine.normalise("ik schrok me dood")[0]


def test_an_idiom_can_take_away_an_accident(engine):
    assert level(engine, "ik heb mezelf gesneden aan een papier") == "none"
    assert level(engine, "ik heb mezelf gesneden") == "crisis"


def test_what_was_done_on_purpose_is_no_accident_and_keeps_its_words(engine):
    assert level(engine, "ik heb mezelf expres gesneden aan een papier") == "crisis"
    assert level(engine, "ik heb mezelf met opzet gesneden aan een papier") == "crisis"
    assert "_" not in engine.normalise("ik heb mezelf expres gesneden aan een papier")[0]
    # only the sentence that says so: the next one keeps its idiom
    assert engine.normalise("expres. ik heb mezelf gesneden aan een papier")[-1].count("_") == 4


# --- spellings -----------------------------------------------------------------------------


def test_spoken_forms_are_rewritten(engine):
    assert engine.normalise("'k wil nie") == [["ik", "wil", "niet"]]
    assert level(engine, "k wil nie meer") == "crisis"


def test_a_spelling_of_several_words_is_read_before_its_first_word(engine):
    assert engine.normalise("ik heb mijn eigen gesneden") == [["ik", "heb", "mezelf", "gesneden"]]
    assert engine.normalise("'k hem mij gesneden") == [["ik", "heb", "me", "gesneden"]]
    assert level(engine, "k heb mijn eigen gekrast") == "crisis"


def test_a_spelling_written_with_an_apostrophe_only_meets_that_form(engine):
    assert engine.normalise("I'll hurt myself") == [["i", "will", "hurt", "myself"]]
    assert engine.normalise("im ill") == [["i", "am", "ill"]]
    assert level(engine, "I'll hurt myself") == "crisis"


def test_texting_forms_are_rewritten(engine):
    assert level(engine, "lowkey want to kms") == "crisis"
    assert level(engine, "wil gwn dood") == "crisis"


def test_spellings_are_applied_to_pattern_words_too():
    rules = SafetyRules.model_validate(
        {**RULES, "rules": [_rule("nl-x", "gp", "trauma", "nl", "mij (nie|niet) meer")]}
    )
    engine = SafetyEngine(rules)
    assert engine.rule_matches("nl-x", "mij niet meer")
    assert engine.rule_matches("nl-x", "me nie meer")


# --- typos ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("zelfmord", "zelfmoord"),  # a letter left out, in a long word
        ("wnat", "want"),  # two neighbours swapped
        ("dei", "die"),  # ... also in a short word
        ("levn", "leven"),  # a vowel left out of a short word
        ("flashbaks", "flashbacks"),  # a word* stem with a slip and an ending
        ("slaapilen", "slaapilen"),  # a stem nobody uses stays as typed
    ],
)
def test_small_typos_are_corrected_toward_pattern_words(engine, typed, meant):
    assert engine.normalise(f"x {typed}")[0][1] == meant


@pytest.mark.parametrize(
    "word",
    [
        "net",  # -> "niet" would invent a negation and silence a crisis
        "mee",  # -> "meer": a consonant left out of a short word is too often another word
        "back",  # -> "black": the first two letters are taken as typed
        "doodmoe",  # a known word of the lexicon or a rule is never corrected
        "leven",
    ],
)
def test_real_words_are_not_corrected_into_other_words(engine, word):
    assert engine.normalise(f"x {word}")[0][1] == word


def test_a_typo_in_a_message_still_matches(engine):
    assert level(engine, "ik denk aan zelfmord") == "crisis"
    assert level(engine, "honestly wnat to dei") == "crisis"
    assert level(engine, "ik heb flashbaks") == "gp"


# --- pattern syntax ------------------------------------------------------------------------


def test_dollar_is_the_end_of_the_sentence_or_a_comma(engine):
    assert level(engine, "ik wil niet meer") == "crisis"
    assert level(engine, "ik wil echt niet meer, ik ben op") == "crisis"
    assert level(engine, "ik wil niet meer werken op zaterdag") == "none"


def test_a_gap_spans_at_most_four_words(engine):
    assert GAP_WORDS == 4
    assert engine.rule_matches("nl-gap", "borst een twee drie vier pijn")
    assert not engine.rule_matches("nl-gap", "borst een twee drie vier vijf pijn")
    assert engine.rule_matches("nl-gap", "borst pijn")


def test_an_alternative_may_be_several_words(engine):
    assert engine.rule_matches("nl-nut", "ik zie de zin er niet van in om te leven")
    assert not engine.rule_matches("nl-nut", "ik zie zin er niet van in om te leven")


def test_an_optional_element_may_be_absent(engine):
    assert engine.rule_matches("nl-nut", "ik zie het nut niet in leven")


def test_word_star_matches_any_ending(engine):
    assert engine.rule_matches("nl-harm", "zelfbeschadiging")
    assert engine.rule_matches("nl-flash", "flashbacks")


def test_a_fragment_of_one_or_two_words_finishes_the_sentence_before_it(engine):
    assert engine.normalise("ik wil dat het stopt. Voorgoed.") == [
        ["ik", "wil", "dat", "het", "stopt", "voorgoed"]
    ]
    assert level(engine, "ik wil dat het stopt. Voorgoed.") == "crisis"


def test_a_pattern_is_skipped_only_when_a_word_it_needs_is_missing():
    pattern = _Pattern("(ik|k) (wil|wou)? ... (dood|niet meer leven) $")
    assert pattern.may_match({"ik", "dood"})
    assert pattern.may_match({"k", "niet", "leven"})  # a phrase needs only its first word
    assert not pattern.may_match({"wil", "dood"})  # "ik|k" cannot be done without
    assert _Pattern("zelfbeschadig* (ik)?").may_match(set())  # stems never skip a pattern


def test_skipping_patterns_never_changes_an_assessment(engine, monkeypatch):
    texts = [
        "ik wil dood",
        "ik heb flashbacks en ik wil dood",
        "ik kan niet meer",
        "vroeger heb ik mezelf gesneden",
        "I can't stop thinking that I want to die",
        "ik zie het nut er niet meer van in om te leven",
        "borst een twee pijn",
        "vandaag een wandeling gemaakt",
        "i will just hurt myself",
    ]
    fast = [engine.assess(t) for t in texts]
    monkeypatch.setattr(_Pattern, "may_match", lambda self, present: True)
    monkeypatch.setattr(SafetyEngine, "_candidates", lambda self, present: list(self._flat))
    slow = SafetyEngine(SafetyRules.model_validate(RULES))
    assert [slow.assess(t) for t in texts] == fast


@pytest.mark.parametrize(
    "source, why",
    [
        ("(a|(b|c))", "parentheses inside parentheses"),
        ("(a|b", "'(' without its ')'"),
        ("a|b)", "')' without its '('"),
        ("dood!", "is not a word"),
        ("(a|)", "is not a word"),
        ("wil? ... $", "at least one word"),
    ],
)
def test_pattern_problem_explains_what_is_wrong(source, why):
    problem = pattern_problem(source)
    assert problem is not None and why in problem and repr(source) in problem


def test_pattern_problem_accepts_a_good_pattern():
    assert pattern_problem("(ik|k) (wil|wou) ... (dood|niet meer leven) $") is None


# --- the assessment ------------------------------------------------------------------------


def test_crisis_outranks_gp_and_names_its_rule_and_categories(engine):
    result = engine.assess("ik heb flashbacks en ik wil dood")
    assert result.level == "crisis" and result.escalates
    assert result.rule == "nl-wish"
    assert result.categories == ("suicidal_ideation", "trauma")


def test_among_equal_levels_the_rule_written_first_decides(engine):
    for text in ("ik wil dood en heb mezelf gesneden", "ik heb mezelf gesneden. ik wil dood"):
        result = engine.assess(text)
        assert result.rule == "nl-wish"
        assert result.categories == ("suicidal_ideation", "self_harm")


def test_every_languages_rules_run_whatever_lang_says(engine):
    assert engine.assess("I want to die", "nl").level == "crisis"
    assert engine.assess("ik wil dood", "en").level == "crisis"


def test_nothing_found_is_none(engine):
    result = engine.assess("vandaag een wandeling gemaakt")
    assert (result.level, result.categories, result.rule, result.escalates) == (
        "none",
        (),
        None,
        False,
    )


def test_rule_matches_applies_negation_and_idioms_but_not_history(engine):
    assert engine.rule_matches("nl-wish", "ik wil dood")
    assert not engine.rule_matches("nl-wish", "ik wil niet dood")
    assert not engine.rule_matches("nl-wish", "ik schrok me dood")
    assert engine.rule_matches("nl-harm", "vroeger heb ik mezelf gesneden")


def test_assess_is_deterministic_and_fast(engine):
    text = "vandaag weer druk gehad, ik ben al weken moe en denk soms aan doodgaan. morgen yoga"
    first = engine.assess(text)
    start = time.perf_counter()
    for _ in range(200):
        assert engine.assess(text) == first
    assert (time.perf_counter() - start) / 200 < 0.005
