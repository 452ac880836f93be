"""Conversation steps several e2e tests share, written as the coachee would do them."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from client import BotMessage, ChatClient
from harness import REPO_ROOT

T = TypeVar("T")

# Candidates for a worrying but unclear sentence: the first that the shipped model answers
# with the plain question (ask=True) is used. A retrained model moves sentences in and out
# of that band, so the tests ask the model instead of naming one sentence.
UNCLEAR = (
    "ik kan niet meer",
    "alles is zo zwaar, ik zie het niet meer zitten",
    "ik weet niet hoe lang ik dit nog volhou",
    "alles is zo zwaar, ik zie het echt niet meer zitten",
    "ik heb het gevoel dat niets nog zin heeft",  # P(crisis) 0.48 with the model of round 4
    "het gaat niet",  # P(crisis) 0.48 with the model of round 5
    "I can't do this anymore",
)


@functools.cache
def unclear_sentence() -> str:
    """Asked once per run: each ask starts `bot safety assess`, which loads the encoder."""
    lines = "\n".join(json.dumps({"text": t, "lang": "nl"}) for t in UNCLEAR)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "safety", "assess"],
        input=lines,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=True,
    )
    for sentence, line in zip(UNCLEAR, result.stdout.splitlines(), strict=True):
        if json.loads(line).get("ask"):
            return sentence
    pytest.fail(f"none of {UNCLEAR} is assessed with ask=True any more; add one that is")


def onboard(coachee: ChatClient, country: str = "België") -> BotMessage:
    """/start, consent, country, suggested time zone, default moments."""
    zone = _consent_and_country(coachee, country)
    coachee.press(zone.buttons[0][0])
    coachee.wait_for_text("Zo stuur ik je elke dag iets")
    coachee.press("Prima zo")
    return coachee.wait_for_edit(coachee.messages()[-1])


def start_typing_a_zone(coachee: ChatClient, zone: str, country: str = "Nederland") -> None:
    """/start, consent, country, then "Andere tijdzone" and `zone` typed; the bot's answer to
    the typed zone is the caller's to wait for."""
    suggested = _consent_and_country(coachee, country)
    coachee.press("Andere tijdzone", suggested)
    coachee.wait_for_edit(suggested)
    coachee.say(zone)


def _consent_and_country(coachee: ChatClient, country: str) -> BotMessage:
    """/start, consent and country: the suggested time zone, on screen."""
    coachee.command("start")
    coachee.wait_for_text("Mag ik je antwoorden bewaren?", timeout=10)
    coachee.press("Ja, bewaar mijn antwoorden")
    coachee.wait_for_text("In welk land woon je?")
    coachee.press(country)
    return coachee.wait_for_text("Je tijdzone is waarschijnlijk")


def check_in(coachee: ChatClient, energy: int, stress: int, sleep: int) -> BotMessage:
    """/checkin with three taps; returns the acknowledgement."""
    coachee.command("checkin")
    question = coachee.wait_for_text("Hoeveel energie heb je nu?")
    coachee.press(str(energy), question)
    question = coachee.wait_for_edit(question)
    coachee.press(str(stress), question)
    question = coachee.wait_for_edit(question)
    coachee.press(str(sleep), question)
    return coachee.wait_for_text("notitie")


def user_file(data_dir: Path, user_id: int) -> dict:
    """Everything stored about a coachee as one document: their folder's head and months
    merged (table -> rows; a month's rows keyed "<month>/<doc id>")."""
    folder = data_dir / "users" / str(user_id)
    parts = sorted(folder.glob("*.json"))
    if not parts:
        raise FileNotFoundError(folder)
    merged: dict = {}
    for path in parts:
        for table, rows in json.loads(path.read_text()).items():
            target = merged.setdefault(table, {})
            for key, row in rows.items():
                target[key if path.stem == "profile" else f"{path.stem}/{key}"] = row
    return merged


def eventually(check: Callable[[], T], timeout: float = 3.0) -> T:
    """The bot answers first and stores right after: poll until `check` stops failing."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except (AssertionError, KeyError, FileNotFoundError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
