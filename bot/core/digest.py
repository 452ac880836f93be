"""The coach's weekly digest: what it holds, its text, its CSV, and when it is due.

Built only from what `bot.core.coaching.visible_to_coach` let through (`Shared`), so a
digest can hold nothing the coachee did not share: per coachee the check-in days, energy,
tension and sleep (mean, lowest, change against the week before), exercises done and
homework kept, questionnaire scores and their change, the number of safety alerts (never
their words or rules), shared reflections, the phase and how long, and the needs-attention
reasons. A coachee who shares nothing appears by name only.

The week is seven days of the coachee's own calendar, ending the day before the digest's
day; `digest_due` says which week is due at `now` ("once per week even across restarts,
late rather than never": the caller stores the week it sent, before sending). A digest never
holds a day an earlier one held: when the coach moves their digest day, the next digest comes
at the new moment once a whole week after the last one sent has ended (moving Monday to
Tuesday: not the next day, but Tuesday a week later, of the seven days before it; the days
between the two weeks are in no digest, and /report shows them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import fmean
from zoneinfo import ZoneInfo

from bot.core.coaching import (
    Attention,
    Coach,
    CoachStore,
    Shared,
    SharedCheckIn,
    SharedReflection,
    coachee_data,
    day_means,
    homework_days,
    is_coach,
    needs_attention,
    now_in,
    split_between,
    visible_to_coach,
)
from bot.core.dates import day_month
from bot.core.models import utc
from bot.core.ports import Repository

# Telegram's longest text message.
MESSAGE_LIMIT = 4096
WEEK_DAYS = 7
# Texts: id -> template in the coach's language (bot.content turns content/ui.yaml into it).
Texts = Callable[[str], str]


@dataclass(frozen=True)
class Measure:
    """One check-in value over the week: mean of day means, lowest single check-in, and the
    change of the mean against the week before (None without check-ins that week)."""

    mean: float
    lowest: int
    change: float | None


@dataclass(frozen=True)
class HomeworkKept:
    exercise_id: str
    kept: int  # periods (days, or weeks) done this week
    due: int  # periods that started this week


@dataclass(frozen=True)
class ScoreLine:
    questionnaire_id: str
    score: float
    day: date
    change: float | None  # against the previous result of the same questionnaire


@dataclass(frozen=True)
class DigestEntry:
    """One coachee's week; None means "not shared" (never shown, never in the CSV)."""

    coachee_id: int
    name: str
    shares_nothing: bool
    days: int  # days of the week the coachee was linked (7, fewer when they joined)
    checkin_days: int | None = None
    energy: Measure | None = None
    stress: Measure | None = None
    sleep: Measure | None = None
    exercises_done: int | None = None
    homework: tuple[HomeworkKept, ...] | None = None
    scores: tuple[ScoreLine, ...] | None = None
    alerts: int | None = None
    reflections: tuple[SharedReflection, ...] | None = None
    phase: str | None = None
    phase_days: int | None = None
    attention: tuple[Attention, ...] = ()


@dataclass(frozen=True)
class Digest:
    coach_id: int
    week_start: date
    week_end: date
    built_at: datetime
    entries: tuple[DigestEntry, ...]


# --- building ---------------------------------------------------------------------------------


def build_digest(coach: Coach, coachees: Sequence[Shared], week: date, now: datetime) -> Digest:
    """The digest of the week that starts on `week`, for this coach's own coachees only."""
    end = week + timedelta(days=WEEK_DAYS - 1)
    entries = [
        _entry(coach, shared, week, end) for shared in coachees if shared.coach_id == coach.user_id
    ]
    entries.sort(key=lambda e: (e.name.casefold(), e.coachee_id))
    return Digest(coach.user_id, week, end, utc(now), tuple(entries))


def _entry(coach: Coach, shared: Shared, start: date, end: date) -> DigestEntry:
    first = max(start, shared.linked_on)
    days = max(0, (end - first).days + 1)
    today = end + timedelta(days=1)
    if not shared.items:
        return DigestEntry(shared.coachee_id, shared.name, True, days)

    def in_week(day: date) -> bool:
        return start <= day <= end

    checkin_days = energy = stress = sleep = None
    if shared.checkins is not None:
        week = [c for c in shared.checkins if in_week(c.day)]
        before = [c for c in shared.checkins if start - timedelta(days=WEEK_DAYS) <= c.day < start]
        checkin_days = len({c.day for c in week})
        energy, stress, sleep = (_measure(week, before, f) for f in ("energy", "stress", "sleep"))
    exercises_done = homework = None
    if shared.exercises is not None:
        done = [e for e in shared.exercises if in_week(e.day)]
        exercises_done = len(done)
        homework = tuple(
            kept
            for h in shared.homework or ()
            if (kept := _homework_kept(h, shared, start, end)).due
        )
    scores = None
    if shared.scores is not None:
        lines = []
        # The latest score of each questionnaire and its date, also from an earlier week: one
        # filled in every four or eight weeks (a licensed BAT an organisation dropped in, say)
        # would otherwise show in one digest of four.
        for qid in sorted({s.questionnaire_id for s in shared.scores}):
            results = [s for s in shared.scores if s.questionnaire_id == qid and s.day <= end]
            if not results:
                continue
            latest = results[-1]
            change = latest.score - results[-2].score if len(results) > 1 else None
            lines.append(ScoreLine(qid, latest.score, latest.day, change))
        scores = tuple(lines)
    alerts = None if shared.alerts is None else sum(in_week(a.day) for a in shared.alerts)
    reflections = None
    if shared.reflections is not None:
        reflections = tuple(r for r in shared.reflections if in_week(r.day))
    phase = phase_days = None
    if shared.phase is not None:
        phase = shared.phase.phase
        since = shared.phase.since.astimezone(ZoneInfo(coach.timezone)).date()
        phase_days = max(0, (today - since).days)
    return DigestEntry(
        shared.coachee_id,
        shared.name,
        False,
        days,
        checkin_days,
        energy,
        stress,
        sleep,
        exercises_done,
        homework,
        scores,
        alerts,
        reflections,
        phase,
        phase_days,
        needs_attention(shared, today, coach.quiet_days),
    )


def _measure(week: list[SharedCheckIn], before: list[SharedCheckIn], field: str) -> Measure | None:
    if not week:
        return None
    mean = fmean(day_means(week, field).values())
    previous = day_means(before, field)
    change = mean - fmean(previous.values()) if previous else None
    return Measure(mean, min(getattr(c, field) for c in week), change)


def _homework_kept(homework, shared: Shared, start: date, end: date) -> HomeworkKept:
    done = {e.day for e in shared.exercises or () if e.exercise_id == homework.exercise_id}
    periods = [kept for first, kept in homework_days(homework, done, through=end) if start <= first]
    return HomeworkKept(homework.exercise_id, sum(periods), len(periods))


def coachee_preview(
    store: CoachStore, repo: Repository, coachee_id: int, now: datetime
) -> Digest | None:
    """/digest for a coachee: their own part of their coach's next digest, exactly as the coach
    will get it if nothing changes (the week so far); None without an active coach. Not a
    coach's read, so not logged."""
    link = store.link_of(coachee_id)
    coach = store.coach(link.coach_id) if link is not None else None
    data = coachee_data(repo, coachee_id, link.linked_at) if link is not None else None
    if coach is None or data is None:
        return None
    seen = visible_to_coach(
        coach,
        link,
        store.sharing(coachee_id),
        data,
        now,
        phase=store.phase(coachee_id),
        homework=store.homework(coachee_id),
    )
    if seen is None:
        return None
    week = digest_week(coach, now) + timedelta(days=WEEK_DAYS)
    return build_digest(coach, [seen], week, now)


# --- when -------------------------------------------------------------------------------------


def digest_week(coach: Coach, now: datetime) -> date:
    """The week of the latest digest moment at or before `now` (in the coach's zone)."""
    return _latest_moment(coach, now).date() - timedelta(days=WEEK_DAYS)


def _latest_moment(coach: Coach, now: datetime) -> datetime:
    zone = ZoneInfo(coach.timezone)
    local = now_in(coach.timezone, now)
    day = local.date() - timedelta(days=(local.weekday() - coach.digest_weekday) % 7)
    moment = datetime.combine(day, coach.digest_time, tzinfo=zone)
    if moment > local:
        moment = datetime.combine(day - timedelta(days=7), coach.digest_time, tzinfo=zone)
    return moment


def digest_due(coach: Coach, last_sent_week: date | None, now: datetime) -> date | None:
    """The week whose digest should go out now, or None. Only the latest week is ever due
    (after a long stop, one digest, not a pile), none from before the coach's approval, and
    none that shares a day with the week last sent: after the coach moved their digest day,
    the next digest is the first at the new moment whose whole week comes after that one."""
    if not is_coach(coach):
        return None
    moment = _latest_moment(coach, now)
    if coach.decided_at is not None and moment < coach.decided_at:
        return None
    week = moment.date() - timedelta(days=WEEK_DAYS)
    if last_sent_week is not None and week < last_sent_week + timedelta(days=WEEK_DAYS):
        return None
    return week


# --- the overview chart ----------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewPoint:
    """One coachee in the digest's overview chart: their energy mean this week and the week
    before (None without check-ins then). Only coachees who share their check-ins and checked
    in this week; the others are in the digest's text (by name, or by what they do share)."""

    name: str
    this_week: float
    last_week: float | None
    checkin_days: int


def overview_points(digest: Digest) -> tuple[OverviewPoint, ...]:
    """The numbers of the overview chart, in the digest's order; built from the digest alone,
    so it holds nothing the digest does not."""
    points = []
    for entry in digest.entries:
        energy = entry.energy
        if entry.shares_nothing or energy is None or entry.checkin_days is None:
            continue
        last = energy.mean - energy.change if energy.change is not None else None
        points.append(OverviewPoint(entry.name, energy.mean, last, entry.checkin_days))
    return tuple(points)


# --- /report: one coachee, for the coach's file ---------------------------------------------

REPORT_DAYS = 28


@dataclass(frozen=True)
class ReportDay:
    """One day of the report's chart: the day means (None: no check-in that day)."""

    day: date
    energy: float | None
    stress: float | None
    sleep: float | None


@dataclass(frozen=True)
class CoacheeReport:
    """/report: the last seven days through today as a digest of this one coachee, and their
    check-ins' day means of the last four weeks (None: check-ins not shared)."""

    digest: Digest
    days: tuple[ReportDay, ...] | None
    made_on: date


def coachee_report(coach: Coach, seen: Shared, now: datetime) -> CoacheeReport:
    """Made from `seen` (visible_to_coach's answer) alone, so it holds nothing else."""
    today = now_in(coach.timezone, now).date()
    digest = build_digest(coach, [seen], today - timedelta(days=WEEK_DAYS - 1), now)
    days = None
    if seen.checkins is not None:
        first = today - timedelta(days=REPORT_DAYS - 1)
        recent = [c for c in seen.checkins if first <= c.day <= today]
        energy, stress, sleep = (day_means(recent, f) for f in ("energy", "stress", "sleep"))
        days = tuple(
            ReportDay(day, energy.get(day), stress.get(day), sleep.get(day))
            for day in (first + timedelta(days=n) for n in range(REPORT_DAYS))
        )
    return CoacheeReport(digest, days, today)


# --- text -------------------------------------------------------------------------------------


def _number(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "nl" else text


def _score(value: float, lang: str) -> str:
    """A questionnaire score as the questionnaire gives it: a sum whole ("8"), a mean with
    one decimal ("2,6")."""
    return str(int(value)) if float(value).is_integer() else _number(value, lang)


def _signed(value: float, lang: str) -> str:
    return ("+" if value > 0 else "") + _number(value, lang)


@dataclass(frozen=True)
class Names:
    """What the digest calls things in the coach's language: phases, exercises and
    questionnaires by id (an id without a name is shown as itself)."""

    phases: Mapping[str, str] = field(default_factory=dict)
    exercises: Mapping[str, str] = field(default_factory=dict)
    questionnaires: Mapping[str, str] = field(default_factory=dict)


NO_NAMES = Names()


def _days(count: int | None, texts: Texts) -> str:
    """ "1 dag", "3 dagen": the plural the language wants (coach.days.one / .other)."""
    return texts("coach.days.one" if count == 1 else "coach.days.other").format(days=count)


def _entry_lines(entry: DigestEntry, texts: Texts, lang: str, names: Names) -> list[str]:
    lines = [entry.name]
    if entry.shares_nothing:
        return [*lines, texts("coach.digest.nothing_shared")]
    if entry.phase is not None:
        phase = names.phases.get(entry.phase, entry.phase)
        lines.append(
            texts("coach.digest.phase").format(phase=phase, days=_days(entry.phase_days, texts))
        )
    if entry.attention:
        reasons = "; ".join(_reason(a, texts, lang, names.exercises) for a in entry.attention)
        lines.append(texts("coach.digest.attention").format(reasons=reasons))
    if entry.checkin_days is not None and entry.days:
        lines.append(
            texts("coach.digest.checkins").format(
                days=entry.checkin_days, possible=_days(entry.days, texts)
            )
        )
        for what, measure in (
            ("energy", entry.energy),
            ("stress", entry.stress),
            ("sleep", entry.sleep),
        ):
            if measure is None:
                continue
            change = ""
            if measure.change is not None:
                change = texts("coach.digest.change").format(change=_signed(measure.change, lang))
            lines.append(
                texts(f"coach.digest.{what}").format(
                    mean=_number(measure.mean, lang), lowest=measure.lowest, change=change
                )
            )
    if entry.exercises_done is not None:
        lines.append(texts("coach.digest.exercises").format(count=entry.exercises_done))
    for kept in entry.homework or ():
        name = names.exercises.get(kept.exercise_id, kept.exercise_id)
        lines.append(
            texts("coach.digest.homework").format(exercise=name, kept=kept.kept, due=kept.due)
        )
    for score in entry.scores or ():
        change = ""
        if score.change is not None:
            change = texts("coach.digest.score_change").format(change=_signed(score.change, lang))
        lines.append(
            texts("coach.digest.score").format(
                questionnaire=names.questionnaires.get(
                    score.questionnaire_id, score.questionnaire_id.upper()
                ),
                score=_score(score.score, lang),
                day=day_month(score.day, lang),
                change=change,
            )
        )
    if entry.alerts is not None:
        lines.append(texts("coach.digest.alerts").format(count=entry.alerts))
    for reflection in entry.reflections or ():
        lines.append(
            texts("coach.digest.reflection").format(
                day=day_month(reflection.day, lang), answer=reflection.answer
            )
        )
    return lines


def report_lines(
    report: CoacheeReport, texts: Texts, lang: str, names: Names = NO_NAMES
) -> list[str]:
    """The report's text: the days it covers, then the coachee's lines as in a digest."""
    digest = report.digest
    lines = [
        texts("coach.report.week").format(
            start=day_month(digest.week_start, lang), end=day_month(digest.week_end, lang)
        )
    ]
    for entry in digest.entries:
        lines += _entry_lines(entry, texts, lang, names)[1:]
    return lines


def _reason(attention: Attention, texts: Texts, lang: str, names: Mapping[str, str]) -> str:
    template = texts(f"coach.attention.{attention.reason}")
    value = attention.value if attention.value is not None else 0.0
    return template.format(
        days=_days(attention.days, texts),
        change=_signed(value, lang),
        count=int(value),
        exercise=names.get(attention.exercise_id or "", attention.exercise_id),
    )


def _title(digest: Digest, texts: Texts, lang: str) -> str:
    return texts("coach.digest.title").format(
        start=day_month(digest.week_start, lang), end=day_month(digest.week_end, lang)
    )


def _blocks(digest: Digest, texts: Texts, lang: str, names: Names) -> list[str]:
    if not digest.entries:
        return [texts("coach.digest.no_coachees")]
    return ["\n".join(_entry_lines(entry, texts, lang, names)) for entry in digest.entries]


def digest_text(digest: Digest, texts: Texts, lang: str, names: Names = NO_NAMES) -> str:
    """The whole digest as one plain text (the dry run, a coachee's /digest preview)."""
    blocks = _blocks(digest, texts, lang, names)
    return "\n\n".join([_title(digest, texts, lang), *blocks])


def digest_messages(
    digest: Digest,
    texts: Texts,
    lang: str,
    names: Names = NO_NAMES,
    limit: int = MESSAGE_LIMIT,
) -> list[str]:
    """The digest as Telegram messages: split between coachees, a coachee's block only when it
    alone is too long (then between lines, a line between words); each part numbered."""
    title = _title(digest, texts, lang)
    room = limit - len(title) - len(" (99/99)\n\n")
    pieces: list[str] = []
    for block in _blocks(digest, texts, lang, names):
        pieces += _fit(block, room)
    parts = split_between([len(piece) for piece in pieces], room, joiner=len("\n\n"))
    messages = ["\n\n".join(pieces[i] for i in part) for part in parts]
    if len(messages) == 1:
        return [f"{title}\n\n{messages[0]}"]
    total = len(messages)
    return [f"{title} ({n}/{total})\n\n{body}" for n, body in enumerate(messages, start=1)]


def _fit(block: str, room: int) -> list[str]:
    if len(block) <= room:
        return [block]
    parts: list[str] = []
    current = ""
    for line in block.split("\n"):
        for chunk in _cut(line, room):
            if current and len(current) + 1 + len(chunk) <= room:
                current += "\n" + chunk
            else:
                if current:
                    parts.append(current)
                current = chunk
    if current:
        parts.append(current)
    return parts


def _cut(line: str, room: int) -> list[str]:
    chunks = []
    while len(line) > room:
        space = line.rfind(" ", 0, room + 1)
        at = space if space > room // 2 else room
        chunks.append(line[:at].rstrip())
        line = line[at:].lstrip()
    return [*chunks, line]


# --- csv --------------------------------------------------------------------------------------

CSV_FIELDS = (
    "name",
    "days",
    "checkin_days",
    *(
        f"{what}_{part}"
        for what in ("energy", "stress", "sleep")
        for part in ("mean", "lowest", "change")
    ),
    "exercises_done",
    "homework_kept",
    "homework_due",
    "scores",
    "alerts",
    "phase",
    "phase_days",
    "needs_attention",
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _safe(text: str) -> str:
    """A name that a spreadsheet would run as a formula is written as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def digest_csv(digest: Digest) -> str:
    """The week's numbers, one row per coachee; empty cells for what is not shared. No words:
    no reflections, no names of reasons beyond their codes."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for entry in digest.entries:
        row: dict[str, object] = {
            "name": _safe(entry.name),
            "days": entry.days,
            "checkin_days": entry.checkin_days,
            "exercises_done": entry.exercises_done,
            "alerts": entry.alerts,
            "phase": entry.phase,
            "phase_days": entry.phase_days,
            "needs_attention": " ".join(a.reason for a in entry.attention),
        }
        for what in ("energy", "stress", "sleep"):
            measure = getattr(entry, what)
            row[f"{what}_mean"] = measure.mean if measure else None
            row[f"{what}_lowest"] = measure.lowest if measure else None
            row[f"{what}_change"] = measure.change if measure else None
        if entry.homework is not None:
            row["homework_kept"] = sum(h.kept for h in entry.homework)
            row["homework_due"] = sum(h.due for h in entry.homework)
        if entry.scores is not None:
            row["scores"] = " ".join(f"{s.questionnaire_id}={s.score:g}" for s in entry.scores)
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()
