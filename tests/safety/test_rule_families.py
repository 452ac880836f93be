"""The shipped rules on the families of round 4 (docs/safety.md, "Learning from b06, b07
and b14-b17"): false alarms the rules raised, and crises they missed, each told in words
that are not the labelled sentences the rules were written from.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.safety import SafetyEngine


@pytest.fixture(scope="module")
def engine(content) -> SafetyEngine:
    return SafetyEngine(content.safety)


# Round 16: a plot or the news, told as such (own words, not labelled sentences).
STORIES = [
    "Op het journaal: een zanger overleden aan een overdosis. Jammer, mooie muziek.",
    "In the series I'm watching the mother wants to kill herself, wild plot",
    "in de serie wil de moeder zelfmoord plegen, heftig",
]


@pytest.mark.parametrize(
    "text",
    [
        # someone else "took" the kids, not pills (b15 raised a crisis on it)
        "my mum took the kids for the weekend, i slept till 10",
        "my husband took the children to his parents so I could sleep in",
        "A friend's brother took his own life years ago and she runs a charity for it now",
        # a machine out of the window, a boss who "wants me dead", news of a collapse
        "als die laptop nog één keer vastloopt gooi ik hem uit het raam",
        "Mijn leidinggevende wil me dood hebben met die deadlines",
        "Watched the news about the building collapse, awful",
        *STORIES,
    ],
)
def test_ordinary_sentences_raise_no_alarm(engine, text):
    assert engine.assess(text, "en").level == "none", engine.assess(text, "en")


@pytest.mark.parametrize(
    "text",
    [
        # calm overdoses: a drink and a quantity of one's own medicine
        "had half a bottle of gin and a handful of my sleeping tablets, going to bed now",
        "ik heb veel te veel van mijn slaappillen genomen met een paar glazen wijn",
        "I think I took my evening pills three times, I'm dizzy and my heart is pounding",
        # self-harm in few or oblique words
        "ik kras weer, al drie avonden",
        "keeping long sleeves on at the gym so no one sees my wrists",
        "relapsed last night, six weeks clean of self harm gone",
        # passive wishes and counterfactual survival
        "had ik die bus gisteren maar niet ontweken",
        "envious of people who die peacefully in their sleep",
        "waarom leef ik eigenlijk nog",
        # plans told as errands, and goodbyes nobody notices
        "said goodbye to my sister today without her realising",
        "there's no point planning anything past the 20th",
        "ik heb een lijstje gemaakt voor wie straks mijn huis leeghaalt",
        # method questions without the method
        "zou een val van het dak van de parkeergarage dodelijk zijn",
        "is a jump from the fifth floor always fatal",
        # being followed, held at home
        "er loopt al tien minuten een vent achter me aan",
        "he took my phone and my keys and says I'm not leaving the house",
        # medical emergencies told as symptoms
        "suddenly this headache, the worst of my life, and I can't see properly",
        "mijn hart jaagt en ik val bijna flauw, ik ben alleen",
        # thoughts of hurting others in one's care
        "I keep having thoughts about smothering my baby",
    ],
)
def test_crises_in_plain_words_are_crises(engine, text):
    assert engine.assess(text, "en").level == "crisis", engine.assess(text, "en")


# Round 5 (docs/safety.md, "Round 5"): families from the training batches b24-b37, told in
# other words. (text, language, level the rules must give)
ROUND_5 = [
    # answers that hold, and laughter
    ("dark thoughts? nah. just tired of the commute", "en", "none"),
    ("honestly I almost killed myself laughing at his speech", "en", "none"),
    # new crisis families
    ("honestly I can't see the point of waking up most mornings", "en", "crisis"),
    ("my will to live is at about zero this week", "en", "crisis"),
    ("we keep ketamine at the clinic and I've been tempted to use it on myself", "en", "crisis"),
    ("does life insurance still pay out if it was suicide", "en", "crisis"),
    ("pressure in my chest for an hour now and my jaw and left arm are tingling", "en", "crisis"),
    ("mijn vader is in de tuin in elkaar gezakt en hij reageert niet", "nl", "crisis"),
    ("ik heb mezelf gisteren na de ruzie pijn gedaan om iets anders te voelen", "nl", "crisis"),
    ("is wasbenzine drinken dodelijk", "nl", "crisis"),
    ("ik hoop elke avond dat mijn wekker voor niets gaat", "nl", "crisis"),
    ("kun je doodgaan aan een strip van mijn oxazepam", "nl", "crisis"),
    ("mijn zoon heeft al tien minuten een aanval en het stopt niet", "nl", "crisis"),
    # a denial followed by "maar ... wel" / "but ...": tiredness affirmed is not the crisis
    # affirmed; a plan, a prayer or "lately" after the denial still is
    ("Ik heb nooit aan zelfdoding gedacht, maar ik ben wel erg prikkelbaar", "nl", "none"),
    ("I would never hurt myself. But honestly, I'm worn out.", "en", "none"),
    ("ik ga mezelf niks aandoen, maar ik wil wel leren plannen", "nl", "none"),
    ("Ik denk niet aan zelfmoord, maar de laatste tijd wel", "nl", "crisis"),
    ("Ik wil niet dood, maar ik heb wel al uitgezocht welke pillen", "nl", "crisis"),
    ("I'd never kill myself, but I do lie awake hoping I won't wake up", "en", "crisis"),
    ("I'm not suicidal, but I am", "en", "crisis"),
    # a question put to the writer and answered no is not the writer's statement; answered
    # yes, the no taken back, or no answer at all: the match stands
    ("Mijn vriend vroeg of ik aan zelfdoding denk. Nee hoor, ik ben gewoon moe", "nl", "none"),
    ("The nurse asked if I'd thought about ending my life. No, never, just tired", "en", "none"),
    ("Mijn vriend vroeg of ik aan zelfdoding denk. Ja, elke avond", "nl", "crisis"),
    (
        "Mijn vriend vroeg of ik aan zelfdoding denk. Ik zei nee, maar dat was gelogen",
        "nl",
        "crisis",
    ),
    ("Mijn vriend vroeg of ik aan zelfdoding denk en ik wist niet wat te zeggen", "nl", "crisis"),
    # the question a check-in note puts to itself, answered no; a yes, or a no that does not
    # stand alone, leaves the match standing
    ("Zelfmoordgedachten? Nee, gelukkig niet. Wel moe.", "nl", "none"),
    ("Energie: 4. Gedachten aan de dood: nee.", "nl", "none"),
    ("Thoughts of self-harm: none. My mood is flat but ok.", "en", "none"),
    ("Gedachten aan zelfdoding: ja, steeds vaker", "nl", "crisis"),
    ("thoughts of ending it, no way to stop them", "en", "crisis"),
    ("Gedachten aan zelfdoding: nee, maar wel aan verdwijnen", "nl", "crisis"),
    # back since: not history any more
    ("Vroeger had ik doodsgedachten en sinds de scheiding zijn ze terug", "nl", "crisis"),
    # a number with a point is not two sentences; drugs and betting in everyday words
    ("vorige maand 2.300 euro verloren bij het wedkantoor om de hoek", "nl", "gp"),
    ("ik rook elke avond wat cannabis om te kunnen slapen", "nl", "gp"),
]


@pytest.mark.parametrize(("text", "lang", "level"), ROUND_5)
def test_round_5_families(engine, text, lang, level):
    assert engine.assess(text, lang).level == level, engine.assess(text, lang)


# Round 16: a sentence that tells of a film, book, series, podcast or the news is someone's
# story (STORIES above), unless it is brought home.
@pytest.mark.parametrize(
    "text",
    [
        # brought home after the story: "ook" with a first person, a present word, a thought
        "in de serie wil de moeder zelfmoord plegen en ik wil dat ook",
        "in the show the dad overdoses. me too, some nights",
        "in de serie wil de moeder zelfmoord plegen, nu denk ik er weer aan",
        # the match itself is the writer's own
        "in the film she killed herself and I thought that is how I would do it",
        # a crisis in a sentence of its own beside the story
        "Ik keek een docu over verslaving. Ik heb vannacht al mijn pillen genomen.",
        # what is perceived can be the news itself
        "het nieuws op tv gaat sinds vorige week over mij",
    ],
)
def test_a_story_brought_home_keeps_its_escalation(engine, text):
    assert engine.assess(text, "nl").level in ("gp", "crisis"), engine.assess(text, "nl")


@pytest.mark.parametrize("text", STORIES)
def test_without_the_story_frame_the_same_plots_get_the_crisis_answer(content, text):
    # The plots above are quiet because of `stories`, not because no rule reads them.
    lexicon = {lang: replace(lex, stories=()) for lang, lex in content.safety.lexicon.items()}
    without = SafetyEngine(replace(content.safety, lexicon=lexicon))
    assert without.assess(text, "nl").level == "crisis", without.assess(text, "nl")
