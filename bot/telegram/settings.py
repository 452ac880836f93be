"""/settings, /pause and /resume: every onboarding choice can be changed later."""

from __future__ import annotations

import logging
from datetime import time

from telegram import Update
from telegram.ext import ContextTypes

from bot.content.schema import PHASE_IDS
from bot.content.ui_texts import SETTINGS_MENU
from bot.core import profiles
from bot.core.awaiting import AwaitedKind
from bot.core.models import Profile
from bot.core.questionnaires import QUESTIONNAIRE_WEEKS_CHOICES
from bot.telegram import awaited, callbacks, jobs
from bot.telegram.context import services
from bot.telegram.replies import edit, pressed, reply, require_profile, send, text

log = logging.getLogger(__name__)

MOMENT_CHOICES = {
    "checkin": ("07:00", "08:00", "09:00", "10:00", "11:00"),
    "exercise": ("10:00", "12:00", "13:00", "15:00", "17:00"),
    "reflection": ("18:00", "19:00", "20:00", "21:00", "22:00"),
}
QUIET_CHOICES = ("22:00-07:30", "23:00-08:00", "21:00-07:00", "00:00-06:00")
MENU = SETTINGS_MENU


def _button(context, lang: str, text_id: str, *args: object, **values) -> tuple[str, str]:
    return (text(context, text_id, lang, **values), callbacks.encode(callbacks.SETTINGS, *args))


def _summary(context: ContextTypes.DEFAULT_TYPE, profile: Profile) -> str:
    from bot.telegram.onboarding import moments_summary

    s = services(context)
    lang = profile.lang
    return text(
        context,
        "settings.summary",
        lang,
        language=text(context, f"language.{profile.lang}", lang),
        country=text(context, f"country.{profile.country}", lang),
        timezone=profile.timezone,
        quiet=f"{profile.quiet_start:%H:%M}-{profile.quiet_end:%H:%M}",
        phase=s.texts.phase(profile.phase).title.get(lang),
        moments=moments_summary(context, profile),
        questionnaires=(
            text(context, "settings.questionnaires.weeks", lang, weeks=profile.questionnaire_weeks)
            if profile.questionnaire_weeks
            else text(context, "settings.questionnaires.off", lang)
        ),
    )


async def show_menu(
    update: Update, context: ContextTypes.DEFAULT_TYPE, edit_message: bool = False
) -> None:
    """/settings: what is set now, and a button per choice."""
    profile = await require_profile(update, context)
    if profile is None:
        return
    lang = profile.lang
    rows = [[_button(context, lang, f"settings.menu.{what}", what)] for what in MENU]
    body = _summary(context, profile)
    if edit_message:
        await edit(update, context, body, rows)
    else:
        await send(context, update.effective_chat.id, body, rows)


def _options(context, profile: Profile, what: str) -> list[list[tuple[str, str]]]:
    lang = profile.lang
    if what == "lang":
        return [[_button(context, lang, f"language.{code}", "lang", code)] for code in ("nl", "en")]
    if what == "country":
        return [[_button(context, lang, f"country.{c}", "country", c)] for c in ("BE", "NL")]
    if what == "tz":
        return [
            [(zone, callbacks.encode(callbacks.SETTINGS, "tz", zone.replace("/", ".")))]
            for zone in ("Europe/Brussels", "Europe/Amsterdam")
        ] + [[_button(context, lang, "onboarding.timezone_other", "tz", "other")]]
    if what in MOMENT_CHOICES:
        times = [
            (t, callbacks.encode(callbacks.SETTINGS, what, t.replace(":", "")))
            for t in MOMENT_CHOICES[what]
        ]
        return [
            times,
            [
                _button(context, lang, "settings.other_time", what, "other"),
                _button(context, lang, "settings.off", what, "off"),
            ],
        ]
    if what == "quiet":
        return [
            [(q, callbacks.encode(callbacks.SETTINGS, "quiet", q.replace(":", "")))]
            for q in QUIET_CHOICES
        ]
    if what == "phase":
        s = services(context)
        return [
            [
                (
                    f"{s.texts.phase(p).number}. {s.texts.phase(p).title.get(lang)}",
                    callbacks.encode(callbacks.SETTINGS, "phase", p),
                )
            ]
            for p in PHASE_IDS
        ]
    if what == "questionnaires":
        return [
            [
                _button(
                    context,
                    lang,
                    "settings.questionnaires.weeks",
                    "questionnaires",
                    weeks,
                    weeks=weeks,
                )
            ]
            for weeks in QUESTIONNAIRE_WEEKS_CHOICES
        ] + [[_button(context, lang, "settings.questionnaires.off", "questionnaires", "off")]]
    if what == "share":
        consent = profile.consent
        return [
            [
                _button(
                    context,
                    lang,
                    f"settings.share.{field}.{'on' if on else 'off'}",
                    "share",
                    field,
                    "0" if on else "1",
                )
            ]
            for field, on in (
                ("share_checkins", consent.share_checkins),
                ("share_alerts", consent.share_alerts),
                ("share_reflections_default", consent.share_reflections_default),
            )
        ]
    return []


def _hhmm(value: str) -> time:
    return time(int(value[:2]), int(value[2:]))


def _apply(profile: Profile, what: str, value: str, extra: str) -> Profile:
    from dataclasses import replace

    if what == "lang" and value in ("nl", "en"):
        return replace(profile, lang=value)
    if what == "country":
        return profiles.with_country(profile, value)
    if what == "tz":
        return profiles.with_timezone(profile, value.replace(".", "/"))
    if what in MOMENT_CHOICES:
        return profiles.with_moment(profile, what, None if value == "off" else _hhmm(value))
    if what == "quiet":
        start, end = value.split("-")
        return profiles.with_quiet_hours(profile, _hhmm(start), _hhmm(end))
    if what == "phase" and value in PHASE_IDS:
        return replace(profile, phase=value)
    if what == "share":
        return profiles.with_sharing(profile, value, extra == "1")
    if what == "questionnaires":
        weeks = None if value == "off" else int(value)
        if weeks is not None and weeks not in QUESTIONNAIRE_WEEKS_CHOICES:
            raise profiles.InvalidChoice(value)
        return replace(profile, questionnaire_weeks=weeks)
    raise profiles.InvalidChoice(what)


async def choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A settings button: open a choice's options, or save the option pressed."""
    profile = await pressed(update, context)
    if profile is None:
        return
    payload = callbacks.decode(update.callback_query.data)
    what, value, extra = payload.arg(0), payload.arg(1), payload.arg(2)
    if what == "menu":
        await show_menu(update, context, edit_message=True)
        return
    if what not in MENU:
        await edit(update, context, text(context, "input.stale_button", profile.lang))
        return
    if not value:
        await edit(
            update,
            context,
            text(context, f"settings.ask.{what}", profile.lang),
            _options(context, profile, what),
        )
        return
    if value == "other":
        kind: AwaitedKind = "timezone" if what == "tz" else "moment"
        awaited.wait_for(context, profile.user_id, update.effective_chat.id, kind, what)
        await edit(
            update,
            context,
            text(
                context,
                "onboarding.timezone_type" if what == "tz" else "settings.type_time",
                profile.lang,
            ),
        )
        return
    try:
        profile = _apply(profile, what, value, extra)
    except ValueError:  # InvalidChoice, or a time like 2561 that no button of ours carries
        await edit(update, context, text(context, "input.stale_button", profile.lang))
        return
    await _saved(update, context, profile, edit_message=True)


async def _saved(
    update: Update, context: ContextTypes.DEFAULT_TYPE, profile: Profile, edit_message: bool
) -> None:
    s = services(context)
    s.repo.save_profile(profile)
    jobs.schedule_reminders(context.application, profile.user_id)
    log.info("settings.changed")
    body = text(context, "settings.saved", profile.lang) + "\n\n" + _summary(context, profile)
    back = [[_button(context, profile.lang, "settings.back", "menu")]]
    if edit_message:
        await edit(update, context, body, back)
    else:
        await send(context, update.effective_chat.id, body, back)


async def save_typed_moment(
    update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str, typed: str
) -> None:
    s = services(context)
    profile = s.repo.load_profile(update.effective_user.id)
    if profile is None:
        return
    try:
        at = profiles.parse_time_of_day(typed)
    except profiles.InvalidChoice:
        await reply(update, context, "settings.time_unknown")
        return
    await _saved(update, context, profiles.with_moment(profile, kind, at), edit_message=False)
    awaited.stop_waiting(context, profile.user_id, "moment")


async def pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pause [days]: no reminders for a while (default a week); /sos and commands still work."""
    profile = await require_profile(update, context)
    if profile is None:
        return
    s = services(context)
    try:
        days = int(context.args[0]) if context.args else profiles.DEFAULT_PAUSE_DAYS
        profile = profiles.paused(profile, days, s.clock())
    except (ValueError, profiles.InvalidChoice):
        await reply(update, context, "pause.invalid", max=profiles.MAX_PAUSE_DAYS)
        return
    s.repo.save_profile(profile)
    jobs.schedule_reminders(context.application, profile.user_id)
    log.info("pause.started")
    await reply(
        update, context, "pause.started", days=days, until=profile.paused_until.strftime("%Y-%m-%d")
    )


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/resume: reminders again from now on."""
    profile = await require_profile(update, context)
    if profile is None:
        return
    s = services(context)
    s.repo.save_profile(profiles.resumed(profile))
    jobs.schedule_reminders(context.application, profile.user_id)
    await reply(update, context, "pause.resumed")
