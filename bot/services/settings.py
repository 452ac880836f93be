"""/settings, /pause and /resume: every onboarding choice can be changed later.

The menu shows what is set now and a button per choice; a choice's options replace it, an
option pressed is saved and the overview comes back with a word on any moment that falls
inside the quiet hours (and a button to move either). While a moment's time buttons are
open, a time typed instead is taken as that moment (the wait of kind "moment").
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, time

from bot.content.loader import Content
from bot.content.ui_texts import SETTINGS_MENU, SHARING
from bot.core import dates, profiles, schedule
from bot.core.awaiting import AwaitedKind
from bot.core.models import Profile
from bot.core.ports import CoacheeFile
from bot.core.questionnaires import QUESTIONNAIRE_WEEKS_CHOICES
from bot.core.rules import PHASE_IDS
from bot.services import actions
from bot.services.onboarding import SETTINGS_ZONE, ask_country, closing, moments_summary
from bot.services.outcome import (
    Choice,
    Message,
    Outcome,
    ReadAsItself,
    Reschedule,
    Text,
    message,
    needs_consent,
    outcome,
    say,
)
from bot.services.waiting import stop_waiting, wait_for

MOMENT_CHOICES = {
    "checkin": ("07:00", "08:00", "09:00", "10:00", "11:00"),
    "exercise": ("10:00", "12:00", "13:00", "15:00", "17:00"),
    "reflection": ("18:00", "19:00", "20:00", "21:00", "22:00"),
}
QUIET_CHOICES = ("22:00-07:30", "23:00-08:00", "21:00-07:00", "00:00-06:00")
MENU = SETTINGS_MENU
# The reference of a moment's wait while only its time buttons are open ("checkin:buttons"):
# a time typed then is taken, any other text is read as itself. After "other time" (the
# reference is the moment alone) a text that is no time is asked again.
BUTTONS = ":buttons"
log = logging.getLogger(__name__)

Row = tuple[Choice, ...]


def _set(label: Text, *args: object) -> Choice:
    """A settings button: its label and what it sets."""
    return Choice(label, actions.SETTINGS, args)


def _raw_button(label: str, *args: object) -> Choice:
    return _set(Text(raw=label), *args)


def _visible_menu(profile: Profile) -> tuple[str, ...]:
    return tuple(what for what in MENU if what != "share" or profiles.can_share(profile))


DONE_ROW: Row = (_set(say("settings.done"), "done"),)
BACK_ROW: Row = (_set(say("settings.back"), "menu"),)


def _quiet(profile: Profile) -> str:
    return f"{profile.quiet_start:%H:%M}-{profile.quiet_end:%H:%M}"


def _sharing(profile: Profile, content: Content) -> str:
    lang = profile.lang
    consent = profile.consent
    shared = [
        content.text(f"settings.shared.{field}", lang)
        for field in SHARING
        if getattr(consent, field)
    ]
    return content.text(
        "settings.sharing",
        lang,
        shared=", ".join(shared) or content.text("settings.shared.none", lang),
    )


def _overview(profile: Profile, content: Content) -> str:
    lang = profile.lang
    return content.text(
        "settings.summary",
        lang,
        language=content.text(f"language.{profile.lang}", lang),
        country=content.text(f"country.{profile.country}", lang),
        timezone=profile.timezone,
        quiet=_quiet(profile),
        phase=content.phase(profile.phase).title.get(lang),
        moments=moments_summary(profile, content),
        questionnaires=(
            content.text("settings.questionnaires.weeks", lang, weeks=profile.questionnaire_weeks)
            if profile.questionnaire_weeks
            else content.text("settings.questionnaires.off", lang)
        ),
    )


def summary(profile: Profile, content: Content) -> str:
    """What is set now (and, with a coach linked, what is shared)."""
    body = _overview(profile, content)
    if profiles.can_share(profile):
        body += "\n" + _sharing(profile, content)
    return body


def menu(profile: Profile, content: Content, edit: bool = False) -> Message:
    rows = [(_set(say(f"settings.menu.{what}"), what),) for what in _visible_menu(profile)]
    return message(Text(raw=summary(profile, content)), choices=(*rows, DONE_ROW), edit=edit)


def show_menu(coachee: CoacheeFile, content: Content) -> Outcome:
    """/settings: what is set now, and a button per choice. A coachee who never chose a
    country (onboarding left at its first question) is asked that first."""
    profile = coachee.profile
    if profile is None:
        return needs_consent()
    if not profiles.country_chosen(profile):
        return outcome(ask_country(), lang=profile.lang)
    return outcome(menu(profile, content), lang=profile.lang)


def _options(profile: Profile, what: str, content: Content) -> tuple[Row, ...]:
    lang = profile.lang
    if what == "lang":
        return tuple((_set(say(f"language.{code}"), "lang", code),) for code in ("nl", "en"))
    if what == "country":
        return tuple((_set(say(f"country.{c}"), "country", c),) for c in ("BE", "NL"))
    if what == "tz":
        zones = tuple(
            (_raw_button(zone, "tz", zone.replace("/", ".")),)
            for zone in profiles.country_zones(profile.country)
        )
        return (*zones, (_set(say("onboarding.timezone_other"), "tz", "other"),))
    if what in MOMENT_CHOICES:
        times = tuple(_raw_button(t, what, t.replace(":", "")) for t in MOMENT_CHOICES[what])
        return (
            times,
            (
                _set(say("settings.other_time"), what, "other"),
                _set(say("settings.off"), what, "off"),
            ),
        )
    if what == "quiet":
        return tuple((_raw_button(q, "quiet", q.replace(":", "")),) for q in QUIET_CHOICES)
    if what == "phase":
        return tuple(
            (
                _raw_button(
                    f"{content.phase(p).number}. {content.phase(p).title.get(lang)}", "phase", p
                ),
            )
            for p in PHASE_IDS
        )
    if what == "questionnaires":
        return (
            *(
                (_set(say("settings.questionnaires.weeks", weeks=weeks), "questionnaires", weeks),)
                for weeks in QUESTIONNAIRE_WEEKS_CHOICES
            ),
            (_set(say("settings.questionnaires.off"), "questionnaires", "off"),),
        )
    if what == "share" and profiles.can_share(profile):
        consent = profile.consent
        return (
            *(
                (
                    _set(
                        say(f"settings.share.{field}.{'on' if on else 'off'}"),
                        "share",
                        field,
                        "0" if on else "1",
                    ),
                )
                for field, on in (
                    ("share_checkins", consent.share_checkins),
                    ("share_alerts", consent.share_alerts),
                    ("share_reflections_default", consent.share_reflections_default),
                )
            ),
            BACK_ROW,
            DONE_ROW,
        )
    return ()


def _hhmm(value: str) -> time:
    return time(int(value[:2]), int(value[2:]))


def _apply(profile: Profile, what: str, value: str, extra: str) -> Profile:
    if what == "lang" and value in ("nl", "en"):
        return replace(profile, lang=value)
    if what == "country":
        return profiles.with_country(profile, value)
    if what == "tz":
        return profiles.with_timezone(profile, value.replace(".", "/"))
    if what in MOMENT_CHOICES:
        return profiles.with_moment(profile, what, None if value == "off" else _hhmm(value))  # type: ignore[arg-type]
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


def choose(
    coachee: CoacheeFile,
    what: str,
    value: str,
    extra: str,
    chat_id: int,
    now: datetime,
    content: Content,
    message_id: int | None = None,
) -> Outcome:
    """A settings button: open a choice's options, or save the option pressed. A button
    under a settings message older than the one last closed with "Klaar" changes nothing."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    lang = profile.lang
    if profiles.settings_message_stale(profile, message_id):
        return outcome(message(say("settings.stale"), edit=True), lang=lang)
    if not (what in MOMENT_CHOICES and value in ("", "other")):
        # Any other button ends a moment's open time question.
        stop_waiting(coachee, now, "moment")
    if what == "menu":
        return outcome(menu(profile, content, edit=True), lang=lang)
    if what == "fix":
        return _fix_clash(coachee, profile, value, extra, content)
    if what not in _visible_menu(profile):
        return outcome(message(say("input.stale_button"), edit=True), lang=lang)
    if what == "phase" and profile.coach_id is not None:
        # With a coach the phase is theirs to set (they plan the coaching): one place only.
        phase = Text(raw=content.phase(profile.phase).title.get(lang))
        told = say("settings.phase_by_coach", phase=phase)
        return outcome(message(told, choices=(BACK_ROW, DONE_ROW), edit=True), lang=lang)
    if not value:
        if what in MOMENT_CHOICES:  # a time typed instead of pressed is taken as well
            wait_for(coachee, "moment", what + BUTTONS, chat_id, now)
        ask = message(
            say(f"settings.ask.{what}"), choices=_options(profile, what, content), edit=True
        )
        return outcome(ask, lang=lang)
    if value == "other":
        kind: AwaitedKind = "timezone" if what == "tz" else "moment"
        wait_for(coachee, kind, SETTINGS_ZONE if what == "tz" else what, chat_id, now)
        prompt = "onboarding.timezone_type" if what == "tz" else "settings.type_time"
        return outcome(message(say(prompt), edit=True), lang=lang)
    try:
        profile = _apply(profile, what, value, extra)
    except ValueError:  # InvalidChoice, or a time like 2561 that no button of ours carries
        return outcome(message(say("input.stale_button"), edit=True), lang=lang)
    if what == "country" and profile.timezone not in profiles.country_zones(profile.country):
        # A new country: offer its zone right away (the old one is kept until chosen).
        coachee.save_profile(profile)
        log.info("settings.changed")
        body = (say("settings.saved"), say("settings.ask.tz"))
        rows = (*_options(profile, "tz", content), BACK_ROW, DONE_ROW)
        return outcome(message(*body, choices=rows, edit=True), lang=profile.lang)
    if what == "share":  # stay in the sharing menu: one switch rarely comes alone
        coachee.save_profile(profile)
        log.info("settings.changed")
        body = (say("settings.saved"), say("settings.ask.share"))
        rows = _options(profile, "share", content)
        return outcome(message(*body, choices=rows, edit=True), lang=profile.lang)
    return _saved(coachee, profile, content, edit=True)


def close(
    coachee: CoacheeFile,
    after_onboarding: bool,
    content: Content,
    message_id: int | None = None,
) -> Outcome:
    """ "Klaar": the menu closes with a word; after onboarding's "Aanpassen" (or with its
    moments question still open), its closing one. Settings messages older than this one
    (`message_id`) are stale from now on."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    changed = profile
    if message_id is not None:
        changed = profiles.with_settings_closed(changed, message_id)
    ends_onboarding = profile.onboarding == "moments" or (
        after_onboarding and profiles.country_chosen(profile)
    )
    if ends_onboarding:
        changed = profiles.onboarded(changed)
    if changed != profile:
        coachee.save_profile(changed)
    if ends_onboarding:
        return outcome(closing(profile, content), lang=profile.lang)
    return outcome(message(say("settings.closed"), edit=True), lang=profile.lang)


def _fix_clash(
    coachee: CoacheeFile, profile: Profile, kind: str, how: str, content: Content
) -> Outcome:
    """A way out of a moment inside the quiet hours, worked out again from what is stored."""
    clash = schedule.quiet_clash(profile, kind) if kind in MOMENT_CHOICES else None  # type: ignore[arg-type]
    if clash is None or how not in ("moment", "quiet"):
        return outcome(menu(profile, content, edit=True), lang=profile.lang)
    if how == "moment":
        profile = profiles.with_moment(profile, clash.kind, clash.moment_instead)
    else:
        profile = profiles.with_quiet_hours(profile, *clash.quiet_instead)
    return _saved(coachee, profile, content, edit=True)


def _clashes(profile: Profile) -> tuple[list[Text], list[Row]]:
    """What to say about moments inside the quiet hours, and the buttons to move either."""
    lines: list[Text] = []
    rows: list[Row] = []
    for clash in schedule.quiet_clashes(profile):
        values: dict[str, object] = {
            "item": say(f"settings.menu.{clash.kind}"),
            "chosen": f"{clash.chosen:%H:%M}",
            "quiet": _quiet(profile),
        }
        if clash.comes_at is None:
            lines.append(say("settings.clash.never", **values))
        else:
            lines.append(say("settings.clash.moved", time=f"{clash.comes_at:%H:%M}", **values))
        start, end = clash.quiet_instead
        rows.append(
            (
                _set(
                    say("settings.fix.moment", time=f"{clash.moment_instead:%H:%M}"),
                    "fix",
                    clash.kind,
                    "moment",
                ),
                _set(
                    say("settings.fix.quiet", quiet=f"{start:%H:%M}-{end:%H:%M}"),
                    "fix",
                    clash.kind,
                    "quiet",
                ),
            )
        )
    return lines, rows


def _saved(coachee: CoacheeFile, profile: Profile, content: Content, edit: bool) -> Outcome:
    """Stored, the reminders planned again, and the overview with any quiet-hour clash."""
    coachee.save_profile(profile)
    log.info("settings.changed")
    lines, fixes = _clashes(profile)
    lang = profile.lang
    body = [
        say("settings.saved"),
        *(Text(raw=_render(line, lang, content)) for line in lines),
        Text(raw=summary(profile, content)),
    ]
    return outcome(
        message(*body, choices=(*fixes, BACK_ROW, DONE_ROW), edit=edit),
        effects=(Reschedule(),),
        lang=lang,
    )


def _render(text: Text, lang: str, content: Content) -> str:
    values = {
        k: content.text(v.id, lang) if isinstance(v, Text) else v for k, v in text.values.items()
    }
    return content.text(text.id, lang, **values)


def type_moment(
    coachee: CoacheeFile, reference: str, typed: str, now: datetime, content: Content
) -> Outcome:
    """A time typed for a moment (the wait's `reference`): saved as if its button had been
    pressed. Not a time: asked again after "other time", and after a try at one that is no
    time of day ("25:99"); read as itself while only the buttons were open (the coachee may
    well be writing about something else)."""
    profile = coachee.profile
    if profile is None:
        return Outcome()
    kind = reference.removesuffix(BUTTONS)
    try:
        at = profiles.parse_time_of_day(typed)
        changed = profiles.with_moment(profile, kind, at)  # type: ignore[arg-type]
    except profiles.InvalidChoice:
        if reference.endswith(BUTTONS) and not profiles.looks_like_time(typed):
            stop_waiting(coachee, now, "moment")
            return Outcome(effects=(ReadAsItself(),), lang=profile.lang)
        return outcome(message(say("settings.time_unknown")), lang=profile.lang)
    stop_waiting(coachee, now, "moment")
    return _saved(coachee, changed, content, edit=False)


def pause(coachee: CoacheeFile, typed_days: str | None, now: datetime) -> Outcome:
    """/pause [days]: no reminders for a while (default a week); /sos and commands still work."""
    profile = coachee.profile
    if profile is None:
        return needs_consent()
    lang = profile.lang
    try:
        days = int(typed_days) if typed_days else profiles.DEFAULT_PAUSE_DAYS
        profile = profiles.paused(profile, days, now)
    except (ValueError, profiles.InvalidChoice):
        return outcome(message(say("pause.invalid", max=profiles.MAX_PAUSE_DAYS)), lang=lang)
    coachee.save_profile(profile)
    log.info("pause.started")
    assert profile.paused_until is not None
    until = dates.day_text(
        schedule.local_today(profile, profile.paused_until),
        lang,
        schedule.local_today(profile, now),
    )
    period = say("pause.days.one" if days == 1 else "pause.days.other", days=days)
    return outcome(
        message(say("pause.started", days=period, until=until)),
        effects=(Reschedule(),),
        lang=lang,
    )


def resume(coachee: CoacheeFile, now: datetime) -> Outcome:
    """/resume: reminders again from now on."""
    profile = coachee.profile
    if profile is None:
        return needs_consent()
    if not profiles.is_paused(profile, now):
        return outcome(message(say("pause.not_paused")), lang=profile.lang)
    coachee.save_profile(profiles.resumed(profile))
    return outcome(message(say("pause.resumed")), effects=(Reschedule(),), lang=profile.lang)
