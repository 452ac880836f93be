"""What the bot waits for the coachee to type (bot.core.awaiting), read and written through
the repository, so it expires on its own and a restart keeps it.

Flows ask and end their questions inside their unit of work (bot.services.waiting); what is
left here is for the crisis path and erasure, outside any use case.
"""

from __future__ import annotations

import logging

from bot.core.awaiting import Awaiting, ended, is_question, still_awaited
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)


def current(context: BotContext, user_id: int) -> Awaiting | None:
    """The stored state (open, ended or expired), or None."""
    found = context.services.repo.records(user_id, Awaiting)
    return found[-1] if found else None


def stop_waiting(
    context: BotContext,
    user_id: int,
    kind: str | None = None,
    reference: str | None = None,
) -> None:
    """End the open question (only the one of `kind` and `reference`, when given); nothing
    is written when nothing is open."""
    s = context.services
    now = s.clock()
    state = current(context, user_id)
    if state is None or not still_awaited(state, now):
        return
    if kind is not None and not is_question(state, kind, reference, now=now):
        return
    s.repo.replace(user_id, ended(state, now))


def stop_waiting_quietly(context: BotContext, user_id: int) -> None:
    """stop_waiting for the crisis path and erasure: storage trouble is logged, never raised,
    so it cannot hold up a crisis answer."""
    try:
        stop_waiting(context, user_id)
    except Exception:
        log.exception("awaiting.stop_failed")
