"""Messages outside commands and buttons on Telegram: typed answers a flow waits for, media,
the rest. By the time a text gets here it has passed the safety net.

Which question a text answers is decided by bot.services.conversation; here it is handed to
the flow that asked, or pointed at the buttons of a question that takes none (a number that
is one of an open check-in question's buttons is that tap).
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from telegram import Update

from bot.core.awaiting import Awaiting
from bot.services import checkin as checkin_service
from bot.services import conversation as service
from bot.telegram import checkin, onboarding, reflect, safety_net, settings
from bot.telegram.context import BotContext, language_of
from bot.telegram.replies import text
from bot.telegram.safety_net import OPEN_QUESTIONNAIRE
from bot.telegram.usecase import deliver, run

# chat_data key: when the questionnaire item on screen (safety_net.OPEN_QUESTIONNAIRE) was
# shown (bot.telegram.usecase sets both); a text is pointed at it for a while only.
QUESTIONNAIRE_SHOWN_AT = "questionnaire_shown_at"


async def typed_text(update: Update, context: BotContext) -> None:
    """Route a typed text to the flow that asked for it, or answer kindly."""
    state = await _awaited(update, context)
    if state is None:
        await unexpected_text(update, context)
        return
    typed = update.effective_message.text
    now = context.services.clock()
    if service.sent_twice(state, typed, update.effective_message.message_id, now):
        return
    tap = checkin_service.typed_tap(state, typed)
    if tap is not None:
        await checkin.typed_answer(update, context, int(state.reference), *tap)
    elif state.kind in service.USE_BUTTONS:
        await deliver(update, context, service.point_at_buttons(state))
    elif state.kind == "note":
        await checkin.save_note(update, context, state.reference)
    elif state.kind == "reflection":
        await reflect.save_answer(update, context, state.reference)
    elif state.kind == "timezone":
        await onboarding.save_timezone(update, context, typed)
    elif state.kind == "moment":
        await settings.save_typed_moment(update, context, state.reference, typed)


async def _awaited(update: Update, context: BotContext) -> Awaiting | None:
    s = context.services
    user_id, chat_id = update.effective_user.id, update.effective_chat.id
    own_chat = _own_chat(update)
    under_way = safety_net.crisis_under_way(context, chat_id)
    questionnaire = _open_questionnaire(context)
    now = s.clock()

    def read() -> Awaiting | None:
        with s.repo.unit_of_work(user_id) as coachee:
            return service.awaited_answer(coachee, chat_id, own_chat, under_way, now, questionnaire)

    return await asyncio.to_thread(read)


def _open_questionnaire(context: BotContext) -> tuple[int, datetime] | None:
    """The questionnaire item on screen in this chat (its message id, when it was shown)."""
    chat = context.chat_data if context.chat_data is not None else {}
    message_id, shown = chat.get(OPEN_QUESTIONNAIRE), chat.get(QUESTIONNAIRE_SHOWN_AT)
    if not isinstance(message_id, int) or not isinstance(shown, datetime):
        return None
    return message_id, shown


def _own_chat(update: Update) -> bool:
    chat, user = update.effective_chat, update.effective_user
    return (
        chat is not None and user is not None and chat.type == chat.PRIVATE and chat.id == user.id
    )


async def unexpected_text(update: Update, context: BotContext) -> None:
    if safety_net.answered_here(update, context):
        return  # the GP advice was the answer; "I'm a simple helper" after it would jar
    user = update.effective_user
    result = await run(
        context,
        user.id,
        service.answer_unexpected,
        user.first_name,
        language_of(update, context),
        context.user_data.get(onboarding.CONSENT_ASKED),
        context.services.clock(),
    )
    await deliver(update, context, result)


async def edited(update: Update, context: BotContext) -> None:
    """An edited message: the safety net has assessed it (and /sos answers again); a command
    does not run twice, and an edit never completes a flow."""


async def media(update: Update, context: BotContext) -> None:
    """A photo, sticker, voice note or file: pointed at the buttons of an open question on
    buttons, else a kind word, and any flow simply waits."""
    await deliver(update, context, service.media_reply(await _awaited(update, context)))


async def stale_button(update: Update, context: BotContext) -> None:
    """A button this version cannot honour (old, or from a removed flow)."""
    query = update.callback_query
    await query.answer(text(context, "input.stale_button", language_of(update, context)))
