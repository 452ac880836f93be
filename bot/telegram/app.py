"""Builds the Application: every handler registered in one readable block.

Handler groups make precedence explicit: /sos first, then the safety net on every text,
then commands, buttons and typed answers.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.content.ui_texts import MENU_COMMANDS
from bot.core.ports import UserErased
from bot.services import actions
from bot.telegram import (
    admin,
    basics,
    buttons,
    callbacks,
    checkin,
    coaching,
    conversation,
    demo_clock,
    digest_job,
    exercise,
    gate,
    gp_visit,
    history,
    jobs,
    onboarding,
    privacy,
    questionnaire,
    reflect,
    reminders,
    retention,
    safety_net,
    settings,
)
from bot.telegram.callbacks import pattern
from bot.telegram.context import CONTEXT_TYPES, KEY, BotContext, Services
from bot.telegram.outbox import OutgoingLimiter
from bot.telegram.updates import PerChatUpdateProcessor

log = logging.getLogger(__name__)

# Before every other group: private chats only, taps only from their owner (gate.py).
GATE_GROUP = -3
SOS_GROUP, SAFETY_GROUP, MAIN_GROUP = -2, -1, 0
# Before everything: a coachee who had blocked the bot is active again (jobs.coachee_returned).
RETURN_GROUP = -4
ACTIVITY_GROUP = 1  # after everything else: what the coachee did is noted, never delays it


async def set_command_menu(application: Application) -> None:
    """The command menu in Dutch (default) and English, set at every start."""
    content = application.bot_data[KEY].texts
    for lang, code in (("nl", None), ("en", "en")):
        commands = [BotCommand(c, content.text(f"menu.{c}", lang)) for c in MENU_COMMANDS]
        await application.bot.set_my_commands(commands, language_code=code)


async def post_init(application: Application) -> None:
    await set_command_menu(application)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(
        signal.SIGHUP, lambda: application.create_task(admin.reload_on_signal(application))
    )
    # In the background: the bot answers at once, whatever the number of coachees.
    jobs.start_rebuild(application)
    retention.schedule_daily(application)
    digest_job.schedule_digests(application)
    log.info("bot.started")


class BotApplication(Application):  # type: ignore[type-arg]
    """The Application, plus what every start does, whoever starts it (run_polling or the
    tests' rig): the exercises a restart interrupted go on (bot.telegram.exercise)."""

    async def start(self) -> None:
        await super().start()
        exercise.start_resume(self)

    async def stop(self) -> None:
        exercise.stop_resume(self)
        await super().stop()


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure by type only (no message text), and tell the coachee kindly."""
    if (
        isinstance(update, Update)
        and update.callback_query is not None
        and isinstance(context.error, buttons.NOT_HONOURED)
    ):  # a forged or stale press: answered as stale, no apology
        log.info("button.stale reason=%s", type(context.error).__name__)
        await buttons.answer_stale(update, context)
        return
    if isinstance(context.error, UserErased):
        return  # work under way when this person erased their data; storage logged it
    log.error("handler.failed error=%s", type(context.error).__name__, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await basics.something_went_wrong(update, context)
        except Exception:  # the chat may be gone; the log above says enough
            log.warning("handler.failed_to_apologise")


def build_application(services: Services, request: BaseRequest | None = None) -> Application:
    """The bot; `request` replaces the HTTP layer (in-process tests talk to a fake Bot API)."""
    settings_ = services.settings
    processor = PerChatUpdateProcessor()
    builder = (
        Application.builder()
        .token(settings_.token)
        .rate_limiter(OutgoingLimiter(AIORateLimiter(max_retries=3), services.outbox.limiter))
        .concurrent_updates(processor)
        .post_init(post_init)
        .application_class(BotApplication)
        .context_types(CONTEXT_TYPES)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if settings_.api_url:
        base = settings_.api_url.rstrip("/")
        builder = builder.base_url(base).base_file_url(base.replace("/bot", "/file/bot"))
    application = builder.build()
    application.bot_data[KEY] = services
    processor.urgent = functools.partial(safety_net.needs_crisis_answer, application)
    application.add_handler(TypeHandler(Update, gate.gate), group=GATE_GROUP)  # crisis too

    application.add_handler(TypeHandler(Update, jobs.coachee_returned), group=RETURN_GROUP)
    application.add_handler(CommandHandler("sos", safety_net.sos), group=SOS_GROUP)
    application.add_handler(
        MessageHandler(filters.TEXT | filters.CAPTION, safety_net.safety_net),
        group=SAFETY_GROUP,
    )
    # Presses never reach the safety net; in its group, a malformed payload stops here.
    application.add_handler(CallbackQueryHandler(buttons.refuse_malformed), group=SAFETY_GROUP)

    new_messages = filters.UpdateType.MESSAGE
    if demo_clock.is_demo(application):  # `python -m bot demo` only: /time moves the clock
        application.add_handler(CommandHandler("time", demo_clock.set_time), group=MAIN_GROUP)
    # An edit has passed /sos and the safety net above; nothing else runs it again.
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED, conversation.edited), group=MAIN_GROUP
    )
    application.add_handlers(
        [
            CommandHandler("start", onboarding.start),
            CommandHandler("help", basics.help_command),
            CommandHandler("checkin", checkin.start_checkin),
            CommandHandler("exercise", exercise.choose),
            CommandHandler("reflect", reflect.ask),
            CommandHandler("history", history.show),
            CommandHandler("summary", gp_visit.gp_summary),
            CommandHandler("questionnaire", questionnaire.choose),
            CommandHandler("settings", settings.show_menu),
            CommandHandler("pause", settings.pause),
            CommandHandler("resume", settings.resume),
            CommandHandler("export", privacy.export),
            CommandHandler("delete", privacy.delete),
            CommandHandler("reload", admin.reload),
            # The coach side (bot.telegram.coaching).
            CommandHandler("coach", coaching.coach),
            CommandHandler("coaches", coaching.coaches),
            CommandHandler("invite", coaching.invite),
            CommandHandler("coachees", coaching.coachees),
            CommandHandler("report", coaching.report),
            CommandHandler("privacy", coaching.privacy),
            CommandHandler("digest", coaching.digest),
            CallbackQueryHandler(coaching.coach_choice, pattern(actions.COACH)),
            CallbackQueryHandler(coaching.admin_choice, pattern(actions.COACH_ADMIN)),
            CallbackQueryHandler(coaching.invite_choice, pattern(actions.COACH_INVITE)),
            CallbackQueryHandler(coaching.share_choice, pattern(actions.COACH_SHARE)),
            CallbackQueryHandler(coaching.privacy_choice, pattern(actions.COACH_PRIVACY)),
            CallbackQueryHandler(coaching.coachee_choice, pattern(actions.COACHEE)),
            CallbackQueryHandler(coaching.phase_choice, pattern(actions.COACH_PHASE)),
            CallbackQueryHandler(coaching.homework_choice, pattern(actions.COACH_HOMEWORK)),
            CallbackQueryHandler(coaching.quiet_choice, pattern(actions.COACH_QUIET)),
            # The settings' sharing button opens /privacy's panel (before settings.choice).
            CallbackQueryHandler(coaching.settings_share, rf"{pattern(callbacks.SETTINGS)}share\Z"),
            CallbackQueryHandler(onboarding.consent_choice, pattern(callbacks.CONSENT)),
            CallbackQueryHandler(onboarding.country_choice, pattern(callbacks.COUNTRY)),
            CallbackQueryHandler(onboarding.timezone_choice, pattern(callbacks.TIMEZONE)),
            CallbackQueryHandler(onboarding.moments_choice, pattern(callbacks.MOMENTS)),
            CallbackQueryHandler(checkin.checkin_answer, pattern(callbacks.CHECKIN)),
            CallbackQueryHandler(checkin.note_skipped, pattern(callbacks.CHECKIN_NOTE)),
            CallbackQueryHandler(exercise.picked, pattern(callbacks.EXERCISE_PICK)),
            CallbackQueryHandler(exercise.started, pattern(callbacks.EXERCISE_START)),
            CallbackQueryHandler(exercise.next_pressed, pattern(callbacks.EXERCISE_STEP)),
            CallbackQueryHandler(exercise.ended, pattern(callbacks.EXERCISE_END)),
            CallbackQueryHandler(reflect.prompt_choice, pattern(callbacks.REFLECT)),
            CallbackQueryHandler(reflect.share_choice, pattern(callbacks.REFLECT_SHARE)),
            CallbackQueryHandler(safety_net.crisis_choice, pattern(callbacks.CRISIS)),
            CallbackQueryHandler(safety_net.ask_choice, pattern(callbacks.CRISIS_ASK)),
            CallbackQueryHandler(safety_net.followup_choice, pattern(callbacks.CRISIS_FOLLOWUP)),
            CallbackQueryHandler(gp_visit.followup_choice, pattern(callbacks.GP_FOLLOWUP)),
            CallbackQueryHandler(gp_visit.notes_choice, pattern(callbacks.GP_SUMMARY)),
            CallbackQueryHandler(history.period_choice, pattern(callbacks.HISTORY)),
            CallbackQueryHandler(settings.choice, pattern(callbacks.SETTINGS)),
            CallbackQueryHandler(privacy.delete_choice, pattern(callbacks.DELETE)),
            CallbackQueryHandler(reminders.reminder_choice, pattern(callbacks.REMINDER)),
            CallbackQueryHandler(questionnaire.choose, rf"{pattern(callbacks.QUESTIONNAIRE)}menu$"),
            CallbackQueryHandler(questionnaire.answer, pattern(callbacks.QUESTIONNAIRE)),
            CallbackQueryHandler(conversation.stale_button),
            MessageHandler(new_messages & filters.TEXT & ~filters.COMMAND, conversation.typed_text),
            MessageHandler(new_messages & filters.COMMAND, basics.unknown_command),
            MessageHandler(new_messages & ~filters.TEXT, conversation.media),
        ],
        group=MAIN_GROUP,
    )
    application.add_handler(TypeHandler(Update, retention.note_activity), group=ACTIVITY_GROUP)
    application.add_error_handler(on_error)
    return application
