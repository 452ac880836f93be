"""What a use case returns: what to say and what to do, with no Telegram in it.

A service (bot.services.*) decides; a handler renders the outcome (bot.telegram.render) and
carries out its effects. Texts are content ids with their values, so the same outcome reads
right in Dutch and English, and `content show` previews exactly what a coachee will get.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.awaiting import AwaitedKind
from bot.core.history import HistorySummary
from bot.core.models import Escalation, QuestionnaireResult


@dataclass(frozen=True)
class Text:
    """A text from content by id, filled in with `values`; `raw` is text that is already
    words (an exercise title in the coachee's language, say), used as it is."""

    id: str = ""
    values: Mapping[str, object] = field(default_factory=dict)
    raw: str | None = None


def say(text_id: str, **values: object) -> Text:
    return Text(text_id, values)


@dataclass(frozen=True)
class Choice:
    """A button: its label and the action with arguments it carries (bot.telegram.callbacks)."""

    label: Text
    action: str
    args: tuple[object, ...] = ()


Choices = tuple[tuple[Choice, ...], ...]


@dataclass(frozen=True)
class HistoryChart:
    """The /history picture of `summary` (drawn by bot.reports.chart), with its labels."""

    summary: HistorySummary
    title: Text
    energy: Text
    stress: Text
    sleep: Text
    exercise: Text
    no_data: Text


@dataclass(frozen=True)
class Message:
    """One message to the coachee: paragraphs joined by a blank line, buttons under it.
    `edit` replaces the message whose button was pressed instead of sending a new one;
    `reply_to` answers a message of the chat by its id; with a `chart` the message is that
    picture, its body the caption."""

    body: tuple[Text, ...]
    choices: Choices = ()
    edit: bool = False
    reply_to: int | None = None
    chart: HistoryChart | None = None


def message(*body: Text, choices: Choices = (), edit: bool = False) -> Message:
    return Message(tuple(body), choices, edit)


# --- effects: what the handler does besides saying ------------------------------------


@dataclass(frozen=True)
class Escalate:
    """Answer this escalation through the safety path (it stores it, with consent)."""

    escalation: Escalation


@dataclass(frozen=True)
class AwaitReplyTo:
    """The last message sent asks for typed text or taps of `kind`: wait for it, with that
    message's id as the reference (an open check-in answers as a reply to its question);
    `progress` is what its buttons carry before their value (an open check-in's day)."""

    kind: AwaitedKind
    progress: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reschedule:
    """The coachee's reminders changed: rebuild their jobs."""


@dataclass(frozen=True)
class ClearButtons:
    """Take the buttons off the message whose button was pressed (its step is over)."""


@dataclass(frozen=True)
class RememberLanguage:
    """Before consent: the language the person chose, kept for this chat session only
    (nothing is stored before consent)."""

    lang: str


@dataclass(frozen=True)
class RecordRefusal:
    """The person said no to storing their answers: keep only that no, and when. Done
    before anything is said."""

    at: datetime


@dataclass(frozen=True)
class SendExport:
    """Send everything stored about the coachee as one file, with `caption` under it (the
    refusal's moment when that is all there is)."""

    caption: Text
    refused_at: datetime | None = None
    # What the coaching file keeps about the coachee (bot.services.privacy.coaching_file),
    # JSON-ready.
    coaching: Mapping[str, object] | None = None
    # The profile's share switches as the coach store has them (they go with the sharing).
    switches: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class EraseEverything:
    """/delete confirmed: end every job and flow of the coachee first (nothing runs on to
    write again), then erase all their data. Done before anything is said."""


@dataclass(frozen=True)
class ReadAsItself:
    """The typed text did not answer the open question (which has ended): answer it as any
    text outside a flow."""


@dataclass(frozen=True)
class TrackQuestionnaire:
    """The pressed message shows a questionnaire item (`open`), or the questionnaire is over:
    a crisis answer takes the buttons of an open item away, so no further item follows it."""

    open: bool


@dataclass(frozen=True)
class TrackConsentQuestion:
    """Before consent: the consent question was just shown (`open`), or it is answered. Kept
    for this chat session only (nothing is stored before consent), so an invitation link
    opened meanwhile points up at that question instead of asking it twice."""

    open: bool


@dataclass(frozen=True)
class KeepResult:
    """A questionnaire result that a crisis answer completed: stored (bot.services.
    questionnaire.keep) only after that answer went out, so storage never holds it up."""

    result: QuestionnaireResult


@dataclass(frozen=True)
class FollowUp:
    """Ask how the coachee is doing at `when` (an escalation's follow-up was stored)."""

    when: datetime


@dataclass(frozen=True)
class AlertCoach:
    """A stored gp or crisis escalation: the coach linked to this coachee is told the level
    and the time (never the words), if the coachee shares alerts with them; the coach store
    decides (bot.core.coaching, through bot.telegram.coaching.alert_coach)."""

    user_id: int
    escalation: Escalation


@dataclass(frozen=True)
class Notify:
    """Say `message` to someone else than the person who acted (an admin, a coach, a
    coachee), in their private chat, in their language `lang`; `silent`: without sound
    (Telegram's disable_notification), for a notice that can wait, sent at once all the
    same. A use case sets it for a reason of its own (a coachee's quiet hours); an alert
    never does."""

    user_id: int
    message: Message
    lang: str
    silent: bool = False


@dataclass(frozen=True)
class RefreshMenu:
    """This person became or stopped being a coach, or got or lost a coach: their command
    menu (per chat) follows (bot.telegram.coaching)."""

    user_id: int


Effect = (
    Escalate
    | AwaitReplyTo
    | Reschedule
    | ClearButtons
    | RememberLanguage
    | RecordRefusal
    | SendExport
    | EraseEverything
    | ReadAsItself
    | TrackQuestionnaire
    | TrackConsentQuestion
    | KeepResult
    | FollowUp
    | AlertCoach
    | Notify
    | RefreshMenu
)
# Effects that write outside the unit of work: done before the coachee reads that they are.
BEFORE_SAYING = (RecordRefusal, EraseEverything)


@dataclass(frozen=True)
class Outcome:
    messages: tuple[Message, ...] = ()
    effects: tuple[Effect, ...] = ()
    # The coachee's language; None: the handler's guess (Telegram's hint, before consent).
    lang: str | None = None
    # False when the use case needs a profile and there is none: nothing was stored.
    consented: bool = True


def outcome(
    *messages: Message, effects: tuple[Effect, ...] = (), lang: str | None = None
) -> Outcome:
    return Outcome(tuple(messages), effects, lang)


def needs_consent(edit: bool = False) -> Outcome:
    """The kind word that this needs consent first (nothing is stored before consent)."""
    return Outcome((Message((say("consent.needed"),), edit=edit),), consented=False)
