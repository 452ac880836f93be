"""/reflect: a prompt for the coachee's phase; their answer is shared only if they say so.

The prompt waits a day for its answer (bot.core.awaiting), whatever other command comes in
between. The question whether a coach may read the answer is asked only when a coach is
linked.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.core import schedule
from bot.core.models import Reflection
from bot.core.practice import next_prompt
from bot.telegram import awaited, callbacks
from bot.telegram.context import services
from bot.telegram.replies import edit, pressed, reply, require_profile, send, text

log = logging.getLogger(__name__)
# Telegram's own limit on one message: a typed answer is kept whole, never cut silently.
ANSWER_MAX_CHARS = 4096


async def ask(
    update: Update, context: ContextTypes.DEFAULT_TYPE, skip: tuple[str, ...] = ()
) -> None:
    """/reflect: the phase's prompt answered longest ago."""
    profile = await require_profile(update, context)
    if profile is None:
        return
    s = services(context)
    prompt = next_prompt(
        s.texts.prompts_for(profile.phase), s.repo.records(profile.user_id, Reflection), skip
    )
    if prompt is None:
        return
    lang = profile.lang
    awaited.wait_for(context, profile.user_id, update.effective_chat.id, "reflection", prompt.id)
    phase = s.texts.phase(profile.phase).title.get(lang)
    await send(
        context,
        update.effective_chat.id,
        text(context, "reflect.prompt", lang, phase=phase, prompt=prompt.text.get(lang)),
        [
            [
                (
                    text(context, "reflect.other", lang),
                    callbacks.encode(callbacks.REFLECT, "other", prompt.id),
                ),
                (
                    text(context, "reflect.later", lang),
                    callbacks.encode(callbacks.REFLECT, "later", prompt.id),
                ),
            ]
        ],
    )


async def prompt_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    payload = callbacks.decode(query.data)
    if not any(p.id == payload.arg(1) for p in services(context).texts.prompts):
        raise callbacks.StaleCallback("no such prompt")
    await query.edit_message_reply_markup(None)
    if payload.arg(0) == "other":
        await ask(update, context, skip=(payload.arg(1),))
        return
    profile = services(context).repo.load_profile(update.effective_user.id)
    if profile is not None:
        s = services(context)
        awaited.stop_waiting(context, profile.user_id, "reflection", payload.arg(1))
        now = s.clock()
        s.repo.add(
            profile.user_id,
            schedule.snooze(profile, "reflection", schedule.local_today(profile, now), now),
        )
        from bot.telegram import jobs

        jobs.schedule_reminders(context.application, profile.user_id)
    await reply(update, context, "reflect.later_ok")


async def save_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, prompt_id: str) -> None:
    """The typed answer (already through the safety net) is stored, private by default."""
    s = services(context)
    profile = s.repo.load_profile(update.effective_user.id)
    if profile is None:
        return
    now = s.clock()
    answer = update.effective_message.text.strip()[:ANSWER_MAX_CHARS]
    reflection = Reflection(
        prompt_id,
        now,
        schedule.local_today(profile, now),
        answer,
        # Shared by default only where there is a coach to read it.
        shared=profile.consent.share_reflections_default and profile.coach_id is not None,
    )
    s.repo.add(profile.user_id, reflection)
    awaited.stop_waiting(context, profile.user_id, "reflection", prompt_id)
    log.info("reflection.recorded")
    lang = profile.lang
    if profile.coach_id is None:
        await send(context, update.effective_chat.id, text(context, "reflect.saved_private", lang))
        return
    await send(
        context,
        update.effective_chat.id,
        text(context, "reflect.saved", lang),
        [
            [
                (
                    text(context, "reflect.share_yes", lang),
                    callbacks.encode(callbacks.REFLECT_SHARE, reflection.id, "yes"),
                ),
                (
                    text(context, "reflect.share_no", lang),
                    callbacks.encode(callbacks.REFLECT_SHARE, reflection.id, "no"),
                ),
            ]
        ],
    )


async def share_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Per answer, the coachee decides whether their coach may read it."""
    from dataclasses import replace

    profile = await pressed(update, context)
    if profile is None:
        return
    s = services(context)
    payload = callbacks.decode(update.callback_query.data)
    found = [r for r in s.repo.records(profile.user_id, Reflection) if r.id == payload.arg(0)]
    if not found:
        await edit(update, context, text(context, "reflect.gone", profile.lang))
        return
    shared = payload.arg(1) == "yes"
    s.repo.replace(profile.user_id, replace(found[0], shared=shared))
    await edit(
        update,
        context,
        text(context, "reflect.shared" if shared else "reflect.private", profile.lang),
    )
