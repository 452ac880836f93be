"""bot.services.coaching against in-memory stores: becoming a coach, invitations, consent per
item, /privacy, /coachees, the weekly digest and the alert, with the shipped content."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from servicerig import ALICE, NOW, coachee_profile

from bot.core.coaching import hash_code
from bot.core.models import CheckIn, Escalation, ExerciseLog
from bot.services import actions, checkin, exercise
from bot.services import coaching as service
from bot.services.outcome import Notify, RefreshMenu
from bot.services.wording import render_text
from bot.storage.coaches import InMemoryCoachStore
from bot.storage.memory import InMemoryRepository

ADMIN, COACH, OTHER_COACH, BOB = 9, 500, 600, 1002
PEPPER = b"test-pepper-for-invites"


@pytest.fixture
def store() -> InMemoryCoachStore:
    return InMemoryCoachStore()


def ids(result) -> list[str]:
    return [t.id for m in result.messages for t in m.body]


def choices(result, index: int = -1):
    return [c for row in result.messages[index].choices for c in row]


def in_file(repo, user_id, use_case, *args):
    with repo.unit_of_work(user_id) as coachee:
        return use_case(coachee, *args)


def approved(store, coach_id=COACH, name="Carla", now=NOW - timedelta(days=30)):
    service.ask_to_coach(store, coach_id, name, "nl", {ADMIN}, {}, now)
    service.decide_coach(
        store, InMemoryRepository(), ADMIN, "approve", coach_id, {ADMIN}, "nl", now
    )


def code_of(result) -> str:
    link = result.messages[0].body[0].values["link"]
    return str(link).rsplit("start=", 1)[1]


def invited(store, coach_id=COACH, now=NOW) -> str:
    return code_of(service.make_invite(store, coach_id, "nl", "coachbot", PEPPER, now))


def linked(repo, store, user_id=ALICE, coach_id=COACH, share=(), now=NOW):
    """A coachee linked through an invitation, sharing `share`."""
    if store.coach(coach_id) is None:
        approved(store, coach_id)
    if repo.load_profile(user_id) is None:
        repo.save_profile(coachee_profile(user_id))
    code = invited(store, coach_id, now)
    in_file(repo, user_id, service.answer_invitation, store, True, code, "Alice", PEPPER, now)
    for item in share:
        in_file(repo, user_id, service.answer_share, store, item, True, "p", coach_id, now)


# --- becoming a coach -------------------------------------------------------------------


def test_without_admins_no_one_can_ask(store):
    result = service.ask_to_coach(store, COACH, "Carla", "nl", set(), {}, NOW)

    assert ids(result) == ["coach.request.no_admins"]
    assert store.coach(COACH) is None


def test_asking_tells_every_admin_with_approve_and_refuse(store):
    result = service.ask_to_coach(store, COACH, "Carla", "en", {ADMIN, 10}, {10: "en"}, NOW)

    assert ids(result) == ["coach.request.sent"]
    assert store.coach(COACH).status == "requested"
    notices = [e for e in result.effects if isinstance(e, Notify)]
    assert [(n.user_id, n.lang) for n in notices] == [(ADMIN, "nl"), (10, "en")]
    buttons = [c for row in notices[0].message.choices for c in row]
    assert [(c.action, c.args) for c in buttons] == [
        (actions.COACH_ADMIN, ("approve", COACH)),
        (actions.COACH_ADMIN, ("refuse", COACH)),
    ]


def test_only_an_admin_approves_and_only_once(store):
    service.ask_to_coach(store, COACH, "Carla", "nl", {ADMIN}, {}, NOW)

    stranger = service.decide_coach(
        store, InMemoryRepository(), 77, "approve", COACH, {ADMIN}, "nl", NOW
    )
    assert ids(stranger) == ["coach.refused.not_admin"]
    assert store.coach(COACH).status == "requested"

    yes = service.decide_coach(
        store, InMemoryRepository(), ADMIN, "approve", COACH, {ADMIN}, "nl", NOW
    )
    assert store.coach(COACH).status == "approved"
    assert RefreshMenu(COACH) in yes.effects
    told = [e for e in yes.effects if isinstance(e, Notify)]
    assert told[0].user_id == COACH and told[0].message.body[0].id == "coach.you.approved"

    again = service.decide_coach(
        store, InMemoryRepository(), ADMIN, "refuse", COACH, {ADMIN}, "nl", NOW
    )
    assert ids(again) == ["coach.decided.already"]
    assert store.coach(COACH).status == "approved"


def test_a_coach_steps_down_and_an_admin_revokes(store):
    approved(store)
    approved(store, OTHER_COACH, "Omar")

    down = service.step_down(store, InMemoryRepository(), COACH, "nl", NOW)
    revoked = service.decide_coach(
        store, InMemoryRepository(), ADMIN, "revoke_yes", OTHER_COACH, {ADMIN}, "nl", NOW
    )

    assert ids(down) == ["coach.stepped_down"] and RefreshMenu(COACH) in down.effects
    assert store.coach(COACH).status == "stepped_down"
    assert store.coach(OTHER_COACH).status == "revoked" and RefreshMenu(OTHER_COACH) in (
        revoked.effects
    )
    assert ids(service.make_invite(store, COACH, "nl", "coachbot", PEPPER, NOW)) == [
        "coach.refused.not_coach"
    ]


# --- invitations ------------------------------------------------------------------------


def test_an_invite_is_a_deep_link_whose_code_is_stored_hashed_only(store):
    approved(store)

    result = service.make_invite(store, COACH, "nl", "coachbot", PEPPER, NOW)

    link = result.messages[0].body[0].values["link"]
    assert str(link).startswith("https://t.me/coachbot?start=")
    code = code_of(result)
    assert store.invitation(hash_code(code, PEPPER)) is not None
    assert code not in repr(store._read())


def test_a_stranger_cannot_invite(store):
    result = service.make_invite(store, BOB, "nl", "coachbot", PEPPER, NOW)

    assert ids(result) == ["coach.refused.not_coach"]


@pytest.mark.parametrize(
    ("code", "later", "reason"),
    [
        ("forged-code-0000000000", timedelta(0), "unknown"),
        (None, timedelta(days=8), "expired"),
    ],
)
def test_a_forged_or_expired_code_is_refused_kindly(repo, store, code, later, reason):
    approved(store)
    good = invited(store)
    repo.save_profile(coachee_profile())

    shown = in_file(
        repo, ALICE, service.show_invitation, store, code or good, "nl", PEPPER, NOW + later
    )
    taken = in_file(
        repo, ALICE, service.answer_invitation, store, True, code or good, "A", PEPPER, NOW + later
    )

    assert ids(shown) == [f"coach.invite.refused.{reason}"]
    assert ids(taken) == [f"coach.invite.refused.{reason}"]
    assert store.link_of(ALICE) is None


def test_a_used_code_is_refused_and_links_no_one_else(repo, store):
    approved(store)
    code = invited(store)
    repo.save_profile(coachee_profile())
    repo.save_profile(coachee_profile(BOB))
    in_file(repo, ALICE, service.answer_invitation, store, True, code, "Alice", PEPPER, NOW)

    again = in_file(repo, BOB, service.answer_invitation, store, True, code, "Bob", PEPPER, NOW)

    assert ids(again) == ["coach.invite.refused.used"]
    assert store.link_of(BOB) is None


def test_opening_ones_own_used_invitation_again_says_there_is_nothing_to_do(repo, store):
    # Found by a stranger driving the bot: the link stays in the chat, and tapping it again
    # said "used already, ask your coach for a new link" to someone linked by it.
    approved(store)
    code = invited(store)
    repo.save_profile(coachee_profile())
    in_file(repo, ALICE, service.answer_invitation, store, True, code, "Alice", PEPPER, NOW)

    shown = in_file(repo, ALICE, service.show_invitation, store, code, "nl", PEPPER, NOW)
    accepted = in_file(repo, ALICE, service.answer_invitation, store, True, code, "A", PEPPER, NOW)

    assert ids(shown) == ids(accepted) == ["coach.invite.refused.already_yours"]
    assert shown.messages[0].body[0].values["coach"] == "Carla"
    assert store.link_of(ALICE).coach_id == COACH


def test_the_invitation_names_the_coach_and_stores_nothing(repo, store):
    approved(store)
    code = invited(store)

    result = in_file(repo, ALICE, service.show_invitation, store, code, "nl", PEPPER, NOW)

    assert ids(result) == ["coach.invite.who", "coach.invite.what", "coach.invite.consent_first"]
    assert result.messages[0].body[0].values["coach"] == "Carla"
    assert [c.args[0] for c in choices(result)] == ["yes", "no"]
    assert repo.user_ids() == [] and store.link_of(ALICE) is None


def test_accepting_before_consent_stores_nothing(repo, store):
    approved(store)
    code = invited(store)

    result = in_file(repo, ALICE, service.answer_invitation, store, True, code, "A", PEPPER, NOW)

    assert not result.consented
    assert store.link_of(ALICE) is None
    assert store.invitation(hash_code(code, PEPPER)).used_at is None
    assert ids(result) == ["consent.needed"]  # no consent question open: /start


def test_accepting_under_the_open_consent_question_points_up_at_it(repo, store):
    # Found in a user test: Accept tapped under the invitation, the consent question just
    # above it, answered "Tik /start om dat te regelen".
    approved(store)
    code = invited(store)
    asked = NOW - timedelta(minutes=2)

    result = in_file(
        repo, ALICE, service.answer_invitation, store, True, code, "A", PEPPER, NOW, asked
    )

    assert ids(result) == ["coach.invite.consent_first"]
    assert not result.messages[0].edit  # the invitation and its Accept stay
    assert not result.consented and store.link_of(ALICE) is None
    assert repo.user_ids() == [] and store.invitation(hash_code(code, PEPPER)).used_at is None


def test_accepting_links_with_nothing_shared_and_asks_item_by_item(repo, store):
    approved(store)
    code = invited(store)
    repo.save_profile(coachee_profile())

    result = in_file(
        repo, ALICE, service.answer_invitation, store, True, code, "Alice", PEPPER, NOW
    )

    assert store.link_of(ALICE).coach_id == COACH
    assert store.sharing(ALICE).items == frozenset()
    assert repo.load_profile(ALICE).coach_id == COACH
    assert ids(result) == ["coach.invite.linked", "coach.share.ask.checkins"]
    assert [c.args for c in choices(result)] == [
        ("checkins", "on", "f", COACH),
        ("checkins", "off", "f", COACH),
    ]
    told = [e for e in result.effects if isinstance(e, Notify)]
    assert told[0].user_id == COACH and told[0].message.body[0].values["name"] == "Alice"


def test_partial_consent_item_by_item_and_the_alert_warning_comes_first(repo, store):
    linked(repo, store)
    answers = {
        "checkins": True,
        "exercises": False,
        "questionnaires": False,
        "alerts": True,
        "reflections": False,
    }
    asked = []
    for item, on in answers.items():
        result = in_file(repo, ALICE, service.answer_share, store, item, on, "f", COACH, NOW)
        asked.append(ids(result))

    assert asked[2][1:] == ["coach.share.ask.alerts", "coach.share.not_emergency"]
    assert asked[-1][0] == "coach.share.set_off" and asked[-1][1] == "coach.privacy.panel"
    assert store.sharing(ALICE).items == {"checkins", "alerts"}
    consent = repo.load_profile(ALICE).consent
    assert (consent.share_checkins, consent.share_alerts) == (True, True)
    assert consent.share_reflections_default is False


# --- /privacy ---------------------------------------------------------------------------


def test_the_panel_switches_each_item_and_switching_on_asks_first(repo, store):
    linked(repo, store, share=("checkins",))

    panel = in_file(repo, ALICE, service.privacy, store)
    by_label = {c.label.values["item"].id: c for c in choices(panel) if "item" in c.label.values}

    assert by_label["coach.item.checkins"].args == ("checkins", "off", "p", COACH)
    assert by_label["coach.item.alerts"].action == actions.COACH_PRIVACY
    asked = in_file(repo, ALICE, service.ask_to_share, store, "alerts")
    assert ids(asked) == ["coach.share.ask.alerts", "coach.share.not_emergency"]

    in_file(repo, ALICE, service.answer_share, store, "checkins", False, "p", COACH, NOW)
    assert store.sharing(ALICE).items == frozenset()
    assert repo.load_profile(ALICE).consent.share_checkins is False


def test_without_a_coach_the_panel_says_nothing_is_shared(repo, store):
    repo.save_profile(coachee_profile())

    assert ids(in_file(repo, ALICE, service.privacy, store)) == ["coach.privacy.none"]


def test_the_coachee_unlinks_and_the_coach_is_told(repo, store):
    linked(repo, store, share=("checkins",))

    result = in_file(repo, ALICE, service.unlink_by_coachee, store, NOW)

    assert store.link_of(ALICE) is None and store.sharing(ALICE) is None
    assert repo.load_profile(ALICE).coach_id is None
    assert repo.load_profile(ALICE).consent.share_checkins is False
    assert Notify in {type(e) for e in result.effects}


def test_the_coachee_sees_the_read_log(repo, store, content):
    approved(store)
    linked(repo, store, share=("checkins",))
    service.coachees(store, repo, COACH, "nl", content, NOW)

    result = in_file(repo, ALICE, service.read_log, store, content)

    body = result.messages[0].body[0].raw
    assert "Carla" in body and content.text("coach.purpose.coachees", "nl") in body
    assert content.text("coach.item.checkins", "nl") in body


# --- the coach's work -------------------------------------------------------------------


def test_coachees_shows_own_coachees_only_with_attention_reasons(repo, store, content):
    approved(store)
    approved(store, OTHER_COACH, "Omar")
    linked(repo, store, share=("checkins",), now=NOW - timedelta(days=10))
    linked(repo, store, BOB, OTHER_COACH, share=("checkins",))

    mine = service.coachees(store, repo, COACH, "nl", content, NOW)

    text = mine.messages[0].body[0].raw
    assert "Alice" in text and "Bob" not in text
    assert "10 dagen geen check-in" in text  # whole days: from the linking day to yesterday
    assert choices(mine)[0].args == (ALICE, "menu")


def test_a_coach_cannot_touch_another_coachs_coachee(repo, store, content):
    approved(store)
    approved(store, OTHER_COACH, "Omar")
    linked(repo, store, BOB, OTHER_COACH, share=("checkins",))

    refusals = [
        service.coachee_menu(store, COACH, BOB, "nl", content),
        service.phase_choices(store, COACH, BOB, "nl", content),
        service.set_phase(store, repo, COACH, BOB, "recovery", "nl", content, NOW),
        service.homework_choices(store, COACH, BOB, "nl", content),
        service.assign_homework(store, repo, COACH, BOB, "box-breathing", "d7", "nl", content, NOW),
        service.questionnaire_choices(store, COACH, BOB, "nl"),
        service.set_questionnaire_weeks(store, repo, COACH, BOB, 2, "nl", NOW),
        service.ask_unlink_coachee(store, COACH, BOB, "nl"),
        service.unlink_by_coach(store, repo, COACH, BOB, "nl", NOW),
    ]

    assert {tuple(ids(r)) for r in refusals} == {("coach.refused.not_your_coachee",)}
    assert store.link_of(BOB).coach_id == OTHER_COACH
    # The phase as the link started it (the coachee's own), untouched by the other coach.
    assert store.phase(BOB).set_by == BOB and store.homework(BOB) == []
    assert repo.load_profile(BOB).questionnaire_weeks is None


def test_the_coach_sets_the_phase_and_the_coachee_follows_it(repo, store, content):
    approved(store)
    linked(repo, store)

    result = service.set_phase(store, repo, COACH, ALICE, "recovery", "nl", content, NOW)

    assert store.phase(ALICE).phase == "recovery"
    assert repo.load_profile(ALICE).phase == "recovery"
    assert [e.user_id for e in result.effects if isinstance(e, Notify)] == [ALICE]


def test_the_coach_sets_how_often_questionnaires_are_offered_and_the_coachee_is_told(
    repo, store, content
):
    approved(store)
    linked(repo, store)
    menu = service.coachee_menu(store, COACH, ALICE, "nl", content)
    assert (ALICE, "questionnaires") in [c.args for c in choices(menu)]

    asked = service.questionnaire_choices(store, COACH, ALICE, "nl")
    assert [c.args for c in choices(asked)] == [
        (ALICE, "qn_set", 2),
        (ALICE, "qn_set", 4),
        (ALICE, "qn_set", 8),
        (ALICE, "qn_set", 0),
    ]
    result = service.set_questionnaire_weeks(store, repo, COACH, ALICE, 4, "nl", NOW)

    assert repo.load_profile(ALICE).questionnaire_weeks == 4
    assert ids(result) == ["coach.questionnaires.set"]
    (told,) = [e for e in result.effects if isinstance(e, Notify)]
    assert told.user_id == ALICE and told.message.body[0].id == "coach.questionnaires.told"

    checked_in = in_file(
        repo, ALICE, checkin.answer_checkin, "20260330", (6, 4, 3), 55, ALICE, NOW, content
    )
    offered = [c.action for row in checked_in.messages[-1].choices for c in row]
    assert actions.QUESTIONNAIRE in offered  # the next check-in offers one (none filled in yet)

    off = service.set_questionnaire_weeks(store, repo, COACH, ALICE, 0, "nl", NOW)
    assert repo.load_profile(ALICE).questionnaire_weeks is None
    assert ids(off) == ["coach.questionnaires.set_off"]


def test_a_questionnaire_rhythm_no_button_carries_changes_nothing(repo, store):
    approved(store)
    linked(repo, store)

    result = service.set_questionnaire_weeks(store, repo, COACH, ALICE, 3, "nl", NOW)

    assert ids(result) == ["input.stale_button"]
    assert repo.load_profile(ALICE).questionnaire_weeks is None and not result.effects


def test_homework_is_stored_from_the_coachees_today_and_they_are_told(repo, store, content):
    approved(store)
    linked(repo, store)

    result = service.assign_homework(
        store, repo, COACH, ALICE, "box-breathing", "d14", "nl", content, NOW
    )

    (homework,) = store.homework(ALICE)
    assert (homework.exercise_id, homework.rhythm, homework.days) == ("box-breathing", "daily", 14)
    assert homework.start == NOW.date()
    told = [e for e in result.effects if isinstance(e, Notify)]
    assert told[0].user_id == ALICE and told[0].message.body[0].id == "coach.homework.told"


def test_setting_what_is_already_set_changes_nothing_and_tells_no_one(repo, store, content):
    approved(store)
    linked(repo, store)
    phase = service.set_phase(store, repo, COACH, ALICE, "recovery", "nl", content, NOW)
    homework = service.assign_homework(
        store, repo, COACH, ALICE, "body-scan", "d7", "nl", content, NOW
    )
    weeks = service.set_questionnaire_weeks(store, repo, COACH, ALICE, 4, "nl", NOW)
    since = store.phase(ALICE).since
    later = NOW + timedelta(days=2)

    again = [
        (phase, service.set_phase(store, repo, COACH, ALICE, "recovery", "nl", content, later)),
        (
            homework,
            service.assign_homework(
                store, repo, COACH, ALICE, "body-scan", "d7", "nl", content, later
            ),
        ),
        (weeks, service.set_questionnaire_weeks(store, repo, COACH, ALICE, 4, "nl", NOW)),
    ]

    for first, second in again:
        assert ids(second) == ids(first)  # the same confirmation for the coach
        assert second.effects == ()  # and nothing for the coachee
    assert store.phase(ALICE).since == since  # the days in the phase still count
    assert len(store.homework(ALICE)) == 1


def test_a_different_choice_or_homework_that_ended_is_set_and_told(repo, store, content):
    approved(store)
    linked(repo, store)
    service.set_phase(store, repo, COACH, ALICE, "recovery", "nl", content, NOW)
    service.assign_homework(store, repo, COACH, ALICE, "body-scan", "d7", "nl", content, NOW)
    service.set_questionnaire_weeks(store, repo, COACH, ALICE, 4, "nl", NOW)

    changed = [
        service.set_phase(store, repo, COACH, ALICE, "analysis", "nl", content, NOW),
        service.assign_homework(store, repo, COACH, ALICE, "body-scan", "d14", "nl", content, NOW),
        service.assign_homework(
            store, repo, COACH, ALICE, "body-scan", "d7", "nl", content, NOW + timedelta(days=7)
        ),
        service.set_questionnaire_weeks(store, repo, COACH, ALICE, 0, "nl", NOW),
    ]

    assert all([e.user_id for e in r.effects if isinstance(e, Notify)] == [ALICE] for r in changed)


NIGHT = NOW.replace(hour=22, minute=30)  # 00:30 in Brussels: inside the quiet hours


@pytest.mark.parametrize("at", [NOW, NIGHT])
def test_a_coachs_notice_in_the_coachees_quiet_hours_comes_at_once_without_sound(
    repo, store, content, at
):
    approved(store)
    linked(repo, store)

    results = [
        service.set_phase(store, repo, COACH, ALICE, "recovery", "nl", content, at),
        service.assign_homework(store, repo, COACH, ALICE, "body-scan", "d7", "nl", content, at),
        service.set_questionnaire_weeks(store, repo, COACH, ALICE, 4, "nl", at),
        service.unlink_by_coach(store, repo, COACH, ALICE, "nl", at),
    ]

    told = [e for r in results for e in r.effects if isinstance(e, Notify)]
    assert [n.user_id for n in told] == [ALICE] * 4  # nothing held back
    assert {n.silent for n in told} == {at == NIGHT}


def test_an_alert_to_the_coach_is_never_silent_at_night(repo, store, content):
    approved(store)
    repo.save_profile(coachee_profile(COACH))  # the coach has quiet hours of their own
    linked(repo, store, share=("alerts",))

    crisis = Escalation("crisis", "text", "nl-suicidal-ideation", "suicidal_ideation", NIGHT)

    alert = service.coach_alert(store, ALICE, crisis, content, NIGHT)

    assert alert is not None and alert.user_id == COACH and alert.silent is False


def test_the_coach_sets_their_no_checkin_days(store):
    approved(store)

    service.set_quiet_days(store, COACH, 5, "nl")

    assert store.coach(COACH).quiet_days == 5


def test_the_coachs_no_checkin_days_are_said_in_the_singular_for_one(repo, store, content):
    from bot.services.wording import render_text

    approved(store)
    linked(repo, store, share=("checkins",), now=NOW - timedelta(days=2))

    one = service.set_quiet_days(store, COACH, 1, "nl").messages[0].body[0]
    listed = service.coachees(store, repo, COACH, "nl", content, NOW)

    assert (
        render_text(content, one, "nl")
        == "Goed: na 1 dag zonder check-in zie je een aandachtspunt."
    )
    button = choices(listed)[-2].label
    assert render_text(content, button, "nl") == "Aandacht na 1 dag zonder check-in"
    assert "2 dagen geen check-in" in listed.messages[0].body[0].raw


def test_the_coach_unlinks_and_the_coachee_is_told(repo, store):
    approved(store)
    linked(repo, store, share=("alerts",))

    result = service.unlink_by_coach(store, repo, COACH, ALICE, "nl", NOW)

    assert store.link_of(ALICE) is None
    assert repo.load_profile(ALICE).coach_id is None
    assert repo.load_profile(ALICE).consent.share_alerts is False
    assert [e.user_id for e in result.effects if isinstance(e, Notify)] == [ALICE]


# --- digests and alerts -----------------------------------------------------------------

MONDAY_0900 = datetime(2026, 4, 6, 7, 0, tzinfo=NOW.tzinfo)  # Monday 6 April, 09:00 in Brussels


def week_of_checkins(repo, user_id=ALICE):
    for day in range(7):
        at = NOW + timedelta(days=day)
        repo.add(user_id, CheckIn(at, at.date(), 6, 4, 3))
        repo.add(user_id, ExerciseLog("box-breathing", at, at.date(), "done"))


def test_the_digest_holds_only_what_is_shared_and_goes_once(repo, store, content):
    approved(store)
    linked(repo, store, share=("checkins",), now=NOW - timedelta(minutes=5))
    week_of_checkins(repo)

    assert service.due_digests(store, MONDAY_0900) == [COACH]
    digest = service.weekly_digest(store, repo, COACH, content, MONDAY_0900)

    text = "\n".join(digest.messages)
    assert "Alice" in text
    assert content.text("coach.digest.checkins", "nl", days=7, possible="7 dagen") in text
    assert content.text("coach.digest.exercises", "nl", count=7) not in text
    assert "energy_mean" in digest.csv and ",7," in digest.csv
    assert service.due_digests(store, MONDAY_0900 + timedelta(hours=1)) == []
    assert service.weekly_digest(store, repo, COACH, content, MONDAY_0900) is None
    assert [r.purpose for r in store.reads(ALICE)] == ["digest"]


def test_the_digests_overview_holds_only_coachees_who_share_their_check_ins(repo, store, content):
    approved(store)
    linked(repo, store, share=("checkins",), now=NOW - timedelta(minutes=5))
    linked(repo, store, user_id=BOB, share=("exercises",), now=NOW)
    week_of_checkins(repo)
    week_of_checkins(repo, BOB)

    digest = service.weekly_digest(store, repo, COACH, content, MONDAY_0900)

    assert [(p.name, p.this_week, p.last_week) for p in digest.overview] == [("Alice", 6, None)]
    assert digest.overview_labels.title == content.text("coach.digest.chart.title", "nl")
    assert digest.chart_caption == content.text("coach.digest.chart.caption", "nl")


def test_a_withdrawal_before_the_digest_removes_the_item(repo, store, content):
    approved(store)
    linked(repo, store, share=("checkins", "exercises"), now=NOW - timedelta(minutes=5))
    week_of_checkins(repo)
    in_file(repo, ALICE, service.answer_share, store, "checkins", False, "p", COACH, NOW)

    digest = service.weekly_digest(store, repo, COACH, content, MONDAY_0900)

    text = "\n".join(digest.messages)
    assert content.text("coach.digest.exercises", "nl", count=7) in text
    assert "Check-ins" not in text and "Energie" not in text


def test_a_digest_without_coachees_is_its_short_text_without_a_csv_or_a_chart(repo, store, content):
    approved(store)

    digest = service.weekly_digest(store, repo, COACH, content, MONDAY_0900)

    assert content.text("coach.digest.no_coachees", "nl") in digest.messages[0]
    assert digest.csv is None and digest.overview == ()


def test_a_digest_where_nobody_shares_check_ins_has_a_csv_but_no_chart(repo, store, content):
    approved(store)
    linked(repo, store, share=("exercises",), now=NOW - timedelta(minutes=5))
    week_of_checkins(repo)

    digest = service.weekly_digest(store, repo, COACH, content, MONDAY_0900)

    assert digest.csv is not None and len(digest.csv.splitlines()) == 2
    assert digest.overview == ()


def test_a_digest_telegram_did_not_take_is_due_again(repo, store, content):
    approved(store)
    digest = service.weekly_digest(store, repo, COACH, content, MONDAY_0900)

    service.unmark_digest(store, COACH, digest.week, MONDAY_0900)

    assert service.due_digests(store, MONDAY_0900 + timedelta(minutes=5)) == [COACH]


def test_the_coachees_preview_is_their_part_of_the_digest(repo, store, content):
    approved(store)
    linked(repo, store, share=("exercises",), now=NOW - timedelta(minutes=5))
    week_of_checkins(repo)

    result = service.digest_preview(
        store, repo, ALICE, "nl", content, MONDAY_0900 - timedelta(hours=2)
    )

    assert ids(result)[0] == "coach.digest.preview.intro"
    text = result.messages[1].body[0].raw
    assert content.text("coach.digest.exercises", "nl", count=7) in text
    assert "Check-ins" not in text
    assert store.reads(ALICE) == []  # a preview is not a coach's read


def test_without_a_coach_there_is_no_preview(repo, store, content):
    repo.save_profile(coachee_profile())

    result = service.digest_preview(store, repo, ALICE, "nl", content, NOW)

    assert ids(result) == ["coach.digest.preview.none"]


def escalation(level="crisis"):
    return Escalation(level, "text", "nl-suicidal-ideation", "suicidal_ideation", NOW)


def test_an_alert_goes_to_the_coach_only_with_consent_and_holds_no_words(repo, store, content):
    approved(store)
    linked(repo, store, share=("checkins",))

    assert service.coach_alert(store, ALICE, escalation(), content, NOW) is None

    in_file(repo, ALICE, service.answer_share, store, "alerts", True, "p", COACH, NOW)
    notice = service.coach_alert(store, ALICE, escalation(), content, NOW)

    assert notice.user_id == COACH
    (text,) = notice.message.body
    assert text.id == "coach.alert.now.crisis"
    assert set(text.values) == {"name", "day", "time"} and text.values["time"] == "16:00"
    assert [r.purpose for r in store.reads(ALICE)] == ["alert"]


def test_no_alert_after_the_coach_stepped_down(repo, store, content):
    approved(store)
    linked(repo, store, share=("alerts",))
    service.step_down(store, repo, COACH, "nl", NOW)

    assert service.coach_alert(store, ALICE, escalation("gp"), content, NOW) is None


def test_erasing_a_coachee_leaves_the_coach_nothing(repo, store, content):
    approved(store)
    linked(repo, store, share=("checkins",))

    store.erase_person(ALICE)

    assert service.coachees(store, repo, COACH, "nl", content, NOW).messages[0].body[0].id == (
        "coach.digest.no_coachees"
    )
    assert store.reads(ALICE) == []


def test_an_erased_coach_leaves_their_coachees_without_a_coach(repo, store):
    linked(repo, store, share=("checkins", "alerts"))

    service.forget_person(store, repo, COACH, NOW)

    assert store.coach(COACH) is None and store.link_of(ALICE) is None
    profile = repo.load_profile(ALICE)
    assert profile.coach_id is None and profile.consent.share_alerts is False


def test_an_invitation_to_someone_with_a_coach_says_so(repo, store):
    linked(repo, store)
    approved(store, OTHER_COACH, "Omar")
    code = invited(store, OTHER_COACH)

    result = in_file(repo, ALICE, service.show_invitation, store, code, "nl", PEPPER, NOW)

    assert ids(result) == ["coach.invite.refused.already_linked"]


def test_the_coach_sets_their_digest_day_and_time(repo, store, content):
    approved(store)

    service.digest_moment(store, COACH, "nl", weekday=4)
    shown = service.digest_moment(store, COACH, "nl", at="1700")

    coach = store.coach(COACH)
    assert (coach.digest_weekday, f"{coach.digest_time:%H:%M}") == (4, "17:00")
    assert shown.messages[0].body[0].values["time"] == "17:00"
    friday_1700 = datetime(2026, 4, 3, 15, 0, tzinfo=NOW.tzinfo)  # 17:00 in Brussels
    before = friday_1700 - timedelta(minutes=1)
    late = service.weekly_digest(store, repo, COACH, content, before)  # the Friday before's
    assert late is not None and late.week.isoformat() == "2026-03-20"
    assert service.due_digests(store, before) == []
    assert service.due_digests(store, friday_1700) == [COACH]


def test_a_yes_to_a_former_coachs_question_shares_nothing_with_the_new_one(repo, store):
    linked(repo, store)
    asked_for = store.link_of(ALICE).coach_id
    in_file(repo, ALICE, service.unlink_by_coachee, store, NOW)
    linked(repo, store, coach_id=OTHER_COACH)

    result = in_file(repo, ALICE, service.answer_share, store, "alerts", True, "f", asked_for, NOW)

    assert ids(result) == ["input.stale_button"]
    assert store.sharing(ALICE).items == frozenset()


# --- /report ------------------------------------------------------------------------------


def test_a_report_holds_only_what_the_coachee_shares_and_is_logged(repo, store, content):
    approved(store)
    linked(repo, store, share=("checkins",), now=NOW - timedelta(minutes=5))
    week_of_checkins(repo)
    now = NOW + timedelta(days=6, hours=2)

    report = service.coachee_report(store, repo, COACH, "alice", content, now)

    assert isinstance(report, service.ReportFile)
    text = "\n".join(report.lines)
    assert content.text("coach.digest.checkins", "nl", days=7, possible="7 dagen") in text
    assert content.text("coach.digest.exercises", "nl", count=7) not in text
    assert [round(d.energy) for d in report.days if d.energy is not None] == [6] * 7
    assert report.title.startswith("Alice")
    assert [r.purpose for r in store.reads(ALICE)] == ["report"]
    assert store.reads(ALICE)[0].items == ("checkins",)


def test_a_report_without_shared_check_ins_has_no_numbers_of_them(repo, store, content):
    approved(store)
    linked(repo, store, share=("exercises",), now=NOW - timedelta(minutes=5))
    week_of_checkins(repo)

    report = service.coachee_report(
        store, repo, COACH, str(ALICE), content, NOW + timedelta(days=6)
    )

    assert report.days is None
    text = "\n".join(report.lines)
    assert content.text("coach.digest.exercises", "nl", count=7) in text
    assert "Energie" not in text and "Check-ins" not in text


def test_a_report_of_someone_elses_coachee_is_refused_and_not_logged(repo, store, content):
    approved(store)
    approved(store, OTHER_COACH)
    linked(repo, store, share=("checkins",), now=NOW - timedelta(minutes=5))
    week_of_checkins(repo)

    for who in ("Alice", str(ALICE), "nobody"):
        refused = service.coachee_report(store, repo, OTHER_COACH, who, content, NOW)
        assert ids(refused) == ["coach.refused.not_your_coachee"]
    assert ids(service.report_of(store, repo, OTHER_COACH, ALICE, content, NOW)) == [
        "coach.refused.not_your_coachee"
    ]
    assert store.reads(ALICE) == []


def test_a_report_is_refused_to_someone_who_is_not_a_coach(repo, store, content):
    linked(repo, store, share=("checkins",))
    refused = service.coachee_report(store, repo, BOB, "Alice", content, NOW)
    assert ids(refused) == ["coach.refused.not_coach"]


def test_report_without_a_name_asks_which_coachee(repo, store, content):
    approved(store)
    linked(repo, store, share=("checkins",))

    result = service.coachee_report(store, repo, COACH, "", content, NOW)

    assert ids(result) == ["coach.report.which"]
    assert [(c.action, c.args) for c in choices(result)] == [(actions.COACHEE, (ALICE, "report"))]
    assert store.reads(ALICE) == []


# --- homework on the coachee's side -------------------------------------------------------


def exercise_menu(repo, store, content, now=NOW):
    with repo.unit_of_work(ALICE) as coachee:
        return exercise.choose(coachee, content, now, "nl", store)


def test_active_homework_comes_first_in_the_exercise_menu_marked_as_homework(repo, store, content):
    approved(store)
    linked(repo, store)
    service.assign_homework(store, repo, COACH, ALICE, "body-scan", "d7", "nl", content, NOW)

    menu = exercise_menu(repo, store, content, NOW + timedelta(days=2))

    (first, *rest) = [row[0] for row in menu.messages[0].choices]
    assert first.args == ("body-scan",) and first.label.id == "exercise.homework_option"
    assert ("body-scan",) not in [c.args for c in rest]
    assert all(c.label.id == "exercise.option" for c in rest)


def test_homework_leaves_the_menu_when_it_ends_or_the_coach_is_unlinked(repo, store, content):
    approved(store)
    linked(repo, store)
    service.assign_homework(store, repo, COACH, ALICE, "body-scan", "d7", "nl", content, NOW)

    after = exercise_menu(repo, store, content, NOW + timedelta(days=8))
    service.unlink_by_coach(store, repo, COACH, ALICE, "nl", NOW)
    unlinked = exercise_menu(repo, store, content, NOW + timedelta(days=1))

    for menu in (after, unlinked):
        labels = [row[0].label.id for row in menu.messages[0].choices]
        assert "exercise.homework_option" not in labels


def test_the_exercise_reminder_names_the_active_homework(repo, store, content):
    approved(store)
    linked(repo, store)
    service.assign_homework(store, repo, COACH, ALICE, "body-scan", "d7", "nl", content, NOW)
    title = content.exercises["body-scan"].title.get("nl")

    line = service.homework_reminder(store, repo, ALICE, content, NOW + timedelta(days=1))

    assert line == content.text("exercise.homework_reminder", "nl", exercises=title)
    assert service.homework_reminder(store, repo, ALICE, content, NOW + timedelta(days=9)) == ""
    assert service.homework_reminder(store, repo, BOB, content, NOW) == ""


# --- a coach role that ends, links, coachees with the same name ----------------------------


def told_to(result, user_id):
    return [
        e.message.body[0] for e in result.effects if isinstance(e, Notify) and e.user_id == user_id
    ]


def test_declining_a_second_copy_of_an_accepted_invitation_says_the_link_holds(repo, store):
    approved(store)
    repo.save_profile(coachee_profile())
    code = invited(store)
    in_file(repo, ALICE, service.answer_invitation, store, True, code, "Alice", PEPPER, NOW)
    in_file(repo, ALICE, service.answer_share, store, "checkins", True, "f", COACH, NOW)

    result = in_file(repo, ALICE, service.answer_invitation, store, False, code, "A", PEPPER, NOW)

    assert ids(result) == ["coach.invite.declined_linked"]
    assert result.messages[0].body[0].values["coach"] == "Carla"
    assert store.link_of(ALICE).coach_id == COACH and store.sharing(ALICE).items == {"checkins"}
    assert repo.load_profile(ALICE).consent.share_checkins is True


def test_declining_without_a_coach_says_nothing_is_linked(repo, store):
    approved(store)
    repo.save_profile(coachee_profile())
    code = invited(store)

    result = in_file(repo, ALICE, service.answer_invitation, store, False, code, "A", PEPPER, NOW)

    assert ids(result) == ["coach.invite.declined"] and store.link_of(ALICE) is None


def test_an_invitation_from_ones_own_coach_says_there_is_nothing_to_do(repo, store):
    linked(repo, store)
    code = invited(store)

    shown = in_file(repo, ALICE, service.show_invitation, store, code, "nl", PEPPER, NOW)
    accepted = in_file(repo, ALICE, service.answer_invitation, store, True, code, "A", PEPPER, NOW)

    assert ids(shown) == ids(accepted) == ["coach.invite.refused.already_yours"]
    assert shown.messages[0].body[0].values["coach"] == "Carla"
    assert store.invitation(hash_code(code, PEPPER)).used_at is None  # still theirs to give
    assert store.link_of(ALICE).coach_id == COACH


def test_the_link_starts_from_the_phase_the_coachee_has(repo, store, content):
    approved(store)
    repo.save_profile(coachee_profile(phase="coping"))
    code = invited(store)
    in_file(repo, ALICE, service.answer_invitation, store, True, code, "Alice", PEPPER, NOW)

    menu = service.coachee_menu(store, COACH, ALICE, "nl", content)

    assert store.phase(ALICE).phase == "coping"
    assert menu.messages[0].body[0].values["phase"].raw == content.phase("coping").title.get("nl")


def test_stepping_down_asks_first_with_what_it_means(repo, store):
    linked(repo, store, share=("checkins",))

    asked = service.ask_step_down(store, COACH, "nl")

    assert ids(asked) == ["coach.step_down_confirm"]
    assert [c.args for c in choices(asked)] == [("step_down_yes",), ("status",)]
    assert store.coach(COACH).status == "approved" and store.link_of(ALICE) is not None
    assert ids(service.coach_status(store, COACH, "nl")) == ["coach.status.approved"]


def test_revoking_asks_first_with_what_it_means(repo, store):
    linked(repo, store, share=("checkins",))

    asked = service.ask_revoke(store, ADMIN, COACH, {ADMIN}, "nl")
    stranger = service.ask_revoke(store, 77, COACH, {ADMIN}, "nl")

    assert ids(asked) == ["coach.revoke_confirm"]
    assert [c.args for c in choices(asked)] == [("revoke_yes", COACH), ("list", COACH)]
    assert ids(stranger) == ["coach.refused.not_admin"]
    assert store.coach(COACH).status == "approved" and store.link_of(ALICE) is not None


@pytest.mark.parametrize("how", ["steps down", "revoked", "erased"])
def test_a_coach_who_is_no_coach_any_more_unlinks_and_tells_every_coachee(repo, store, how):
    linked(repo, store, share=("checkins", "alerts"))
    repo.save_profile(coachee_profile(BOB, lang="en", phase="recovery"))
    linked(repo, store, BOB, share=("reflections",))
    read_before = store.reads(ALICE)
    if how == "steps down":
        result = service.step_down(store, repo, COACH, "nl", NOW)
        effects = result.effects
        assert ids(result) == ["coach.stepped_down", "coach.ended.yours_told"]
    elif how == "revoked":
        result = service.decide_coach(store, repo, ADMIN, "revoke_yes", COACH, {ADMIN}, "nl", NOW)
        effects = result.effects
        assert ids(result) == ["coach.decided.revoked", "coach.ended.theirs_told"]
    else:
        effects = service.forget_person(store, repo, COACH, NOW)

    for user, lang in ((ALICE, "nl"), (BOB, "en")):
        (notice,) = [e for e in effects if isinstance(e, Notify) and e.user_id == user]
        assert notice.lang == lang and notice.message.body[0].id == "coach.ended.coachee"
        assert notice.message.body[0].values["coach"] == "Carla"
        assert RefreshMenu(user) in effects
        profile = repo.load_profile(user)
        assert profile.coach_id is None
        assert not (profile.consent.share_checkins or profile.consent.share_alerts)
        assert not profile.consent.share_reflections_default
        assert store.link_of(user) is None and store.sharing(user) is None
        assert store.phase(user) is None and store.homework(user) == []
    assert repo.load_profile(BOB).phase == "recovery"  # the coachee's own phase stays theirs
    assert store.reads(ALICE) == read_before


def test_a_coach_approved_again_starts_with_no_coachees(repo, store, content):
    linked(repo, store, share=("checkins",))
    service.step_down(store, repo, COACH, "nl", NOW)

    approved(store, now=NOW)

    listing = service.coachees(store, repo, COACH, "nl", content, NOW)
    assert ids(listing) == ["coach.digest.no_coachees"]
    assert repo.load_profile(ALICE).coach_id is None


def test_a_coach_without_coachees_steps_down_without_a_word_about_them(repo, store):
    approved(store)

    result = service.step_down(store, repo, COACH, "nl", NOW)

    assert ids(result) == ["coach.stepped_down"] and result.effects == (RefreshMenu(COACH),)


def test_two_open_requests_name_the_person_on_every_button(store):
    for user, name in ((COACH, "Carla"), (OTHER_COACH, "Omar")):
        service.ask_to_coach(store, user, name, "nl", {ADMIN}, {}, NOW)

    result = service.list_coaches(store, ADMIN, {ADMIN}, "nl")

    rows = result.messages[0].choices
    assert [[(c.label.id, c.label.values["name"], c.args) for c in row] for row in rows] == [
        [
            ("coach.approve_named", "Carla", ("approve", COACH)),
            ("coach.refuse_named", "Carla", ("refuse", COACH)),
        ],
        [
            ("coach.approve_named", "Omar", ("approve", OTHER_COACH)),
            ("coach.refuse_named", "Omar", ("refuse", OTHER_COACH)),
        ],
    ]


def test_the_coachee_list_counts_shared_scores_and_reflections_as_activity(repo, store, content):
    from bot.core.models import QuestionnaireResult, Reflection

    linked(repo, store, share=("questionnaires",))
    linked(repo, store, BOB, share=("reflections",))
    later = NOW + timedelta(hours=1)
    repo.add(ALICE, QuestionnaireResult("phq9", later, (("a", 1),), 8.0, "mild"))
    repo.add(BOB, Reflection("p1", later, later.date(), "shared", shared=True))
    tomorrow = NOW + timedelta(days=1)
    repo.add(BOB, Reflection("p2", tomorrow, tomorrow.date(), "private", shared=False))

    listing = service.coachees(store, repo, COACH, "nl", content, NOW + timedelta(days=2))

    text = listing.messages[0].body[0].raw
    lines = text.split("\n")
    assert lines[1].endswith(": 30 maart") and lines[2].endswith(": 30 maart"), text


def test_coachees_with_the_same_name_are_told_apart_in_the_list_menu_and_report(
    repo, store, content
):
    linked(repo, store, share=("checkins",), now=NOW - timedelta(days=3))
    linked(repo, store, BOB, share=("checkins",))
    names = {ALICE: "Alice (gekoppeld 27 maart)", BOB: "Alice (gekoppeld 30 maart)"}

    listing = service.coachees(store, repo, COACH, "nl", content, NOW)
    which = service.coachee_report(store, repo, COACH, "Alice", content, NOW)
    menu = service.coachee_menu(store, COACH, BOB, "nl", content)

    def render(text):
        return render_text(content, text, "nl").removeprefix("⚠ ")

    buttons = {c.args[0]: render(c.label) for c in choices(listing) if c.action == actions.COACHEE}
    assert buttons == names
    assert {c.args[0]: render(c.label) for c in choices(which)} == names
    assert all(name in listing.messages[0].body[0].raw for name in names.values())
    assert render(menu.messages[0].body[0].values["name"]) == names[BOB]


def test_a_long_coachee_list_is_split_between_coachees_under_telegrams_limit(repo, store, content):
    approved(store)
    for n in range(90):
        user = 5000 + n
        repo.save_profile(coachee_profile(user))
        code = invited(store)
        name = f"Marie-Anne Vandenbroucke-Van den Bossche {n}"
        in_file(repo, user, service.answer_invitation, store, True, code, name, PEPPER, NOW)
        in_file(repo, user, service.answer_share, store, "checkins", True, "p", COACH, NOW)

    result = service.coachees(store, repo, COACH, "nl", content, NOW + timedelta(days=9), True)

    texts = [m.body[0].raw for m in result.messages]
    assert len(texts) > 1 and all(len(t) <= 4096 for t in texts)
    assert [m.edit for m in result.messages] == [True] + [False] * (len(texts) - 1)
    assert sum(t.count("Marie-Anne") for t in texts) == 90
    for message in result.messages:  # each part carries the buttons of its own coachees
        menu = [c for row in message.choices for c in row if c.action == actions.COACHEE]
        assert {c.label.raw.removeprefix("⚠ ") for c in menu} == {
            line.split(":")[0] for line in message.body[0].raw.split("\n") if "Marie" in line
        }
    assert choices(result)[-1].action == actions.COACH_QUIET  # the coach's settings come last
