"""/start: who the bot is, consent first, then country, time zone and the daily moments.

Nothing is stored before the coachee says yes: the introduction, a language switch (kept for
the chat session only) and a "no" (only that no is kept) write no profile. The yes lifts an
erasure's tombstone (CoacheeFile.record_consent) and makes the profile in the same write.

Onboarding asks the moments after the time zone. Whether a zone is chosen during onboarding
is read from the question itself, so it survives a restart: onboarding's zone buttons carry
their own action (actions.TIMEZONE), and a typed zone answers a wait whose reference is
ONBOARDING (the settings' own wait has reference "tz").

Each onboarding question on buttons (country, zone, moments) waits for them (bot.core.awaiting
kind "onboarding"): a text typed meanwhile is pointed at the question, not offered a
check-in before the country and zone are chosen. The moments' answer ends that wait.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.content.loader import Content
from bot.core import profiles, schedule
from bot.core.awaiting import EXPIRY
from bot.core.models import Profile
from bot.core.ports import CoacheeFile
from bot.services import actions
from bot.services.outcome import (
    AwaitReplyTo,
    Choice,
    Message,
    Outcome,
    RecordRefusal,
    RememberLanguage,
    Reschedule,
    Text,
    TrackConsentQuestion,
    message,
    needs_consent,
    outcome,
    say,
)
from bot.services.waiting import current, stop_waiting, wait_for

ONBOARDING = "onboarding"  # the reference of onboarding's "type your zone" wait
SETTINGS_ZONE = "tz"  # the reference of the settings' one
MOMENT_KINDS = ("checkin", "exercise", "reflection")
log = logging.getLogger(__name__)


def _consent_choices(lang: str) -> tuple[tuple[Choice, ...], ...]:
    other = "en" if lang == "nl" else "nl"
    return (
        (Choice(say("consent.yes"), actions.CONSENT, ("yes",)),),
        (Choice(say("consent.no"), actions.CONSENT, ("no",)),),
        (Choice(say("consent.switch_language"), actions.CONSENT, (f"lang-{other}",)),),
    )


def _introduction(lang: str, name: str, edit: bool = False) -> Message:
    return message(
        say("start.greeting", name=name),
        say("start.what_we_are"),
        say("consent.ask"),
        choices=_consent_choices(lang),
        edit=edit,
    )


def start(
    coachee: CoacheeFile,
    name: str,
    lang: str,
    content: Content,
    invited: bool = False,
    consent_asked: datetime | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Greet; a known coachee gets a short welcome back, a new one the consent question in
    `lang` (Telegram's hint or the language chosen before; nothing is stored). A coachee
    halfway through onboarding gets its open question again (the country first: it decides
    the help lines, and the operator's default is never kept without being chosen).

    Opened from an invitation link (`invited`) while the consent question shown at
    `consent_asked` is still open, it says nothing: the invitation that follows points up at
    that question ("first say above..."), and its buttons work once the coachee said yes."""
    profile = coachee.profile
    if profile is not None:
        if profile.onboarding is not None:
            return outcome(
                open_question(profile, content),
                effects=(AwaitReplyTo("onboarding"),),
                lang=profile.lang,
            )
        return outcome(message(say("start.welcome_back", name=name)), lang=profile.lang)
    if invited and consent_open(consent_asked, now):
        return Outcome(lang=lang)
    return introduce(name, lang)


def introduce(name: str, lang: str) -> Outcome:
    """What the bot is and the consent question, remembered as open for this chat session
    (nothing is stored)."""
    return outcome(_introduction(lang, name), effects=(TrackConsentQuestion(True),), lang=lang)


def consent_open(asked: datetime | None, now: datetime | None) -> bool:
    """Open as long as onboarding's own questions are: after that the question is far up the
    chat, and asking it again beats pointing at it."""
    return asked is not None and now is not None and now - asked < EXPIRY["onboarding"]


def ask_country() -> Message:
    return message(
        say("onboarding.country"),
        choices=(
            (
                Choice(say("country.BE"), actions.COUNTRY, ("BE",)),
                Choice(say("country.NL"), actions.COUNTRY, ("NL",)),
            ),
        ),
    )


def ask_timezone(profile: Profile) -> Message:
    zones = profiles.country_zones(profile.country)
    suggested = zones[0] if zones else profile.timezone
    return message(say("onboarding.timezone", timezone=suggested), choices=_zone_choices(suggested))


def open_question(profile: Profile, content: Content) -> Message:
    """Onboarding's question still open for `profile` (its step is stored with it)."""
    if profile.onboarding == "country":
        return ask_country()
    if profile.onboarding == "timezone":
        return ask_timezone(profile)
    return ask_moments(profile, content)


def switch_language(coachee: CoacheeFile, name: str, lang: str) -> Outcome:
    """The consent question again in the other language; remembered for this chat session
    only, stored with the profile when the coachee says yes."""
    lang = "en" if lang == "en" else "nl"
    return outcome(
        _introduction(lang, name, edit=True), effects=(RememberLanguage(lang),), lang=lang
    )


def consent(
    coachee: CoacheeFile,
    yes: bool,
    chat_id: int,
    lang: str,
    country: str,
    timezone: str,
    now: datetime,
) -> Outcome:
    """Yes makes the profile (with the operator's default country and zone) and asks the
    country; no keeps only the refusal. Someone who consented already is told so; a yes
    again while onboarding goes on (a double tap) keeps the thanks."""
    profile = coachee.profile
    if profile is not None:
        if yes and profile.onboarding is not None:
            return outcome(message(say("consent.thanks"), edit=True), lang=profile.lang)
        return outcome(message(say("consent.already"), edit=True), lang=profile.lang)
    if not yes:
        log.info("consent.refused")
        return Outcome(
            (message(say("consent.refused"), edit=True),),
            (RecordRefusal(now), TrackConsentQuestion(False)),
            lang=lang,
            consented=False,
        )
    profile = profiles.new_profile(coachee.user_id, chat_id, lang, country, timezone, now)
    coachee.record_consent()  # lifts the tombstone of an earlier /delete
    coachee.save_profile(profile)
    log.info("consent.given user=%s", coachee.user_id)
    return outcome(
        message(say("consent.thanks"), edit=True),
        ask_country(),
        effects=(AwaitReplyTo("onboarding"), TrackConsentQuestion(False)),
        lang=lang,
    )


def _zone_choices(suggested: str) -> tuple[tuple[Choice, ...], ...]:
    return (
        (Choice(Text(raw=suggested), actions.TIMEZONE, (suggested.replace("/", "."),)),),
        (Choice(say("onboarding.timezone_other"), actions.TIMEZONE, ("other",)),),
    )


def choose_country(coachee: CoacheeFile, country: str) -> Outcome:
    """The country decides the help lines; then that country's time zone is suggested."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    try:
        profile = profiles.with_country(profile, country)
    except profiles.InvalidChoice:
        return outcome(message(say("input.stale_button"), edit=True), lang=profile.lang)
    coachee.save_profile(profile)
    return outcome(
        message(say(f"country.{profile.country}"), edit=True),
        ask_timezone(profile),
        effects=(AwaitReplyTo("onboarding"),),
        lang=profile.lang,
    )


def choose_timezone(
    coachee: CoacheeFile, choice: str, chat_id: int, now: datetime, content: Content
) -> Outcome:
    """A suggested zone is taken at once; 'other' asks the coachee to type one."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    if choice == "other":
        wait_for(coachee, "timezone", ONBOARDING, chat_id, now)
        return outcome(message(say("onboarding.timezone_type"), edit=True), lang=profile.lang)
    return _save_timezone(coachee, profile, choice.replace(".", "/"), now, content, True, True)


def type_timezone(coachee: CoacheeFile, typed: str, now: datetime, content: Content) -> Outcome:
    """A typed zone, city or country (the bot asked for one): saved, or asked again kindly.
    During onboarding the moments come next."""
    profile = coachee.profile
    if profile is None:
        return Outcome()
    state = current(coachee)
    during_onboarding = state is None or state.reference != SETTINGS_ZONE
    return _save_timezone(coachee, profile, typed, now, content, False, during_onboarding)


def _save_timezone(
    coachee: CoacheeFile,
    profile: Profile,
    typed: str,
    now: datetime,
    content: Content,
    edit: bool,
    during_onboarding: bool,
) -> Outcome:
    try:
        zone = profiles.parse_timezone(typed, profile.country)
    except profiles.InvalidChoice:
        return outcome(message(say("onboarding.timezone_unknown")), lang=profile.lang)
    profile = profiles.with_timezone(profile, zone)
    coachee.save_profile(profile)
    stop_waiting(coachee, now, "timezone")
    said = [message(say("onboarding.timezone_saved", timezone=zone), edit=edit)]
    if during_onboarding:
        said.append(ask_moments(profile, content))
        return outcome(*said, effects=(Reschedule(), AwaitReplyTo("onboarding")), lang=profile.lang)
    return outcome(*said, effects=(Reschedule(),), lang=profile.lang)


def moment_line(profile: Profile, kind: str, content: Content) -> str:
    """A daily moment as it really comes: quiet hours move or drop it (schedule.comes_at)."""
    lang = profile.lang
    at = profile.moments.at(kind)
    if at is None:
        when = content.text("moments.off", lang)
    else:
        comes = schedule.comes_at(profile, at)
        if comes is None:
            when = content.text("moments.never", lang, chosen=f"{at:%H:%M}")
        elif comes != at:
            when = content.text("moments.moved", lang, time=f"{comes:%H:%M}", chosen=f"{at:%H:%M}")
        else:
            when = f"{at:%H:%M}"
    return content.text(f"moments.{kind}", lang, time=when)


def moments_summary(profile: Profile, content: Content) -> str:
    return "\n".join(moment_line(profile, kind, content) for kind in MOMENT_KINDS)


def ask_moments(profile: Profile, content: Content) -> Message:
    body = content.text("onboarding.moments", profile.lang) + "\n"
    return message(
        Text(raw=body + moments_summary(profile, content)),
        choices=(
            (
                Choice(say("onboarding.moments_ok"), actions.MOMENTS, ("ok",)),
                Choice(say("onboarding.moments_change"), actions.MOMENTS, ("change",)),
            ),
        ),
    )


def closing(profile: Profile, content: Content) -> Message:
    """Onboarding's last word, with the phase the coachee starts in."""
    phase = content.phase(profile.phase).title.get(profile.lang)
    return message(say("onboarding.done", phase=phase), edit=True)


def accept_moments(coachee: CoacheeFile, content: Content, now: datetime) -> Outcome:
    """The moments as proposed: onboarding ends, and the reminders are planned."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    if profile.onboarding == "country":  # never without a country chosen
        return outcome(ask_country(), effects=(AwaitReplyTo("onboarding"),), lang=profile.lang)
    if profile.onboarding is not None:
        coachee.save_profile(profiles.onboarded(profile))
    stop_waiting(coachee, now, "onboarding")
    return outcome(closing(profile, content), effects=(Reschedule(),), lang=profile.lang)


def change_moments(coachee: CoacheeFile, content: Content, now: datetime) -> Outcome:
    """ "Aanpassen": the settings menu in place of the question; its "Klaar" then ends
    onboarding with the closing message (bot.services.settings.close)."""
    from bot.services import settings

    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    stop_waiting(coachee, now, "onboarding")
    return outcome(
        settings.menu(profile, content, edit=True), effects=(Reschedule(),), lang=profile.lang
    )
