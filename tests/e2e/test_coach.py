"""The coach side against the real bot process: an admin approves a coach, the coach
invites, the coachee accepts with partial consent, a check-in is fed, and the digest (the
maintainers' dry run on the data folder) holds exactly what is shared; a withdrawal removes
the item; forged and reused codes are refused; a second coach sees no one. (An expired code needs a
week to pass: tests/telegram/test_coaching_flow.py moves the rig's clock for it.)"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conversations import check_in, eventually, onboard, user_file

ADMIN = 690_000_001
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bot_env() -> dict[str, str]:
    # The demo clock (loopback only) lets the admin move the bot to the digest's Monday.
    return {"BOT_ADMIN_IDS": str(ADMIN), "BOT_DEMO_CLOCK": "1"}


def dry_run(data_dir: Path, coach_id: int, week: str) -> str:
    result = subprocess.run(
        [
            *(sys.executable, "-m", "bot", "digest", "--coach", str(coach_id), "--dry-run"),
            *("--week", week, "--dir", str(data_dir), "--content", str(ROOT / "content")),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def approve(admin, coach) -> None:
    coach.command("coach")
    coach.wait_for_text("doorgestuurd", timeout=10)
    request = admin.wait_for_text(f"id {coach.user_id}")
    admin.press("Goedkeuren", request)
    coach.wait_for_text("Je bent nu coach")


def invite_code(coach) -> str:
    coach.command("invite")
    link = coach.wait_for_text("t.me/")
    return link.text.rsplit("start=", 1)[1].split()[0]


def accept(coachee, code: str, checkins: bool = False, alerts: bool = False) -> None:
    """The invitation accepted from Carla, sharing check-ins and alerts as asked, nothing else
    (exercises, questionnaires, reflections: no)."""
    coachee.command("start", code)
    invitation = coachee.wait_for_text("Carla nodigt je uit", timeout=10)
    coachee.press("Aannemen", invitation)
    coachee.wait_for_text("Mag Carla je check-inscores zien")
    coachee.press("Ja" if checkins else "Nee")
    coachee.wait_for_text("welke oefeningen")
    coachee.press("Nee")
    coachee.wait_for_text("vragenlijstscores zien")
    coachee.press("Nee")
    asked = coachee.wait_for_text("meteen een bericht krijgen")
    assert "geen noodhulp" in asked.text and "112" in asked.text
    coachee.press("Ja" if alerts else "Nee", asked)
    coachee.wait_for_text("reflecties lezen")
    coachee.press("Nee")
    coachee.wait_for_text("Je coach is Carla")


def carla_and_anna(chat, checkins: bool = False, alerts: bool = False):
    """Ada (admin) approves Carla as a coach; Anna onboards and accepts Carla's invitation,
    sharing what is asked. Returns (admin, coach, coachee, the used code)."""
    admin = chat(first_name="Ada", user_id=ADMIN)
    coach = chat(first_name="Carla")
    coachee = chat(first_name="Anna")
    approve(admin, coach)
    code = invite_code(coach)
    onboard(coachee)
    accept(coachee, code, checkins=checkins, alerts=alerts)
    coach.wait_for_text("Anna heeft je uitnodiging aangenomen")
    return admin, coach, coachee, code


def test_a_coach_gets_exactly_what_a_coachee_shares(bot, chat, bot_data_dir):
    admin, coach, coachee, code = carla_and_anna(chat, checkins=True, alerts=True)

    check_in(coachee, energy=4, stress=6, sleep=3)
    coachee.command("exercise")  # an exercise chosen is not shared: exercises stay off
    today = eventually(lambda: _today(bot_data_dir, coachee.user_id))

    digest = dry_run(bot_data_dir, coach.user_id, today)
    assert "Anna" in digest
    assert "Check-ins: 1 van de 7 dagen" in digest
    assert "Energie: gemiddeld 4,0, laagste 4" in digest
    assert "Veiligheidsmeldingen: 0" in digest
    assert "Oefeningen gedaan" not in digest and "Gedeelde reflectie" not in digest

    coachee.command("digest")
    preview = coachee.wait_for_text("Check-ins:")
    assert "Energie: gemiddeld 4,0" in preview.text

    coachee.command("privacy")
    panel = coachee.wait_for_text("Je coach is Carla")
    coachee.press("✓ check-inscores (gedeeld)", panel)
    coachee.wait_for_edit(panel)
    withdrawn = dry_run(bot_data_dir, coach.user_id, today)
    assert "Anna" in withdrawn and "Veiligheidsmeldingen: 0" in withdrawn
    assert "Check-ins" not in withdrawn and "Energie" not in withdrawn

    # A used code and a forged one are refused kindly, and link no one.
    other = chat(first_name="Bert")
    onboard(other)
    other.command("start", code)
    other.wait_for_text("al gebruikt", timeout=10)
    other.command("start", "forged-code-000000000000")
    other.wait_for_text("ken ik niet", timeout=10)

    # A second coach sees none of Carla's coachees.
    second = chat(first_name="Omar")
    approve(admin, second)
    second.command("coachees")
    assert "nog geen coachees" in second.wait_for_text("coachees").text
    # Nor a report of one of them, by name or at all.
    second.command("report", "Anna")
    second.wait_for_text("niet een van jouw coachees", timeout=10)


def _today(data_dir: Path, user_id: int) -> str:
    (checkin,) = user_file(data_dir, user_id)["checkin"].values()
    return str(checkin["local_date"])


def test_the_weekly_digest_arrives_with_its_chart_and_csv_and_a_report_as_pdf(bot, chat):
    admin, coach, coachee, _code = carla_and_anna(chat, checkins=True)
    coachee.command("pause", "14")  # the week's reminders would take each jump seconds to send
    coachee.wait_for_text("Ik stuur je")

    # A check-in every day up to the next Monday (the coach's digest day), then past 08:00.
    days = 7 - datetime.now(ZoneInfo("Europe/Brussels")).weekday()
    for day in range(days):
        check_in(coachee, energy=4 + day % 2, stress=6, sleep=3)
        admin.command("time", "+1d")
        admin.wait_for_text("Demo clock:", timeout=20)
    admin.command("time", "09:00")

    digest = coach.wait_for_text("Weekoverzicht", timeout=30)
    assert "Anna" in digest.text and f"Check-ins: {days} van de" in digest.text
    assert "Energie: gemiddeld" in digest.text and "laagste 4" in digest.text
    assert "Veiligheidsmeldingen" not in digest.text  # alerts not shared
    chart = coach.wait_for(lambda m: m.media == "photo", timeout=30)
    assert chart.photo_path is not None
    assert chart.photo_path.read_bytes().startswith(b"\x89PNG")
    table = coach.wait_for(lambda m: m.media == "document", timeout=30)
    assert table.photo_path is not None
    rows = table.photo_path.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("name,days,checkin_days") and rows[1].startswith("Anna,"), rows
    assert coachee.messages()[-1].media is None  # the coachee gets nothing of it

    coach.command("report", "Anna")
    pdf = coach.wait_for(lambda m: m.media == "document" and m != table, timeout=30)
    assert pdf.photo_path is not None and pdf.photo_path.read_bytes().startswith(b"%PDF")
    assert "Anna" in pdf.text
