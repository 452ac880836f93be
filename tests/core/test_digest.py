"""The weekly digest from fixed histories: what each consent adds, empty weeks, a coachee who
joined mid-week, a withdrawal mid-week, 60 coachees split over messages, when it is due."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.core.coaching import (
    SHARE_ITEMS,
    CoacheeData,
    Link,
    PhaseSetting,
    Sharing,
    approve,
    assign_homework,
    request_coach,
    share,
    visible_to_coach,
)
from bot.core.digest import (
    MESSAGE_LIMIT,
    Names,
    build_digest,
    digest_csv,
    digest_due,
    digest_messages,
    digest_text,
    digest_week,
    overview_points,
)
from bot.core.models import CheckIn, Escalation, ExerciseLog, QuestionnaireResult, Reflection

COACH, ANN = 100, 1001
WEEK = date(2026, 11, 16)  # Monday; the week runs to Sunday 22 November
SENT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 08:00 in Brussels


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def coach():
    asked = request_coach(None, COACH, "Coach", at(1))
    return approve(asked, 1, frozenset({1}), at(1))


def checkin(day: int, energy: int, stress: int = 4, sleep: int = 3) -> CheckIn:
    return CheckIn(at(day), date(2026, 11, day), energy, stress, sleep, note="private note")


def history(user_id: int = ANN) -> CoacheeData:
    return CoacheeData(
        user_id=user_id,
        timezone="Europe/Brussels",
        # The week before: energy 6 every day; this week 4, 5 (twice on the 17th: day means).
        checkins=(
            *(checkin(d, 6, 5, 3) for d in range(9, 16)),
            checkin(16, 4, 7, 2),
            checkin(17, 5, 6, 3),
            CheckIn(at(17, 18), date(2026, 11, 17), 3, 6, 3),
            checkin(19, 5, 5, 4),
        ),
        exercises=(
            ExerciseLog("box-breathing", at(16), date(2026, 11, 16), "done"),
            ExerciseLog("box-breathing", at(18), date(2026, 11, 18), "done"),
            ExerciseLog("body-scan", at(19), date(2026, 11, 19), "later"),
        ),
        questionnaires=(
            QuestionnaireResult("phq9", at(3), (("q1", 3),), 12.0, "moderate"),
            QuestionnaireResult("phq9", at(18), (("q1", 1),), 8.0, "mild"),
        ),
        escalations=(
            Escalation("gp", "text", "gp-rule", "burnout", at(17)),
            Escalation("crisis", "text", "crisis-rule", "self_harm", at(20)),
        ),
        reflections=(
            Reflection("p1", at(18), date(2026, 11, 18), "I slept better", shared=True),
            Reflection("p2", at(19), date(2026, 11, 19), "secret", shared=False),
        ),
    )


def shared(items=SHARE_ITEMS, data=None, since=None, name="Ann", homework=(), phase=None):
    data = data or history()
    since = since or at(1)
    link = Link(COACH, data.user_id, name, since)
    sharing = Sharing(COACH, data.user_id)
    for item in items:
        sharing = share(sharing, item, True, since)
    seen = visible_to_coach(coach(), link, sharing, data, SENT, phase=phase, homework=homework)
    assert seen is not None
    return seen


def texts(text_id: str) -> str:
    """Every text shows its id and its values, so a test reads what a coach would get."""
    from bot.content.loader import load_content
    from tests.conftest import CONTENT_DIR

    global _CONTENT
    try:
        content = _CONTENT
    except NameError:
        content = _CONTENT = load_content(CONTENT_DIR, checks=())
    return content.texts[text_id].get("en")


# --- what the digest holds ----------------------------------------------------------------------


def test_everything_shared_gives_the_weeks_numbers():
    link = Link(COACH, ANN, "Ann", at(1))
    hw = assign_homework(link, COACH, "box-breathing", "daily", date(2026, 11, 16), 14, at(16))
    phase = PhaseSetting(ANN, "recovery", at(2), COACH)
    digest = build_digest(coach(), [shared(homework=(hw,), phase=phase)], WEEK, SENT)
    (entry,) = digest.entries
    assert digest.week_start == WEEK and digest.week_end == date(2026, 11, 22)
    assert (entry.checkin_days, entry.days) == (3, 7)
    # Day means: 4, (5+3)/2 = 4, 5 -> mean 4.33, lowest 3 (a single check-in), week before 6.
    assert entry.energy.mean == pytest.approx(13 / 3)
    assert entry.energy.lowest == 3
    assert entry.energy.change == pytest.approx(13 / 3 - 6)
    assert entry.stress.mean == pytest.approx(6.0) and entry.sleep.lowest == 2
    assert entry.exercises_done == 2
    assert (entry.homework[0].exercise_id, entry.homework[0].kept, entry.homework[0].due) == (
        "box-breathing",
        2,
        7,
    )
    ((qid, score, day, change),) = [
        (s.questionnaire_id, s.score, s.day, s.change) for s in entry.scores
    ]
    assert (qid, score, day, change) == ("phq9", 8.0, date(2026, 11, 18), -4.0)
    assert entry.alerts == 2
    assert [r.answer for r in entry.reflections] == ["I slept better"]
    assert (entry.phase, entry.phase_days) == ("recovery", 21)
    # Energy 4.3 against 6 the two weeks before is down by less than a felt difference (2).
    assert {a.reason for a in entry.attention} == {"safety_alert", "homework_overdue", "no_checkin"}


def test_the_text_never_holds_the_coachees_words_or_alert_rules():
    digest = build_digest(coach(), [shared()], WEEK, SENT)
    text = digest_text(digest, texts, "en")
    for secret in ("private note", "secret", "gp-rule", "crisis-rule", "burnout", "self_harm"):
        assert secret not in text
    assert "I slept better" in text and "Ann" in text
    assert "3 of 7" in text


@pytest.mark.parametrize("item", SHARE_ITEMS)
def test_without_one_consent_its_numbers_are_absent(item):
    others = tuple(i for i in SHARE_ITEMS if i != item)
    (entry,) = build_digest(coach(), [shared(items=others)], WEEK, SENT).entries
    absent = {
        "checkins": (entry.checkin_days, entry.energy, entry.stress, entry.sleep),
        "exercises": (entry.exercises_done, entry.homework),
        "questionnaires": (entry.scores,),
        "alerts": (entry.alerts,),
        "reflections": (entry.reflections,),
    }[item]
    assert all(value is None for value in absent)
    full = build_digest(coach(), [shared()], WEEK, SENT)
    assert digest_text(full, texts, "en") != digest_text(
        build_digest(coach(), [shared(items=others)], WEEK, SENT), texts, "en"
    )


def test_a_coachee_who_shares_nothing_appears_by_name_only():
    digest = build_digest(coach(), [shared(items=())], WEEK, SENT)
    (entry,) = digest.entries
    assert entry.shares_nothing
    text = digest_text(digest, texts, "en")
    block = text.split("Ann", 1)[1]
    assert "7" not in block and "Ann" in text
    assert texts("coach.digest.nothing_shared") in block


def test_an_empty_week_says_so_and_compares_nothing():
    quiet = CoacheeData(ANN, "Europe/Brussels", checkins=tuple(checkin(d, 6) for d in range(2, 9)))
    (entry,) = build_digest(coach(), [shared(data=quiet)], WEEK, SENT).entries
    assert entry.checkin_days == 0 and entry.energy is None
    assert entry.exercises_done == 0 and entry.alerts == 0 and entry.reflections == ()
    assert "no_checkin" in {a.reason for a in entry.attention}
    text = digest_text(build_digest(coach(), [shared(data=quiet)], WEEK, SENT), texts, "en")
    assert "0 of 7" in text


@pytest.mark.parametrize(
    ("checkins", "days"),
    [
        ((), 7),  # linked on Monday, no check-in since: the week's seven days, not eight
        ((checkin(19, 5),), 3),  # Friday to Sunday
        ((checkin(20, 5),), 2),  # under the coach's three days: no mark
        ((checkin(22, 5),), 0),
    ],
)
def test_days_without_a_check_in_are_whole_days_before_the_digest_day(checkins, days):
    data = CoacheeData(ANN, "Europe/Brussels", checkins=checkins)
    digest = build_digest(coach(), [shared(data=data, since=at(16, 15))], WEEK, SENT)

    (entry,) = digest.entries
    found = [a.days for a in entry.attention if a.reason == "no_checkin"]
    assert found == ([days] if days >= 3 else [])
    if not checkins:
        text = digest_text(digest, texts_in("nl"), "nl")
        assert "Check-ins: 0 van de 7 dagen" in text and "7 dagen geen check-in" in text


def test_a_coachee_who_joined_mid_week_counts_days_from_joining():
    joined = at(19, 8)  # Thursday
    (entry,) = build_digest(coach(), [shared(since=joined)], WEEK, SENT).entries
    assert (entry.checkin_days, entry.days) == (1, 4)  # the 19th, of Thu..Sun
    assert entry.energy.change is None  # nothing shared the week before
    assert entry.alerts == 1  # the crisis on the 20th; the gp on the 17th was before joining


def test_a_withdrawal_mid_week_removes_the_item_from_the_digest():
    data = history()
    link = Link(COACH, ANN, "Ann", at(1))
    sharing = share(share(Sharing(COACH, ANN), "checkins", True, at(1)), "alerts", True, at(1))
    withdrawn = share(sharing, "checkins", False, at(18))
    seen = visible_to_coach(coach(), link, withdrawn, data, SENT)
    (entry,) = build_digest(coach(), [seen], WEEK, SENT).entries
    assert entry.checkin_days is None and entry.energy is None
    assert entry.alerts == 2
    assert "Energy" not in digest_text(build_digest(coach(), [seen], WEEK, SENT), texts, "en")


def test_entries_are_in_name_order_and_attention_first_is_not_hidden():
    a = shared(name="Zoe")
    b = shared(items=(), name="Anna", data=history(1002))
    digest = build_digest(coach(), [a, b], WEEK, SENT)
    assert [e.name for e in digest.entries] == ["Anna", "Zoe"]


# --- splitting, rendering, csv --------------------------------------------------------------------


def sixty():
    return [
        shared(data=history(2000 + n), name=f"Coachee {n:02d}", items=SHARE_ITEMS if n % 3 else ())
        for n in range(60)
    ]


def test_sixty_coachees_split_at_coachee_boundaries():
    digest = build_digest(coach(), sixty(), WEEK, SENT)
    messages = digest_messages(digest, texts, "en")
    assert len(messages) > 1
    assert all(len(m) <= MESSAGE_LIMIT for m in messages)
    joined = "\n\n".join(messages)
    for n in range(60):
        assert joined.count(f"Coachee {n:02d}") == 1
        # One coachee's block is never cut in two: its name and its phase line are together.
        holder = [m for m in messages if f"Coachee {n:02d}" in m]
        assert len(holder) == 1
    # Each message says which part it is, so a coach sees nothing is missing.
    for number, message in enumerate(messages, start=1):
        assert f"({number}/{len(messages)})" in message.splitlines()[0]


def test_a_single_block_longer_than_a_message_is_cut_at_lines():
    long = "word " * 900  # one long shared reflection
    data = replace(
        history(),
        reflections=tuple(
            Reflection(f"p{i}", at(18), date(2026, 11, 18), long, shared=True) for i in range(3)
        ),
    )
    messages = digest_messages(build_digest(coach(), [shared(data=data)], WEEK, SENT), texts, "en")
    assert len(messages) >= 3 and all(len(m) <= MESSAGE_LIMIT for m in messages)


def test_the_csv_holds_numbers_only_and_blank_where_not_shared():
    digest = build_digest(
        coach(), [shared(), shared(items=(), name="=cmd()", data=history(7))], WEEK, SENT
    )
    rows = list(csv.DictReader(io.StringIO(digest_csv(digest))))
    assert len(rows) == 2
    ann, other = sorted(rows, key=lambda r: r["name"])
    assert ann["name"] == "'=cmd()" or other["name"] == "'=cmd()"  # no formula in a sheet
    full = ann if ann["name"] == "Ann" else other
    empty = other if full is ann else ann
    assert full["checkin_days"] == "3" and full["energy_mean"] == "4.3"
    assert full["alerts"] == "2" and full["days"] == "7"
    assert empty["checkin_days"] == "" and empty["energy_mean"] == "" and empty["alerts"] == ""
    assert "I slept better" not in digest_csv(digest)


def test_dutch_numbers_use_a_decimal_comma():
    from bot.content.loader import load_content
    from tests.conftest import CONTENT_DIR

    content = load_content(CONTENT_DIR, checks=())
    text = digest_text(
        build_digest(coach(), [shared()], WEEK, SENT), lambda i: content.texts[i].get("nl"), "nl"
    )
    assert "4,3" in text and "4.3" not in text


# --- when a digest is due -------------------------------------------------------------------------


def test_due_at_the_coachs_day_and_time_in_their_zone():
    c = coach()  # Europe/Brussels, Monday 08:00
    assert digest_due(c, None, SENT - timedelta(minutes=1)) is None or digest_due(
        c, None, SENT - timedelta(minutes=1)
    ) == WEEK - timedelta(days=7)
    assert digest_due(c, WEEK - timedelta(days=7), SENT - timedelta(minutes=1)) is None
    assert digest_due(c, WEEK - timedelta(days=7), SENT) == WEEK


def test_sent_once_per_week_even_across_restarts():
    c = coach()
    assert digest_due(c, WEEK, SENT) is None
    assert digest_due(c, WEEK, SENT + timedelta(hours=5)) is None


def test_late_rather_than_never():
    c = coach()
    # The bot was down on Monday; on Wednesday the week's digest is still due.
    assert digest_due(c, WEEK - timedelta(days=7), SENT + timedelta(days=2)) == WEEK
    # Down for three weeks: only the latest week, not a pile.
    assert digest_due(c, WEEK - timedelta(days=21), SENT + timedelta(days=1)) == WEEK


@pytest.mark.parametrize(
    ("weekday", "skipped", "next_moment", "next_week"),
    [
        # Monday to Tuesday 12:00: Tuesday 24 November's week (17-23) holds six days already
        # sent; the next digest is Tuesday 1 December's, of 24-30 November.
        (
            1,
            datetime(2026, 11, 24, 11, 0, tzinfo=UTC),
            datetime(2026, 12, 1, 11, 0, tzinfo=UTC),
            date(2026, 11, 24),
        ),
        # Monday to Sunday 12:00: Sunday 29 November's week (22-28) holds the 22nd, sent.
        (
            6,
            datetime(2026, 11, 29, 11, 0, tzinfo=UTC),
            datetime(2026, 12, 6, 11, 0, tzinfo=UTC),
            date(2026, 11, 29),
        ),
    ],
)
def test_a_moved_digest_day_never_sends_days_an_earlier_digest_held(
    weekday, skipped, next_moment, next_week
):
    moved = replace(coach(), digest_weekday=weekday, digest_time=time(12, 0))
    # The Monday digest of 16-22 November went; then the coach moved the day.
    for hours in range(0, 24 * 7, 2):
        now = SENT + timedelta(hours=hours)
        if now < next_moment:
            assert digest_due(moved, WEEK, now) is None, now
    assert digest_due(moved, WEEK, skipped) is None
    assert digest_due(moved, WEEK, next_moment - timedelta(minutes=1)) is None
    assert digest_due(moved, WEEK, next_moment) == next_week
    # Late rather than never, and once: due until it is marked sent.
    assert digest_due(moved, WEEK, next_moment + timedelta(days=3)) == next_week
    assert digest_due(moved, next_week, next_moment + timedelta(days=3)) is None


def test_a_new_coach_gets_no_digest_of_a_week_before_approval():
    fresh = approve(request_coach(None, COACH, "C", at(24)), 1, frozenset({1}), at(24))
    assert digest_due(fresh, None, at(25)) is None
    assert digest_due(fresh, None, SENT + timedelta(days=7)) == WEEK + timedelta(days=7)


def test_the_coachs_own_day_time_and_zone():
    c = replace(coach(), digest_weekday=4, digest_time=time(17, 30), timezone="America/New_York")
    friday = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)  # 17:30 in New York (EST, UTC-5)
    assert digest_due(c, date(2026, 11, 6), friday - timedelta(minutes=1)) is None
    assert digest_due(c, date(2026, 11, 6), friday) == date(2026, 11, 13)
    assert digest_week(c, friday) == date(2026, 11, 13)


def test_daylight_saving_time_does_not_move_the_digest():
    c = replace(coach(), decided_at=datetime(2026, 1, 1, tzinfo=UTC))
    # 30 March 2026: Brussels is on summer time (UTC+2): 08:00 local is 06:00 UTC.
    monday = datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    assert digest_due(c, date(2026, 3, 16), monday - timedelta(minutes=1)) is None
    assert digest_due(c, date(2026, 3, 16), monday) == date(2026, 3, 23)


def test_no_digest_for_someone_who_is_not_a_coach():
    gone = replace(coach(), status="stepped_down")
    assert digest_due(gone, None, SENT) is None


def test_a_digest_never_holds_another_coachs_coachee():
    other = replace(coach(), user_id=200)
    assert build_digest(other, [shared()], WEEK, SENT).entries == ()


def test_a_coachee_linked_after_the_week_shows_no_count_of_zero_days():
    (entry,) = build_digest(coach(), [shared(since=at(23, 6))], WEEK, SENT).entries
    assert entry.days == 0
    assert "of 0" not in digest_text(
        build_digest(coach(), [shared(since=at(23, 6))], WEEK, SENT), texts, "en"
    )


def test_a_coachee_previews_exactly_their_part_of_the_next_digest():
    from bot.core.coaching import set_share
    from bot.core.digest import coachee_preview
    from bot.core.models import Consent, Profile
    from bot.storage.coaches import InMemoryCoachStore
    from bot.storage.memory import InMemoryRepository

    repo = InMemoryRepository()
    store = InMemoryCoachStore()
    store.save_coach(coach())
    for user_id, name in ((ANN, "Ann"), (1002, "Bob")):
        repo.save_profile(
            Profile(user_id, user_id, "en", "BE", "Europe/Brussels", Consent(at(1)), at(1))
        )
        for record in (*history(user_id).checkins, *history(user_id).escalations):
            repo.add(user_id, record)
        store.save_link(Link(COACH, user_id, name, at(1)))
        store.save_sharing(Sharing(COACH, user_id))
    set_share(store, ANN, "checkins", True, at(1))

    # Wednesday 18 November: the next digest (Monday the 23rd) covers 16 to 22 November.
    preview = coachee_preview(store, repo, ANN, at(18, 12))
    assert preview is not None and preview.week_start == WEEK
    assert [e.coachee_id for e in preview.entries] == [ANN]  # never another coachee
    assert preview.entries[0].checkin_days == 2 and preview.entries[0].alerts is None
    assert store.reads(ANN) == []  # a coachee looking at their own data is not a coach's read
    assert coachee_preview(store, repo, 4242, at(18)) is None  # no coach


# --- the overview chart's numbers -------------------------------------------------------------


def test_the_overview_holds_energy_of_this_week_and_last_week_of_sharers_only():
    everything = shared()
    no_checkins = shared(items=("exercises", "alerts"), data=history(1002), name="Bob")
    nothing = shared(items=(), data=history(1003), name="Cas")
    digest = build_digest(coach(), [everything, no_checkins, nothing], WEEK, SENT)
    points = overview_points(digest)
    assert [p.name for p in points] == ["Ann"]
    (ann,) = points
    # This week: day means 4, 4 (5 and 3), 5 -> 4.33; the week before: 6 every day.
    assert ann.this_week == pytest.approx(13 / 3)
    assert ann.last_week == pytest.approx(6.0)
    assert ann.checkin_days == 3


def test_the_overview_without_a_week_before_has_no_last_week():
    data = replace(history(), checkins=(checkin(18, 7),))
    (point,) = overview_points(build_digest(coach(), [shared(data=data)], WEEK, SENT))
    assert point.this_week == 7 and point.last_week is None


def test_the_overview_leaves_out_a_sharer_without_check_ins_this_week():
    data = replace(history(), checkins=(checkin(10, 7),))
    assert overview_points(build_digest(coach(), [shared(data=data)], WEEK, SENT)) == ()


# --- one day, many days -----------------------------------------------------------------------


def texts_in(lang: str):
    texts("coach.digest.title")  # loads the content once
    return lambda text_id: _CONTENT.texts[text_id].get(lang)


@pytest.mark.parametrize(
    ("lang", "checkins", "phase"),
    [
        ("nl", "Check-ins: 1 van de 1 dag\n", "(al 1 dag)"),
        ("en", "Check-ins: 1 of 1 day\n", "(1 day so far)"),
    ],
)
def test_one_day_is_one_day_not_one_days(lang, checkins, phase):
    data = replace(history(), checkins=(checkin(22, 7),))
    setting = PhaseSetting(ANN, "recovery", at(22), COACH)
    seen = shared(data=data, since=at(22, 8), phase=setting)
    text = digest_text(build_digest(coach(), [seen], WEEK, SENT), texts_in(lang), lang)
    assert checkins in text
    assert phase in text


def test_many_days_stay_many_days():
    phase = PhaseSetting(ANN, "recovery", at(2), COACH)
    text = digest_text(build_digest(coach(), [shared(phase=phase)], WEEK, SENT), texts, "en")
    assert "Check-ins: 3 of 7 days\n" in text and "(21 days so far)" in text


# --- questionnaires filled in weeks ago, and licensed ones dropped in -----------------------


def test_the_latest_score_of_each_questionnaire_shows_with_its_date_also_from_an_earlier_week():
    # A BAT-12 (licensed: an organisation drops it in as content) filled in every 8 weeks,
    # last on 2 November; a PHQ-9 this week. Both show, each with its own date and change.
    data = replace(
        history(),
        questionnaires=(
            QuestionnaireResult("bat12", at(2) - timedelta(weeks=8), (("i1", 3),), 3.1, "severe"),
            QuestionnaireResult("bat12", at(2), (("i1", 2),), 2.6, "at_risk"),
            QuestionnaireResult("phq9", at(18), (("q1", 1),), 8.0, "mild"),
            QuestionnaireResult("bat12", at(23), (("i1", 1),), 1.9, "low"),  # after the week
        ),
    )

    linked = shared(data=data, since=at(1) - timedelta(weeks=10))
    (entry,) = build_digest(coach(), [linked], WEEK, SENT).entries

    assert [(s.questionnaire_id, s.score, s.day, s.change) for s in entry.scores] == [
        ("bat12", 2.6, date(2026, 11, 2), pytest.approx(-0.5)),
        ("phq9", 8.0, date(2026, 11, 18), None),
    ]
    named = Names(questionnaires={"bat12": "BAT-12", "phq9": "PHQ-9"})
    lines = digest_text(build_digest(coach(), [linked], WEEK, SENT), texts, "en", named)
    assert "BAT-12: 2.6 on 2 November (-0.5 against the previous score)\n" in lines
    assert "PHQ-9: 8 on 18 November\n" in lines


def test_the_digest_names_a_dropped_in_questionnaire_by_its_title(tmp_path):
    import shutil

    from bot.content.loader import load_content
    from bot.services.coaching import digest_names
    from tests.conftest import CONTENT_DIR

    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    fixture = CONTENT_DIR.parent / "tests" / "fixtures" / "questionnaires" / "bat12-fixture.yaml"
    shutil.copy(fixture, folder / "questionnaires" / "bat12.yaml")

    names = digest_names(load_content(folder, checks=()), "en")

    assert names.questionnaires["phq9"] == "PHQ-9"
    assert names.questionnaires["bat12"] == "BAT-12 TEST FIXTURE (not the BAT wording)"
