"""bot.services.checkin against the in-memory repository: the rules of a check-in, no chat."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from servicerig import ALICE, NOW, coachee_profile

from bot.core.awaiting import NOTE_MORE, Awaiting, TypedTap, awaiting
from bot.core.models import CheckIn, Escalation
from bot.services import actions, conversation
from bot.services import checkin as service
from bot.services.outcome import AwaitReplyTo, ClearButtons, Escalate, ReadAsItself

DAY = "20260330"
QUESTION = 55


def run(repo, use_case, *args):
    with repo.unit_of_work(ALICE) as coachee:
        return use_case(coachee, *args)


def answer(repo, content, *answers, now=NOW, day=DAY, question=QUESTION):
    return run(repo, service.answer_checkin, day, answers, question, ALICE, now, content)


def test_without_consent_nothing_is_asked_or_stored(repo):
    result = run(repo, service.start_checkin, NOW)

    assert not result.consented
    assert [t.id for t in result.messages[0].body] == ["consent.needed"]
    assert repo.user_ids() == []


def test_the_first_question_carries_today_and_waits_for_its_buttons(repo):
    repo.save_profile(coachee_profile())

    result = run(repo, service.start_checkin, NOW)

    question = result.messages[0]
    assert question.body[0].id == "checkin.energy"
    assert [c.args for c in question.choices[0]][:2] == [(DAY, 0), (DAY, 1)]
    assert {c.action for row in question.choices for c in row} == {actions.CHECKIN}
    assert result.effects == (AwaitReplyTo("checkin", (DAY,)),)


def test_each_tap_asks_the_next_question_and_stores_nothing(repo, content):
    repo.save_profile(coachee_profile())

    stress = answer(repo, content, 6)
    sleep = answer(repo, content, 6, 3)

    assert stress.messages[0].body[0].id == "checkin.stress" and stress.messages[0].edit
    assert sleep.messages[0].body[0].id == "checkin.sleep"
    assert sleep.messages[0].choices[0][0].args == (DAY, 6, 3, 1)
    assert repo.records(ALICE, CheckIn) == []


def test_the_last_tap_stores_once_and_asks_for_a_note(repo, content):
    repo.save_profile(coachee_profile())

    first = answer(repo, content, 6, 3, 4)
    again = answer(repo, content, 6, 3, 4)  # a double tap on "sleep"

    stored = repo.records(ALICE, CheckIn)
    assert [(c.energy, c.stress, c.sleep, c.id) for c in stored] == [(6, 3, 4, f"{DAY}-{QUESTION}")]
    assert first.messages[0].body[0].id == "checkin.recorded"
    assert [t.id for t in first.messages[1].body][-1] == "checkin.note_ask"
    waiting = repo.records(ALICE, Awaiting)[-1]
    assert (waiting.kind, waiting.reference) == ("note", stored[0].id)
    assert [m.body[0].id for m in again.messages] == ["checkin.recorded"]


def test_a_check_in_from_yesterday_is_stale_and_ends_its_question(repo, content):
    repo.save_profile(coachee_profile())
    run(
        repo,
        lambda c: c.replace(
            Awaiting("checkin", str(QUESTION), ALICE, NOW, NOW + timedelta(hours=1))
        ),
    )

    result = answer(repo, content, 6, 3, 4, day="20260329")

    assert result.messages[0].body[0].id == "checkin.stale"
    assert repo.records(ALICE, CheckIn) == []
    assert repo.records(ALICE, Awaiting)[-1].until == NOW


# 00:01 in Brussels on Tuesday 31 March: the check-in began on Monday at 23:58.
JUST_AFTER_MIDNIGHT = datetime(2026, 3, 30, 22, 1, tzinfo=UTC)


def test_a_check_in_finished_just_after_midnight_is_kept_for_the_day_it_began(repo, content):
    repo.save_profile(coachee_profile())

    stress = answer(repo, content, 4, now=JUST_AFTER_MIDNIGHT)
    first = answer(repo, content, 4, 5, 3, now=JUST_AFTER_MIDNIGHT)
    again = answer(repo, content, 4, 5, 3, now=JUST_AFTER_MIDNIGHT + timedelta(seconds=1))

    assert stress.messages[0].body[0].id == "checkin.stress"
    assert first.messages[0].body[0].id == "checkin.recorded"
    assert [m.body[0].id for m in again.messages] == ["checkin.recorded"]  # stored once
    stored = repo.records(ALICE, CheckIn)
    assert [(c.local_date, c.id, c.at) for c in stored] == [
        (date(2026, 3, 30), f"{DAY}-{QUESTION}", JUST_AFTER_MIDNIGHT)
    ]


@pytest.mark.parametrize(
    ("day", "now"),
    [
        ("20260330", datetime(2026, 3, 30, 23, 1, tzinfo=UTC)),  # 01:01: over an hour later
        ("20260329", JUST_AFTER_MIDNIGHT),  # the day before yesterday
        ("20260331", NOW),  # a day not yet begun
        ("garbage", NOW),
    ],
)
def test_a_check_in_of_another_day_stays_stale(repo, content, day, now):
    repo.save_profile(coachee_profile())

    result = answer(repo, content, 4, 5, 3, day=day, now=now)

    assert result.messages[0].body[0].id == "checkin.stale"
    assert repo.records(ALICE, CheckIn) == []


def test_a_typed_note_joins_its_check_in_and_stays_open_a_little_for_more(repo, content):
    repo.save_profile(coachee_profile())
    answer(repo, content, 6, 3, 4)
    checkin_id = f"{DAY}-{QUESTION}"
    typed = NOW + timedelta(minutes=2)

    result = run(repo, service.save_note, checkin_id, "drukke dag", typed)

    assert repo.records(ALICE, CheckIn)[0].note == "drukke dag"
    assert result.messages[0].body[0].id == "checkin.note_saved"
    assert repo.records(ALICE, Awaiting)[-1].until == typed + NOTE_MORE


def test_the_next_part_of_a_note_joins_it_on_a_line_of_its_own(repo, content):
    repo.save_profile(coachee_profile())
    answer(repo, content, 6, 3, 4)
    checkin_id = f"{DAY}-{QUESTION}"
    run(repo, service.save_note, checkin_id, "drukke dag", NOW + timedelta(minutes=2))

    result = run(repo, service.save_note, checkin_id, " en moe ", NOW + timedelta(minutes=3))

    assert repo.records(ALICE, CheckIn)[0].note == "drukke dag\nen moe"
    assert result.messages[0].body[0].id == "checkin.note_added"
    assert repo.records(ALICE, Awaiting)[-1].until == NOW + timedelta(minutes=3) + NOTE_MORE


def test_a_note_of_only_spaces_stores_nothing_and_the_question_stays(repo, content):
    repo.save_profile(coachee_profile())
    answer(repo, content, 6, 3, 4)
    asked = repo.records(ALICE, Awaiting)[-1]

    result = run(repo, service.save_note, f"{DAY}-{QUESTION}", " \n ", NOW + timedelta(minutes=2))

    assert repo.records(ALICE, CheckIn)[0].note is None
    assert [t.id for t in result.messages[0].body] == ["input.blank"]
    assert repo.records(ALICE, Awaiting)[-1] == asked


def test_a_part_that_would_overfill_the_note_is_read_as_itself(repo, content):
    repo.save_profile(coachee_profile())
    answer(repo, content, 6, 3, 4)
    checkin_id = f"{DAY}-{QUESTION}"
    for minute in range(1, 5):
        run(repo, service.save_note, checkin_id, "a" * 4096, NOW + timedelta(minutes=minute))

    result = run(repo, service.save_note, checkin_id, "meer", NOW + timedelta(minutes=5))

    assert len(repo.records(ALICE, CheckIn)[0].note) == 4 * 4096 + 3
    assert result.messages == () and result.effects == (ReadAsItself(),)
    assert repo.records(ALICE, Awaiting)[-1].until == NOW + timedelta(minutes=5)


def test_no_note_takes_the_buttons_away_and_ends_only_its_own_question(repo, content):
    repo.save_profile(coachee_profile())
    answer(repo, content, 6, 3, 4)

    other = run(repo, service.skip_note, "20260330-1", NOW)
    assert repo.records(ALICE, Awaiting)[-1].until > NOW  # another check-in's button
    result = run(repo, service.skip_note, f"{DAY}-{QUESTION}", NOW)

    assert ClearButtons() in result.effects and ClearButtons() in other.effects
    assert repo.records(ALICE, Awaiting)[-1].until == NOW


def test_two_weeks_of_low_energy_bring_gp_advice(repo, content):
    repo.save_profile(coachee_profile(days=30))
    for back in range(1, 16):
        day = NOW - timedelta(days=back)
        repo.add(
            ALICE,
            CheckIn(day, day.date(), energy=2, stress=8, sleep=2, id=f"old-{back}"),
        )

    result = answer(repo, content, 2, 8, 2)

    escalations = [e.escalation for e in result.effects if isinstance(e, Escalate)]
    assert [e.level for e in escalations] == ["gp"]
    assert repo.records(ALICE, Escalation) == []  # the safety path stores it, with consent


def test_a_failing_use_case_writes_nothing(repo, content):
    repo.save_profile(coachee_profile())

    def broken(coachee):
        service.answer_checkin(coachee, DAY, (6, 3, 4), QUESTION, ALICE, NOW, content)
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        run(repo, broken)

    assert repo.records(ALICE, CheckIn) == []


def test_the_lookback_covers_every_check_in_rule(content):
    from bot.core.checkin_rules import checkin_lookback

    lookback = checkin_lookback(content.checkin_rules)

    for rule in content.checkin_rules.rules:
        assert lookback >= timedelta(days=rule.window_days + 1), rule.id
    assert lookback >= timedelta(weeks=8)


def test_a_check_in_reads_only_recent_weeks_of_years_of_history(repo, content):
    repo.save_profile(coachee_profile(days=800))
    with repo.unit_of_work(ALICE) as coachee:  # two years of low days, ending 10 weeks ago
        for back in range(70, 800):
            day = NOW - timedelta(days=back)
            coachee.add(CheckIn(day, day.date(), energy=1, stress=9, sleep=1, id=f"old-{back}"))
    asked: list[object] = []

    class Spy:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def records(self, kind, since=None):
            asked.append((kind.__name__, since))
            return self.inner.records(kind, since)

    with repo.unit_of_work(ALICE) as coachee:
        result = service.answer_checkin(Spy(coachee), DAY, (2, 8, 2), QUESTION, ALICE, NOW, content)

    assert ("CheckIn", None) not in asked
    assert not [e for e in result.effects if isinstance(e, Escalate)]  # old weeks say nothing
    assert result.messages[1].body[0].id == "checkin.ack.low"  # the low run starts today


# --- a number typed under the open check-in question is its button ---------------------------


def open_question(repo) -> Awaiting:
    """The stored state of the open check-in question, as /checkin leaves it."""
    state = repo.records(ALICE, Awaiting)[-1]
    assert state.kind == "checkin"
    return state


def type_answer(repo, content, typed, message_id, now=NOW):
    """What the chat does with a typed text under the open check-in: its tap, or None."""
    state = open_question(repo)
    if conversation.sent_twice(state, typed, message_id, now):
        return "twice"
    tap = service.typed_tap(state, typed)
    if tap is None:
        return None
    day, answers = tap
    typed_tap = TypedTap(message_id, answers[-1], now)
    args = (day, answers, int(state.reference), ALICE, now, content, typed_tap)
    return run(repo, service.answer_checkin, *args)


@pytest.fixture
def asked(repo):
    repo.save_profile(coachee_profile())
    repo.replace(ALICE, awaiting("checkin", str(QUESTION), ALICE, NOW, (DAY,)))


@pytest.mark.parametrize(
    ("progress", "typed", "tap"),
    [
        ((DAY,), "7", (DAY, (7,))),
        ((DAY,), " 0 ", (DAY, (0,))),
        ((DAY,), "10", (DAY, (10,))),
        ((DAY,), "\uff17", (DAY, (7,))),  # a full-width 7
        ((DAY, "6"), "9", (DAY, (6, 9))),
        ((DAY, "6", "3"), "4", (DAY, (6, 3, 4))),
        ((DAY,), "11", None),
        ((DAY, "6", "3"), "7", None),  # sleep is 1-5: seven hours is no button
        ((DAY, "6", "3"), "0", None),
        ((DAY,), "7,5", None),
        ((DAY,), "-1", None),
        ((DAY,), "zeven", None),
        ((DAY,), "7 uur", None),
        ((DAY,), "\u0667", None),  # an Arabic-Indic seven: no button shows it
        ((DAY,), "", None),
        ((), "7", None),  # a check-in asked by an older version: buttons only
    ],
)
def test_only_a_whole_number_of_the_open_questions_buttons_is_a_tap(progress, typed, tap):
    state = awaiting("checkin", str(QUESTION), ALICE, NOW, progress)
    assert service.typed_tap(state, typed) == tap


@pytest.mark.parametrize("kind", ["note", "delete", "onboarding", "reflection"])
def test_a_number_under_any_other_question_is_no_check_in_tap(kind):
    state = awaiting(kind, str(QUESTION), ALICE, NOW, (DAY,))
    assert service.typed_tap(state, "7") is None


def test_typed_numbers_store_the_check_in_as_its_taps_do(asked, repo, content):
    stress = type_answer(repo, content, "7", 201)
    assert stress.messages[0].body[0].id == "checkin.stress" and stress.messages[0].edit
    assert open_question(repo).progress == (DAY, "7")
    sleep = type_answer(repo, content, "3", 202, now=NOW + timedelta(seconds=20))
    assert sleep.messages[0].body[0].id == "checkin.sleep"
    assert repo.records(ALICE, CheckIn) == []
    done = type_answer(repo, content, "4", 203, now=NOW + timedelta(seconds=40))

    stored = repo.records(ALICE, CheckIn)
    assert [(c.energy, c.stress, c.sleep, c.id) for c in stored] == [(7, 3, 4, f"{DAY}-{QUESTION}")]
    assert done.messages[0].body[0].id == "checkin.recorded" and done.messages[0].edit
    assert [t.id for t in done.messages[1].body][-1] == "checkin.note_ask"
    assert repo.records(ALICE, Awaiting)[-1].kind == "note"


def test_a_tap_after_a_typed_answer_goes_on_from_it(asked, repo, content):
    type_answer(repo, content, "7", 201)
    answer(repo, content, 7, 2)  # the stress button

    assert open_question(repo).progress == (DAY, "7", "2")
    assert open_question(repo).typed is None


def test_a_typed_number_sent_twice_answers_once(asked, repo, content):
    type_answer(repo, content, "7", 201)

    assert type_answer(repo, content, "7", 202, now=NOW + timedelta(seconds=1)) == "twice"
    assert type_answer(repo, content, "7", 201, now=NOW + timedelta(minutes=1)) == "twice"
    assert open_question(repo).progress == (DAY, "7")
    later = type_answer(repo, content, "7", 203, now=NOW + timedelta(seconds=10))
    assert later.messages[0].body[0].id == "checkin.sleep"  # read, then answered: stress 7


def test_a_typed_sleep_answer_sent_twice_is_no_note(asked, repo, content):
    answer(repo, content, 6)
    answer(repo, content, 6, 3)
    type_answer(repo, content, "4", 201)
    note_question = repo.records(ALICE, Awaiting)[-1]

    again = NOW + timedelta(seconds=1)
    assert conversation.sent_twice(note_question, "4", 202, again)
    assert not conversation.sent_twice(note_question, "4", 203, NOW + timedelta(minutes=1))
    assert not conversation.sent_twice(note_question, "moe", 202, again)
