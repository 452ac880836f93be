"""The coach side against the real bot process, driven as a stranger would: restarts while
an admin's approve button waits and in the middle of a coachee's sharing questions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conversations import onboard

ADMIN = 690_000_002


@pytest.fixture(scope="module")
def bot_env() -> dict[str, str]:
    return {"BOT_ADMIN_IDS": str(ADMIN)}


def test_restarts_keep_a_pending_approval_the_coach_and_the_sharing_choices(bot, bot_factory, chat):
    admin = chat(first_name="Ada", user_id=ADMIN)
    coach = chat(first_name="Carla")
    coachee = chat(first_name="Anna")
    coach.command("coach")
    coach.wait_for_text("doorgestuurd", timeout=10)
    request = admin.wait_for_text(f"id {coach.user_id}")

    bot.stop()
    bot = bot_factory()

    admin.press("Goedkeuren", request)  # pressed on the message from before the restart
    coach.wait_for_text("Je bent nu coach", timeout=15)
    coach.command("invite")
    code = coach.wait_for_text("t.me/").text.rsplit("start=", 1)[1].split()[0]
    onboard(coachee)
    coachee.command("start", code)
    invitation = coachee.wait_for_text("Carla nodigt je uit", timeout=10)
    coachee.press("Aannemen", invitation)
    coachee.wait_for_text("Mag Carla je check-inscores zien")
    coachee.press("Ja")
    exercises = coachee.wait_for_text("welke oefeningen")

    bot.stop()
    bot_factory()

    coachee.press("Nee", exercises)  # the question asked before the restart
    coachee.wait_for_text("vragenlijstscores zien", timeout=15)
    coachee.press("Nee")
    coachee.wait_for_text("meteen een bericht krijgen")
    coachee.press("Ja")
    coachee.wait_for_text("reflecties lezen")
    coachee.press("Nee")
    panel = coachee.wait_for_text("Je coach is Carla")
    shared = [text for row in panel.buttons for text in row if text.startswith("✓")]
    assert shared == ["✓ check-inscores (gedeeld)", "✓ veiligheidsmeldingen (gedeeld)"]
    coach.command("coachees")
    assert "Anna" in coach.wait_for_text("Je coachees", timeout=10).text


def test_delete_leaves_no_trace_of_the_coachee_in_any_file(bot, chat, bot_data_dir):
    admin = chat(first_name="Ada", user_id=ADMIN)
    coach = chat(first_name="Carla")
    coachee = chat(first_name="Zoë-Annelies")
    coach.command("coach")
    admin.press("Goedkeuren", admin.wait_for_text(f"id {coach.user_id}", timeout=10))
    coach.wait_for_text("Je bent nu coach")
    coach.command("invite")
    code = coach.wait_for_text("t.me/").text.rsplit("start=", 1)[1].split()[0]
    onboard(coachee)
    coachee.command("start", code)
    coachee.press("Aannemen", coachee.wait_for_text("Carla nodigt je uit", timeout=10))
    for answer in ("Ja", "Ja", "Nee", "Ja", "Nee"):
        question = coachee.wait_for(lambda m: bool(m.buttons) and m.text.startswith("Mag Carla"))
        coachee.press(answer, question)
    coachee.wait_for_text("Je coach is Carla")
    coach.command("coachees")  # a read, logged
    listing = coach.wait_for_text("Je coachees", timeout=10)
    menu = listing
    for label in ("Zoë-Annelies", "Huiswerk geven", "Bodyscan", "elke dag, één week"):
        coach.press(label, menu)
        menu = coach.wait_for_edit(menu)
    coachee.wait_for_text("Je coach stelt je een oefening voor")
    coach.command("report", "Zoë")
    coach.wait_for(lambda m: m.media == "document", timeout=30)
    stored = _everything(bot_data_dir)
    assert str(coachee.user_id) in stored and "Zo" in stored  # the name, however encoded

    coachee.command("delete")
    confirm = coachee.wait_for_text("Wil je echt alles wissen")
    coachee.press("Ja, wis alles", confirm)
    assert "Alles is gewist" in coachee.wait_for_edit(confirm).text
    coach.command("coachees")
    assert "nog geen coachees" in coach.wait_for_text("coachees", timeout=10).text

    # The index keeps the id as the erasure's tombstone (README, "Erasure that holds").
    index = json.loads((bot_data_dir / "index.json").read_text())
    assert str(coachee.user_id) not in json.dumps({k: v for k, v in index.items() if k != "erased"})
    left = _everything(bot_data_dir, but="index.json")
    assert str(coachee.user_id) not in left
    assert "Zoë" not in left and "Zo\\u00eb" not in left and "Annelies" not in left


def _everything(folder: Path, but: str = "") -> str:
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != but
    )
