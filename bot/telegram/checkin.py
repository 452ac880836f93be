"""/checkin on Telegram: decode, call bot.services.checkin, deliver (the rules live there)."""

from __future__ import annotations

from telegram import Update

from bot.core.awaiting import TypedTap
from bot.services import checkin as service
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.usecase import deliver, run


async def start_checkin(update: Update, context: BotContext) -> None:
    """/checkin: the first question, energy."""
    now = context.services.clock()
    await deliver(
        update, context, await run(context, update.effective_user.id, service.start_checkin, now)
    )


async def checkin_answer(update: Update, context: BotContext) -> None:
    """One tap: the next question, or the check-in stored when sleep is answered."""
    query = update.callback_query
    await query.answer()
    s = context.services
    day, *answers = callbacks.decode(query.data).args
    result = await run(
        context,
        update.effective_user.id,
        service.answer_checkin,
        day,
        tuple(int(a) for a in answers),
        query.message.message_id,
        update.effective_chat.id,
        s.clock(),
        s.texts,
    )
    await deliver(update, context, result)


async def typed_answer(
    update: Update, context: BotContext, question_id: int, day: str, answers: tuple[int, ...]
) -> None:
    """A number typed under the open check-in question: its button, pressed (the question
    message is edited as a tap edits it)."""
    s = context.services
    now = s.clock()
    typed = TypedTap(update.effective_message.message_id, answers[-1], now)
    result = await run(
        context,
        update.effective_user.id,
        service.answer_checkin,
        day,
        answers,
        question_id,
        update.effective_chat.id,
        now,
        s.texts,
        typed,
    )
    await deliver(update, context, result, edit_id=question_id)


async def save_note(update: Update, context: BotContext, checkin_id: str) -> None:
    """The typed note (or its next part) joins the check-in it was asked for."""
    note = update.effective_message.text
    now = context.services.clock()
    result = await run(context, update.effective_user.id, service.save_note, checkin_id, note, now)
    await deliver(update, context, result)


async def note_skipped(update: Update, context: BotContext) -> None:
    """ "No note": the buttons go, and a closing line."""
    query = update.callback_query
    await query.answer()
    checkin_id = callbacks.decode(query.data).arg(0)
    now = context.services.clock()
    result = await run(context, update.effective_user.id, service.skip_note, checkin_id, now)
    await deliver(update, context, result)
