"""The UI texts the code shows, by id, with the placeholders the code fills in each.

`content check` holds content/ui.yaml against this table: a missing text or a placeholder
the code does not fill is reported before it can reach a coachee. A test keeps this table
and the ids used in bot/telegram in step.
"""

from __future__ import annotations

NONE: frozenset[str] = frozenset()


def _ids(*names: str, filled: frozenset[str] = NONE) -> dict[str, frozenset[str]]:
    return dict.fromkeys(names, filled)


MOMENT_KINDS = ("checkin", "exercise", "reflection")
SETTINGS_MENU = (
    "lang",
    "country",
    "tz",
    "checkin",
    "exercise",
    "reflection",
    "quiet",
    "phase",
    "share",
    "questionnaires",
)
SHARING = ("share_checkins", "share_alerts", "share_reflections_default")

# The command menu set at start (setMyCommands), per language: command -> text `menu.<c>`.
MENU_COMMANDS: tuple[str, ...] = (
    "checkin",
    "exercise",
    "reflect",
    "history",
    "sos",
    "settings",
    "pause",
    "resume",
    "questionnaire",
    "summary",
    "export",
    "delete",
    "help",
    "start",
)

UI_TEXTS: dict[str, frozenset[str]] = {
    "start.greeting": frozenset({"name"}),
    "start.welcome_back": frozenset({"name"}),
    **_ids("start.what_we_are", "help.commands"),
    **_ids(
        "consent.ask",
        "consent.yes",
        "consent.no",
        "consent.switch_language",
        "consent.thanks",
        "consent.refused",
        "consent.already",
        "consent.needed",
    ),
    **_ids("country.BE", "country.NL", "language.nl", "language.en"),
    **_ids(
        "onboarding.country",
        "onboarding.timezone_other",
        "onboarding.timezone_type",
        "onboarding.timezone_unknown",
        "onboarding.moments",
        "onboarding.moments_ok",
        "onboarding.moments_change",
    ),
    "onboarding.timezone": frozenset({"timezone"}),
    "onboarding.timezone_saved": frozenset({"timezone"}),
    "onboarding.done": frozenset({"phase"}),
    "moments.off": NONE,
    **{f"moments.{kind}": frozenset({"time"}) for kind in MOMENT_KINDS},
    **_ids(
        "checkin.energy",
        "checkin.stress",
        "checkin.sleep",
        "checkin.stale",
        "checkin.use_buttons",
        "checkin.note_ask",
        "checkin.no_note",
        "checkin.note_saved",
        "checkin.done",
    ),
    "checkin.recorded": frozenset({"energy", "stress", "sleep"}),
    "checkin.try_exercise": frozenset({"title"}),
    **_ids(
        "checkin.ack.low", "checkin.ack.better", "checkin.ack.steady", filled=frozenset({"days"})
    ),
    "checkin.ack.low_streak": frozenset({"days"}),
    **_ids(
        "exercise.choose",
        "exercise.start",
        "exercise.later",
        "exercise.skip",
        "exercise.next",
        "exercise.stop",
        "exercise.done",
        "exercise.again_later",
        "exercise.gone",
        "exercise.ended.done",
        "exercise.ended.skipped",
        "exercise.ended.later",
        "exercise.ended.done_unsaved",
        "exercise.ended.later_unsaved",
    ),
    "exercise.option": frozenset({"title", "minutes"}),
    "exercise.intro": frozenset({"title", "minutes", "intro"}),
    "exercise.step": frozenset({"number", "total"}),
    "reflect.prompt": frozenset({"phase", "prompt"}),
    **_ids(
        "reflect.other",
        "reflect.later",
        "reflect.later_ok",
        "reflect.saved",
        "reflect.saved_private",
        "reflect.share_yes",
        "reflect.share_no",
        "reflect.shared",
        "reflect.private",
        "reflect.gone",
    ),
    **_ids(
        "history.energy",
        "history.stress",
        "history.no_data",
        "history.trend.up",
        "history.trend.down",
        "history.trend.steady",
        "history.trend.unknown",
    ),
    "history.chart_title": frozenset({"days"}),
    "history.show_days": frozenset({"days"}),
    "history.empty": frozenset({"days"}),
    "history.averages": frozenset({"days", "checkins", "energy", "stress"}),
    "history.exercises": frozenset({"count"}),
    **_ids("history.checkins.one", "history.checkins.other", filled=frozenset({"count"})),
    **_ids("history.better", "history.sleep", "history.exercise_day"),
    "summary.gp": frozenset(
        {
            "first",
            "last",
            "checkins",
            "checkin_days",
            "energy",
            "stress",
            "sleep",
            "low",
            "low_days",
            "exercises",
        }
    ),
    **_ids("summary.days.one", "summary.days.other", filled=frozenset({"count"})),
    **_ids("summary.ask_notes", "summary.with_notes", "summary.without_notes", "summary.notes"),
    "summary.note": frozenset({"day", "note"}),
    **_ids("crisis.ground_button", "crisis.ok_button", "crisis.ok_reply"),
    **_ids("crisis_ask.yes", "crisis_ask.unsure", "crisis_ask.no"),
    **_ids("crisis_followup.better", "crisis_followup.hard", "crisis_followup.help_now"),
    **_ids("gp_followup.reached", "gp_followup.not_yet", "gp_followup.prepare"),
    **_ids("coach.alert.gp", "coach.alert.crisis", filled=frozenset({"day"})),
    **{
        f"reminder.{kind}.{variant}": NONE
        for kind in MOMENT_KINDS
        for variant in ("first", "again", "start")
    },
    "reminder.later": NONE,
    "reminder.snoozed": frozenset({"minutes"}),
    "reminder.later_next": frozenset({"day", "time"}),
    "reminder.later_none": NONE,
    "moments.moved": frozenset({"time", "chosen"}),
    "moments.never": frozenset({"chosen"}),
    **_ids("settings.done", "settings.closed", "settings.shared.none"),
    **_ids("settings.clash.moved", filled=frozenset({"item", "chosen", "quiet", "time"})),
    **_ids("settings.clash.never", filled=frozenset({"item", "chosen", "quiet"})),
    "settings.fix.moment": frozenset({"time"}),
    "settings.fix.quiet": frozenset({"quiet"}),
    "settings.sharing": frozenset({"shared"}),
    **{f"settings.shared.{field}": NONE for field in SHARING},
    "pause.not_paused": NONE,
    **_ids(
        "settings.saved",
        "settings.other_time",
        "settings.off",
        "settings.type_time",
        "settings.time_unknown",
        "settings.back",
    ),
    "settings.summary": frozenset(
        {"language", "country", "timezone", "quiet", "phase", "moments", "questionnaires"}
    ),
    "settings.questionnaires.weeks": frozenset({"weeks"}),
    "settings.questionnaires.off": NONE,
    "checkin.offer_questionnaire": NONE,
    **{f"settings.menu.{what}": NONE for what in SETTINGS_MENU},
    **{f"settings.ask.{what}": NONE for what in SETTINGS_MENU},
    **{f"settings.share.{field}.{state}": NONE for field in SHARING for state in ("on", "off")},
    "pause.started": frozenset({"days", "until"}),
    "pause.invalid": frozenset({"max"}),
    "pause.resumed": NONE,
    **_ids(
        "export.caption",
        "export.nothing",
        "delete.confirm",
        "delete.yes",
        "delete.no",
        "delete.done",
        "delete.cancelled",
        "delete.expired",
    ),
    "retention.notice.history": frozenset({"day", "before"}),
    "retention.notice.inactive": frozenset({"day", "months"}),
    **_ids("questionnaire.choose", "questionnaire.paused"),
    "questionnaire.counter": frozenset({"number", "total"}),
    "questionnaire.result": frozenset({"title", "band"}),
    **_ids(
        "input.unexpected",
        "input.do_checkin",
        "input.do_exercise",
        "input.media",
        "input.stale_button",
        "input.unknown_command",
        "input.error",
    ),
    "private.only": frozenset({"link"}),
    **_ids("private.only_no_link", "private.not_for_you"),
    "admin.reloaded": frozenset({"exercises", "prompts", "rules"}),
    "admin.reload_refused": frozenset({"count"}),
    **{f"menu.{command}": NONE for command in MENU_COMMANDS},
}
