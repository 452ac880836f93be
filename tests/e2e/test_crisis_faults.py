"""The crisis answer gets through when the Bot API fails: 5xx, timeouts, flood control, a
blocked user, a delivery the bot cannot confirm, and fifty users at once.

The bot reaches the emulator only through a FaultProxy (faults.py) that fails chosen calls;
the users talk to the emulator directly, so what a user sees is what was really delivered.
Each test states the behaviour we want. A failure lists every way the bot fell short, the
chat as the user sees it and every call the proxy saw, so a fix can start from the message.

Two of the cases pin the crisis send's timeout down from both sides: a delivery whose answer
comes after 8 s must not be sent twice (so the bot waits longer than 8 s, or does not retry),
and a request that is never answered must still lead to a crisis answer within 20 s (so the
bot gives up and retries well before that).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import yaml
from client import BotMessage, ChatClient
from conversations import check_in, eventually, onboard, user_file
from faults import (
    FaultProxy,
    Rule,
    bad_gateway,
    chat_is,
    deliver_slowly,
    forbidden_blocked,
    hang,
    reset,
    server_error,
    text_contains,
    too_many_requests,
)
from harness import REPO_ROOT, BotProcess, Emulator

CRISIS_TYPED = {"en": "I want to kill myself", "nl": "ik wil niet meer leven"}
# Faults aim at the send that carries the crisis answer: it names 112.
CRISIS_SEND = text_contains("112")
SETTLE = 2.0  # after the crisis answer, how long stray replies get to show up


@dataclass(frozen=True)
class _CrisisAnswer:
    """A predicate with a readable repr, for wait_for's timeout message."""

    def __call__(self, message: BotMessage) -> bool:
        return "112" in message.text and "1813" in message.text

    def __repr__(self) -> str:
        return "the crisis answer (text with 112 and 1813)"


is_crisis_answer = _CrisisAnswer()


def _unwanted_replies() -> dict[str, tuple[str, ...]]:
    """Replies that must not follow a crisis sentence, by what they are; texts from content."""
    texts = yaml.safe_load((REPO_ROOT / "content" / "ui.yaml").read_text())["texts"]
    return {
        "the apology for an error (input.error)": (
            "Something went wrong",
            "Er ging iets mis",
            *texts["input.error"].values(),
        ),
        "the generic reply to text the bot does not understand (input.unexpected)": (
            "simple helper",
            "eenvoudige hulp",
            *texts["input.unexpected"].values(),
        ),
        "the same before consent (input.before_consent)": (
            *texts["input.before_consent"].values(),
        ),
    }


UNWANTED = _unwanted_replies()


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def fault_proxy(emulator: Emulator) -> Iterator[FaultProxy]:
    """A FaultProxy in front of the emulator, nothing armed; stopped after the bot."""
    with FaultProxy(emulator.base_url) as proxy:
        yield proxy


@pytest.fixture
def bot_env(fault_proxy: FaultProxy) -> dict[str, str]:
    """The bot reaches the Bot API only through the proxy."""
    return {"TELEGRAM_API_URL": fault_proxy.api_url_for_bot}


# --- helpers ---------------------------------------------------------------------------------


def await_crisis_answer(user: ChatClient, within: float) -> BotMessage | None:
    try:
        return user.wait_for(is_crisis_answer, timeout=within)
    except AssertionError:
        return None


def crisis_problems(
    user: ChatClient,
    proxy: FaultProxy,
    answer: BotMessage | None,
    within: float,
    rule: Rule | None,
) -> list[str]:
    """What went wrong after a typed crisis sentence, judged from the whole chat."""
    problems = []
    if rule is not None and rule.hits == 0:
        problems.append(
            f"the fault never hit ({rule!r}): the bot made no call it matches, so this test "
            "proved nothing about it"
        )
    chat_now = user.messages()
    crisis_count = sum(1 for m in chat_now if is_crisis_answer(m))
    if answer is None:
        problems.append(f"no crisis answer (text with 112 and 1813) within {within:.0f}s")
    elif crisis_count > 1:
        forwarded = sum(1 for c in proxy.calls("sendMessage", CRISIS_SEND) if c.delivered)
        problems.append(
            f"the crisis answer was delivered {crisis_count} times (the emulator has them all; "
            f"the proxy forwarded {forwarded} sends of it); it must be delivered exactly once"
        )
    for what, markers in UNWANTED.items():
        found = [m for m in chat_now if any(marker in m.text for marker in markers)]
        if found:
            problems.append(f"the bot also sent {what}: {found[0].describe()}")
    return problems


def report(problems: list[str], user: ChatClient, proxy: FaultProxy) -> str:
    chat_now = "\n  ".join(m.describe() for m in user.messages()) or "(nothing)"
    return (
        f"{len(problems)} problem(s):\n- "
        + "\n- ".join(problems)
        + f"\nthe chat {user.chat_id} as the user sees it:\n  {chat_now}"
        + "\nwhat the proxy saw (t from the proxy's start; getUpdates left out):\n"
        + proxy.describe()
    )


# --- 1. a stranger's typed crisis, through each fault ------------------------------------------


@dataclass(frozen=True)
class Case:
    lang: str
    arm: Callable[[FaultProxy, ChatClient], Rule]
    within: float
    """Seconds the crisis answer may take."""


CASES = {
    "first-send-502-json": Case(
        "en", lambda proxy, _: proxy.inject("sendMessage", bad_gateway(), match=CRISIS_SEND), 10
    ),
    "first-send-500-html": Case(
        "nl",
        lambda proxy, _: proxy.inject(
            "sendMessage", server_error(500, html=True), match=CRISIS_SEND
        ),
        10,
    ),
    # Held until the bot gives up (or 25 s): never forwarded, so a retry is the only way.
    "first-send-times-out": Case(
        "en", lambda proxy, _: proxy.inject("sendMessage", hang(25), match=CRISIS_SEND), 20
    ),
    "first-send-connection-reset": Case(
        "nl", lambda proxy, _: proxy.inject("sendMessage", reset(), match=CRISIS_SEND), 10
    ),
    # Flood control on the whole chat, as Telegram does it: one 429 saying "retry after 12".
    "429-retry-after-12s": Case(
        "nl",
        lambda proxy, user: proxy.inject(
            "sendMessage", too_many_requests(12), match=chat_is(user.user_id), for_seconds=12
        ),
        20,
    ),
    # ... and flood control that keeps answering "retry after 3" for 12 s.
    "429-retry-after-3s-for-12s": Case(
        "en",
        lambda proxy, user: proxy.inject(
            "sendMessage", too_many_requests(3), match=chat_is(user.user_id), for_seconds=12
        ),
        20,
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_strangers_typed_crisis_gets_the_crisis_answer_when_the_send_fails(
    bot: BotProcess, chat, fault_proxy: FaultProxy, case: Case
):
    stranger = chat(language_code=case.lang)
    rule = case.arm(fault_proxy, stranger)
    sent_at = time.monotonic()
    stranger.say(CRISIS_TYPED[case.lang])
    answer = await_crisis_answer(stranger, case.within)
    took = time.monotonic() - sent_at
    print(f"crisis answer after {took:.2f}s" if answer else f"no crisis answer in {took:.1f}s")
    time.sleep(SETTLE)
    problems = crisis_problems(stranger, fault_proxy, answer, case.within, rule)
    if problems:
        pytest.fail(report(problems, stranger, fault_proxy))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_crisis_answer_delivered_but_confirmed_too_late_is_not_sent_twice(
    bot: BotProcess, chat, fault_proxy: FaultProxy, lang: str
):
    """The emulator gets the crisis answer at once; the bot hears so only after 8 s."""
    stranger = chat(language_code=lang)
    rule = fault_proxy.inject("sendMessage", deliver_slowly(8), match=CRISIS_SEND)
    sent_at = time.monotonic()
    stranger.say(CRISIS_TYPED[lang])
    answer = await_crisis_answer(stranger, 5)
    # Give the bot the delay, its retries and its apologies time to show.
    time.sleep(max(0.0, sent_at + 8 + 5 - time.monotonic()))
    problems = crisis_problems(stranger, fault_proxy, answer, 5, rule)
    if problems:
        pytest.fail(report(problems, stranger, fault_proxy))


# --- 2. a coachee with a check-in note prompt open ---------------------------------------------


def test_a_crisis_typed_as_a_check_in_note_is_answered_escalated_and_not_saved_as_the_note(
    bot: BotProcess, chat, fault_proxy: FaultProxy, bot_data_dir
):
    coachee = chat()  # nl, as onboard() expects
    onboard(coachee)
    check_in(coachee, energy=2, stress=8, sleep=2)  # ends with the note prompt open
    rule = fault_proxy.inject("sendMessage", bad_gateway(), match=CRISIS_SEND)
    coachee.say(CRISIS_TYPED["nl"])
    answer = await_crisis_answer(coachee, 10)
    time.sleep(SETTLE)

    problems = crisis_problems(coachee, fault_proxy, answer, 10, rule)
    saved = [m for m in coachee.messages() if "Notitie bewaard" in m.text]
    if saved:
        problems.append(f"the bot confirmed the crisis sentence as a note: {saved[0].describe()}")
    stored = user_file(bot_data_dir, coachee.user_id)
    notes = [c.get("note") for c in stored.get("checkin", {}).values()]
    if any(note and "niet meer leven" in note for note in notes):
        problems.append(f"the crisis sentence was stored as the check-in note: {notes!r}")
    try:
        escalations = eventually(lambda: user_file(bot_data_dir, coachee.user_id)["escalation"])
    except KeyError:
        escalations = {}
    levels = [(e.get("level"), e.get("source")) for e in escalations.values()]
    if ("crisis", "text") not in levels:
        problems.append(
            f"no crisis escalation (level crisis, source text) recorded; escalations: {levels}"
        )
    if problems:
        pytest.fail(report(problems, coachee, fault_proxy))


# --- 3. fifty users at once ----------------------------------------------------------------------


@dataclass
class Sent:
    user: ChatClient
    kind: str  # "crisis" or "other"
    what: str
    sent_at: float = 0.0
    answered_at: float | None = None
    error: str = ""

    @property
    def latency(self) -> float | None:
        return None if self.answered_at is None else self.answered_at - self.sent_at


def test_fifty_users_at_once_every_crisis_answer_arrives_within_2s(
    bot: BotProcess, chat, fault_proxy: FaultProxy
):
    ordinary = [
        ("command", "help"),
        ("say", "hallo, hoe gaat het"),
        ("say", "I had a long day at work"),
        ("command", "start"),
        ("say", "wat kan je allemaal?"),
    ]
    crisis_slots = {9, 20, 29, 40, 49}  # nl and en, behind others in the update queue
    sends: list[Sent] = []
    for i in range(50):
        lang = "en" if i % 2 else "nl"
        user = chat(first_name=f"User{i}", language_code=lang)
        if i in crisis_slots:
            sends.append(Sent(user, "crisis", CRISIS_TYPED[lang]))
        else:
            action, words = ordinary[i % len(ordinary)]
            sends.append(Sent(user, "other", f"/{words}" if action == "command" else words))

    start = threading.Barrier(len(sends))

    def run(sent: Sent) -> None:
        start.wait()
        sent.sent_at = time.monotonic()
        if sent.what.startswith("/"):
            sent.user.command(sent.what)
        else:
            sent.user.say(sent.what)
        expected = is_crisis_answer if sent.kind == "crisis" else None
        try:
            sent.user.wait_for(expected, timeout=10)
            sent.answered_at = time.monotonic()
        except AssertionError as exc:
            sent.error = str(exc).splitlines()[0]

    threads = [
        threading.Thread(target=run, args=(s,), name=f"user-{i}") for i, s in enumerate(sends)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    crisis = [s for s in sends if s.kind == "crisis"]
    others = [s for s in sends if s.kind == "other"]
    lines = []
    for s in crisis:
        bot_sent = next(
            (
                c.started - s.sent_at
                for c in fault_proxy.calls("sendMessage", chat_is(s.user.user_id))
                if "112" in c.request.text
            ),
            None,
        )
        seen = f"{s.latency:.2f}s" if s.latency is not None else "never"
        at_proxy = f"{bot_sent:.2f}s" if bot_sent is not None else "never"
        lines.append(
            f"crisis user {s.user.chat_id}: seen by the user after {seen}, "
            f"sent by the bot after {at_proxy}"
        )
    other_latencies = sorted(s.latency for s in others if s.latency is not None)
    if other_latencies:
        lines.append(
            f"other users: {len(other_latencies)}/{len(others)} answered, latency min "
            f"{other_latencies[0]:.2f}s, median {other_latencies[len(other_latencies) // 2]:.2f}s, "
            f"max {other_latencies[-1]:.2f}s"
        )
    print("\n".join(lines))

    slow = [s for s in crisis if s.latency is None or s.latency > 2.0]
    assert not slow, (
        f"{len(slow)} of {len(crisis)} crisis answers took longer than 2 s (or never came):\n"
        + "\n".join(lines)
        + "\n"
        + "\n".join(f"  {s.user.chat_id}: {s.error}" for s in slow if s.error)
    )
    unanswered = [s for s in others if s.latency is None]
    assert not unanswered, (
        f"{len(unanswered)} ordinary users got no answer within 10 s: "
        + ", ".join(f"{s.user.chat_id} ({s.what!r})" for s in unanswered)
    )


# --- 4. a blocked user -------------------------------------------------------------------------


def test_a_403_on_a_crisis_answer_does_not_stop_the_bot_answering_others(
    bot: BotProcess, chat, fault_proxy: FaultProxy
):
    blocker = chat(language_code="en")
    # Telegram answers every send to a user who blocked the bot with 403.
    fault_proxy.inject(
        "sendMessage", forbidden_blocked(), match=chat_is(blocker.user_id), for_seconds=60
    )
    blocker.say(CRISIS_TYPED["en"])
    fault_proxy.wait_for_call(
        "sendMessage", CRISIS_SEND, timeout=5, where=lambda call: call.status == 403
    )
    time.sleep(1.0)

    problems = []
    if not bot.is_running():
        problems.append(f"the bot exited with code {bot.process.returncode} after the 403")
    other = chat(language_code="nl")
    other.command("help")
    try:
        other.wait_for(timeout=5)
    except AssertionError as exc:
        problems.append(f"/help from another user got no answer: {exc}")
    third = chat(language_code="nl")
    third.say(CRISIS_TYPED["nl"])
    if await_crisis_answer(third, 5) is None:
        problems.append("a crisis sentence from another user got no crisis answer within 5 s")
    attempts = fault_proxy.calls("sendMessage", chat_is(blocker.user_id))
    print(f"sends to the user who blocked the bot: {len(attempts)}")
    if problems:
        pytest.fail(report(problems, other, fault_proxy))
