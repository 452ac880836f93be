"""/questionnaire: a screening questionnaire from content, one item per message on buttons.

The buttons carry the answers so far (one digit each) and the run (an id made at "start"),
so nothing is stored half and a restart mid-way loses nothing that was acknowledged. A run
stores at most one result, under the run's id: a double tap or a late press of the last
answer shows the result again and stores (and escalates) nothing twice.

An answer that means crisis (PHQ-9 item 9 above 0) escalates at once, whatever the total
(SAFETY.md); the crisis answer takes that item's buttons away, so no further item follows
it. Before the last item the questionnaire stops there and what was answered is no result;
when the crisis answer completes it, the result is kept like any other, after the crisis
answer went out (KeepResult), so storage never delays or blocks it.

Questionnaires need no consent: anyone may fill one in and gets the result and any advice
it calls for; the result and the escalation are stored only with a profile. `lang` is the
coachee's language, or the chat's best guess before consent.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from bot.content.loader import Content
from bot.core.escalation import plan_escalation
from bot.core.models import Escalation, QuestionnaireResult, new_id
from bot.core.ports import CoacheeFile
from bot.core.questionnaires import (
    QuestionnaireOutcome,
    first_crisis_item,
    questionnaire_result,
    score_answers,
)
from bot.core.rules import Questionnaire
from bot.core.safety import Assessment
from bot.services import actions
from bot.services.outcome import (
    Choice,
    Effect,
    Escalate,
    KeepResult,
    Outcome,
    Text,
    TrackQuestionnaire,
    message,
    outcome,
    say,
)

log = logging.getLogger(__name__)
START = "start"


def menu(content: Content, lang: str) -> Outcome:
    """/questionnaire (or the offer after a check-in): the questionnaires in content."""
    choices = tuple(
        (Choice(Text(raw=q.title.get(lang)), actions.QUESTIONNAIRE, (q.id, START)),)
        for q in content.questionnaires.values()
    )
    return outcome(message(say("questionnaire.choose"), choices=choices), lang=lang)


def answer(
    coachee: CoacheeFile,
    questionnaire_id: str,
    answers: str,
    now: datetime,
    content: Content,
    lang: str,
    run: str = "",
) -> Outcome:
    """A tap: "start" shows the first item (a new run); an answer escalates at once when it
    means crisis, else shows the next item, or scores and stores the finished questionnaire.
    `run` is the run's id from the button ("" on buttons from before runs had one)."""
    questionnaire = content.questionnaires.get(questionnaire_id)
    if questionnaire is None or (answers != START and not answers.isdigit()):
        return _stale(lang)
    if answers == START:
        return _item(questionnaire, "", content, lang, new_id())
    if len(answers) > len(questionnaire.items):
        return _stale(lang)
    item = questionnaire.items[len(answers) - 1]
    value = int(answers[-1])
    if value not in {o.value for o in questionnaire.options_for(item)}:
        return _stale(lang)
    rule = first_crisis_item(questionnaire, item.id, value)
    if rule is not None:
        # The crisis answer at once; it takes this item's buttons away (questionnaire paused).
        escalation = plan_escalation(
            Assessment("crisis", ("questionnaire",), rule.id), "questionnaire", [], now
        )
        effects: tuple[Effect, ...] = (TrackQuestionnaire(open=True),)
        if escalation is not None:
            effects = (*effects, Escalate(escalation))
        if len(answers) == len(questionnaire.items):
            result = _result(questionnaire, answers, now, run)
            if result is not None and coachee.profile is not None:
                effects = (*effects, KeepResult(result))
        return Outcome(effects=effects, lang=lang)
    if len(answers) < len(questionnaire.items):
        return _item(questionnaire, answers, content, lang, run)
    return _finish(coachee, questionnaire, answers, now, lang, run)


def keep(coachee: CoacheeFile, result: QuestionnaireResult) -> Outcome:
    """A result completed by a crisis answer, stored (with consent) once that answer went
    out; a run is stored once."""
    if coachee.profile is None or coachee.find(QuestionnaireResult, result.id) is not None:
        return Outcome()
    coachee.add(result)
    log.info("questionnaire.completed id=%s level=%s", result.questionnaire_id, result.level)
    return Outcome()


def _kept(coachee: CoacheeFile, run: str) -> bool:
    """Whether this run's result is stored already (a run without an id never is)."""
    return bool(run) and coachee.find(QuestionnaireResult, run) is not None


def _scored(
    questionnaire: Questionnaire, answers: str
) -> tuple[dict[str, int], QuestionnaireOutcome] | None:
    """The answers of a complete run by item, and their score; None for answers that do
    not score (a forged or outdated payload)."""
    given = {item.id: int(value) for item, value in zip(questionnaire.items, answers, strict=True)}
    try:
        return given, score_answers(questionnaire, given)
    except ValueError:
        return None


def _record(
    questionnaire: Questionnaire,
    given: dict[str, int],
    scored: QuestionnaireOutcome,
    now: datetime,
    run: str,
) -> QuestionnaireResult:
    """The record to store, under the run's id (a run without one gets a new id)."""
    result = questionnaire_result(questionnaire, given, scored, now)
    return replace(result, id=run) if run else result


def _result(
    questionnaire: Questionnaire, answers: str, now: datetime, run: str
) -> QuestionnaireResult | None:
    """The record of a complete run; None for answers that do not score."""
    found = _scored(questionnaire, answers)
    return None if found is None else _record(questionnaire, *found, now, run)


def _stale(lang: str) -> Outcome:
    return outcome(message(say("input.stale_button"), edit=True), lang=lang)


def _item(
    questionnaire: Questionnaire, answers: str, content: Content, lang: str, run: str
) -> Outcome:
    """The next item on the pressed message, its options as buttons that carry the answers
    and the run."""
    index = len(answers)
    item = questionnaire.items[index]
    counter = content.text(
        "questionnaire.counter", lang, number=index + 1, total=len(questionnaire.items)
    )
    body = [Text(raw=f"{counter}\n{item.text.get(lang)}")]
    if index == 0:
        body.insert(0, Text(raw=questionnaire.intro.get(lang)))
    choices = tuple(
        (
            Choice(
                Text(raw=option.text.get(lang)),
                actions.QUESTIONNAIRE,
                (questionnaire.id, answers + str(option.value), *((run,) if run else ())),
            ),
        )
        for option in questionnaire.options_for(item)
    )
    return outcome(
        message(*body, choices=choices, edit=True),
        effects=(TrackQuestionnaire(open=True),),
        lang=lang,
    )


def _finish(
    coachee: CoacheeFile,
    questionnaire: Questionnaire,
    answers: str,
    now: datetime,
    lang: str,
    run: str,
) -> Outcome:
    found = _scored(questionnaire, answers)
    if found is None:  # a forged or outdated payload; nothing is stored
        stale = _stale(lang)
        return outcome(*stale.messages, effects=(TrackQuestionnaire(open=False),), lang=lang)
    given, scored = found
    band = scored.band.label.get(lang) if scored.band else ""
    result = say("questionnaire.result", title=questionnaire.title.get(lang), band=band)
    effects: tuple[Effect, ...] = (TrackQuestionnaire(open=False),)
    if _kept(coachee, run):  # a double tap or a late press: the result again, nothing twice
        return outcome(message(result, edit=True), effects=effects, lang=lang)
    profile = coachee.profile
    if profile is not None:
        coachee.add(_record(questionnaire, given, scored, now, run))
    log.info("questionnaire.completed id=%s level=%s", questionnaire.id, scored.level)
    if scored.level != "none":
        rule = scored.fired[0]
        history = coachee.records(Escalation) if profile is not None else []
        escalation = plan_escalation(
            Assessment(scored.level, (rule.category,), rule.id), "questionnaire", history, now
        )
        if escalation is not None:
            effects = (*effects, Escalate(escalation))
    return outcome(message(result, edit=True), effects=effects, lang=lang)
