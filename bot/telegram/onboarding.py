"""/start on Telegram: decode, call bot.services.onboarding, deliver (the rules live there).

Nothing is stored before the coachee says yes; a no keeps only that no.
"""

from __future__ import annotations

from telegram import Update

from bot.services import onboarding as service
from bot.telegram import callbacks
from bot.telegram.context import BotContext, language_of
from bot.telegram.usecase import deliver, run

# Set by onboarding's "Aanpassen": the settings' "Klaar" then ends onboarding with its
# closing message (a typed /settings clears it). Session state only, no coaching rule.
AFTER_ONBOARDING = "onboarding_settings"
# user_data key: when the consent question was shown in this chat session, while it is open
# (bot.services.outcome.TrackConsentQuestion); nothing is stored before consent.
CONSENT_ASKED = "consent_asked"


async def start(update: Update, context: BotContext) -> None:
    """Greet; a known coachee gets a short welcome back, a new one the consent question."""
    user = update.effective_user
    if context.args:
        context.user_data["invite"] = context.args[0][:64]
    lang = language_of(update, context)
    s = context.services
    result = await run(
        context,
        user.id,
        service.start,
        user.first_name,
        lang,
        s.texts,
        invited=bool(context.args),
        consent_asked=context.user_data.get(CONSENT_ASKED),
        now=s.clock(),
    )
    await deliver(update, context, result)
    if context.args:  # a coach's invitation (bot.telegram.coaching)
        from bot.telegram import coaching

        await coaching.show_invitation(update, context, context.user_data["invite"])


async def consent_choice(update: Update, context: BotContext) -> None:
    """Yes creates the profile; no keeps only the refusal; a language switch re-asks."""
    query = update.callback_query
    await query.answer()
    s = context.services
    user = update.effective_user
    choice = callbacks.decode(query.data).arg(0)
    if choice.startswith("lang-"):
        result = await run(
            context, user.id, service.switch_language, user.first_name, choice.removeprefix("lang-")
        )
    else:
        result = await run(
            context,
            user.id,
            service.consent,
            choice == "yes",
            update.effective_chat.id,
            language_of(update, context),
            s.settings.country,
            s.settings.timezone,
            s.clock(),
        )
    await deliver(update, context, result)


async def country_choice(update: Update, context: BotContext) -> None:
    """Country decides the help lines; then suggest that country's time zone."""
    query = update.callback_query
    await query.answer()
    country = callbacks.decode(query.data).arg(0)
    result = await run(context, update.effective_user.id, service.choose_country, country)
    await deliver(update, context, result)


async def timezone_choice(update: Update, context: BotContext) -> None:
    """A suggested zone is taken at once; 'other' asks the coachee to type one."""
    query = update.callback_query
    await query.answer()
    s = context.services
    result = await run(
        context,
        update.effective_user.id,
        service.choose_timezone,
        callbacks.decode(query.data).arg(0),
        update.effective_chat.id,
        s.clock(),
        s.texts,
    )
    await deliver(update, context, result)


async def save_timezone(update: Update, context: BotContext, typed: str) -> None:
    """A typed zone, city or country, after the bot asked for one."""
    s = context.services
    result = await run(
        context, update.effective_user.id, service.type_timezone, typed, s.clock(), s.texts
    )
    await deliver(update, context, result)


async def moments_choice(update: Update, context: BotContext) -> None:
    """Defaults accepted ends onboarding; 'change' opens the settings for the moments."""
    query = update.callback_query
    await query.answer()
    s = context.services
    user_id = update.effective_user.id
    if callbacks.decode(query.data).arg(0) == "change":
        context.user_data[AFTER_ONBOARDING] = True
        result = await run(context, user_id, service.change_moments, s.texts, s.clock())
    else:
        result = await run(context, user_id, service.accept_moments, s.texts, s.clock())
    await deliver(update, context, result)
