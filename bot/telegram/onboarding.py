"""/start: who the bot is, consent first, then country, time zone and the daily moments.

Nothing is stored before the coachee says yes; a no keeps only that no.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.core import profiles, schedule
from bot.telegram import awaited, callbacks, jobs
from bot.telegram.context import language_of, services
from bot.telegram.replies import edit, pressed, reply, send, text

log = logging.getLogger(__name__)


def _consent_buttons(context: ContextTypes.DEFAULT_TYPE, lang: str) -> list[list[tuple[str, str]]]:
    other = "en" if lang == "nl" else "nl"
    return [
        [(text(context, "consent.yes", lang), callbacks.encode(callbacks.CONSENT, "yes"))],
        [(text(context, "consent.no", lang), callbacks.encode(callbacks.CONSENT, "no"))],
        [
            (
                text(context, "consent.switch_language", lang),
                callbacks.encode(callbacks.CONSENT, f"lang-{other}"),
            )
        ],
    ]


def _introduction(context: ContextTypes.DEFAULT_TYPE, lang: str, name: str) -> str:
    return "\n\n".join(
        [
            text(context, "start.greeting", lang, name=name),
            text(context, "start.what_we_are", lang),
            text(context, "consent.ask", lang),
        ]
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet; a known coachee gets a short welcome back, a new one the consent question."""
    s = services(context)
    user = update.effective_user
    if context.args:
        context.user_data["invite"] = context.args[0][:64]
    profile = s.repo.load_profile(user.id)
    lang = language_of(update, context)
    if profile is not None:
        await reply(update, context, "start.welcome_back", name=user.first_name)
        return
    await send(
        context,
        update.effective_chat.id,
        _introduction(context, lang, user.first_name),
        _consent_buttons(context, lang),
    )


async def consent_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Yes creates the profile; no keeps only the refusal; a language switch re-asks."""
    query = update.callback_query
    await query.answer()
    s = services(context)
    user = update.effective_user
    choice = callbacks.decode(query.data).arg(0)
    if choice.startswith("lang-"):
        lang = "en" if choice == "lang-en" else "nl"
        context.user_data["lang"] = lang
        await edit(
            update,
            context,
            _introduction(context, lang, user.first_name),
            _consent_buttons(context, lang),
        )
        return
    lang = language_of(update, context)
    if s.repo.load_profile(user.id) is not None:
        await edit(update, context, text(context, "consent.already", lang))
        return
    now = s.clock()
    if choice != "yes":
        s.repo.record_refusal(user.id, now)
        log.info("consent.refused")
        await edit(update, context, text(context, "consent.refused", lang))
        return
    profile = profiles.new_profile(
        user.id, update.effective_chat.id, lang, s.settings.country, s.settings.timezone, now
    )
    s.repo.record_consent(user.id)  # lifts the tombstone of an earlier /delete
    s.repo.save_profile(profile)
    log.info("consent.given user=%s", user.id)
    context.user_data["onboarding"] = True
    await edit(update, context, text(context, "consent.thanks", lang))
    await send(
        context,
        update.effective_chat.id,
        text(context, "onboarding.country", lang),
        [
            [
                (text(context, "country.BE", lang), callbacks.encode(callbacks.COUNTRY, "BE")),
                (text(context, "country.NL", lang), callbacks.encode(callbacks.COUNTRY, "NL")),
            ]
        ],
    )


def timezone_buttons(
    context: ContextTypes.DEFAULT_TYPE, lang: str, suggested: str
) -> list[list[tuple[str, str]]]:
    return [
        [(suggested, callbacks.encode(callbacks.TIMEZONE, suggested.replace("/", ".")))],
        [
            (
                text(context, "onboarding.timezone_other", lang),
                callbacks.encode(callbacks.TIMEZONE, "other"),
            )
        ],
    ]


async def country_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Country decides the help lines; then suggest that country's time zone."""
    profile = await pressed(update, context)
    if profile is None:
        return
    s = services(context)
    profile = profiles.with_country(profile, callbacks.decode(update.callback_query.data).arg(0))
    s.repo.save_profile(profile)
    lang = profile.lang
    suggested = profiles.country_zones(profile.country)[0]
    await edit(update, context, text(context, f"country.{profile.country}", lang))
    await send(
        context,
        update.effective_chat.id,
        text(context, "onboarding.timezone", lang, timezone=suggested),
        timezone_buttons(context, lang, suggested),
    )


async def timezone_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A suggested zone is taken at once; 'other' asks the coachee to type one."""
    profile = await pressed(update, context)
    if profile is None:
        return
    choice = callbacks.decode(update.callback_query.data).arg(0)
    if choice == "other":
        awaited.wait_for(context, profile.user_id, update.effective_chat.id, "timezone")
        await edit(update, context, text(context, "onboarding.timezone_type", profile.lang))
        return
    await save_timezone(update, context, choice.replace(".", "/"), edit_message=True)


async def save_timezone(
    update: Update, context: ContextTypes.DEFAULT_TYPE, typed: str, edit_message: bool = False
) -> None:
    s = services(context)
    profile = s.repo.load_profile(update.effective_user.id)
    if profile is None:
        return
    try:
        zone = profiles.parse_timezone(typed, profile.country)
    except profiles.InvalidChoice:
        await reply(update, context, "onboarding.timezone_unknown")
        return
    s.repo.save_profile(profiles.with_timezone(profile, zone))
    awaited.stop_waiting(context, profile.user_id, "timezone")
    confirmation = text(context, "onboarding.timezone_saved", profile.lang, timezone=zone)
    if edit_message:
        await edit(update, context, confirmation)
    else:
        await send(context, update.effective_chat.id, confirmation)
    jobs.schedule_reminders(context.application, profile.user_id)
    if context.user_data.get("onboarding"):
        await ask_moments(update, context)


def _moment_line(context: ContextTypes.DEFAULT_TYPE, profile, kind: str) -> str:
    """A daily moment as it really comes: quiet hours move or drop it (schedule.comes_at)."""
    lang = profile.lang
    at = profile.moments.at(kind)
    if at is None:
        when = text(context, "moments.off", lang)
    else:
        comes = schedule.comes_at(profile, at)
        if comes is None:
            when = text(context, "moments.never", lang, chosen=f"{at:%H:%M}")
        elif comes != at:
            when = text(context, "moments.moved", lang, time=f"{comes:%H:%M}", chosen=f"{at:%H:%M}")
        else:
            when = f"{at:%H:%M}"
    return text(context, f"moments.{kind}", lang, time=when)


def moments_summary(context: ContextTypes.DEFAULT_TYPE, profile) -> str:
    return "\n".join(
        _moment_line(context, profile, kind) for kind in ("checkin", "exercise", "reflection")
    )


async def ask_moments(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    profile = services(context).repo.load_profile(update.effective_user.id)
    lang = profile.lang
    await send(
        context,
        update.effective_chat.id,
        text(context, "onboarding.moments", lang) + "\n" + moments_summary(context, profile),
        [
            [
                (
                    text(context, "onboarding.moments_ok", lang),
                    callbacks.encode(callbacks.MOMENTS, "ok"),
                ),
                (
                    text(context, "onboarding.moments_change", lang),
                    callbacks.encode(callbacks.MOMENTS, "change"),
                ),
            ]
        ],
    )


async def moments_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Defaults accepted ends onboarding; 'change' opens the settings for the moments."""
    from bot.telegram import settings

    profile = await pressed(update, context)
    if profile is None:
        return
    s = services(context)
    context.user_data.pop("onboarding", None)
    jobs.schedule_reminders(context.application, profile.user_id)
    if callbacks.decode(update.callback_query.data).arg(0) == "change":
        # The settings' "Klaar" then ends onboarding with its closing message.
        context.user_data["onboarding_settings"] = True
        await settings.show_menu(update, context, edit_message=True)
        return
    phase = s.texts.phase(profile.phase).title.get(profile.lang)
    await edit(update, context, text(context, "onboarding.done", profile.lang, phase=phase))
