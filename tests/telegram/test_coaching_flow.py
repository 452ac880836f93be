"""The coach side through the real Application (tests/telegram/rig.py): an admin approves a
coach, the coach invites, the coachee accepts and chooses item by item, /privacy, /digest,
the alert, /delete, the weekly digest job."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from rig import CRISIS_TEXT, NOW, moment_a_minute_ago, wait_for

from bot.core.models import CheckIn
from bot.telegram import coaching, digest_job

ADMIN, COACH, ALICE, BOB = 7, 500, 41, 42


@pytest.fixture
async def coach_rig(rig):
    s = rig.application.bot_data["services"]
    s.settings = replace(s.settings, admin_ids=frozenset({ADMIN}))
    return rig


def t(content, text_id: str, **values: Any) -> str:
    return content.text(text_id, "nl", **values)


def sent_to(rig, chat_id: int) -> list[str]:
    return [
        c.params.get("text", "")
        for c in rig.api.calls
        if c.method in ("sendMessage", "editMessageText") and c.params.get("chat_id") == chat_id
    ]


def payloads(rig, chat_id: int) -> list[str]:
    """The buttons of the last message to `chat_id` that had any."""
    for call in reversed(rig.api.calls):
        if call.params.get("chat_id") != chat_id:
            continue
        markup: Any = call.params.get("reply_markup")
        if not markup:
            continue
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
    return []


async def approve_coach(rig) -> None:
    await rig.process(rig.update(COACH, "/coach"))
    (approve, _refuse) = payloads(rig, ADMIN)
    await rig.process(rig.update(ADMIN, data=approve))


async def invite_code(rig) -> str:
    await rig.process(rig.update(COACH, "/invite"))
    text = sent_to(rig, COACH)[-1]
    assert "https://t.me/coachbot?start=" in text
    return text.rsplit("start=", 1)[1].split()[0]


async def link_alice(rig, share: tuple[str, ...]) -> None:
    """Alice (consented already) accepts an invitation and shares `share`."""
    rig.consent(ALICE)
    await approve_coach(rig)
    code = await invite_code(rig)
    await rig.process(rig.update(ALICE, f"/start {code}"))
    accept = payloads(rig, ALICE)[0]
    await rig.process(rig.update(ALICE, data=accept))
    for item in ("checkins", "exercises", "questionnaires", "alerts", "reflections"):
        answer = "on" if item in share else "off"
        await rig.process(rig.update(ALICE, data=f"v1:cshr:{item}:{answer}:f:{COACH}"))


async def test_an_admin_approves_and_the_coach_gets_a_menu_of_their_own(coach_rig, content):
    rig = coach_rig
    await rig.process(rig.update(COACH, "/coach"))

    assert t(content, "coach.request.sent") in sent_to(rig, COACH)
    assert any("500" in text for text in sent_to(rig, ADMIN))
    approve = payloads(rig, ADMIN)[0]
    await rig.process(rig.update(ADMIN, data=approve))

    assert t(content, "coach.you.approved") in sent_to(rig, COACH)
    menus = [c for c in rig.api.calls_of("setMyCommands") if "scope" in c.params]
    scope = menus[-1].params["scope"]
    scope = json.loads(scope) if isinstance(scope, str) else scope
    assert scope == {"type": "chat", "chat_id": COACH}
    commands = menus[-1].params["commands"]
    commands = json.loads(commands) if isinstance(commands, str) else commands
    assert [c["command"] for c in commands][:3] == ["coachees", "invite", "coach"]


async def test_someone_else_pressing_approve_changes_nothing(coach_rig, content):
    rig = coach_rig
    await rig.process(rig.update(COACH, "/coach"))
    approve = payloads(rig, ADMIN)[0]

    await rig.process(rig.update(BOB, data=approve))

    assert t(content, "coach.you.approved") not in sent_to(rig, COACH)


async def test_a_new_coachee_consents_then_accepts_and_chooses_item_by_item(coach_rig, content):
    rig = coach_rig
    await approve_coach(rig)
    code = await invite_code(rig)

    await rig.process(rig.update(ALICE, f"/start {code}"))
    said = sent_to(rig, ALICE)
    assert t(content, "coach.invite.who", coach="C") in said[-1]
    assert t(content, "coach.invite.consent_first") in said[-1]
    accept = payloads(rig, ALICE)[0]
    await rig.process(rig.update(ALICE, data="v1:consent:yes"))
    await rig.process(rig.update(ALICE, data=accept))
    assert t(content, "coach.share.ask.checkins", coach="C") in sent_to(rig, ALICE)[-1]

    for item, answer in (
        ("checkins", "on"),
        ("exercises", "off"),
        ("questionnaires", "off"),
    ):
        await rig.process(rig.update(ALICE, data=f"v1:cshr:{item}:{answer}:f:{COACH}"))
    alerts_question = sent_to(rig, ALICE)[-1]
    assert t(content, "coach.share.not_emergency") in alerts_question
    await rig.process(rig.update(ALICE, data=f"v1:cshr:alerts:on:f:{COACH}"))
    await rig.process(rig.update(ALICE, data=f"v1:cshr:reflections:off:f:{COACH}"))

    store = coaching.coach_store(rig.application)
    assert store.sharing(ALICE).items == {"checkins", "alerts"}
    assert rig.repo.load_profile(ALICE).coach_id == COACH
    assert t(content, "coach.new_coachee", name="C") in sent_to(rig, COACH)


async def test_an_invitation_opened_before_consent_does_not_ask_for_consent_twice(
    coach_rig, content
):
    # Found in a user test: /start, then the coach's link before the yes: a second consent
    # question. The invitation points up at the open one; accepted after the yes, it links.
    rig = coach_rig
    await approve_coach(rig)
    code = await invite_code(rig)
    await rig.process(rig.update(ALICE, "/start"))
    await rig.process(rig.update(ALICE, f"/start {code}"))

    asked = [text for text in sent_to(rig, ALICE) if t(content, "consent.ask") in text]
    assert len(asked) == 1
    assert t(content, "coach.invite.consent_first") in sent_to(rig, ALICE)[-1]
    accept = payloads(rig, ALICE)[0]
    await rig.process(rig.update(ALICE, data="v1:consent:yes"))
    await rig.process(rig.update(ALICE, data=accept))
    assert t(content, "coach.share.ask.checkins", coach="C") in sent_to(rig, ALICE)[-1]
    assert rig.repo.load_profile(ALICE).coach_id == COACH


async def test_accept_before_the_yes_points_up_at_the_consent_question(coach_rig, content):
    # Found in a user test: the invitation's Accept before the yes said "Tik /start om dat
    # te regelen", with the consent question right above.
    rig = coach_rig
    await approve_coach(rig)
    code = await invite_code(rig)
    await rig.process(rig.update(ALICE, f"/start {code}"))  # the consent question, then it
    accept = payloads(rig, ALICE)[0]

    await rig.process(rig.update(ALICE, data=accept))

    assert sent_to(rig, ALICE)[-1] == t(content, "coach.invite.consent_first")
    assert t(content, "consent.needed") not in sent_to(rig, ALICE)
    assert rig.repo.load_profile(ALICE) is None
    await rig.process(rig.update(ALICE, data="v1:consent:yes"))
    await rig.process(rig.update(ALICE, data=accept))
    assert rig.repo.load_profile(ALICE).coach_id == COACH


async def test_after_a_no_an_invitation_asks_for_consent_again(coach_rig, content):
    rig = coach_rig
    await approve_coach(rig)
    code = await invite_code(rig)
    await rig.process(rig.update(ALICE, "/start"))
    await rig.process(rig.update(ALICE, data="v1:consent:no"))
    await rig.process(rig.update(ALICE, f"/start {code}"))

    asked = [text for text in sent_to(rig, ALICE) if t(content, "consent.ask") in text]
    assert len(asked) == 2


@pytest.mark.parametrize("code", ["forged0000000000000000", "x"])
async def test_a_forged_code_is_refused_kindly(coach_rig, content, code):
    rig = coach_rig
    rig.consent(ALICE)
    await approve_coach(rig)

    await rig.process(rig.update(ALICE, f"/start {code}"))

    assert t(content, "coach.invite.refused.unknown") in sent_to(rig, ALICE)


async def test_an_expired_code_is_refused(coach_rig, content):
    rig = coach_rig
    rig.consent(ALICE)
    await approve_coach(rig)
    code = await invite_code(rig)
    rig.clock[0] = NOW + timedelta(days=7, minutes=1)

    await rig.process(rig.update(ALICE, f"/start {code}"))

    assert t(content, "coach.invite.refused.expired") in sent_to(rig, ALICE)
    assert coaching.coach_store(rig.application).link_of(ALICE) is None


async def test_a_reused_code_is_refused(coach_rig, content):
    rig = coach_rig
    await link_alice(rig, ("checkins",))
    used = [c for c in rig.api.calls if "start=" in c.params.get("text", "")]
    code = used[-1].params["text"].rsplit("start=", 1)[1].split()[0]
    rig.consent(BOB)

    await rig.process(rig.update(BOB, f"/start {code}"))

    assert t(content, "coach.invite.refused.used") in sent_to(rig, BOB)


async def test_privacy_withdraws_at_once_and_digest_shows_the_coachees_part(coach_rig, content):
    rig = coach_rig
    await link_alice(rig, ("checkins", "exercises"))
    rig.repo.add(ALICE, CheckIn(NOW, NOW.date(), 5, 5, 3))

    await rig.process(rig.update(ALICE, "/digest"))
    assert (
        t(content, "coach.digest.checkins", days=1, possible="7 dagen") in sent_to(rig, ALICE)[-1]
    )

    await rig.process(rig.update(ALICE, "/privacy"))
    assert f"v1:cshr:checkins:off:p:{COACH}" in payloads(rig, ALICE)
    await rig.process(rig.update(ALICE, data=f"v1:cshr:checkins:off:p:{COACH}"))
    await rig.process(rig.update(ALICE, "/digest"))

    assert "Check-ins" not in sent_to(rig, ALICE)[-1]
    assert t(content, "coach.digest.exercises", count=0) in sent_to(rig, ALICE)[-1]


async def test_the_settings_sharing_button_opens_the_privacy_panel(coach_rig, content):
    rig = coach_rig
    await link_alice(rig, ("checkins",))

    await rig.process(rig.update(ALICE, data="v1:set:share"))

    assert t(content, "coach.privacy.panel", coach="C") in sent_to(rig, ALICE)[-1]


async def test_the_coachee_sees_who_read_what(coach_rig, content):
    rig = coach_rig
    await link_alice(rig, ("checkins",))
    await rig.process(rig.update(COACH, "/coachees"))

    await rig.process(rig.update(ALICE, data="v1:cpriv:reads:"))

    assert t(content, "coach.purpose.coachees") in sent_to(rig, ALICE)[-1]


async def test_a_crisis_alerts_the_coach_with_no_words_only_with_consent(coach_rig, content):
    rig = coach_rig
    await link_alice(rig, ("alerts",))
    before = len(sent_to(rig, COACH))

    await rig.process(rig.update(ALICE, CRISIS_TEXT))
    await wait_for(lambda: len(sent_to(rig, COACH)) > before)

    alert = sent_to(rig, COACH)[-1]
    assert alert.startswith("Melding:") and "112" in alert
    assert CRISIS_TEXT not in alert


async def test_no_alert_without_consent(coach_rig, content):
    rig = coach_rig
    await link_alice(rig, ("checkins",))
    before = len(sent_to(rig, COACH))

    await rig.process(rig.update(ALICE, CRISIS_TEXT))
    await wait_for(lambda: any("112" in text for text in sent_to(rig, ALICE)))

    assert len(sent_to(rig, COACH)) == before


async def test_delete_erases_the_coachee_from_the_coach_store(coach_rig, content):
    rig = coach_rig
    await link_alice(rig, ("checkins",))

    await rig.process(rig.update(ALICE, data=rig.delete_yes(ALICE)))

    store = coaching.coach_store(rig.application)
    assert store.link_of(ALICE) is None and store.sharing(ALICE) is None


async def test_a_coach_sees_and_touches_only_their_own_coachees(coach_rig, content):
    rig = coach_rig
    await link_alice(rig, ("checkins",))
    other = 600
    await rig.process(rig.update(other, "/coach"))
    await rig.process(rig.update(ADMIN, data=payloads(rig, ADMIN)[0]))

    await rig.process(rig.update(other, "/coachees"))
    await rig.process(rig.update(other, data=f"v1:cph:{ALICE}:recovery"))
    await rig.process(rig.update(other, data=f"v1:cee:{ALICE}:unlink_yes"))

    said = sent_to(rig, other)
    assert t(content, "coach.digest.no_coachees") in said
    assert t(content, "coach.refused.not_your_coachee") in said
    assert coaching.coach_store(rig.application).link_of(ALICE).coach_id == COACH


async def test_a_coachee_pressed_in_the_list_opens_their_menu_with_every_button(coach_rig, content):
    # The menu's "report" button once fell outside the callback shapes: the press failed.
    rig = coach_rig
    await link_alice(rig, ())
    await rig.process(rig.update(COACH, "/coachees"))
    assert f"v1:cee:{ALICE}:menu" in payloads(rig, COACH)

    await rig.process(rig.update(COACH, data=f"v1:cee:{ALICE}:menu"))

    assert [p.rsplit(":", 1)[1] for p in payloads(rig, COACH)[:-1]] == [
        "phase",
        "homework",
        "questionnaires",
        "report",
        "unlink",
    ]


async def test_the_coach_sets_the_questionnaire_rhythm_and_the_coachee_is_told(coach_rig, content):
    rig = coach_rig
    await link_alice(rig, ())
    await rig.process(rig.update(COACH, "/coachees"))
    await rig.process(rig.update(COACH, data=f"v1:cee:{ALICE}:menu"))
    assert f"v1:cee:{ALICE}:questionnaires" in payloads(rig, COACH)
    await rig.process(rig.update(COACH, data=f"v1:cee:{ALICE}:questionnaires"))
    assert f"v1:cee:{ALICE}:qn_set:4" in payloads(rig, COACH)

    await rig.process(rig.update(COACH, data=f"v1:cee:{ALICE}:qn_set:4"))

    assert rig.repo.load_profile(ALICE).questionnaire_weeks == 4
    rhythm = t(content, "settings.questionnaires.weeks", weeks=4)
    assert t(content, "coach.questionnaires.told", rhythm=rhythm) in sent_to(rig, ALICE)


async def test_the_weekly_digest_goes_once_with_its_csv(coach_rig, content):
    rig = coach_rig
    await link_alice(rig, ("checkins",))
    for day in range(7):
        at = NOW + timedelta(days=day)
        rig.repo.add(ALICE, CheckIn(at, at.date(), 6, 4, 3))
    rig.clock[0] = NOW + timedelta(days=7, hours=-6)  # Monday 6 April, 10:00 in Brussels

    first = await digest_job.send_due_digests(rig.application)
    again = await digest_job.send_due_digests(rig.application)

    assert (first, again) == (1, 0)
    digest = sent_to(rig, COACH)[-1]
    assert t(content, "coach.digest.checkins", days=7, possible="7 dagen") in digest
    (document,) = [c for c in rig.api.calls_of("sendDocument") if c.params["chat_id"] == COACH]
    assert t(content, "coach.digest.file") == document.params["caption"]
    (photo,) = [c for c in rig.api.calls_of("sendPhoto") if c.params["chat_id"] == COACH]
    assert t(content, "coach.digest.chart.caption") == photo.params["caption"]


async def test_report_sends_a_pdf_of_an_own_coachee_only(coach_rig, content):
    rig = coach_rig
    await link_alice(rig, ("checkins",))
    for day in range(7):
        at = NOW + timedelta(days=day)
        rig.repo.add(ALICE, CheckIn(at, at.date(), 6, 4, 3))
    rig.clock[0] = NOW + timedelta(days=7)

    await rig.process(rig.update(COACH, f"/report {ALICE}"))  # every rig user is called "C"
    await rig.process(rig.update(BOB, f"/report {ALICE}"))

    (document,) = [c for c in rig.api.calls_of("sendDocument") if c.params["chat_id"] == COACH]
    assert document.params["caption"] == t(content, "coach.report.caption", name="C")
    assert not [c for c in rig.api.calls_of("sendDocument") if c.params["chat_id"] == BOB]
    assert t(content, "coach.refused.not_coach") in sent_to(rig, BOB)
    store = coaching.coach_store(rig.application)
    assert [r.purpose for r in store.reads(ALICE)] == ["report"]


def buttons_of(rig, chat_id: int) -> list[str]:
    for call in reversed(rig.api.calls):
        markup: Any = call.params.get("reply_markup")
        if call.params.get("chat_id") != chat_id or not markup:
            continue
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [b["text"] for row in markup["inline_keyboard"] for b in row]
    return []


async def test_homework_comes_first_in_exercise_and_in_the_exercise_reminder(coach_rig, content):
    from bot.services import coaching as service
    from bot.telegram import jobs

    rig = coach_rig
    await link_alice(rig, ())
    store = coaching.coach_store(rig.application)
    now = rig.clock[0]
    service.assign_homework(store, rig.repo, COACH, ALICE, "body-scan", "d7", "nl", content, now)
    body_scan = content.exercises["body-scan"]
    title = body_scan.title.get("nl")

    await rig.process(rig.update(ALICE, "/exercise"))

    minutes = body_scan.duration_minutes
    assert buttons_of(rig, ALICE)[0] == t(
        content, "exercise.homework_option", title=title, minutes=minutes
    )

    moment_a_minute_ago(rig.repo, ALICE, "exercise", now)
    await jobs.reminder_tick(rig.job_context(ALICE))

    reminder = sent_to(rig, ALICE)[-1]
    assert reminder.startswith(t(content, "reminder.exercise.first"))
    assert t(content, "exercise.homework_reminder", exercises=title) in reminder
