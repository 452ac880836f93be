"""Run a use case and carry out its outcome: the two steps every thin handler takes.

`run` calls a service (bot.services.*) in a worker thread, inside one unit of work of the
coachee (one read, one atomic write, the coachee's lock), so storage never blocks the event
loop and a crisis answer never waits behind someone's file. `deliver` renders the outcome
(bot.telegram.render), sends it through the outbox and does its effects, in that order:
what was stored is stored before the coachee reads that it is.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from telegram import Message as SentMessage
from telegram import ReplyParameters, Update
from telegram.error import TelegramError

from bot.core.awaiting import Awaiting, awaiting
from bot.core.ports import CoacheeFile
from bot.services.outcome import (
    BEFORE_SAYING,
    AlertCoach,
    AwaitReplyTo,
    ClearButtons,
    EraseEverything,
    Escalate,
    FollowUp,
    Notify,
    Outcome,
    ReadAsItself,
    RecordRefusal,
    RefreshMenu,
    RememberLanguage,
    Reschedule,
    SendExport,
    TrackConsentQuestion,
    TrackQuestionnaire,
)
from bot.telegram.context import BotContext, language_of
from bot.telegram.outbox import Priority
from bot.telegram.render import render, render_chart, render_text

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)


async def run(
    context: BotContext,
    user_id: int,
    use_case: Callable[Concatenate[CoacheeFile, P], R],
    *args: P.args,
    **kwargs: P.kwargs,
) -> R:
    """`use_case(coachee, *args, **kwargs)` in one unit of work, off the event loop."""
    repo = context.services.repo

    def work() -> R:
        with repo.unit_of_work(user_id) as coachee:
            return use_case(coachee, *args, **kwargs)

    return await asyncio.to_thread(work)


async def deliver(
    update: Update, context: BotContext, outcome: Outcome, edit_id: int | None = None
) -> SentMessage | None:
    """Say what the outcome says in this update's chat, then do its effects. An edit changes
    the message whose button was pressed, or `edit_id` (the question a typed number taps);
    an edit that fails is logged and the rest goes on (what it showed is stored already); a
    send that fails raises, after the outbox's own retries."""
    s = context.services
    await _carry_out_first(update, context, outcome)
    lang = outcome.lang or language_of(update, context)
    chat_id = update.effective_chat.id
    last: SentMessage | None = None
    for message in outcome.messages:
        body, markup = render(s.texts, message, lang)
        if message.chart is not None:
            # Drawing takes a few hundred ms: off the event loop, so other chats go on.
            picture = io.BytesIO(
                await asyncio.to_thread(render_chart, s.texts, message.chart, lang)
            )
            picture.name = "history.png"
            last = await s.outbox.send(
                Priority.INTERACTIVE,
                chat_id,
                context.bot.send_photo,
                photo=picture,
                caption=body,
                reply_markup=markup,
            )
            continue
        query = update.callback_query
        edited_id = query.message.message_id if query is not None else edit_id
        if message.edit and edited_id is not None:
            try:
                await s.outbox.send(
                    Priority.INTERACTIVE,
                    chat_id,
                    context.bot.edit_message_text,
                    message_id=edited_id,
                    text=body,
                    reply_markup=markup,
                )
            except TelegramError as exc:
                log.warning("usecase.edit_failed error=%s", type(exc).__name__)
            continue
        reply = (
            ReplyParameters(message.reply_to, allow_sending_without_reply=True)
            if message.reply_to is not None
            else None
        )
        last = await s.outbox.send(
            Priority.INTERACTIVE,
            chat_id,
            context.bot.send_message,
            text=body,
            reply_markup=markup,
            reply_parameters=reply,
        )
    await _carry_out(update, context, outcome, last)
    return last


async def _carry_out(
    update: Update,
    context: BotContext,
    outcome: Outcome,
    last: SentMessage | None,
) -> None:
    from bot.telegram import jobs
    from bot.telegram.safety_net import answer_escalation

    s = context.services
    user_id = update.effective_user.id
    for effect in outcome.effects:
        if isinstance(effect, ClearButtons) and update.callback_query is not None:
            try:
                await update.callback_query.edit_message_reply_markup(None)
            except TelegramError as exc:
                log.warning("usecase.clear_buttons_failed error=%s", type(exc).__name__)
        elif isinstance(effect, AwaitReplyTo) and last is not None:
            state = awaiting(
                effect.kind,
                str(last.message_id),
                update.effective_chat.id,
                s.clock(),
                effect.progress,
            )
            await run(context, user_id, _wait, state)
        elif isinstance(effect, Escalate):
            await answer_escalation(update, context, effect.escalation)
        elif isinstance(effect, Reschedule):
            jobs.schedule_reminders(context.application, user_id)
        elif isinstance(effect, RememberLanguage):
            context.user_data["lang"] = effect.lang
        elif isinstance(effect, SendExport):
            await _send_export(update, context, effect, outcome.lang)
        elif isinstance(effect, ReadAsItself):
            from bot.telegram.conversation import unexpected_text

            await unexpected_text(update, context)
        elif isinstance(effect, Notify | RefreshMenu):
            from bot.telegram import coaching

            await coaching.carry_out(context, effect)
        elif isinstance(effect, TrackQuestionnaire) and update.callback_query is not None:
            from bot.telegram.conversation import QUESTIONNAIRE_SHOWN_AT
            from bot.telegram.safety_net import OPEN_QUESTIONNAIRE

            if effect.open:
                context.chat_data[OPEN_QUESTIONNAIRE] = update.callback_query.message.message_id
                context.chat_data[QUESTIONNAIRE_SHOWN_AT] = s.clock()  # typed text points at it
            else:
                context.chat_data.pop(OPEN_QUESTIONNAIRE, None)
                context.chat_data.pop(QUESTIONNAIRE_SHOWN_AT, None)
        elif isinstance(effect, TrackConsentQuestion):
            from bot.telegram.onboarding import CONSENT_ASKED

            if effect.open:
                context.user_data[CONSENT_ASKED] = s.clock()
            else:
                context.user_data.pop(CONSENT_ASKED, None)
        elif isinstance(effect, FollowUp):
            jobs.schedule_followup(context.application, user_id, effect.when)
        elif isinstance(effect, AlertCoach):
            from bot.telegram import coaching

            await coaching.alert_coach(context, effect.user_id, effect.escalation)


async def _carry_out_first(update: Update, context: BotContext, outcome: Outcome) -> None:
    """The effects that write outside the unit of work (bot.services.outcome.BEFORE_SAYING):
    stored (or erased) before the coachee reads that they are."""
    s = context.services
    user_id = update.effective_user.id
    for effect in outcome.effects:
        if not isinstance(effect, BEFORE_SAYING):
            continue
        if isinstance(effect, RecordRefusal):
            await asyncio.to_thread(s.repo.record_refusal, user_id, effect.at)
        elif isinstance(effect, EraseEverything):
            from bot.telegram.privacy import stop_everything_of

            # Stop first, then erase: a job that is already running finds the tombstone
            # and writes nothing; one that had not started yet never starts.
            stop_everything_of(context, user_id, update.effective_chat.id)
            from bot.telegram import coaching

            # The coach store first: no coach reads what is about to go.
            told = await asyncio.to_thread(coaching.erase_person, context.application, user_id)
            await asyncio.to_thread(s.repo.erase, user_id)
            await coaching.tell(context.application, told)  # an erased coach's coachees


async def _send_export(
    update: Update, context: BotContext, effect: SendExport, lang: str | None
) -> None:
    s = context.services
    data = await asyncio.to_thread(s.repo.export, update.effective_user.id)
    if effect.refused_at is not None:
        data["refused_at"] = effect.refused_at.isoformat()
    if effect.coaching is not None:
        data["coaching"] = dict(effect.coaching)
    if data.get("profile") and effect.switches:
        data["profile"]["consent"].update(effect.switches)
    document = io.BytesIO(json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    document.name = "my-coaching-data.json"
    caption = render_text(s.texts, effect.caption, lang or language_of(update, context))
    await s.outbox.send(
        Priority.INTERACTIVE,
        update.effective_chat.id,
        context.bot.send_document,
        document=document,
        caption=caption,
    )


def _wait(coachee: CoacheeFile, state: Awaiting) -> Outcome:
    coachee.replace(state)
    return Outcome()
