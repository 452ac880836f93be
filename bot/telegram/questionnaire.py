"""/questionnaire: a screening questionnaire from content, one item per message on buttons.

The buttons carry the answers so far (one digit each), so nothing is stored half and a
restart mid-way loses nothing that was acknowledged. An answer that means crisis (PHQ-9
item 9 above 0) escalates at once, before the questionnaire is finished.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.content.schema import Questionnaire
from bot.core.escalation import plan_escalation
from bot.core.models import Escalation, QuestionnaireResult
from bot.core.questionnaires import first_crisis_item, score_answers
from bot.core.safety import Assessment
from bot.telegram import callbacks
from bot.telegram.context import language_of, services
from bot.telegram.replies import edit, send, text
from bot.telegram.safety_net import OPEN_QUESTIONNAIRE, answer_crisis, answer_escalation

log = logging.getLogger(__name__)


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/questionnaire (or the offer after a check-in): the questionnaires in content."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    lang = language_of(update, context)
    questionnaires = services(context).texts.questionnaires.values()
    await send(
        context,
        update.effective_chat.id,
        text(context, "questionnaire.choose", lang),
        [
            [(q.title.get(lang), callbacks.encode(callbacks.QUESTIONNAIRE, q.id, "start"))]
            for q in questionnaires
        ],
    )


def _item_message(
    context, questionnaire: Questionnaire, answers: str, lang: str
) -> tuple[str, list[list[tuple[str, str]]]]:
    index = len(answers)
    item = questionnaire.items[index]
    counter = text(
        context, "questionnaire.counter", lang, number=index + 1, total=len(questionnaire.items)
    )
    body = f"{counter}\n{item.text.get(lang)}"
    if index == 0:
        body = f"{questionnaire.intro.get(lang)}\n\n{body}"
    buttons = [
        [
            (
                option.text.get(lang),
                callbacks.encode(
                    callbacks.QUESTIONNAIRE, questionnaire.id, answers + str(option.value)
                ),
            )
        ]
        for option in questionnaire.options_for(item)
    ]
    return body, buttons


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap on an answer: escalate at once when it means crisis, else the next item."""
    query = update.callback_query
    await query.answer()
    s = services(context)
    lang = language_of(update, context)
    payload = callbacks.decode(query.data)
    questionnaire = s.texts.questionnaires.get(payload.arg(0))
    answers = payload.arg(1)
    if questionnaire is None or (answers != "start" and not answers.isdigit()):
        await edit(update, context, text(context, "input.stale_button", lang))
        return
    if answers == "start":
        await show_item(update, context, questionnaire, "", lang)
        return
    if len(answers) > len(questionnaire.items):
        await edit(update, context, text(context, "input.stale_button", lang))
        return
    index = len(answers) - 1
    item = questionnaire.items[index]
    if int(answers[-1]) not in {o.value for o in questionnaire.options_for(item)}:
        await edit(update, context, text(context, "input.stale_button", lang))
        return
    rule = first_crisis_item(questionnaire, item.id, int(answers[-1]))
    if rule is not None:
        # The crisis answer first; it also takes this item's buttons away (questionnaire
        # paused), so no further item arrives after it.
        context.chat_data[OPEN_QUESTIONNAIRE] = query.message.message_id
        escalation = plan_escalation(
            Assessment("crisis", ("questionnaire",), rule.id), "questionnaire", [], s.clock()
        )
        await answer_crisis(update, context, escalation)
        return
    if len(answers) < len(questionnaire.items):
        await show_item(update, context, questionnaire, answers, lang)
        return
    await finish(update, context, questionnaire, answers, lang)


async def show_item(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    questionnaire: Questionnaire,
    answers: str,
    lang: str,
) -> None:
    """Show the next item on the pressed message; a crisis knows where to take it away."""
    context.chat_data[OPEN_QUESTIONNAIRE] = update.callback_query.message.message_id
    await edit(update, context, *_item_message(context, questionnaire, answers, lang))


async def finish(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    questionnaire: Questionnaire,
    answers: str,
    lang: str,
) -> None:
    s = services(context)
    context.chat_data.pop(OPEN_QUESTIONNAIRE, None)
    given = {item.id: int(value) for item, value in zip(questionnaire.items, answers, strict=True)}
    try:
        outcome = score_answers(questionnaire, given)
    except ValueError:  # a forged or outdated payload; nothing is stored
        await edit(update, context, text(context, "input.stale_button", lang))
        return
    profile = s.repo.load_profile(update.effective_user.id)
    if profile is not None:
        s.repo.add(
            profile.user_id,
            QuestionnaireResult(
                questionnaire.id, s.clock(), tuple(given.items()), outcome.score, outcome.level
            ),
        )
    log.info("questionnaire.completed id=%s level=%s", questionnaire.id, outcome.level)
    band = outcome.band.label.get(lang) if outcome.band else ""
    await edit(
        update,
        context,
        text(context, "questionnaire.result", lang, title=questionnaire.title.get(lang), band=band),
    )
    if outcome.level != "none":
        rule = outcome.fired[0]
        history = s.repo.records(profile.user_id, Escalation) if profile else []
        escalation = plan_escalation(
            Assessment(outcome.level, (rule.category,), rule.id),
            "questionnaire",
            history,
            s.clock(),
        )
        if escalation is not None:
            await answer_escalation(update, context, escalation)
