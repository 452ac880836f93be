"""/settings, /pause and /resume: every onboarding choice can be changed later."""

from __future__ import annotations

import logging
from datetime import time

from telegram import Update
from telegram.ext import ContextTypes

from bot.content.schema import PHASE_IDS
from bot.content.ui_texts import SETTINGS_MENU, SHARING
from bot.core import dates, profiles, schedule
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


def _visible_menu(profile: Profile) -> tuple[str, ...]:
    return tuple(what for what in MENU if what != "share" or profiles.can_share(profile))


def _done_row(context, lang: str) -> list[tuple[str, str]]:
    return [_button(context, lang, "settings.done", "done")]


def _sharing(context: ContextTypes.DEFAULT_TYPE, profile: Profile) -> str:
    lang = profile.lang
    consent = profile.consent
    shared = [
        text(context, f"settings.shared.{field}", lang)
        for field in SHARING
        if getattr(consent, field)
    ]
    return text(
        context,
        "settings.sharing",
        lang,
        shared=", ".join(shared) or text(context, "settings.shared.none", lang),
    )


def _summary(context: ContextTypes.DEFAULT_TYPE, profile: Profile) -> str:
    body = _overview(context, profile)
    if profiles.can_share(profile):
        body += "\n" + _sharing(context, profile)
    return body


def _quiet(profile: Profile) -> str:
    return f"{profile.quiet_start:%H:%M}-{profile.quiet_end:%H:%M}"


def _overview(context: ContextTypes.DEFAULT_TYPE, profile: Profile) -> str:
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
        quiet=_quiet(profile),
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
    if not edit_message:  # typed /settings: no longer onboarding's "Aanpassen"
        context.user_data.pop("onboarding_settings", None)
    profile = await require_profile(update, context)
    if profile is None:
        return
    lang = profile.lang
    rows = [
        [_button(context, lang, f"settings.menu.{what}", what)] for what in _visible_menu(profile)
    ]
    rows.append(_done_row(context, lang))
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
            for zone in profiles.country_zones(profile.country)
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
    if what == "share" and profiles.can_share(profile):
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
        ] + [[_button(context, lang, "settings.back", "menu")], _done_row(context, lang)]
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
    if what == "done":
        await _close(update, context, profile)
        return
    if what == "fix":
        await _fix_clash(update, context, profile, value, extra)
        return
    if what not in _visible_menu(profile):
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
    if what == "country" and profile.timezone not in profiles.country_zones(profile.country):
        # A new country: offer its zone right away (the old one is kept until chosen).
        services(context).repo.save_profile(profile)
        log.info("settings.changed")
        body = text(context, "settings.saved", profile.lang) + "\n\n"
        body += text(context, "settings.ask.tz", profile.lang)
        rows = _options(context, profile, "tz")
        rows += [
            [_button(context, profile.lang, "settings.back", "menu")],
            _done_row(context, profile.lang),
        ]
        await edit(update, context, body, rows)
        return
    if what == "share":  # stay in the sharing menu: one switch rarely comes alone
        services(context).repo.save_profile(profile)
        log.info("settings.changed")
        body = text(context, "settings.saved", profile.lang) + "\n\n"
        body += text(context, "settings.ask.share", profile.lang)
        await edit(update, context, body, _options(context, profile, "share"))
        return
    await _saved(update, context, profile, edit_message=True)


async def _close(update: Update, context: ContextTypes.DEFAULT_TYPE, profile: Profile) -> None:
    """ "Klaar": the menu closes with a word; after onboarding's "Aanpassen", its closing one."""
    if context.user_data.pop("onboarding_settings", None):
        phase = services(context).texts.phase(profile.phase).title.get(profile.lang)
        await edit(update, context, text(context, "onboarding.done", profile.lang, phase=phase))
        return
    await edit(update, context, text(context, "settings.closed", profile.lang))


async def _fix_clash(
    update: Update, context: ContextTypes.DEFAULT_TYPE, profile: Profile, kind: str, how: str
) -> None:
    """A way out of a moment inside the quiet hours, worked out again from what is stored."""
    clash = schedule.quiet_clash(profile, kind) if kind in MOMENT_CHOICES else None
    if clash is None or how not in ("moment", "quiet"):
        await show_menu(update, context, edit_message=True)
        return
    if how == "moment":
        profile = profiles.with_moment(profile, clash.kind, clash.moment_instead)
    else:
        profile = profiles.with_quiet_hours(profile, *clash.quiet_instead)
    await _saved(update, context, profile, edit_message=True)


def _clash_texts(context, profile: Profile) -> tuple[str, list[list[tuple[str, str]]]]:
    """What to say about moments inside the quiet hours, and the buttons to move either."""
    lang = profile.lang
    lines, rows = [], []
    for clash in schedule.quiet_clashes(profile):
        values = {
            "item": text(context, f"settings.menu.{clash.kind}", lang),
            "chosen": f"{clash.chosen:%H:%M}",
            "quiet": _quiet(profile),
        }
        if clash.comes_at is None:
            lines.append(text(context, "settings.clash.never", lang, **values))
        else:
            lines.append(
                text(
                    context, "settings.clash.moved", lang, time=f"{clash.comes_at:%H:%M}", **values
                )
            )
        start, end = clash.quiet_instead
        rows.append(
            [
                _button(
                    context,
                    lang,
                    "settings.fix.moment",
                    "fix",
                    clash.kind,
                    "moment",
                    time=f"{clash.moment_instead:%H:%M}",
                ),
                _button(
                    context,
                    lang,
                    "settings.fix.quiet",
                    "fix",
                    clash.kind,
                    "quiet",
                    quiet=f"{start:%H:%M}-{end:%H:%M}",
                ),
            ]
        )
    return "\n\n".join(lines), rows


async def _saved(
    update: Update, context: ContextTypes.DEFAULT_TYPE, profile: Profile, edit_message: bool
) -> None:
    s = services(context)
    s.repo.save_profile(profile)
    jobs.schedule_reminders(context.application, profile.user_id)
    log.info("settings.changed")
    body = text(context, "settings.saved", profile.lang)
    clashes, fixes = _clash_texts(context, profile)
    if clashes:
        body += "\n\n" + clashes
    body += "\n\n" + _summary(context, profile)
    back = [*fixes, [_button(context, profile.lang, "settings.back", "menu")]]
    back.append(_done_row(context, profile.lang))
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
    now = s.clock()
    until = dates.day_text(
        schedule.local_today(profile, profile.paused_until),
        profile.lang,
        schedule.local_today(profile, now),
    )
    await reply(update, context, "pause.started", days=days, until=until)


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/resume: reminders again from now on."""
    profile = await require_profile(update, context)
    if profile is None:
        return
    s = services(context)
    if not profiles.is_paused(profile, s.clock()):
        await reply(update, context, "pause.not_paused")
        return
    s.repo.save_profile(profiles.resumed(profile))
    jobs.schedule_reminders(context.application, profile.user_id)
    await reply(update, context, "pause.resumed")
