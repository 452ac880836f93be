"""Coaching rules: who is a coach, invitations, links, consent per item, the audit log, what a
coach may see, needs-attention reasons, phases and homework. Fixed clocks, in-memory store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.core import coaching
from bot.core.coaching import (
    INVITE_DAYS,
    PHASES,
    SHARE_ITEMS,
    Coach,
    CoacheeData,
    CoachingRefused,
    Homework,
    Link,
    PhaseSetting,
    Sharing,
    accept_invite,
    approve,
    assign_homework,
    coachees_of,
    hash_code,
    homework_days,
    invite,
    needs_attention,
    new_invitation,
    reads_for,
    refuse,
    request_coach,
    revoke,
    set_phase,
    set_share,
    share,
    step_down,
    unlink,
    view_coachee,
    visible_to_coach,
)
from bot.core.models import CheckIn, Escalation, ExerciseLog, QuestionnaireResult, Reflection
from bot.storage.coaches import InMemoryCoachStore

PEPPER = b"test-pepper-of-this-deployment"
ADMINS = frozenset({1})
COACH, OTHER_COACH = 100, 200
ANN, BOB = 1001, 1002
# Monday 16 November 2026, 10:00 UTC; the week runs to Sunday 22 November.
MONDAY = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def at(day: int, hour: int = 10) -> datetime:
    """An instant in November 2026 (day of month), UTC."""
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def checkin(day: int, energy: int = 6, stress: int = 4, sleep: int = 3, note=None) -> CheckIn:
    return CheckIn(
        at=at(day), local_date=date(2026, 11, day), energy=energy, stress=stress, sleep=sleep,
        note=note,
    )  # fmt: skip


FIRST = at(1)


def approved(user_id: int = COACH, now: datetime = FIRST) -> Coach:
    return approve(request_coach(None, user_id, "Coach", now), 1, ADMINS, now)


def data(user_id: int = ANN, **records) -> CoacheeData:
    return CoacheeData(user_id=user_id, timezone="Europe/Brussels", **records)


def full_history(user_id: int = ANN) -> CoacheeData:
    return data(
        user_id,
        checkins=tuple(checkin(d, note="my own words") for d in range(10, 23)),
        exercises=(
            ExerciseLog("box-breathing", at(17), date(2026, 11, 17), "done"),
            ExerciseLog("body-scan", at(18), date(2026, 11, 18), "skipped"),
        ),
        questionnaires=(
            QuestionnaireResult("phq9", at(18), (("item-one", 2), ("item-nine", 0)), 7.0, "mild"),
        ),
        escalations=(Escalation("gp", "text", "rule-secret", "burnout", at(19)),),
        reflections=(
            Reflection("p1", at(19), date(2026, 11, 19), "shared answer", shared=True),
            Reflection("p2", at(20), date(2026, 11, 20), "private answer", shared=False),
        ),
    )


def linked(store: InMemoryCoachStore, coachee: int = ANN, coach: int = COACH, when=None):
    when = when or at(9)
    if store.coach(coach) is None:
        store.save_coach(approved(coach))
    code, _ = invite(store, coach, when, PEPPER)
    return accept_invite(store, code, coachee, f"name-{coachee}", when, PEPPER)


# --- becoming a coach -------------------------------------------------------------------------


def test_a_request_becomes_a_coach_only_with_an_admins_approval():
    asked = request_coach(None, COACH, "Coach", at(1))
    assert asked.status == "requested" and not coaching.is_coach(asked)

    with pytest.raises(CoachingRefused) as refused:
        approve(asked, 999, ADMINS, at(2))
    assert refused.value.reason == "not_admin"

    ok = approve(asked, 1, ADMINS, at(2))
    assert ok.status == "approved" and coaching.is_coach(ok)
    assert ok.decided_by == 1 and ok.decided_at == at(2)


def test_an_admin_can_refuse_and_revoke_and_a_coach_can_step_down():
    asked = request_coach(None, COACH, "Coach", at(1))
    assert refuse(asked, 1, ADMINS, at(2)).status == "refused"
    coach = approve(asked, 1, ADMINS, at(2))
    revoked = revoke(coach, 1, ADMINS, at(3))
    assert revoked.status == "revoked" and not coaching.is_coach(revoked)
    with pytest.raises(CoachingRefused):
        revoke(coach, 5, ADMINS, at(3))
    assert step_down(coach, at(3)).status == "stepped_down"
    # Someone who stepped down may ask again; it needs approval again.
    again = request_coach(step_down(coach, at(3)), COACH, "Coach", at(4))
    assert again.status == "requested"


def test_a_decision_needs_a_pending_request():
    coach = approved()
    with pytest.raises(CoachingRefused):
        approve(coach, 1, ADMINS, at(3))
    with pytest.raises(CoachingRefused):
        request_coach(coach, COACH, "Coach", at(3))  # already a coach


# --- invitations --------------------------------------------------------------------------------


def test_an_invitation_is_stored_only_as_a_hash_and_expires_after_seven_days():
    code, invitation = new_invitation(approved(), at(9), PEPPER)
    assert len(code) >= 20 and code not in repr(invitation)
    assert invitation.code_hash == hash_code(code, PEPPER)
    assert invitation.code_hash != hash_code(code, b"another-deployment")
    assert invitation.expires_at == at(9) + timedelta(days=INVITE_DAYS)
    # Telegram's deep-link start parameter: at most 64 of A-Z a-z 0-9 _ -.
    assert len(code) <= 64 and all(c.isalnum() or c in "_-" for c in code)


def test_invitation_codes_are_unguessable_and_distinct():
    codes = {new_invitation(approved(), at(9), PEPPER)[0] for _ in range(200)}
    assert len(codes) == 200


def test_only_an_approved_coach_invites():
    with pytest.raises(CoachingRefused):
        new_invitation(request_coach(None, COACH, "C", at(1)), at(9), PEPPER)


@pytest.mark.parametrize(
    ("code", "when", "reason"),
    [
        ("forged-code-that-was-never-issued", at(10), "unknown"),
        (None, at(9) + timedelta(days=INVITE_DAYS, seconds=1), "expired"),
    ],
)
def test_redeem_refuses_forged_and_expired_codes(code, when, reason):
    store = InMemoryCoachStore()
    store.save_coach(approved())
    real, _ = invite(store, COACH, at(9), PEPPER)
    with pytest.raises(CoachingRefused) as refused:
        accept_invite(store, code or real, ANN, "Ann", when, PEPPER)
    assert refused.value.reason == reason
    assert store.link_of(ANN) is None


def test_a_code_works_once():
    store = InMemoryCoachStore()
    store.save_coach(approved())
    code, _ = invite(store, COACH, at(9), PEPPER)
    link = accept_invite(store, code, ANN, "Ann", at(10), PEPPER)
    assert link == Link(COACH, ANN, "Ann", at(10))
    with pytest.raises(CoachingRefused) as refused:
        accept_invite(store, code, BOB, "Bob", at(10), PEPPER)
    assert refused.value.reason == "used"
    assert store.link_of(BOB) is None


def test_a_code_with_another_pepper_is_forged():
    store = InMemoryCoachStore()
    store.save_coach(approved())
    code, _ = invite(store, COACH, at(9), PEPPER)
    with pytest.raises(CoachingRefused) as refused:
        accept_invite(store, code, ANN, "Ann", at(10), b"other")
    assert refused.value.reason == "unknown"


def test_a_revoked_coachs_invitation_no_longer_links():
    store = InMemoryCoachStore()
    store.save_coach(approved())
    code, _ = invite(store, COACH, at(9), PEPPER)
    store.save_coach(revoke(store.coach(COACH), 1, ADMINS, at(9)))
    with pytest.raises(CoachingRefused) as refused:
        accept_invite(store, code, ANN, "Ann", at(10), PEPPER)
    assert refused.value.reason == "not_coach"


def test_a_coach_cannot_coach_themselves_and_a_coachee_has_one_coach():
    store = InMemoryCoachStore()
    store.save_coach(approved())
    code, _ = invite(store, COACH, at(9), PEPPER)
    with pytest.raises(CoachingRefused) as refused:
        accept_invite(store, code, COACH, "Me", at(10), PEPPER)
    assert refused.value.reason == "own"
    linked(store, ANN, OTHER_COACH)
    with pytest.raises(CoachingRefused) as refused:
        accept_invite(store, code, ANN, "Ann", at(10), PEPPER)
    assert refused.value.reason == "already_linked"
    # Refusals leave the code usable for the person it was meant for.
    assert accept_invite(store, code, BOB, "Bob", at(10), PEPPER).coachee_id == BOB


def test_a_link_starts_with_nothing_shared_and_reveals_no_other_coachee():
    store = InMemoryCoachStore()
    linked(store, ANN)
    link = linked(store, BOB)
    assert store.sharing(BOB) == Sharing(COACH, BOB)
    assert not any(store.sharing(BOB).allows(item) for item in SHARE_ITEMS)
    # What the new coachee's link holds: their own coach and themselves, nothing else.
    assert ANN not in repr(link).split() and str(ANN) not in repr(link)


# --- consent per item ---------------------------------------------------------------------------


def test_sharing_is_per_item_and_a_withdrawal_holds_at_once():
    sharing = Sharing(COACH, ANN)
    on = share(sharing, "checkins", True, at(10))
    assert on.allows("checkins") and not on.allows("alerts")
    assert on.since("checkins") == at(10)
    assert share(on, "checkins", True, at(12)).since("checkins") == at(10)  # stays since first
    off = share(on, "checkins", False, at(12))
    assert not off.allows("checkins") and off.since("checkins") is None
    with pytest.raises(ValueError):
        share(sharing, "notes", True, at(10))  # type: ignore[arg-type]


def test_set_share_needs_a_link():
    store = InMemoryCoachStore()
    with pytest.raises(CoachingRefused):
        set_share(store, ANN, "checkins", True, at(10))
    linked(store)
    assert set_share(store, ANN, "checkins", True, at(10)).allows("checkins")
    assert store.sharing(ANN).allows("checkins")


# --- what a coach may see -------------------------------------------------------------------------


def everything(sharing: Sharing, when: datetime) -> Sharing:
    for item in SHARE_ITEMS:
        sharing = share(sharing, item, True, when)
    return sharing


def test_nothing_shared_means_nothing_but_the_name():
    link = Link(COACH, ANN, "Ann", at(1))
    seen = visible_to_coach(approved(), link, Sharing(COACH, ANN), full_history(), at(23))
    assert seen is not None
    assert seen.name == "Ann" and seen.items == frozenset()
    assert seen.checkins is None and seen.exercises is None and seen.scores is None
    assert seen.alerts is None and seen.reflections is None
    assert seen.homework == ()  # the coach's own assignments only (none here)


@pytest.mark.parametrize("item", SHARE_ITEMS)
def test_each_item_shows_only_with_its_own_consent(item):
    link = Link(COACH, ANN, "Ann", at(1))
    sharing = share(Sharing(COACH, ANN), item, True, at(1))
    seen = visible_to_coach(approved(), link, sharing, full_history(), at(23))
    assert seen is not None and seen.items == frozenset({item})
    fields = {
        "checkins": seen.checkins,
        "exercises": seen.exercises,
        "questionnaires": seen.scores,
        "alerts": seen.alerts,
        "reflections": seen.reflections,
    }
    assert fields.pop(item)  # shared and not empty
    assert all(value is None for value in fields.values())


def test_the_alerts_a_coach_sees_are_the_alerts_the_coach_got():
    # A crisis, then the coachee's "yes" to the question two minutes later: one episode,
    # one alert to the coach (bot.core.escalation.alerts_coach), so one in what is shared.
    link = Link(COACH, ANN, "Ann", at(1))
    sharing = everything(Sharing(COACH, ANN), at(1))
    crisis = Escalation("crisis", "text", "r", "suicidal_ideation", at(19))
    confirmed = Escalation(
        "crisis", "ask", "ask", "suicidal_ideation", at(19) + timedelta(minutes=2)
    )
    later = Escalation("crisis", "text", "r", "suicidal_ideation", at(21))
    history = data(escalations=(crisis, confirmed, later))

    seen = visible_to_coach(approved(), link, sharing, history, at(23))

    assert [(a.level, a.day) for a in seen.alerts] == [
        ("crisis", date(2026, 11, 19)),
        ("crisis", date(2026, 11, 21)),
    ]


def test_what_is_shared_carries_no_words_of_the_coachee():
    link = Link(COACH, ANN, "Ann", at(1))
    sharing = everything(Sharing(COACH, ANN), at(1))
    seen = visible_to_coach(approved(), link, sharing, full_history(), at(23))
    assert seen is not None
    text = repr(seen)
    assert "my own words" not in text  # check-in notes never
    assert "rule-secret" not in text and "burnout" not in text  # alerts: level and day only
    assert "private answer" not in text  # reflections only when marked shared
    assert "shared answer" in text
    assert "item-nine" not in text  # questionnaire answers never, the score only
    assert [(a.level, a.day) for a in seen.alerts] == [("gp", date(2026, 11, 19))]
    assert [e.exercise_id for e in seen.exercises] == ["box-breathing"]  # done only


def test_a_coach_sees_only_what_was_recorded_since_the_link_and_the_consent():
    link = Link(COACH, ANN, "Ann", at(14))
    sharing = share(Sharing(COACH, ANN), "checkins", True, at(16))
    seen = visible_to_coach(approved(), link, sharing, full_history(), at(23))
    assert [c.day.day for c in seen.checkins] == list(range(16, 23))


def test_a_withdrawal_hides_the_item_at_once_also_what_was_shared_before():
    link = Link(COACH, ANN, "Ann", at(1))
    sharing = everything(Sharing(COACH, ANN), at(1))
    withdrawn = share(sharing, "checkins", False, at(19))
    seen = visible_to_coach(approved(), link, withdrawn, full_history(), at(23))
    assert seen.checkins is None and "checkins" not in seen.items
    assert seen.alerts  # the rest still shows


def test_no_way_for_a_coach_to_see_another_coachs_coachee():
    ann_link = Link(COACH, ANN, "Ann", at(1))
    sharing = everything(Sharing(COACH, ANN), at(1))
    other = approved(OTHER_COACH)
    assert visible_to_coach(other, ann_link, sharing, full_history(), at(23)) is None
    # A link and data that do not belong together, or a sharing of another pair: nothing.
    assert visible_to_coach(approved(), ann_link, sharing, full_history(BOB), at(23)) is None
    other_pair = everything(Sharing(OTHER_COACH, ANN), at(1))
    assert visible_to_coach(approved(), ann_link, other_pair, full_history(), at(23)) is None
    # A coach who was revoked or stepped down sees nothing either.
    gone = revoke(approved(), 1, ADMINS, at(20))
    assert visible_to_coach(gone, ann_link, sharing, full_history(), at(23)) is None


def test_through_the_store_a_coach_lists_and_views_only_their_own_coachees():
    store = InMemoryCoachStore()
    linked(store, ANN, COACH)
    linked(store, BOB, OTHER_COACH)
    set_share(store, BOB, "checkins", True, at(9))
    assert [link.coachee_id for link in coachees_of(store, COACH)] == [ANN]
    assert [link.coachee_id for link in coachees_of(store, OTHER_COACH)] == [BOB]
    with pytest.raises(CoachingRefused) as refused:
        view_coachee(store, COACH, full_history(BOB), at(23), "coachees")
    assert refused.value.reason == "not_your_coachee"
    assert reads_for(store, BOB) == []  # a refused look is not a read


def test_every_read_is_logged_and_the_coachee_sees_the_log():
    store = InMemoryCoachStore()
    linked(store, ANN)
    set_share(store, ANN, "checkins", True, at(9))
    set_share(store, ANN, "alerts", True, at(9))
    seen = view_coachee(store, COACH, full_history(), at(23), "digest")
    assert seen.checkins
    log = reads_for(store, ANN)
    assert len(log) == 1
    assert (log[0].coach_id, log[0].at, log[0].purpose) == (COACH, at(23), "digest")
    assert log[0].items == ("checkins", "alerts")
    assert reads_for(store, BOB) == []


def test_either_side_can_unlink_and_then_nothing_is_visible():
    for by in (ANN, COACH):
        store = InMemoryCoachStore()
        linked(store)
        set_share(store, ANN, "checkins", True, at(9))
        unlink(store, by, ANN, at(12))
        assert store.link_of(ANN) is None and store.sharing(ANN) is None
        assert coachees_of(store, COACH) == []
        with pytest.raises(CoachingRefused):
            view_coachee(store, COACH, full_history(), at(23), "coachees")


def test_a_stranger_cannot_unlink_a_pair():
    store = InMemoryCoachStore()
    linked(store)
    with pytest.raises(CoachingRefused):
        unlink(store, OTHER_COACH, ANN, at(12))
    assert store.link_of(ANN) is not None


# --- phases and homework ------------------------------------------------------------------------


def test_the_eight_phases_are_the_contents_phases():
    from bot.content.schema import PHASE_IDS

    assert PHASES == PHASE_IDS and len(PHASES) == 8


def test_a_coach_sets_a_phase_only_for_their_own_coachee():
    link = Link(COACH, ANN, "Ann", at(1))
    setting = set_phase(link, COACH, "recovery", at(5))
    assert setting == PhaseSetting(ANN, "recovery", at(5), COACH)
    with pytest.raises(CoachingRefused):
        set_phase(link, OTHER_COACH, "recovery", at(5))
    with pytest.raises(CoachingRefused):
        set_phase(link, COACH, "holiday", at(5))


def test_homework_daily_and_weekly_days():
    link = Link(COACH, ANN, "Ann", at(1))
    daily = assign_homework(link, COACH, "box-breathing", "daily", date(2026, 11, 16), 14, at(16))
    assert daily.coachee_id == ANN and daily.end == date(2026, 11, 29)
    done = {date(2026, 11, 16), date(2026, 11, 18)}
    days = homework_days(daily, done, through=date(2026, 11, 19))
    assert days == (
        (date(2026, 11, 16), True),
        (date(2026, 11, 17), False),
        (date(2026, 11, 18), True),
        (date(2026, 11, 19), False),
    )
    weekly = replace(daily, rhythm="weekly")
    assert homework_days(weekly, {date(2026, 11, 18)}, through=date(2026, 11, 29)) == (
        (date(2026, 11, 16), True),
        (date(2026, 11, 23), False),
    )
    with pytest.raises(CoachingRefused):
        assign_homework(link, OTHER_COACH, "box-breathing", "daily", date(2026, 11, 16), 14, at(16))
    with pytest.raises(ValueError):
        assign_homework(link, COACH, "box-breathing", "hourly", date(2026, 11, 16), 14, at(16))


# --- needs attention ------------------------------------------------------------------------------


def view(history: CoacheeData, items=SHARE_ITEMS, homework=(), since=FIRST):
    link = Link(COACH, history.user_id, "Ann", since)
    sharing = Sharing(COACH, history.user_id)
    for item in items:
        sharing = share(sharing, item, True, since)
    seen = visible_to_coach(approved(), link, sharing, history, at(23), homework=homework)
    assert seen is not None
    return seen


def reasons(seen, today=date(2026, 11, 23), quiet_days=3):
    return {a.reason: a for a in needs_attention(seen, today, quiet_days)}


def test_no_checkin_for_n_days_set_by_the_coach():
    history = data(checkins=(checkin(18),))
    found = reasons(view(history), quiet_days=3)
    assert found["no_checkin"].days == 4  # the 19th to the 22nd: today, the 23rd, is not over
    assert "no_checkin" not in reasons(view(history), quiet_days=6)
    # Without check-ins shared the rule has nothing to go on: no mark.
    assert "no_checkin" not in reasons(view(history, items=("alerts",)))


def test_a_check_in_made_today_clears_the_no_checkin_mark():
    # The coach looks on the 23rd at noon; the coachee checked in that morning.
    history = data(checkins=(checkin(18), checkin(23)))
    assert "no_checkin" not in reasons(view(history), quiet_days=3)


def test_energy_down_against_the_previous_two_weeks():
    before = tuple(checkin(d, energy=7) for d in range(2, 16))
    steady = tuple(checkin(d, energy=7) for d in range(16, 23))
    low = tuple(checkin(d, energy=4) for d in range(16, 23))
    found = reasons(view(data(checkins=before + low)))
    assert found["energy_down"].value == pytest.approx(-3.0)
    assert "energy_down" not in reasons(view(data(checkins=before + steady)))
    # Too little before to compare against: no mark rather than a guess.
    assert "energy_down" not in reasons(view(data(checkins=before[-1:] + low)))


def test_homework_overdue_only_when_exercises_are_shared():
    link = Link(COACH, ANN, "Ann", at(1))
    hw = assign_homework(link, COACH, "box-breathing", "daily", date(2026, 11, 16), 14, at(16))
    done_early = data(exercises=(ExerciseLog("box-breathing", at(17), date(2026, 11, 17), "done"),))
    found = reasons(view(done_early, homework=(hw,)))
    assert found["homework_overdue"].exercise_id == "box-breathing"
    assert "homework_overdue" not in reasons(view(done_early, items=("checkins",), homework=(hw,)))
    kept = data(
        exercises=tuple(
            ExerciseLog("box-breathing", at(d), date(2026, 11, d), "done") for d in range(16, 23)
        )
    )
    assert "homework_overdue" not in reasons(view(kept, homework=(hw,)))


def test_a_safety_alert_this_week_needs_attention_only_with_alert_consent():
    alert = data(escalations=(Escalation("crisis", "text", "r", "c", at(20)),))
    assert reasons(view(alert))["safety_alert"].value == 1
    assert "safety_alert" not in reasons(view(alert, items=("checkins",)))
    old = data(escalations=(Escalation("crisis", "text", "r", "c", at(10)),))
    assert "safety_alert" not in reasons(view(old))


def test_homework_of_another_coach_is_not_shown():
    other = Homework(
        "h1", OTHER_COACH, ANN, "box-breathing", "daily", date(2026, 11, 16), 14, at(1)
    )
    seen = view(data(), homework=(other,))
    assert seen.homework == ()


def test_coach_settings_have_sensible_defaults():
    coach = approved()
    assert coach.digest_weekday == 0 and coach.digest_time == time(8, 0)
    assert coach.quiet_days >= 1 and coach.timezone


def test_views_for_a_digest_are_the_coachs_own_and_logged_unless_a_dry_run():
    from bot.core.coaching import views_for_coach
    from bot.core.models import Consent, Profile
    from bot.storage.memory import InMemoryRepository

    repo = InMemoryRepository()
    for user_id in (ANN, BOB, 1003):
        repo.save_profile(
            Profile(user_id, user_id, "nl", "BE", "Europe/Brussels", Consent(at(1)), at(1))
        )
        repo.add(user_id, checkin(20))
    store = InMemoryCoachStore()
    linked(store, ANN)
    linked(store, BOB)
    linked(store, 1003, OTHER_COACH)
    set_share(store, ANN, "checkins", True, at(9))
    repo.erase(BOB)  # erased from the bot but not (yet) from the coach store: left out

    dry = views_for_coach(store, repo, COACH, at(23), None)
    assert [v.coachee_id for v in dry] == [ANN]
    assert reads_for(store, ANN) == []
    logged = views_for_coach(store, repo, COACH, at(23), "digest")
    assert [v.coachee_id for v in logged] == [ANN]
    assert [(r.coach_id, r.items, r.purpose) for r in reads_for(store, ANN)] == [
        (COACH, ("checkins",), "digest")
    ]
    assert reads_for(store, 1003) == []


def test_a_queued_item_is_checked_again_at_send_time():
    """An alert queued before a withdrawal (or an unlink, or a revocation) is not sent."""
    from bot.core.coaching import allows

    store = InMemoryCoachStore()
    linked(store)
    set_share(store, ANN, "alerts", True, at(9))
    assert allows(store, COACH, ANN, "alerts")
    assert not allows(store, COACH, ANN, "checkins")
    assert not allows(store, OTHER_COACH, ANN, "alerts")
    set_share(store, ANN, "alerts", False, at(10))
    assert not allows(store, COACH, ANN, "alerts")
    set_share(store, ANN, "alerts", True, at(11))
    store.save_coach(revoke(store.coach(COACH), 1, ADMINS, at(12)))
    assert not allows(store, COACH, ANN, "alerts")


def test_active_homework_is_what_runs_today():
    from bot.core.coaching import active_homework

    link = Link(COACH, ANN, "Ann", at(1))
    two_weeks = assign_homework(
        link, COACH, "box-breathing", "daily", date(2026, 11, 16), 14, at(16)
    )
    later = assign_homework(link, COACH, "body-scan", "weekly", date(2026, 12, 1), 14, at(16))
    assert active_homework([two_weeks, later], date(2026, 11, 15)) == ()
    assert active_homework([two_weeks, later], date(2026, 11, 29)) == (two_weeks,)
    assert active_homework([two_weeks, later], date(2026, 11, 30)) == ()
    assert active_homework([two_weeks, later], date(2026, 12, 1)) == (later,)


def test_a_coach_sets_their_digest_moment_and_quiet_days_within_bounds():
    from bot.core.coaching import set_digest_moment, set_quiet_days

    coach = approved()
    moved = set_digest_moment(coach, 4, time(17, 30), "Europe/Amsterdam")
    assert (moved.digest_weekday, moved.digest_time, moved.timezone) == (
        4,
        time(17, 30),
        "Europe/Amsterdam",
    )
    assert set_quiet_days(coach, 7).quiet_days == 7
    for bad in (0, 31):
        with pytest.raises(ValueError):
            set_quiet_days(coach, bad)
    with pytest.raises(ValueError):
        set_digest_moment(coach, 7, time(8), "Europe/Brussels")
    with pytest.raises(ValueError):
        set_digest_moment(coach, 0, time(8), "Mars/Olympus")


# --- a coach role that ends, links, telling coachees apart ---------------------------------------


def test_an_invitation_of_ones_own_coach_is_nothing_to_do_and_anothers_needs_an_unlink():
    store = InMemoryCoachStore()
    link = linked(store, ANN, COACH)
    assert coaching.linked_already(link, COACH) == "already_yours"
    assert coaching.linked_already(link, OTHER_COACH) == "already_linked"
    assert coaching.linked_already(None, COACH) is None
    code, _ = invite(store, COACH, at(10), PEPPER)
    with pytest.raises(CoachingRefused) as refused:
        accept_invite(store, code, ANN, "Ann", at(10), PEPPER)
    assert refused.value.reason == "already_yours"
    assert store.link_of(ANN) == link


def test_the_coachs_phase_setting_starts_from_the_phase_the_coachee_has():
    store = InMemoryCoachStore()
    store.save_coach(approved())
    code, _ = invite(store, COACH, at(9), PEPPER)
    accept_invite(store, code, ANN, "Ann", at(9), PEPPER, phase="recovery")
    assert store.phase(ANN) == PhaseSetting(ANN, "recovery", at(9), ANN)
    code, _ = invite(store, COACH, at(9), PEPPER)
    accept_invite(store, code, BOB, "Bob", at(9), PEPPER, phase="no-such-phase")
    assert store.phase(BOB) is None


@pytest.mark.parametrize("how", ["stepped_down", "revoked"])
def test_a_coach_who_stops_keeps_no_coachee_and_the_coachees_keep_their_read_log(how):
    store = InMemoryCoachStore()
    linked(store, ANN, COACH)
    linked(store, BOB, OTHER_COACH)
    set_share(store, ANN, "checkins", True, at(9))
    store.save_phase(set_phase(store.link_of(ANN), COACH, "coping", at(10)))
    store.save_homework(
        assign_homework(
            store.link_of(ANN), COACH, "body-scan", "daily", date(2026, 11, 10), 7, at(10)
        )
    )
    view_coachee(store, COACH, full_history(), at(11), "report")
    coach = store.coach(COACH)
    stopped = (
        step_down(coach, at(12)) if how == "stepped_down" else revoke(coach, 1, ADMINS, at(12))
    )

    ended = coaching.stop_coaching(store, stopped)

    assert [link.coachee_id for link in ended] == [ANN]
    assert store.coach(COACH).status == how
    assert store.link_of(ANN) is None and store.sharing(ANN) is None
    assert store.phase(ANN) is None and store.homework(ANN) == []
    assert [read.purpose for read in reads_for(store, ANN)] == ["report"]  # the coachee's record
    assert store.link_of(BOB) is not None  # another coach's coachee stays
    again = approve(request_coach(store.coach(COACH), COACH, "Coach", at(13)), 1, ADMINS, at(13))
    store.save_coach(again)
    assert coachees_of(store, COACH) == []


def test_stop_coaching_is_for_a_coach_who_is_no_coach_any_more():
    store = InMemoryCoachStore()
    linked(store)
    with pytest.raises(ValueError):
        coaching.stop_coaching(store, store.coach(COACH))
    assert store.link_of(ANN) is not None


def test_an_unlink_ends_the_homework_and_the_coachs_phase_setting():
    store = InMemoryCoachStore()
    linked(store)
    store.save_phase(set_phase(store.link_of(ANN), COACH, "coping", at(10)))
    store.save_homework(
        assign_homework(
            store.link_of(ANN), COACH, "body-scan", "daily", date(2026, 11, 10), 7, at(10)
        )
    )
    unlink(store, ANN, ANN, at(12))
    assert store.phase(ANN) is None and store.homework(ANN) == []


@pytest.mark.parametrize("item", ["checkins", "exercises", "questionnaires", "reflections", None])
def test_last_activity_counts_every_shared_item_and_only_what_is_shared(item):
    store = InMemoryCoachStore()
    linked(store)
    if item is not None:
        set_share(store, ANN, item, True, at(9))
    seen = view_coachee(store, COACH, full_history(), at(23), "coachees")
    expected = {
        "checkins": date(2026, 11, 22),
        "exercises": date(2026, 11, 17),
        "questionnaires": date(2026, 11, 18),
        "reflections": date(2026, 11, 19),  # the shared one; the private one of the 20th not
        None: None,
    }
    assert coaching.last_activity(seen) == expected[item]


def test_alerts_are_no_activity_of_the_coachee():
    store = InMemoryCoachStore()
    linked(store)
    set_share(store, ANN, "alerts", True, at(9))
    seen = view_coachee(store, COACH, full_history(), at(23), "coachees")
    assert seen.alerts and coaching.last_activity(seen) is None


def test_coachees_with_the_same_name_are_told_apart_by_the_day_of_their_link():
    def link(coachee: int, name: str, day: int, hour: int = 10) -> Link:
        return Link(COACH, coachee, name, at(day, hour))

    labels = coaching.tell_apart(
        [
            link(1, "Anna", 3),
            link(2, "anna ", 5),
            link(3, "Bert", 3),
            link(4, "Sam", 7, 9),
            link(5, "Sam", 7, 8),
            link(6, "Sam", 8),
        ],
        "Europe/Brussels",
    )

    assert labels[3] == coaching.CoacheeLabel("Bert")
    assert labels[1] == coaching.CoacheeLabel("Anna", date(2026, 11, 3))
    assert labels[2] == coaching.CoacheeLabel("anna ", date(2026, 11, 5))
    # The same day too: numbered in the order they linked.
    assert labels[5] == coaching.CoacheeLabel("Sam", date(2026, 11, 7), 1)
    assert labels[4] == coaching.CoacheeLabel("Sam", date(2026, 11, 7), 2)
    assert labels[6] == coaching.CoacheeLabel("Sam", date(2026, 11, 8))


def test_a_long_list_is_split_between_blocks_within_the_room_and_the_buttons():
    assert coaching.split_between([], 100, 10) == []
    assert coaching.split_between([30, 30, 30], 100, 10) == [range(0, 3)]
    # 30 + 1 + 30 + 1 + 30 = 92 fits; a fourth does not.
    assert coaching.split_between([30] * 4, 100, 10) == [range(0, 3), range(3, 4)]
    assert coaching.split_between([5] * 5, 100, 2) == [range(0, 2), range(2, 4), range(4, 5)]
    # A block longer than the room goes alone (never dropped).
    assert coaching.split_between([10, 150, 10], 100, 10) == [
        range(0, 1),
        range(1, 2),
        range(2, 3),
    ]
