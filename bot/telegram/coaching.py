"""The coach side on Telegram: decode, call bot.services.coaching, deliver (the rules live
there, and in bot.core.coaching).

Commands: /coach (ask to coach; a coach's status and stepping down), /coaches (admins:
approve, refuse, revoke), /invite, /coachees (phase, homework, report, unlink, the no-check-in
days), /report (a one-page PDF of one own coachee, drawn by bot.reports.report off the loop),
and for a coachee /privacy (a switch per item, the read log, unlink) and /digest. The coach
store lives next to the repository (coaches.json in the data folder, in memory for an
in-memory repository); every call of it holds one lock, so two changes never lose each other
in the one file.
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import threading
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.content.ui_texts import COACH_COMMANDS, COACHEE_COMMANDS, MENU_COMMANDS
from bot.core import coaching
from bot.core.coaching import CoachStore
from bot.core.models import Escalation
from bot.services import coaching as service
from bot.services.outcome import Notify, RefreshMenu
from bot.storage.coaches import InMemoryCoachStore
from bot.telegram import callbacks
from bot.telegram.context import BotContext, language_of
from bot.telegram.onboarding import CONSENT_ASKED
from bot.telegram.outbox import Priority
from bot.telegram.render import render
from bot.telegram.usecase import deliver, run

log = logging.getLogger(__name__)
KEY = "coach_store"


class _Locked:
    """Every call of the store under one lock: a change reads and writes the whole file."""

    def __init__(self, inner: CoachStore) -> None:
        self._inner = inner
        self._lock = threading.RLock()

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if not callable(found):
            return found

        @functools.wraps(found)
        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return found(*args, **kwargs)

        return locked


def coach_store(application: Application) -> CoachStore:
    """The coach store of this bot (Services.coaches: coaches.json in the data folder, set
    by bot.runner), under one lock; one in memory when none is given (tests)."""
    store = application.bot_data.get(KEY)
    if store is None:
        inner = application.bot_data["services"].coaches or InMemoryCoachStore()
        store = application.bot_data[KEY] = _Locked(inner)
    return store  # type: ignore[no-any-return]


def _store(context: BotContext) -> CoachStore:
    return coach_store(context.application)


async def _off_loop(fn: Any, *args: Any) -> Any:
    return await asyncio.to_thread(fn, *args)


# --- becoming a coach ---------------------------------------------------------------------


async def coach(update: Update, context: BotContext) -> None:
    """/coach: ask to become a coach (the admins decide); a coach sees their status."""
    s = context.services
    user = update.effective_user
    admins = s.settings.admin_ids
    langs = {admin: await _off_loop(_lang_of, s.repo, admin) for admin in admins}
    profile = await _off_loop(s.repo.load_profile, user.id)
    result = await _off_loop(
        service.ask_to_coach,
        _store(context),
        user.id,
        user.first_name,
        language_of(update, context),
        admins,
        langs,
        s.clock(),
        profile.timezone if profile is not None else s.settings.timezone,
    )
    await deliver(update, context, result)


def _lang_of(repo: Any, user_id: int) -> str:
    profile = repo.load_profile(user_id)
    return profile.lang if profile is not None else "nl"


async def coaches(update: Update, context: BotContext) -> None:
    """/coaches, for admins: revoke a coach, or decide an open request."""
    s = context.services
    result = await _off_loop(
        service.list_coaches,
        _store(context),
        update.effective_user.id,
        s.settings.admin_ids,
        language_of(update, context),
    )
    await deliver(update, context, result)


async def admin_choice(update: Update, context: BotContext) -> None:
    """An admin's approve / refuse / revoke (asked first, then confirmed)."""
    query = update.callback_query
    await query.answer()
    s = context.services
    decision, coach_id = callbacks.decode(query.data).args
    admin, lang, store = update.effective_user.id, language_of(update, context), _store(context)
    if decision == "revoke":
        result = await _off_loop(
            service.ask_revoke, store, admin, int(coach_id), s.settings.admin_ids, lang
        )
    elif decision == "list":
        result = await _off_loop(
            service.list_coaches, store, admin, s.settings.admin_ids, lang, True
        )
    else:
        result = await _off_loop(
            service.decide_coach,
            store,
            s.repo,
            admin,
            decision,
            int(coach_id),
            s.settings.admin_ids,
            lang,
            s.clock(),
        )
    await deliver(update, context, result)


async def coach_choice(update: Update, context: BotContext) -> None:
    """A coach steps down (asked first, then confirmed), or keeps coaching."""
    query = update.callback_query
    await query.answer()
    s = context.services
    what = callbacks.decode(query.data).args[0]
    user, lang, store = update.effective_user.id, language_of(update, context), _store(context)
    if what == "step_down_yes":
        result = await _off_loop(service.step_down, store, s.repo, user, lang, s.clock())
    elif what == "status":
        result = await _off_loop(service.coach_status, store, user, lang)
    else:
        result = await _off_loop(service.ask_step_down, store, user, lang)
    await deliver(update, context, result)


# --- invitations and consent ----------------------------------------------------------------


async def invite(update: Update, context: BotContext) -> None:
    """/invite: a single-use deep link for one coachee."""
    s = context.services
    result = await _off_loop(
        service.make_invite,
        _store(context),
        update.effective_user.id,
        language_of(update, context),
        context.bot.username,
        s.settings.invite_pepper,
        s.clock(),
    )
    await deliver(update, context, result)


async def show_invitation(update: Update, context: BotContext, code: str) -> None:
    """/start <code> (after the greeting): who invites, accept or not."""
    s = context.services
    result = await run(
        context,
        update.effective_user.id,
        service.show_invitation,
        _store(context),
        code,
        language_of(update, context),
        s.settings.invite_pepper,
        s.clock(),
    )
    await deliver(update, context, result)


async def invite_choice(update: Update, context: BotContext) -> None:
    query = update.callback_query
    await query.answer()
    s = context.services
    choice, code = callbacks.decode(query.data).args
    result = await run(
        context,
        update.effective_user.id,
        service.answer_invitation,
        _store(context),
        choice == "yes",
        code,
        update.effective_user.first_name,
        s.settings.invite_pepper,
        s.clock(),
        consent_asked=context.user_data.get(CONSENT_ASKED),
    )
    await deliver(update, context, result)


async def share_choice(update: Update, context: BotContext) -> None:
    """One item switched on or off, at once."""
    query = update.callback_query
    await query.answer()
    item, on, mode, coach_id = callbacks.decode(query.data).args
    result = await run(
        context,
        update.effective_user.id,
        service.answer_share,
        _store(context),
        item,
        on == "on",
        mode,
        int(coach_id),
        context.services.clock(),
    )
    await deliver(update, context, result)


async def privacy(update: Update, context: BotContext) -> None:
    """/privacy: what the coach may see, a switch per item, who read what, unlink."""
    result = await run(context, update.effective_user.id, service.privacy, _store(context))
    await deliver(update, context, result)


async def settings_share(update: Update, context: BotContext) -> None:
    """The settings' "sharing" button opens the same panel as /privacy."""
    await update.callback_query.answer()
    result = await run(context, update.effective_user.id, service.privacy, _store(context), True)
    await deliver(update, context, result)


async def privacy_choice(update: Update, context: BotContext) -> None:
    query = update.callback_query
    await query.answer()
    s = context.services
    user_id = update.effective_user.id
    what, item = callbacks.decode(query.data).args
    store = _store(context)
    if what == "ask":
        result = await run(context, user_id, service.ask_to_share, store, item)
    elif what == "reads":
        result = await run(context, user_id, service.read_log, store, s.texts)
    elif what == "digest":
        await digest(update, context)
        return
    elif what == "unlink":
        result = await run(context, user_id, service.ask_unlink, store)
    elif what == "unlink_yes":
        result = await run(context, user_id, service.unlink_by_coachee, store, s.clock())
    else:
        result = await run(context, user_id, service.privacy, store, True)
    await deliver(update, context, result)


async def digest(update: Update, context: BotContext) -> None:
    """/digest: the coachee's own part of what their coach will receive."""
    s = context.services
    result = await _off_loop(
        service.digest_preview,
        _store(context),
        s.repo,
        update.effective_user.id,
        language_of(update, context),
        s.texts,
        s.clock(),
    )
    await deliver(update, context, result)


# --- the coach's work -------------------------------------------------------------------------


async def coachees(update: Update, context: BotContext) -> None:
    """/coachees: each own coachee, last activity, needs-attention reasons."""
    s = context.services
    result = await _off_loop(
        service.coachees,
        _store(context),
        s.repo,
        update.effective_user.id,
        language_of(update, context),
        s.texts,
        s.clock(),
    )
    await deliver(update, context, result)


async def report(update: Update, context: BotContext) -> None:
    """/report <coachee>: a one-page PDF of what that own coachee shares."""
    s = context.services
    who = " ".join(context.args or ())
    result = await _off_loop(
        service.coachee_report,
        _store(context),
        s.repo,
        update.effective_user.id,
        who,
        s.texts,
        s.clock(),
    )
    await _deliver_report(update, context, result)


async def _deliver_report(
    update: Update, context: BotContext, result: service.ReportFile | Any
) -> None:
    if not isinstance(result, service.ReportFile):
        await deliver(update, context, result)
        return
    pdf = await asyncio.to_thread(_report_pdf, result)
    document = io.BytesIO(pdf)
    document.name = result.filename
    await context.services.outbox.send(
        Priority.INTERACTIVE,
        result.coach_id,
        context.bot.send_document,
        document=document,
        caption=result.caption,
    )


def _report_pdf(result: service.ReportFile) -> bytes:
    """A few hundred ms: off the loop; matplotlib loads here, not at start."""
    from bot.reports.report import ReportLabels, render_report_pdf

    labels = ReportLabels(result.chart, result.energy, result.stress)
    return render_report_pdf(result.title, result.lines, result.days, labels)


async def coachee_choice(update: Update, context: BotContext) -> None:
    query = update.callback_query
    await query.answer()
    s = context.services
    args = callbacks.decode(query.data).args
    coachee_id, what = int(args[0]), args[1]
    coach_id = update.effective_user.id
    lang = await _off_loop(_coach_lang, _store(context), coach_id, language_of(update, context))
    store = _store(context)
    if what == "phase":
        result = await _off_loop(service.phase_choices, store, coach_id, coachee_id, lang, s.texts)
    elif what == "homework":
        result = await _off_loop(
            service.homework_choices, store, coach_id, coachee_id, lang, s.texts
        )
    elif what == "hw":
        result = await _off_loop(
            service.homework_plans, store, coach_id, coachee_id, args[2], lang, s.texts
        )
    elif what == "questionnaires":
        result = await _off_loop(service.questionnaire_choices, store, coach_id, coachee_id, lang)
    elif what == "qn_set":
        result = await _off_loop(
            service.set_questionnaire_weeks,
            store,
            s.repo,
            coach_id,
            coachee_id,
            int(args[2]),
            lang,
            s.clock(),
        )
    elif what == "report":
        made = await _off_loop(
            service.report_of, store, s.repo, coach_id, coachee_id, s.texts, s.clock()
        )
        await _deliver_report(update, context, made)
        return
    elif what == "unlink":
        result = await _off_loop(service.ask_unlink_coachee, store, coach_id, coachee_id, lang)
    elif what == "unlink_yes":
        result = await _off_loop(
            service.unlink_by_coach, store, s.repo, coach_id, coachee_id, lang, s.clock()
        )
    else:
        result = await _off_loop(service.coachee_menu, store, coach_id, coachee_id, lang, s.texts)
    await deliver(update, context, result)


def _coach_lang(store: CoachStore, coach_id: int, fallback: str) -> str:
    found = store.coach(coach_id)
    return found.lang if found is not None else fallback


async def phase_choice(update: Update, context: BotContext) -> None:
    query = update.callback_query
    await query.answer()
    s = context.services
    coachee_id, phase = callbacks.decode(query.data).args
    coach_id = update.effective_user.id
    store = _store(context)
    lang = await _off_loop(_coach_lang, store, coach_id, language_of(update, context))
    result = await _off_loop(
        service.set_phase, store, s.repo, coach_id, int(coachee_id), phase, lang, s.texts, s.clock()
    )
    await deliver(update, context, result)


async def homework_choice(update: Update, context: BotContext) -> None:
    query = update.callback_query
    await query.answer()
    s = context.services
    coachee_id, exercise_id, plan = callbacks.decode(query.data).args
    coach_id = update.effective_user.id
    store = _store(context)
    lang = await _off_loop(_coach_lang, store, coach_id, language_of(update, context))
    result = await _off_loop(
        service.assign_homework,
        store,
        s.repo,
        coach_id,
        int(coachee_id),
        exercise_id,
        plan,
        lang,
        s.texts,
        s.clock(),
    )
    await deliver(update, context, result)


async def quiet_choice(update: Update, context: BotContext) -> None:
    """The coach's no-check-in days, or back to the list."""
    query = update.callback_query
    await query.answer()
    s = context.services
    args = callbacks.decode(query.data).args
    coach_id = update.effective_user.id
    store = _store(context)
    lang = language_of(update, context)
    if args[0] == "set":
        result = await _off_loop(service.set_quiet_days, store, coach_id, int(args[1]), lang)
    elif args[0] == "digest":
        result = await _off_loop(service.digest_moment, store, coach_id, lang)
    elif args[0] == "day":
        result = await _off_loop(service.digest_moment, store, coach_id, lang, int(args[1]))
    elif args[0] == "at":
        result = await _off_loop(service.digest_moment, store, coach_id, lang, None, args[1])
    elif args[0] == "list":
        result = await _off_loop(
            service.coachees, store, s.repo, coach_id, lang, s.texts, s.clock(), True
        )
    else:
        result = await _off_loop(service.quiet_choices, store, coach_id, lang)
    await deliver(update, context, result)


# --- effects: someone else told, menus -------------------------------------------------------


async def carry_out(context: BotContext, effect: Notify | RefreshMenu) -> None:
    """bot.telegram.usecase hands the coach side's effects here."""
    if isinstance(effect, Notify):
        await notify(context.application, effect)
    else:
        await refresh_menu(context.application, effect.user_id)


async def notify(
    application: Application, effect: Notify, priority: Priority = Priority.INTERACTIVE
) -> None:
    """Say it in that person's private chat (without sound when the effect says so); one who
    cannot be reached is logged, and the person who acted is not kept waiting or told of an
    error that is not theirs."""
    s = application.bot_data["services"]
    body, markup = render(s.texts, effect.message, effect.lang)
    quiet: dict[str, Any] = {"disable_notification": True} if effect.silent else {}
    try:
        await s.outbox.send(
            priority,
            effect.user_id,
            application.bot.send_message,
            text=body,
            reply_markup=markup,
            **quiet,
        )
    except TelegramError as exc:
        log.warning("coach.notify_failed error=%s", type(exc).__name__)


async def refresh_menu(application: Application, user_id: int) -> None:
    """A coach's menu holds the coach commands, a coachee with a coach gets /privacy and
    /digest; anyone else has the bot's default menu (set at start)."""
    s = application.bot_data["services"]
    store = coach_store(application)
    is_coach = await _off_loop(lambda: coaching.is_coach(store.coach(user_id)))
    has_coach = await _off_loop(lambda: store.link_of(user_id) is not None)
    lang = await _off_loop(_lang_of, s.repo, user_id)
    scope = BotCommandScopeChat(user_id)
    try:
        if not is_coach and not has_coach:
            await application.bot.delete_my_commands(scope=scope)
            return
        names = list(MENU_COMMANDS)
        if has_coach:
            names[-2:-2] = COACHEE_COMMANDS
        if is_coach:
            names[:0] = COACH_COMMANDS
        commands = [BotCommand(c, s.texts.text(f"menu.{c}", lang)) for c in names]
        await application.bot.set_my_commands(commands, scope=scope)
    except TelegramError as exc:
        log.warning("coach.menu_failed error=%s", type(exc).__name__)


# --- alerts and erasure -----------------------------------------------------------------------


async def alert_coach(context: BotContext, user_id: int, escalation: Escalation) -> None:
    """A stored gp or crisis escalation: the coach who may receive alerts is told at once
    (level, time, help lines given; never words). Never delays or breaks the coachee's
    answer."""
    s = context.services
    try:
        notice = await _off_loop(
            service.coach_alert, _store(context), user_id, escalation, s.texts, s.clock()
        )
    except Exception:  # the coachee's answer matters more than the coach's alert
        log.exception("coach.alert_failed")
        return
    if notice is not None:
        priority = Priority.CRISIS if escalation.level == "crisis" else Priority.INTERACTIVE
        await notify(context.application, notice, priority)
        log.info("coach.alert level=%s", escalation.level)


def erase_person(application: Application, user_id: int) -> tuple[Notify | RefreshMenu, ...]:
    """/delete, an erased account: the person goes from the coach store too (as coach and
    as coachee). Blocking: call it off the event loop. What to tell a coach's coachees
    (`tell` it once the person is erased)."""
    s = application.bot_data["services"]
    return service.forget_person(coach_store(application), s.repo, user_id, s.clock())


async def tell(application: Application, effects: tuple[Notify | RefreshMenu, ...]) -> None:
    """Carry out what a use case without an update says to others (an erased coach's
    coachees are told, their menus follow)."""
    for effect in effects:
        if isinstance(effect, Notify):
            await notify(application, effect)
        else:
            await refresh_menu(application, effect.user_id)
