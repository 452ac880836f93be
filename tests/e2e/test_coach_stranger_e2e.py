"""The coach side against the real bot process, driven as a stranger would: restarts while
an admin's approve button waits and in the middle of a coachee's sharing questions."""

from __future__ import annotations

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
