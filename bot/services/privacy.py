"""/export and /delete: a coachee takes all their data with them, or erases all of it.

A /delete question carries the consent it was asked under (profiles.erasure_stamp): a "yes"
pressed under another (erased since, or started again) erases nothing, so an old question
never takes data stored after it was asked. The erasure itself stops every job and flow of
the coachee first, then erases (the EraseEverything effect), before "all gone" is said.

The question waits for its buttons (bot.core.awaiting kind "delete"): it replaces any open
typed question, so a typed "ja" is never kept as a note or a reflection answer; it is pointed
at the buttons (bot.services.conversation), and erases nothing by itself.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.core import profiles
from bot.core.ports import CoacheeFile
from bot.services import actions
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


def export(coachee: CoacheeFile, refused_at: datetime | None) -> Outcome:
    """/export: everything stored about this coachee as one file (someone who said no gets
    that no); someone the bot knows nothing about is told so."""
    if coachee.profile is None and refused_at is None:
        return outcome(message(say("export.nothing")))
    log.info("privacy.export")
    return Outcome(effects=(SendExport(say("export.caption"), refused_at),), lang=_lang(coachee))


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
    erases nothing; "no" keeps all. Either way the question no longer waits."""
    lang = _lang(coachee)
    if choice != "confirm":
        stop_waiting(coachee, now, "delete")
        return outcome(message(say("delete.cancelled"), edit=True), lang=lang)
    if stamp != str(profiles.erasure_stamp(coachee.profile)):
        log.info("privacy.delete_question_expired")
        stop_waiting(coachee, now, "delete")
        return outcome(message(say("delete.expired"), edit=True), lang=lang)
    log.info("privacy.erased")
    # The profile's language, read before it goes: "all gone" in the coachee's words.
    return outcome(message(say("delete.done"), edit=True), effects=(EraseEverything(),), lang=lang)
