"""The gate: private chats only, and a button acts only for the person it was sent to.

Health data must never reach a group or a channel. An update from any chat that is not a
private chat (a group, a supergroup, a channel post, the bot being added to one) stores
nothing and reaches no other handler: the bot says once per chat, in one line, where to find
it, and leaves. A crisis typed there still gets the crisis answer with the help lines first;
nothing of it is stored (no escalation record, no coach alert, no follow-up, no profile).
Updates of a Telegram Business connection (someone else's private chats) are dropped too.

Registered in a handler group of its own before every other group (/sos and the safety net
included), rather than in the update processor: the processor's crisis fast path runs the
same `Application.process_update`, so the gate sees every update, urgent or not, and stops
the rest the way the safety net does (ApplicationHandlerStop, decided before any I/O).

What it remembers (which chats were told, crisis answers in flight) lives in memory only.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from telegram import CallbackQuery, Chat, ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.core.escalation import plan_escalation, sos_escalation
from bot.telegram import safety_net
from bot.telegram.context import BotContext, Services, language_for
from bot.telegram.replies import send, text

log = logging.getLogger(__name__)

# bot_data key of the gate's memory.
KEY = "gate"
# Chats remembered as told; the oldest are forgotten past this (a forgotten chat that is
# still writing is told once more, which is harmless).
MAX_CHATS = 10_000
# Leaving waits at most this long for a crisis answer still being sent in that chat.
CRISIS_GRACE = safety_net.CRISIS_DEADLINE + 5.0
GONE = frozenset({ChatMember.LEFT, ChatMember.BANNED})


@dataclass
class Refusals:
    """Refused chats: chat id -> True once the bot has left it; crisis answers in flight."""

    chats: OrderedDict[int, bool] = field(default_factory=OrderedDict)
    crises: Counter[int] = field(default_factory=Counter)
    quiet: asyncio.Condition = field(default_factory=asyncio.Condition)

    def first_time(self, chat_id: int) -> bool:
        """True once per chat: the one time the line is said."""
        if chat_id in self.chats:
            return False
        self.chats[chat_id] = False
        if len(self.chats) > MAX_CHATS:
            self.chats.popitem(last=False)
        return True


async def gate(update: object, context: BotContext) -> None:
    """Let an update through only from a private chat, and a tap only from its owner."""
    if not isinstance(update, Update):
        return
    if _business(update):
        log.info("gate.business_dropped")
        raise ApplicationHandlerStop
    query = update.callback_query
    chat = update.effective_chat
    if chat is not None and chat.type != Chat.PRIVATE:
        try:
            await refuse(update, context, chat)
        except Exception:  # logged; never the apology, which would go to the group
            log.exception("gate.refusal_failed")
        raise ApplicationHandlerStop
    if query is not None and not _owned(query):
        log.warning("gate.tap_by_someone_else")
        try:
            await query.answer(text(context, "private.not_for_you", _language(update, context)))
        except Exception as exc:  # logged; the tap does nothing either way
            log.info("gate.tap_not_answered error=%s", type(exc).__name__)
        raise ApplicationHandlerStop


def _business(update: Update) -> bool:
    return (
        update.business_connection is not None
        or update.business_message is not None
        or update.edited_business_message is not None
        or update.deleted_business_messages is not None
    )


def _owned(query: CallbackQuery) -> bool:
    """In a private chat the chat id is the user id: only that person's taps count."""
    message = query.message
    return message is not None and message.chat.id == query.from_user.id


async def refuse(update: Update, context: BotContext, chat: Chat) -> None:
    """A crisis answer if one is needed, the line once per chat, then leave."""
    memory = _memory(context)
    change = update.my_chat_member
    if change is not None and change.new_chat_member.status in GONE:
        # Removed, or its own leaving reported back: nothing to say, nowhere to say it. A new
        # invitation is told again.
        memory.chats.pop(chat.id, None)
        return
    lang = _language(update, context)
    if update.callback_query is not None:
        await _stop_spinner(update.callback_query)
    await _answer_crisis(update, context, chat, lang, memory)
    if memory.first_time(chat.id):
        log.info("gate.refused chat_type=%s", chat.type)
        await _say_private_only(context, chat.id, lang)
    if not memory.chats.get(chat.id):
        await _leave(context, chat.id, memory)


async def _answer_crisis(
    update: Update, context: BotContext, chat: Chat, lang: str, memory: Refusals
) -> None:
    """The crisis answer with help lines, without buttons (the bot is leaving) or records."""
    s = context.services
    message = update.effective_message
    words = (message.text or message.caption or "") if message else ""
    if not words.strip():
        return
    now = s.clock()
    if words.split()[0].split("@")[0].lower() == "/sos":
        escalation = sos_escalation(now)
    else:
        read = safety_net.assessed_words(context.application, words)
        escalation = plan_escalation(s.safety.assess(read, lang), "text", [], now)
        if escalation is None or escalation.level != "crisis":
            return  # GP advice is health talk too: not in a group
    memory.crises[chat.id] += 1
    try:
        country = _country(s, update)
        body = safety_net.group_crisis_body(s, escalation, lang, country)
        await safety_net.deliver_crisis(context, chat.id, body)
        log.info(
            "gate.crisis_answered chat_type=%s source=%s rule=%s",
            chat.type,
            escalation.source,
            escalation.rule,
        )
    finally:
        memory.crises[chat.id] -= 1
        if not memory.crises[chat.id]:
            del memory.crises[chat.id]
        async with memory.quiet:
            memory.quiet.notify_all()


async def _stop_spinner(query: CallbackQuery) -> None:
    try:
        await query.answer()
    except TelegramError as exc:
        log.info("gate.tap_not_answered error=%s", type(exc).__name__)


async def _say_private_only(context: BotContext, chat_id: int, lang: str) -> None:
    username = _username(context)
    body = (
        text(context, "private.only", lang, link=f"https://t.me/{username}")
        if username
        else text(context, "private.only_no_link", lang)
    )
    try:
        await send(context, chat_id, body)
    except TelegramError as exc:  # no right to write here (a channel): leave all the same
        log.info("gate.line_not_sent error=%s", type(exc).__name__)


async def _leave(context: BotContext, chat_id: int, memory: Refusals) -> None:
    """Leave once no crisis answer is being sent here (one may skip the chat's queue)."""
    try:
        async with memory.quiet:
            await asyncio.wait_for(
                memory.quiet.wait_for(lambda: not memory.crises[chat_id]), CRISIS_GRACE
            )
    except TimeoutError:
        log.warning("gate.leaving_during_crisis_answer")
    try:
        await context.bot.leave_chat(chat_id)
    except TelegramError as exc:  # tried again at the chat's next update
        log.warning("gate.leave_failed error=%s", type(exc).__name__)
        return
    if chat_id in memory.chats:
        memory.chats[chat_id] = True
    log.info("gate.left")


def _memory(context: BotContext) -> Refusals:
    memory = context.application.bot_data.get(KEY)
    if memory is None:
        memory = context.application.bot_data[KEY] = Refusals()
    return memory


def _language(update: Update, context: BotContext) -> str:
    """The person's language; never creates their user_data (nothing kept for a group)."""
    user = update.effective_user
    try:
        user_data = context.application.user_data.get(user.id) if user else None
        return language_for(context.services, user, user_data)
    except Exception:  # storage trouble must not keep the crisis line from anyone
        log.exception("gate.language_unknown")
        code = (user.language_code or "") if user else ""
        return "en" if code.lower().startswith("en") else "nl"


def _country(s: Services, update: Update) -> str:
    """The coachee's country for the help lines (read only), else the bot's default."""
    user = update.effective_user
    try:
        profile = s.repo.load_profile(user.id) if user else None
    except Exception:
        log.exception("gate.profile_unreadable")
        profile = None
    return profile.country if profile else s.settings.country


def _username(context: BotContext) -> str | None:
    try:
        return context.bot.username
    except RuntimeError:  # not initialised (getMe failed): the line without a link
        return None
