"""The coach side as use cases: becoming a coach, invitations, consent per item, /privacy,
/coachees with phases, homework and the coach's quiet days, /digest, the weekly digest and
the alert to a coach.

Every coaching and consent rule is bot.core.coaching's; this module asks it, turns its
refusals into kind words, and says what to tell whom. What is said to someone else than the
person who acted (the admins, the coach, the coachee) is a `Notify` effect; a change of who
is a coach or who has one refreshes that person's command menu (`RefreshMenu`).

Two shapes of use case: the coachee's own (a unit of work of the coachee, `coachee`, with the
coach store) keep Profile.coach_id and the profile's share switches in step with the link
and the sharing in the store (other parts of the bot read them: reflections ask "share with
your coach?" only when there is one); the coach's (no unit of work held: they read several
coachees, each through a unit of work of its own, never nested).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.content.loader import Content
from bot.core import coaching, schedule
from bot.core.coaching import (
    PHASES,
    SHARE_ITEMS,
    Coach,
    CoachingRefused,
    CoachStore,
    Link,
    ShareItem,
)
from bot.core.dates import day_month
from bot.core.digest import (
    Names,
    OverviewPoint,
    ReportDay,
    build_digest,
    coachee_preview,
    digest_csv,
    digest_due,
    digest_messages,
    digest_text,
    overview_points,
    report_lines,
)
from bot.core.digest import coachee_report as coaching_report
from bot.core.models import Escalation, Profile, utc
from bot.core.ports import CoacheeFile, Repository
from bot.core.questionnaires import QUESTIONNAIRE_WEEKS_CHOICES
from bot.services import actions, onboarding
from bot.services.exercise import homework_today
from bot.services.outcome import (
    Choice,
    Message,
    Notify,
    Outcome,
    RefreshMenu,
    Text,
    message,
    needs_consent,
    outcome,
    say,
)
from bot.services.wording import render_text

log = logging.getLogger(__name__)

# Profile.consent's switches that follow an item of the sharing (settings shows them and
# reflections read the last one as "shared by default").
PROFILE_SWITCH: dict[ShareItem, str] = {
    "checkins": "share_checkins",
    "alerts": "share_alerts",
    "reflections": "share_reflections_default",
}
# Homework plans a coach can pick: rhythm and days.
HOMEWORK_PLANS: dict[str, tuple[str, int]] = {
    "d7": ("daily", 7),
    "d14": ("daily", 14),
    "w28": ("weekly", 28),
}
QUIET_DAY_CHOICES = (2, 3, 5, 7, 14)
DIGEST_TIMES = ("0700", "0800", "1200", "1700", "2000")
READS_SHOWN = 20
# How the flow of consent questions goes on: "f" the next item (after an invitation),
# "p" back to the /privacy panel.
FLOW, PANEL = "f", "p"


def _refused(reason: str, edit: bool = False, lang: str | None = None) -> Outcome:
    return outcome(message(say(f"coach.refused.{reason}"), edit=edit), lang=lang)


def _days(count: int | None) -> Text:
    """ "1 dag", "3 dagen", as /pause says it (coach.days.one / .other)."""
    return say("coach.days.one" if count == 1 else "coach.days.other", days=count)


def _lang_of(repo: Repository, user_id: int, fallback: str = "nl") -> str:
    profile = repo.load_profile(user_id)
    return profile.lang if profile is not None else fallback


# --- becoming a coach -------------------------------------------------------------------


def ask_to_coach(
    store: CoachStore,
    user_id: int,
    name: str,
    lang: str,
    admin_ids: Collection[int],
    admin_langs: dict[int, str],
    now: datetime,
    timezone: str = "Europe/Brussels",
) -> Outcome:
    """/coach: an approved coach sees their status (and can step down); anyone else asks,
    and the admins get approve / refuse buttons."""
    current = store.coach(user_id)
    if coaching.is_coach(current):
        return outcome(
            message(
                say("coach.status.approved"),
                choices=((Choice(say("coach.step_down"), actions.COACH, ("step_down",)),),),
            ),
            lang=lang,
        )
    if not admin_ids:
        return outcome(message(say("coach.request.no_admins")), lang=lang)
    try:
        requested = coaching.request_coach(
            current, user_id, name, now, lang=lang, timezone=timezone
        )
    except CoachingRefused:
        return outcome(message(say("coach.request.already")), lang=lang)
    store.save_coach(requested)
    log.info("coach.requested")
    choices = (
        (
            Choice(say("coach.approve"), actions.COACH_ADMIN, ("approve", user_id)),
            Choice(say("coach.refuse"), actions.COACH_ADMIN, ("refuse", user_id)),
        ),
    )
    notices = tuple(
        Notify(
            admin,
            message(say("coach.request.admin", name=name, user_id=user_id), choices=choices),
            admin_langs.get(admin, "nl"),
        )
        for admin in sorted(admin_ids)
    )
    return outcome(message(say("coach.request.sent")), effects=notices, lang=lang)


def ask_revoke(
    store: CoachStore, admin_id: int, coach_id: int, admin_ids: Collection[int], admin_lang: str
) -> Outcome:
    """Revoking asks first, with what it means: the coach's coachees are unlinked and told."""
    coach = store.coach(coach_id)
    if admin_id not in admin_ids:
        return _refused("not_admin", edit=True, lang=admin_lang)
    if coach is None or not coaching.is_coach(coach):
        return _refused("decided_already", edit=True, lang=admin_lang)
    choices = (
        (
            Choice(say("coach.revoke_yes"), actions.COACH_ADMIN, ("revoke_yes", coach_id)),
            Choice(say("coach.unlink.no"), actions.COACH_ADMIN, ("list", coach_id)),
        ),
    )
    return outcome(
        message(say("coach.revoke_confirm", name=coach.name), choices=choices, edit=True),
        lang=admin_lang,
    )


def decide_coach(
    store: CoachStore,
    repo: Repository,
    admin_id: int,
    decision: str,
    coach_id: int,
    admin_ids: Collection[int],
    admin_lang: str,
    now: datetime,
) -> Outcome:
    """An admin's approve, refuse or (confirmed) revoke; the coach hears it, and their menu
    follows; a revoked coach's coachees are unlinked and told (through `repo`)."""
    deciders = {
        "approve": coaching.approve,
        "refuse": coaching.refuse,
        "revoke_yes": coaching.revoke,
    }
    coach = store.coach(coach_id)
    if admin_id not in admin_ids:
        return _refused("not_admin", edit=True, lang=admin_lang)
    if coach is None or decision not in deciders:
        return _refused("decided_already", edit=True, lang=admin_lang)
    try:
        decided = deciders[decision](coach, admin_id, admin_ids, now)
    except CoachingRefused:
        return outcome(
            message(say("coach.decided.already", name=coach.name), edit=True), lang=admin_lang
        )
    told: tuple[Notify | RefreshMenu, ...] = ()
    said = [say(f"coach.decided.{decided.status}", name=coach.name)]
    if decided.status == "revoked":
        ended = coaching.stop_coaching(store, decided)
        if ended:
            told = _coach_gone(store, repo, coach.name, ended, now)
            said.append(say("coach.ended.theirs_told", name=coach.name))
    else:
        store.save_coach(decided)
    log.info("coach.decided status=%s", decided.status)
    return outcome(
        message(*said, edit=True),
        effects=(
            Notify(coach_id, message(say(f"coach.you.{decided.status}")), coach.lang),
            RefreshMenu(coach_id),
            *told,
        ),
        lang=admin_lang,
    )


def list_coaches(
    store: CoachStore, admin_id: int, admin_ids: Collection[int], lang: str, edit: bool = False
) -> Outcome:
    """/coaches, for admins: who coaches (with a revoke button) and who asked (each button
    names the person, so two open requests are never mixed up)."""
    if admin_id not in admin_ids:
        return _refused("not_admin", edit=edit, lang=lang)
    rows: list[tuple[Choice, ...]] = []
    for coach in store.coaches():
        if coach.status == "approved":
            rows.append(
                (
                    Choice(
                        say("coach.revoke", name=coach.name),
                        actions.COACH_ADMIN,
                        ("revoke", coach.user_id),
                    ),
                )
            )
        elif coach.status == "requested":
            rows.append(
                (
                    Choice(
                        say("coach.approve_named", name=coach.name),
                        actions.COACH_ADMIN,
                        ("approve", coach.user_id),
                    ),
                    Choice(
                        say("coach.refuse_named", name=coach.name),
                        actions.COACH_ADMIN,
                        ("refuse", coach.user_id),
                    ),
                )
            )
    if not rows:
        return outcome(message(say("coach.coaches.none"), edit=edit), lang=lang)
    return outcome(message(say("coach.coaches.title"), choices=tuple(rows), edit=edit), lang=lang)


def coach_status(store: CoachStore, user_id: int, lang: str) -> Outcome:
    """The coach's status again (after "no" to stepping down), with the step-down button."""
    if not coaching.is_coach(store.coach(user_id)):
        return _refused("not_coach", edit=True, lang=lang)
    return outcome(
        message(
            say("coach.status.approved"),
            choices=((Choice(say("coach.step_down"), actions.COACH, ("step_down",)),),),
            edit=True,
        ),
        lang=lang,
    )


def ask_step_down(store: CoachStore, user_id: int, lang: str) -> Outcome:
    """Stepping down asks first, with what it means (as unlinking a coachee does)."""
    if not coaching.is_coach(store.coach(user_id)):
        return _refused("not_coach", edit=True, lang=lang)
    choices = (
        (
            Choice(say("coach.step_down_yes"), actions.COACH, ("step_down_yes",)),
            Choice(say("coach.unlink.no"), actions.COACH, ("status",)),
        ),
    )
    return outcome(message(say("coach.step_down_confirm"), choices=choices, edit=True), lang=lang)


def step_down(
    store: CoachStore, repo: Repository, user_id: int, lang: str, now: datetime
) -> Outcome:
    """The coach stops (confirmed): every coachee of theirs is unlinked and told."""
    coach = store.coach(user_id)
    if coach is None or not coaching.is_coach(coach):
        return _refused("not_coach", edit=True, lang=lang)
    ended = coaching.stop_coaching(store, coaching.step_down(coach, now))
    log.info("coach.stepped_down coachees=%s", len(ended))
    said = [say("coach.stepped_down")]
    if ended:
        said.append(say("coach.ended.yours_told"))
    return outcome(
        message(*said, edit=True),
        effects=(*_coach_gone(store, repo, coach.name, ended, now), RefreshMenu(user_id)),
        lang=lang,
    )


def _coach_gone(
    store: CoachStore, repo: Repository, name: str | None, ended: Collection[Link], now: datetime
) -> tuple[Notify | RefreshMenu, ...]:
    """The coachees of a coach who is no coach any more (stepped down, revoked, erased),
    told kindly (their own phase stays and is theirs to choose again)."""
    notice = say("coach.ended.coachee", coach=name) if name is not None else None
    return _tell_unlinked(store, repo, ended, notice, now)


def _tell_unlinked(
    store: CoachStore, repo: Repository, ended: Collection[Link], notice: Text | None, now: datetime
) -> tuple[Notify | RefreshMenu, ...]:
    """Coachees whose link the coach's side ended: each profile in step with the store (no
    coach, no share switches), each told `notice`, each menu without /privacy."""
    effects: list[Notify | RefreshMenu] = []
    for link in ended:
        with repo.unit_of_work(link.coachee_id) as coachee:
            profile = coachee.profile
            if profile is not None:
                coachee.save_profile(_in_step(profile, store, link.coachee_id))
        if profile is not None and notice is not None:
            effects.append(_to_coachee(profile, message(notice), now))
        effects.append(RefreshMenu(link.coachee_id))
    return tuple(effects)


# --- invitations ------------------------------------------------------------------------


def make_invite(
    store: CoachStore, coach_id: int, lang: str, bot_username: str, pepper: bytes, now: datetime
) -> Outcome:
    """/invite: a single-use deep link, shown once; only its keyed hash is stored."""
    try:
        code, _ = coaching.invite(store, coach_id, now, pepper)
    except CoachingRefused:
        return _refused("not_coach", lang=lang)
    log.info("coach.invited")
    link = f"https://t.me/{bot_username}?start={code}"
    return outcome(
        message(say("coach.invite.link", link=link, days=coaching.INVITE_DAYS)), lang=lang
    )


def _check_code(store: CoachStore, code: str, pepper: bytes, now: datetime) -> Coach:
    """The invitation's coach, or CoachingRefused with why (nothing changes)."""
    invitation = store.invitation(coaching.hash_code(code, pepper))
    if invitation is None:
        raise CoachingRefused("unknown")
    if invitation.used_at is not None:
        raise CoachingRefused("used")
    if utc(now) > invitation.expires_at:
        raise CoachingRefused("expired")
    coach = store.coach(invitation.coach_id)
    if coach is None or not coaching.is_coach(coach):
        raise CoachingRefused("not_coach")
    return coach


def show_invitation(
    coachee: CoacheeFile, store: CoachStore, code: str, lang: str, pepper: bytes, now: datetime
) -> Outcome:
    """/start <code>: who invites, and whether to accept; a forged, used or expired code is
    refused kindly. Nothing is stored here."""
    profile = coachee.profile
    lang = profile.lang if profile is not None else lang
    try:
        coach = _check_code(store, code, pepper, now)
    except CoachingRefused as refused:
        log.info("coach.invite_refused reason=%s", refused.reason)
        if refused.reason == "used" and (mine := _used_by(store, code, pepper, coachee)):
            return outcome(message(_already("already_yours", mine)), lang=lang)
        return outcome(message(say(f"coach.invite.refused.{refused.reason}")), lang=lang)
    current = store.link_of(coachee.user_id)
    if (reason := coaching.linked_already(current, coach.user_id)) is not None:
        return outcome(message(_already(reason, coach)), lang=lang)
    body = [say("coach.invite.who", coach=coach.name), say("coach.invite.what")]
    if profile is None:
        body.append(say("coach.invite.consent_first"))
    choices = (
        (
            Choice(say("coach.invite.accept"), actions.COACH_INVITE, ("yes", code)),
            Choice(say("coach.invite.decline"), actions.COACH_INVITE, ("no", code)),
        ),
    )
    return outcome(message(*body, choices=choices), lang=lang)


def answer_invitation(
    coachee: CoacheeFile,
    store: CoachStore,
    yes: bool,
    code: str,
    name: str,
    pepper: bytes,
    now: datetime,
    consent_asked: datetime | None = None,
) -> Outcome:
    """Accept: the link is made with nothing shared, then each item is asked on its own.
    Before consent it points up at the consent question while that is open in this chat
    session (shown at `consent_asked`), else at /start; nothing is stored."""
    profile = coachee.profile
    if not yes:
        lang = profile.lang if profile is not None else None
        current = store.link_of(coachee.user_id)
        coach = store.coach(current.coach_id) if current is not None else None
        if coach is not None:  # a second copy of an accepted invitation: nothing changes
            said = say("coach.invite.declined_linked", coach=coach.name)
            return outcome(message(said, edit=True), lang=lang)
        return outcome(message(say("coach.invite.declined"), edit=True), lang=lang)
    if profile is None:
        if onboarding.consent_open(consent_asked, now):
            # "Tap /start" would ask it a second time; the invitation still works after a yes.
            return Outcome((message(say("coach.invite.consent_first")),), consented=False)
        return needs_consent()
    try:
        link = coaching.accept_invite(
            store, code, coachee.user_id, name, now, pepper, phase=profile.phase
        )
    except CoachingRefused as refused:
        log.info("coach.invite_refused reason=%s", refused.reason)
        current = store.link_of(coachee.user_id)
        mine = store.coach(current.coach_id) if current is not None else None
        if refused.reason == "already_yours" and mine is not None:
            return outcome(message(_already(refused.reason, mine), edit=True), lang=profile.lang)
        if refused.reason == "used" and (mine := _used_by(store, code, pepper, coachee)):
            return outcome(message(_already("already_yours", mine), edit=True), lang=profile.lang)
        return _refused_invite(refused.reason, profile.lang)
    coach = store.coach(link.coach_id)
    assert coach is not None
    coachee.save_profile(_in_step(replace(profile, coach_id=link.coach_id), store, coachee.user_id))
    log.info("coach.linked")
    return outcome(
        message(say("coach.invite.linked", coach=coach.name), edit=True),
        _share_question(SHARE_ITEMS[0], coach, FLOW),
        effects=(
            Notify(coach.user_id, message(say("coach.new_coachee", name=name)), coach.lang),
            RefreshMenu(coachee.user_id),
        ),
        lang=profile.lang,
    )


def _used_by(store: CoachStore, code: str, pepper: bytes, coachee: CoacheeFile) -> Coach | None:
    """The coach of a code this coachee used and is still linked with: the link stays in
    the chat, and opening it again has nothing left to do (not a new link to ask for)."""
    invitation = store.invitation(coaching.hash_code(code, pepper))
    link = store.link_of(coachee.user_id)
    if invitation is None or invitation.used_by != coachee.user_id or link is None:
        return None
    return store.coach(link.coach_id) if link.coach_id == invitation.coach_id else None


def _already(reason: str, coach: Coach) -> Text:
    """Linked already: with this very coach there is nothing to do; with another one, they
    unlink first to switch."""
    if reason == "already_yours":
        return say("coach.invite.refused.already_yours", coach=coach.name)
    return say("coach.invite.refused.already_linked")


def _refused_invite(reason: str, lang: str) -> Outcome:
    return outcome(message(say(f"coach.invite.refused.{reason}"), edit=True), lang=lang)


def _in_step(profile: Profile, store: CoachStore, user_id: int) -> Profile:
    """The profile's coach and share switches as the store has them."""
    link = store.link_of(user_id)
    sharing = store.sharing(user_id)
    switches = {
        field: sharing is not None and link is not None and sharing.allows(item)
        for item, field in PROFILE_SWITCH.items()
    }
    return replace(
        profile,
        coach_id=link.coach_id if link is not None else None,
        consent=replace(profile.consent, **switches),
    )


# --- consent per item -------------------------------------------------------------------


def _share_question(item: ShareItem, coach: Coach, mode: str) -> Message:
    """One item's question; its buttons name the coach it was asked for, so a yes pressed
    after a change of coach shares nothing with the next one."""
    body: list[Text] = [say(f"coach.share.ask.{item}", coach=coach.name)]
    if item == "alerts":
        body.append(say("coach.share.not_emergency"))
    choices = (
        (
            Choice(say("coach.share.yes"), actions.COACH_SHARE, (item, "on", mode, coach.user_id)),
            Choice(say("coach.share.no"), actions.COACH_SHARE, (item, "off", mode, coach.user_id)),
        ),
    )
    return message(*body, choices=choices, edit=mode == PANEL)


def answer_share(
    coachee: CoacheeFile,
    store: CoachStore,
    item: str,
    on: bool,
    mode: str,
    coach_id: int,
    now: datetime,
) -> Outcome:
    """One item switched; it holds at once (a digest or alert checks again when it goes).
    Only for the coach the question was asked for."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    current = store.link_of(coachee.user_id)
    if item not in SHARE_ITEMS or (current is not None and current.coach_id != coach_id):
        return outcome(message(say("input.stale_button"), edit=True), lang=profile.lang)
    shared_item: ShareItem = item  # type: ignore[assignment]
    try:
        coaching.set_share(store, coachee.user_id, shared_item, on, now)
    except CoachingRefused:
        return outcome(message(say("coach.privacy.none"), edit=True), lang=profile.lang)
    coachee.save_profile(_in_step(profile, store, coachee.user_id))
    log.info("coach.share item=%s on=%s", item, on)
    coach = store.coach(coach_id)
    if mode == FLOW and coach is not None:
        said = message(
            say("coach.share.set_on" if on else "coach.share.set_off", item=_item(shared_item)),
            edit=True,
        )
        index = SHARE_ITEMS.index(shared_item)
        if index + 1 < len(SHARE_ITEMS):
            following = _share_question(SHARE_ITEMS[index + 1], coach, FLOW)
            return outcome(said, following, lang=profile.lang)
        return outcome(said, _panel(coachee.user_id, store, edit=False), lang=profile.lang)
    return outcome(_panel(coachee.user_id, store, edit=True), lang=profile.lang)


def _item(item: ShareItem) -> Text:
    return say(f"coach.item.{item}")


# --- /privacy ---------------------------------------------------------------------------


def _panel(user_id: int, store: CoachStore, edit: bool) -> Message:
    link = store.link_of(user_id)
    coach = store.coach(link.coach_id) if link is not None else None
    if link is None or coach is None:
        return message(say("coach.privacy.none"), edit=edit)
    sharing = store.sharing(user_id)
    shared = [i for i in SHARE_ITEMS if sharing is not None and sharing.allows(i)]
    rows: list[tuple[Choice, ...]] = []
    for item in SHARE_ITEMS:
        on = item in shared
        if on:
            choice = Choice(
                say("coach.privacy.is_on", item=_item(item)),
                actions.COACH_SHARE,
                (item, "off", PANEL, coach.user_id),
            )
        else:  # switching on asks first, with what it means (alerts: not an emergency line)
            choice = Choice(
                say("coach.privacy.is_off", item=_item(item)), actions.COACH_PRIVACY, ("ask", item)
            )
        rows.append((choice,))
    rows.append((Choice(say("coach.privacy.reads"), actions.COACH_PRIVACY, ("reads", "")),))
    rows.append((Choice(say("coach.privacy.digest"), actions.COACH_PRIVACY, ("digest", "")),))
    rows.append((Choice(say("coach.privacy.unlink"), actions.COACH_PRIVACY, ("unlink", "")),))
    body = [say("coach.privacy.panel", coach=coach.name)]
    if not shared:
        body.append(say("coach.privacy.nothing"))
    return message(*body, choices=tuple(rows), edit=edit)


def privacy(coachee: CoacheeFile, store: CoachStore, edit: bool = False) -> Outcome:
    """/privacy: what the coach may see, a switch per item, who read what, unlink."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=edit)
    return outcome(_panel(coachee.user_id, store, edit), lang=profile.lang)


def ask_to_share(coachee: CoacheeFile, store: CoachStore, item: str) -> Outcome:
    """From the panel: switching an item on is asked as its own question first."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    link = store.link_of(coachee.user_id)
    coach = store.coach(link.coach_id) if link is not None else None
    if coach is None or item not in SHARE_ITEMS:
        return outcome(message(say("coach.privacy.none"), edit=True), lang=profile.lang)
    return outcome(_share_question(item, coach, PANEL), lang=profile.lang)  # type: ignore[arg-type]


def read_log(coachee: CoacheeFile, store: CoachStore, content: Content) -> Outcome:
    """Who read what of mine, and when: the last reads, newest first."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    lang = profile.lang
    reads = coaching.reads_for(store, coachee.user_id)[-READS_SHOWN:]
    back = ((Choice(say("coach.privacy.back"), actions.COACH_PRIVACY, ("panel", "")),),)
    if not reads:
        return outcome(message(say("coach.reads.none"), choices=back, edit=True), lang=lang)
    zone = ZoneInfo(profile.timezone)
    names = {c.user_id: c.name for c in store.coaches()}
    lines = []
    for read in reversed(reads):
        local = read.at.astimezone(zone)
        lines.append(
            content.text(
                "coach.reads.line",
                lang,
                day=day_month(local.date(), lang),
                time=f"{local:%H:%M}",
                coach=names.get(read.coach_id, "?"),
                purpose=content.text(f"coach.purpose.{read.purpose}", lang),
                items=", ".join(content.text(f"coach.item.{i}", lang) for i in read.items)
                or content.text("coach.reads.no_items", lang),
            )
        )
    body = content.text("coach.reads.title", lang) + "\n" + "\n".join(lines)
    return outcome(message(Text(raw=body), choices=back, edit=True), lang=lang)


def ask_unlink(coachee: CoacheeFile, store: CoachStore) -> Outcome:
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    link = store.link_of(coachee.user_id)
    coach = store.coach(link.coach_id) if link is not None else None
    if coach is None:
        return outcome(message(say("coach.privacy.none"), edit=True), lang=profile.lang)
    choices = (
        (
            Choice(say("coach.unlink.yes"), actions.COACH_PRIVACY, ("unlink_yes", "")),
            Choice(say("coach.unlink.no"), actions.COACH_PRIVACY, ("panel", "")),
        ),
    )
    return outcome(
        message(say("coach.unlink.confirm", coach=coach.name), choices=choices, edit=True),
        lang=profile.lang,
    )


def unlink_by_coachee(coachee: CoacheeFile, store: CoachStore, now: datetime) -> Outcome:
    """The coachee ends the link: sharing ends with it, at once; the coach is told."""
    profile = coachee.profile
    if profile is None:
        return needs_consent(edit=True)
    try:
        link = coaching.unlink(store, coachee.user_id, coachee.user_id, now)
    except CoachingRefused:
        return outcome(message(say("coach.privacy.none"), edit=True), lang=profile.lang)
    coachee.save_profile(_in_step(profile, store, coachee.user_id))
    coach = store.coach(link.coach_id)
    log.info("coach.unlinked by=coachee")
    effects: tuple[Notify | RefreshMenu, ...] = (RefreshMenu(coachee.user_id),)
    if coach is not None:
        notice = message(say("coach.unlinked.by_coachee", name=link.name))
        effects = (Notify(coach.user_id, notice, coach.lang), *effects)
    return outcome(
        message(say("coach.unlinked.done"), edit=True), effects=effects, lang=profile.lang
    )


def forget_person(
    store: CoachStore, repo: Repository, user_id: int, now: datetime
) -> tuple[Notify | RefreshMenu, ...]:
    """/delete or an erased account: the person leaves the coach store, as coach and as
    coachee. A coach's coachees are unlinked as by a coach who stepped down: no coach in
    their profile (nor its share switches), and told (the effects to carry out)."""
    coach = store.coach(user_id)
    ended = store.links_of_coach(user_id)
    store.erase_person(user_id)
    return _coach_gone(store, repo, coach.name if coach is not None else None, ended, now)


# --- the coach's work -------------------------------------------------------------------


def _own_link(store: CoachStore, coach_id: int, coachee_id: int) -> Link:
    if not coaching.is_coach(store.coach(coach_id)):
        raise CoachingRefused("not_coach")
    link = store.link_of(coachee_id)
    if link is None or link.coach_id != coach_id:
        raise CoachingRefused("not_your_coachee")
    return link


def _labels(store: CoachStore, coach_id: int) -> dict[int, coaching.CoacheeLabel]:
    coach = store.coach(coach_id)
    zone = coach.timezone if coach is not None else "Europe/Brussels"
    return coaching.tell_apart(store.links_of_coach(coach_id), zone)


def _name(link: Link, labels: dict[int, coaching.CoacheeLabel], lang: str) -> Text:
    """The coachee as the coach tells them apart: "Anna", or "Anna (gekoppeld 3 maart)"
    when the coach has two coachees called Anna."""
    return _named(link.coachee_id, link.name, labels, lang)


def _named(coachee_id: int, name: str, labels: dict[int, coaching.CoacheeLabel], lang: str) -> Text:
    label = labels.get(coachee_id)
    if label is None or label.linked_on is None:
        return Text(raw=name)
    day = day_month(label.linked_on, lang)
    if label.number is None:
        return say("coach.coachee.named_day", name=name, day=day)
    return say("coach.coachee.named_number", name=name, day=day, number=label.number)


# Telegram takes 4,096 characters a message (counted in UTF-16 units: room for emoji) and
# about a hundred buttons under it.
LIST_ROOM = 4000
LIST_BUTTONS = 80


def coachees(
    store: CoachStore,
    repo: Repository,
    coach_id: int,
    lang: str,
    content: Content,
    now: datetime,
    edit: bool = False,
) -> Outcome:
    """/coachees: each own coachee with their last activity (from what is shared) and the
    reasons they need attention; a button each, and the coach's no-check-in days. A long
    list goes in several messages, split between coachees, each with its coachees' buttons."""
    coach = store.coach(coach_id)
    if coach is None or not coaching.is_coach(coach):
        return _refused("not_coach", edit=edit, lang=lang)
    lang = coach.lang
    views = coaching.views_for_coach(store, repo, coach_id, now, "coachees")
    today = coaching.now_in(coach.timezone, now).date()
    quiet_row = (
        Choice(
            say("coach.quiet.button", days=_days(coach.quiet_days)), actions.COACH_QUIET, ("menu",)
        ),
        Choice(say("coach.moment.button"), actions.COACH_QUIET, ("digest",)),
    )
    if not views:
        return outcome(
            message(say("coach.digest.no_coachees"), choices=(quiet_row,), edit=edit), lang=lang
        )
    labels = _labels(store, coach_id)
    title = content.text("coach.coachees.title", lang)
    blocks: list[str] = []
    buttons: list[Choice] = []
    for shared in views:
        name = render_text(content, _named(shared.coachee_id, shared.name, labels, lang), lang)
        last = coaching.last_activity(shared)
        reasons = coaching.needs_attention(shared, today, coach.quiet_days)
        block = content.text(
            "coach.coachees.line",
            lang,
            name=name,
            last=day_month(last, lang)
            if last is not None
            else content.text("coach.coachees.last_none", lang),
        )
        if reasons:
            why = "; ".join(_reason_text(content, lang, a) for a in reasons)
            block += "\n  " + content.text("coach.digest.attention", lang, reasons=why)
        blocks.append(block)
        buttons.append(
            Choice(
                Text(raw=("⚠ " if reasons else "") + name),
                actions.COACHEE,
                (shared.coachee_id, "menu"),
            )
        )
    sizes = [len(block) for block in blocks]
    sizes[0] += len(title) + 1
    parts = coaching.split_between(sizes, LIST_ROOM, LIST_BUTTONS)
    messages = []
    for number, part in enumerate(parts):
        lines = ([title] if number == 0 else []) + [blocks[i] for i in part]
        rows: tuple[tuple[Choice, ...], ...] = tuple((buttons[i],) for i in part)
        if number == len(parts) - 1:
            rows = (*rows, quiet_row)
        # Only the first part replaces the pressed message; the rest follow as new ones.
        messages.append(
            message(Text(raw="\n".join(lines)), choices=rows, edit=edit and number == 0)
        )
    return outcome(*messages, lang=lang)


def _reason_text(content: Content, lang: str, attention: coaching.Attention) -> str:
    value = attention.value if attention.value is not None else 0.0
    exercise = content.exercises.get(attention.exercise_id or "")
    return content.text(
        f"coach.attention.{attention.reason}",
        lang,
        days=content.text(
            "coach.days.one" if attention.days == 1 else "coach.days.other",
            lang,
            days=attention.days,
        ),
        change=(f"{value:+.1f}".replace(".", ",") if lang == "nl" else f"{value:+.1f}"),
        count=int(value),
        exercise=exercise.title.get(lang) if exercise is not None else attention.exercise_id,
    )


def coachee_menu(
    store: CoachStore, coach_id: int, coachee_id: int, lang: str, content: Content
) -> Outcome:
    """One coachee: phase, homework, questionnaire rhythm, report, unlink."""
    try:
        link = _own_link(store, coach_id, coachee_id)
    except CoachingRefused as refused:
        return _refused(refused.reason, edit=True, lang=lang)
    setting = store.phase(coachee_id)
    phase = (
        content.phase(setting.phase).title.get(lang)
        if setting is not None
        else content.text("coach.coachee.no_phase", lang)
    )
    rows = (
        *(
            (Choice(say(f"coach.coachee.{what}"), actions.COACHEE, (coachee_id, what)),)
            for what in ("phase", "homework", "questionnaires", "report", "unlink")
        ),
        (Choice(say("coach.coachees.back"), actions.COACH_QUIET, ("list",)),),
    )
    return outcome(
        message(
            say(
                "coach.coachee.menu",
                name=_name(link, _labels(store, coach_id), lang),
                phase=Text(raw=phase),
            ),
            choices=rows,
            edit=True,
        ),
        lang=lang,
    )


def phase_choices(
    store: CoachStore, coach_id: int, coachee_id: int, lang: str, content: Content
) -> Outcome:
    try:
        link = _own_link(store, coach_id, coachee_id)
    except CoachingRefused as refused:
        return _refused(refused.reason, edit=True, lang=lang)
    rows = tuple(
        (
            Choice(
                Text(raw=f"{content.phase(p).number}. {content.phase(p).title.get(lang)}"),
                actions.COACH_PHASE,
                (coachee_id, p),
            ),
        )
        for p in PHASES
    )
    return outcome(
        message(
            say("coach.phase.ask", name=_name(link, _labels(store, coach_id), lang)),
            choices=rows,
            edit=True,
        ),
        lang=lang,
    )


def _to_coachee(profile: Profile, body: Message, now: datetime) -> Notify:
    """A notice to a coachee caused by their coach (phase, homework, questionnaires, unlink):
    sent at once, so nothing waits or is lost, but without sound inside their quiet hours:
    no reminder of the bot would buzz then either."""
    local = utc(now).astimezone(schedule.zone_of(profile)).time()
    return Notify(
        profile.user_id, body, profile.lang, silent=schedule.in_quiet_hours(profile, local)
    )


def set_phase(
    store: CoachStore,
    repo: Repository,
    coach_id: int,
    coachee_id: int,
    phase: str,
    lang: str,
    content: Content,
    now: datetime,
) -> Outcome:
    """The coach sets a coachee's phase: reflections and suggested exercises follow it. The
    phase they are in already (a double tap) changes nothing: the days in it keep counting,
    and the coachee is not told twice."""
    if not coaching.is_coach(store.coach(coach_id)):
        return _refused("not_coach", edit=True, lang=lang)
    try:
        setting = coaching.set_phase(store.link_of(coachee_id), coach_id, phase, now)
    except CoachingRefused as refused:
        return _refused(refused.reason, edit=True, lang=lang)
    current = store.phase(coachee_id)
    unchanged = current is not None and current.phase == phase
    profile = None
    if not unchanged:
        store.save_phase(setting)
        with repo.unit_of_work(coachee_id) as coachee:
            profile = coachee.profile
            if profile is not None:
                coachee.save_profile(replace(profile, phase=phase))
    link = store.link_of(coachee_id)
    assert link is not None
    effects: tuple[Notify, ...] = ()
    if profile is not None:
        told = say("coach.phase.told", phase=Text(raw=content.phase(phase).title.get(profile.lang)))
        effects = (_to_coachee(profile, message(told), now),)
    log.info("coach.phase_set")
    return outcome(
        message(
            say(
                "coach.phase.set",
                name=link.name,
                phase=Text(raw=content.phase(phase).title.get(lang)),
            ),
            edit=True,
        ),
        effects=effects,
        lang=lang,
    )


def questionnaire_choices(store: CoachStore, coach_id: int, coachee_id: int, lang: str) -> Outcome:
    """How often the coachee is offered a questionnaire after a check-in: every 2, 4 or 8
    weeks, or never. What the coachee set themselves is not shown: a setting of theirs is not
    among what they share."""
    try:
        link = _own_link(store, coach_id, coachee_id)
    except CoachingRefused as refused:
        return _refused(refused.reason, edit=True, lang=lang)
    rows = tuple(
        (
            Choice(
                say("settings.questionnaires.weeks", weeks=weeks),
                actions.COACHEE,
                (coachee_id, "qn_set", weeks),
            ),
        )
        for weeks in QUESTIONNAIRE_WEEKS_CHOICES
    )
    off = Choice(say("settings.questionnaires.off"), actions.COACHEE, (coachee_id, "qn_set", 0))
    return outcome(
        message(
            say("coach.questionnaires.ask", name=_name(link, _labels(store, coach_id), lang)),
            choices=(*rows, (off,)),
            edit=True,
        ),
        lang=lang,
    )


def set_questionnaire_weeks(
    store: CoachStore,
    repo: Repository,
    coach_id: int,
    coachee_id: int,
    weeks: int,
    lang: str,
    now: datetime,
) -> Outcome:
    """The coach sets the questionnaire rhythm (0: never) in the coachee's own settings; the
    coachee is told and can change it in /settings (being asked is theirs to decide). The
    rhythm they have already (a double tap) changes nothing and is not told twice."""
    if weeks not in (0, *QUESTIONNAIRE_WEEKS_CHOICES):
        return outcome(message(say("input.stale_button"), edit=True), lang=lang)
    try:
        link = _own_link(store, coach_id, coachee_id)
    except CoachingRefused as refused:
        return _refused(refused.reason, edit=True, lang=lang)
    changed = False
    with repo.unit_of_work(coachee_id) as coachee:
        profile = coachee.profile
        if profile is not None and profile.questionnaire_weeks != (weeks or None):
            coachee.save_profile(replace(profile, questionnaire_weeks=weeks or None))
            changed = True
    rhythm = say("settings.questionnaires.weeks", weeks=weeks) if weeks else None
    effects: tuple[Notify, ...] = ()
    if profile is not None and changed:
        told = (
            say("coach.questionnaires.told", rhythm=rhythm)
            if rhythm
            else say("coach.questionnaires.told_off")
        )
        effects = (_to_coachee(profile, message(told), now),)
    log.info("coach.questionnaires_set")
    done = (
        say("coach.questionnaires.set", name=link.name, rhythm=rhythm)
        if rhythm
        else say("coach.questionnaires.set_off", name=link.name)
    )
    return outcome(message(done, edit=True), effects=effects, lang=lang)


def homework_choices(
    store: CoachStore, coach_id: int, coachee_id: int, lang: str, content: Content
) -> Outcome:
    """An exercise and its plan in one press (each button carries both)."""
    try:
        link = _own_link(store, coach_id, coachee_id)
    except CoachingRefused as refused:
        return _refused(refused.reason, edit=True, lang=lang)
    rows = []
    for exercise_id, exercise in content.exercises.items():
        rows.append(
            (
                Choice(
                    Text(raw=exercise.title.get(lang)),
                    actions.COACHEE,
                    (coachee_id, "hw", exercise_id),
                ),
            )
        )
    return outcome(
        message(
            say("coach.homework.pick", name=_name(link, _labels(store, coach_id), lang)),
            choices=tuple(rows),
            edit=True,
        ),
        lang=lang,
    )


def homework_plans(
    store: CoachStore,
    coach_id: int,
    coachee_id: int,
    exercise_id: str,
    lang: str,
    content: Content,
) -> Outcome:
    try:
        _own_link(store, coach_id, coachee_id)
    except CoachingRefused as refused:
        return _refused(refused.reason, edit=True, lang=lang)
    exercise = content.exercises.get(exercise_id)
    if exercise is None:
        return outcome(message(say("input.stale_button"), edit=True), lang=lang)
    rows = tuple(
        (
            Choice(
                say(f"coach.homework.plan.{plan}"),
                actions.COACH_HOMEWORK,
                (coachee_id, exercise_id, plan),
            ),
        )
        for plan in HOMEWORK_PLANS
    )
    return outcome(
        message(
            say("coach.homework.when", exercise=Text(raw=exercise.title.get(lang))),
            choices=rows,
            edit=True,
        ),
        lang=lang,
    )


def assign_homework(
    store: CoachStore,
    repo: Repository,
    coach_id: int,
    coachee_id: int,
    exercise_id: str,
    plan: str,
    lang: str,
    content: Content,
    now: datetime,
) -> Outcome:
    """Homework from the coachee's today: the coach sees it kept (if exercises are shared),
    the coachee is told. The same plan while it still runs (a double tap) changes nothing and
    is not told twice."""
    exercise = content.exercises.get(exercise_id)
    if exercise is None or plan not in HOMEWORK_PLANS:
        return outcome(message(say("input.stale_button"), edit=True), lang=lang)
    if not coaching.is_coach(store.coach(coach_id)):
        return _refused("not_coach", edit=True, lang=lang)
    profile = repo.load_profile(coachee_id)
    rhythm, days = HOMEWORK_PLANS[plan]
    today = (
        schedule.local_today(profile, now)
        if profile is not None
        else coaching.now_in("Europe/Brussels", now).date()
    )
    try:
        homework = coaching.assign_homework(
            store.link_of(coachee_id), coach_id, exercise_id, rhythm, today, days, now
        )
    except CoachingRefused as refused:
        return _refused(refused.reason, edit=True, lang=lang)
    running = any(
        (h.exercise_id, h.rhythm, h.days) == (exercise_id, rhythm, days)
        for h in coaching.active_homework(store.homework(coachee_id), today)
    )
    if not running:
        store.save_homework(homework)
        log.info("coach.homework_set")
    link = store.link_of(coachee_id)
    assert link is not None
    effects: tuple[Notify, ...] = ()
    if profile is not None and not running:
        told = say(
            "coach.homework.told",
            exercise=Text(raw=exercise.title.get(profile.lang)),
            plan=say(f"coach.homework.plan.{plan}"),
        )
        effects = (_to_coachee(profile, message(told), now),)
    return outcome(
        message(
            say(
                "coach.homework.set",
                name=link.name,
                exercise=Text(raw=exercise.title.get(lang)),
                plan=say(f"coach.homework.plan.{plan}"),
            ),
            edit=True,
        ),
        effects=effects,
        lang=lang,
    )


def quiet_choices(store: CoachStore, coach_id: int, lang: str) -> Outcome:
    coach = store.coach(coach_id)
    if coach is None or not coaching.is_coach(coach):
        return _refused("not_coach", edit=True, lang=lang)
    row = tuple(
        Choice(Text(raw=str(days)), actions.COACH_QUIET, ("set", days))
        for days in QUIET_DAY_CHOICES
    )
    return outcome(message(say("coach.quiet.ask"), choices=(row,), edit=True), lang=coach.lang)


def set_quiet_days(store: CoachStore, coach_id: int, days: int, lang: str) -> Outcome:
    """After how many days without a check-in a coachee needs attention."""
    coach = store.coach(coach_id)
    if coach is None or not coaching.is_coach(coach):
        return _refused("not_coach", edit=True, lang=lang)
    try:
        store.save_coach(coaching.set_quiet_days(coach, days))
    except ValueError:
        return outcome(message(say("input.stale_button"), edit=True), lang=coach.lang)
    return outcome(message(say("coach.quiet.set", days=_days(days)), edit=True), lang=coach.lang)


def _moment_message(coach: Coach, edit: bool) -> Message:
    days = tuple(
        Choice(say(f"coach.weekday.{day}"), actions.COACH_QUIET, ("day", day)) for day in range(7)
    )
    times = tuple(
        Choice(Text(raw=f"{at[:2]}:{at[2:]}"), actions.COACH_QUIET, ("at", at))
        for at in DIGEST_TIMES
    )
    return message(
        say(
            "coach.moment.now",
            day=say(f"coach.weekday.{coach.digest_weekday}"),
            time=f"{coach.digest_time:%H:%M}",
            zone=coach.timezone,
        ),
        choices=(days[:4], days[4:], times),
        edit=edit,
    )


def digest_moment(
    store: CoachStore, coach_id: int, lang: str, weekday: int | None = None, at: str | None = None
) -> Outcome:
    """The coach's digest day and time (in their zone); a press changes one of them."""
    coach = store.coach(coach_id)
    if coach is None or not coaching.is_coach(coach):
        return _refused("not_coach", edit=True, lang=lang)
    if weekday is not None or at is not None:
        chosen = time(int(at[:2]), int(at[2:])) if at is not None else coach.digest_time
        try:
            coach = coaching.set_digest_moment(
                coach,
                weekday if weekday is not None else coach.digest_weekday,
                chosen,
                coach.timezone,
            )
        except ValueError:
            return outcome(message(say("input.stale_button"), edit=True), lang=coach.lang)
        store.save_coach(coach)
    return outcome(_moment_message(coach, edit=True), lang=coach.lang)


def ask_unlink_coachee(store: CoachStore, coach_id: int, coachee_id: int, lang: str) -> Outcome:
    try:
        link = _own_link(store, coach_id, coachee_id)
    except CoachingRefused as refused:
        return _refused(refused.reason, edit=True, lang=lang)
    choices = (
        (
            Choice(say("coach.unlink.yes"), actions.COACHEE, (coachee_id, "unlink_yes")),
            Choice(say("coach.unlink.no"), actions.COACHEE, (coachee_id, "menu")),
        ),
    )
    return outcome(
        message(
            say("coach.unlink.confirm_coach", name=_name(link, _labels(store, coach_id), lang)),
            choices=choices,
            edit=True,
        ),
        lang=lang,
    )


def unlink_by_coach(
    store: CoachStore, repo: Repository, coach_id: int, coachee_id: int, lang: str, now: datetime
) -> Outcome:
    """The coach ends the link; the coachee is told, and their switches go off."""
    try:
        link = _own_link(store, coach_id, coachee_id)
        coaching.unlink(store, coach_id, coachee_id, now)
    except CoachingRefused as refused:
        return _refused(refused.reason, edit=True, lang=lang)
    coach = store.coach(coach_id)
    notice = say("coach.unlinked.by_coach", coach=coach.name) if coach is not None else None
    effects = _tell_unlinked(store, repo, (link,), notice, now)
    log.info("coach.unlinked by=coach")
    return outcome(
        message(
            say("coach.unlinked.coachee", name=_name(link, _labels(store, coach_id), lang)),
            edit=True,
        ),
        effects=effects,
        lang=lang,
    )


# --- homework on the coachee's side ---------------------------------------------------------


def homework_reminder(
    store: CoachStore, repo: Repository, coachee_id: int, content: Content, now: datetime
) -> str:
    """A line for the exercise reminder naming the homework that runs today ("" without)."""
    profile = repo.load_profile(coachee_id)
    if profile is None:
        return ""
    today = schedule.local_today(profile, now)
    titles = [
        exercise.title.get(profile.lang)
        for exercise_id in homework_today(store, coachee_id, today)
        if (exercise := content.exercises.get(exercise_id)) is not None
    ]
    if not titles:
        return ""
    return content.text("exercise.homework_reminder", profile.lang, exercises=", ".join(titles))


# --- digests ----------------------------------------------------------------------------


def digest_names(content: Content, lang: str) -> Names:
    """Phases and exercises by their titles; a questionnaire by the part of its title before
    a colon ("PHQ-9", or "BAT-12" for a licensed one an organisation dropped in)."""
    return Names(
        phases={phase.id: phase.title.get(lang) for phase in content.phases},
        exercises={key: exercise.title.get(lang) for key, exercise in content.exercises.items()},
        questionnaires={
            key: questionnaire.title.get(lang).split(":", 1)[0].strip()
            for key, questionnaire in content.questionnaires.items()
        },
    )


def digest_preview(
    store: CoachStore, repo: Repository, coachee_id: int, lang: str, content: Content, now: datetime
) -> Outcome:
    """/digest for a coachee: their own part of the coach's next digest, as the coach will
    get it (in the coach's words), not logged as a read."""
    preview = coachee_preview(store, repo, coachee_id, now)
    link = store.link_of(coachee_id)
    coach = store.coach(link.coach_id) if link is not None else None
    if preview is None or coach is None:
        return outcome(message(say("coach.digest.preview.none")), lang=lang)
    text = digest_text(
        preview,
        lambda text_id: content.text(text_id, coach.lang),
        coach.lang,
        digest_names(content, coach.lang),
    )
    return outcome(
        message(say("coach.digest.preview.intro", coach=coach.name)),
        message(Text(raw=text)),
        lang=lang,
    )


@dataclass(frozen=True)
class OverviewWords:
    """The words on the digest's overview chart (bot.reports.overview.OverviewLabels)."""

    title: str
    this_week: str
    last_week: str
    energy: str


@dataclass(frozen=True)
class WeeklyDigest:
    """A digest to send: its messages in the coach's language, the week's CSV (None for a
    coach without coachees: a header line says nothing), and the overview chart's numbers
    (made from the digest alone; empty: no chart)."""

    coach_id: int
    week: date
    messages: tuple[str, ...]
    csv: str | None
    caption: str
    overview: tuple[OverviewPoint, ...] = ()
    overview_labels: OverviewWords | None = None
    chart_caption: str = ""


def due_digests(store: CoachStore, now: datetime) -> list[int]:
    """The coaches whose digest is due now (late is still due; sent is never due again)."""
    return [
        coach.user_id
        for coach in store.coaches()
        if digest_due(coach, store.digest_sent_week(coach.user_id), now) is not None
    ]


def weekly_digest(
    store: CoachStore, repo: Repository, coach_id: int, content: Content, now: datetime
) -> WeeklyDigest | None:
    """The due digest of this coach, marked sent BEFORE it goes (so never twice, even when
    the bot stops right after), and each coachee's part logged as a read. Built now, from
    what is shared now: a withdrawal before this moment holds."""
    coach = store.coach(coach_id)
    if coach is None:
        return None
    week = digest_due(coach, store.digest_sent_week(coach_id), now)
    if week is None:
        return None
    views = coaching.views_for_coach(store, repo, coach_id, now, "digest")
    digest = build_digest(coach, views, week, now)
    store.mark_digest_sent(coach_id, week, now)
    texts = digest_messages(
        digest,
        lambda text_id: content.text(text_id, coach.lang),
        coach.lang,
        digest_names(content, coach.lang),
    )
    log.info("coach.digest_built coachees=%s", len(digest.entries))
    return WeeklyDigest(
        coach_id,
        week,
        tuple(texts),
        digest_csv(digest) if digest.entries else None,
        content.text("coach.digest.file", coach.lang),
        overview_points(digest),
        OverviewWords(
            *(
                content.text(f"coach.digest.chart.{part}", coach.lang)
                for part in ("title", "this_week", "last_week", "energy")
            )
        ),
        content.text("coach.digest.chart.caption", coach.lang),
    )


def unmark_digest(store: CoachStore, coach_id: int, week: date, now: datetime) -> None:
    """A digest Telegram did not take: due again at the next look (late rather than never)."""
    store.mark_digest_sent(coach_id, week - timedelta(days=7), now)


# --- /report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFile:
    """/report's PDF to draw and send (bot.reports.report): only what the coachee shares."""

    coach_id: int
    coachee_id: int
    filename: str
    title: str
    lines: tuple[str, ...]
    days: tuple[ReportDay, ...] | None
    chart: str  # the chart's title
    energy: str
    stress: str
    caption: str


def _matches(links: list[Link], who: str) -> list[Link]:
    who = who.strip().lstrip("@")
    if who.isdigit():
        return [link for link in links if link.coachee_id == int(who)]
    wanted = who.casefold()
    exact = [link for link in links if link.name.casefold() == wanted]
    return exact or [link for link in links if link.name.casefold().startswith(wanted)]


def coachee_report(
    store: CoachStore, repo: Repository, coach_id: int, who: str, content: Content, now: datetime
) -> Outcome | ReportFile:
    """/report <coachee>: the report of one own coachee, named by (the start of) their name or
    by id; without a name, or when several match, a button per (matching) coachee. Anyone
    else is refused with the same words whether they exist or not, and nothing is read."""
    coach = store.coach(coach_id)
    if coach is None or not coaching.is_coach(coach):
        return _refused("not_coach", lang=_lang_of(repo, coach_id))
    links = coaching.coachees_of(store, coach_id)
    if not who.strip() and not links:
        return outcome(message(say("coach.digest.no_coachees")), lang=coach.lang)
    found = _matches(links, who) if who.strip() else links
    if not found:
        return _refused("not_your_coachee", lang=coach.lang)
    if len(found) > 1 or not who.strip():
        labels = _labels(store, coach_id)
        rows = tuple(
            (Choice(_name(link, labels, coach.lang), actions.COACHEE, (link.coachee_id, "report")),)
            for link in found
        )
        return outcome(message(say("coach.report.which"), choices=rows), lang=coach.lang)
    return report_of(store, repo, coach_id, found[0].coachee_id, content, now)


def report_of(
    store: CoachStore,
    repo: Repository,
    coach_id: int,
    coachee_id: int,
    content: Content,
    now: datetime,
) -> Outcome | ReportFile:
    """The report of this coachee, through visible_to_coach, logged as a read ("report");
    refused (and not logged) when they are not this coach's coachee."""
    coach = store.coach(coach_id)
    try:
        link = _own_link(store, coach_id, coachee_id)
        data = coaching.coachee_data(repo, coachee_id, link.linked_at)
        if data is None or coach is None:
            raise CoachingRefused("not_your_coachee")
        seen = coaching.view_coachee(store, coach_id, data, now, "report")
    except CoachingRefused as refused:
        lang = coach.lang if coach is not None else _lang_of(repo, coach_id)
        return _refused(refused.reason, lang=lang)
    lang = coach.lang
    report = coaching_report(coach, seen, now)
    lines = report_lines(
        report, lambda text_id: content.text(text_id, lang), lang, digest_names(content, lang)
    )
    log.info("coach.report_made")
    return ReportFile(
        coach_id,
        coachee_id,
        f"report-{report.made_on.isoformat()}.pdf",
        content.text(
            "coach.report.title", lang, name=link.name, day=day_month(report.made_on, lang)
        ),
        tuple(lines),
        report.days,
        content.text("coach.report.chart", lang),
        content.text("coach.report.energy", lang),
        content.text("coach.report.stress", lang),
        content.text("coach.report.caption", lang, name=link.name),
    )


# --- alerts -----------------------------------------------------------------------------


def coach_alert(
    store: CoachStore, coachee_id: int, escalation: Escalation, content: Content, now: datetime
) -> Notify | None:
    """A gp or crisis escalation, for the coach who may receive alerts (checked now): the
    level, when, and that the help lines were given; never the coachee's words."""
    link = store.link_of(coachee_id)
    if link is None or not coaching.allows(store, link.coach_id, coachee_id, "alerts"):
        return None
    coach = store.coach(link.coach_id)
    assert coach is not None
    local = escalation.at.astimezone(ZoneInfo(coach.timezone))
    store.log_read(coaching.CoachRead(coach.user_id, coachee_id, ("alerts",), utc(now), "alert"))
    body = say(
        f"coach.alert.now.{escalation.level}",
        name=link.name,
        day=day_month(local.date(), coach.lang),
        time=f"{local:%H:%M}",
    )
    return Notify(coach.user_id, message(body), coach.lang)
