"""/export and /delete: a coachee takes all their data with them, or erases all of it.

A /delete question carries the consent it was asked under (profiles.erasure_stamp): a "yes"
pressed under another (erased since, or started again) erases nothing, so an old question
never takes data stored after it was asked; when its data is already gone (a double tap) it
says so rather than "nothing erased". The erasure itself stops every job and flow of
the coachee first, then erases (the EraseEverything effect), before "all gone" is said.

The question waits for its buttons (bot.core.awaiting kind "delete"): it replaces any open
typed question, so a typed "ja" is never kept as a note or a reflection answer; it is pointed
at the buttons (bot.services.conversation), and erases nothing by itself.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.core import profiles
from bot.core.coaching import CoachStore
from bot.core.ports import CoacheeFile
from bot.services import actions
from bot.services.coaching import PROFILE_SWITCH
from bot.services.outcome import (
    AwaitReplyTo,
    Choice,
    EraseEverything,
    Outcome,
    SendExport,
    message,
    outcome,
    say,
)
from bot.services.waiting import stop_waiting

log = logging.getLogger(__name__)


def _lang(coachee: CoacheeFile) -> str | None:
    profile = coachee.profile
    return profile.lang if profile is not None else None


def export(coachee: CoacheeFile, refused_at: datetime | None, coaches: CoachStore) -> Outcome:
    """/export: everything stored about this coachee as one file (someone who said no gets
    that no), the coaching file's part about them included; someone the bot knows nothing
    about is told so."""
    if coachee.profile is None and refused_at is None:
        return outcome(message(say("export.nothing")))
    log.info("privacy.export")
    send = SendExport(
        say("export.caption"),
        refused_at,
        coaching=coaching_file(coaches, coachee.user_id),
        switches=share_switches(coaches, coachee.user_id),
    )
    return Outcome(effects=(send,), lang=_lang(coachee))


def coaching_file(store: CoachStore, user_id: int) -> dict[str, Any]:
    """What the coach store keeps about this person, JSON-ready: their coach and since when,
    what they share and since when, the phase their coach set, homework, every read by a
    coach (who, what, when, through what), and their own coach role if they have one.
    Coaches are named, never numbered."""
    link = store.link_of(user_id)
    sharing = store.sharing(user_id)
    phase = store.phase(user_id)
    me = store.coach(user_id)

    def coach_name(coach_id: int) -> str | None:
        coach = store.coach(coach_id)
        return coach.name if coach is not None else None

    return {
        "coach": (
            {"name": coach_name(link.coach_id), "since": link.linked_at.isoformat()}
            if link is not None
            else None
        ),
        "shared": [
            {"item": item, "since": since.isoformat()}
            for item, since in (sharing.granted if sharing is not None else ())
        ],
        "phase": (
            {
                "phase": phase.phase,
                "since": phase.since.isoformat(),
                "set_by": "coach" if link is not None and phase.set_by == link.coach_id else "you",
            }
            if phase is not None
            else None
        ),
        "homework": [
            {
                "exercise": h.exercise_id,
                "rhythm": h.rhythm,
                "start": h.start.isoformat(),
                "days": h.days,
                "set_at": h.set_at.isoformat(),
                "coach": coach_name(h.coach_id),
            }
            for h in store.homework(user_id)
        ],
        "reads": [
            {
                "coach": coach_name(r.coach_id),
                "items": list(r.items),
                "at": r.at.isoformat(),
                "purpose": r.purpose,
            }
            for r in store.reads(user_id)
        ],
        "as_coach": (
            {
                "name": me.name,
                "status": me.status,
                "requested_at": me.requested_at.isoformat(),
                "lang": me.lang,
                "timezone": me.timezone,
            }
            if me is not None
            else None
        ),
    }


def share_switches(store: CoachStore, user_id: int) -> dict[str, bool]:
    """The profile's share switches as the coach store has them: on only while linked and
    that item is shared."""
    link = store.link_of(user_id)
    sharing = store.sharing(user_id)
    return {
        switch: link is not None and sharing is not None and sharing.allows(item)
        for item, switch in PROFILE_SWITCH.items()
    }


def ask_delete(coachee: CoacheeFile) -> Outcome:
    """/delete: ask once, with the consent this question covers; with a profile, the question
    waits for its buttons (nothing is written without one)."""
    stamp = profiles.erasure_stamp(coachee.profile)
    choices = (
        (
            Choice(say("delete.yes"), actions.DELETE, ("confirm", stamp)),
            Choice(say("delete.no"), actions.DELETE, ("cancel",)),
        ),
    )
    question = message(say("delete.confirm"), choices=choices)
    if coachee.profile is None:
        return outcome(question, lang=_lang(coachee))
    return outcome(question, effects=(AwaitReplyTo("delete"),), lang=_lang(coachee))


def answer_delete(coachee: CoacheeFile, choice: str, stamp: str, now: datetime) -> Outcome:
    """ "Yes" under the consent it was asked for erases everything; an older question's yes
    erases nothing (after its own erasure, a double tap, it says all is gone, as the first
    tap did); "no" keeps all. Either way the question no longer waits."""
    lang = _lang(coachee)
    if choice != "confirm":
        stop_waiting(coachee, now, "delete")
        return outcome(message(say("delete.cancelled"), edit=True), lang=lang)
    if stamp != str(profiles.erasure_stamp(coachee.profile)):
        if coachee.profile is None and stamp != "0":
            # A second tap on the same "yes" (or a question whose data went since): what it
            # asked to erase is gone, so "nothing erased" would be wrong and alarming.
            log.info("privacy.delete_already_done")
            return outcome(message(say("delete.done"), edit=True), lang=lang)
        log.info("privacy.delete_question_expired")
        stop_waiting(coachee, now, "delete")
        return outcome(message(say("delete.expired"), edit=True), lang=lang)
    log.info("privacy.erased")
    # The profile's language, read before it goes: "all gone" in the coachee's words.
    return outcome(message(say("delete.done"), edit=True), effects=(EraseEverything(),), lang=lang)
