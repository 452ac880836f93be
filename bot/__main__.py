"""The command line: `python -m bot run | content check | content show | safety assess | safety
eval | safety train | data new-key | data check | data rotate-key | digest | demo`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import ConfigError, content_dir_from, load_settings
from bot.content.loader import ContentError, load_content


def cmd_run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from bot.runner import run_bot

    return run_bot(settings)


def cmd_content_check(args: argparse.Namespace) -> int:
    directory = Path(args.dir) if args.dir else content_dir_from()
    try:
        content = load_content(directory)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    print(
        f"content ok: {len(content.exercises)} exercises, {len(content.prompts)} prompts, "
        f"{len(content.safety.rules)} safety rules, "
        f"{len(content.questionnaires)} questionnaires, {len(content.texts)} texts"
    )
    return 0


def cmd_content_show(args: argparse.Namespace) -> int:
    """Preview one item as the coachee sees it; the cross-file checks are `content check`'s."""
    from bot.services.preview import UnknownItem, render_item
    from bot.storage.memory import InMemoryRepository

    directory = Path(args.content) if args.content else content_dir_from()
    try:
        content = load_content(directory, checks=())
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    try:
        # The use cases run for a coachee of the preview's own, in an in-memory store.
        shown = render_item(
            content, args.id, args.lang, args.country, new_repository=InMemoryRepository
        )
        print(shown)
    except UnknownItem as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _assessor(args: argparse.Namespace, lazy: bool = False):
    """The safety assessor the bot runs with (rules and learned layer), or None when the
    content cannot load (said on stderr); the rule examples are `content check`'s business.
    With `lazy` the sentence encoder and the rule patterns are built when first needed."""
    from bot.content.live import build_assessor

    directory = Path(args.content) if args.content else content_dir_from()
    try:
        content = load_content(directory, checks=())
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return None
    assessor, problem = build_assessor(directory, content, lazy)
    if problem is not None:
        print(f"warning: {problem}; assessing with what loaded", file=sys.stderr)
    return assessor


def cmd_safety_assess(args: argparse.Namespace) -> int:
    """JSON lines in ({"text", "lang"}), JSON lines out, same order; offline and deterministic."""
    import json

    assessor = _assessor(args, lazy=True)
    if assessor is None:
        return 1
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            text, lang = str(request["text"]), str(request.get("lang", "nl"))
        except (ValueError, KeyError, TypeError):
            print(f'line {number}: expected a JSON object with "text" and "lang"', file=sys.stderr)
            return 2
        assessment = assessor.assess(text, lang)
        confidence = assessment.confidence
        print(
            json.dumps(
                {
                    "level": assessment.level,
                    "categories": list(assessment.categories),
                    "rule": assessment.rule,
                    "layer": assessment.layer,
                    "confidence": None if confidence is None else round(confidence, 3),
                    "ask": assessment.ask,
                }
            ),
            flush=True,
        )
    return 0


def cmd_safety_eval(args: argparse.Namespace) -> int:
    """Recall per level, false alarms, a table per category and every miss."""
    from bot.safety_tools import evaluate, read_rows

    assessor = _assessor(args)
    if assessor is None:
        return 1
    for name in args.files:
        print(f"== {name}")
        try:
            rows = read_rows(Path(name))
            evaluate(assessor, rows, sys.stdout)
        except (OSError, ValueError, KeyError) as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            return 2
    return 0


def cmd_safety_train(args: argparse.Namespace) -> int:
    """Rebuild the learned layer from the labelled data (needs the dev dependencies)."""
    import json
    import subprocess

    from bot.content.live import MODEL_FILE
    from bot.safety_tools import numerics_pinned, pinned_environment, train

    environment = pinned_environment()
    if environment is not None and not numerics_pinned():
        # The same command again, from what was parsed (main() may be called with its own
        # argv), in a child whose numerics are pinned before numpy loads.
        command = [sys.executable, "-m", "bot", "safety", "train"]
        if args.content:
            command += ["--content", str(args.content)]
        if args.no_embeddings:
            command.append("--no-embeddings")
        return subprocess.run(command, env=environment, check=False).returncode
    directory = Path(args.content) if args.content else content_dir_from()
    written = train(directory / MODEL_FILE, with_embeddings=not args.no_embeddings)
    print(json.dumps(written, indent=1))
    return 0


def cmd_data_new_key(args: argparse.Namespace) -> int:
    """A fresh key for BOT_DATA_KEY (keep it in the host's secret store, never in the repo)."""
    from bot.storage.sealing import new_key

    print(new_key())
    return 0


def cmd_data_check(args: argparse.Namespace) -> int:
    """Every data file opens with BOT_DATA_KEY, parses and has a known schema."""
    from bot.config import data_dir_from, data_key_from
    from bot.storage.data_files import check

    directory = Path(args.dir) if args.dir else data_dir_from()
    try:
        keys = data_key_from()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    problems, count = check(directory, keys)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    state = "encrypted" if keys else "plain, not encrypted"
    print(f"data ok: {count} files in {directory} ({state})")
    return 0


def cmd_data_rotate_key(args: argparse.Namespace) -> int:
    """Re-encrypt every data file from BOT_DATA_KEY (none: plain) to BOT_DATA_NEW_KEY."""
    from bot.config import data_dir_from, data_key_from
    from bot.storage.data_files import rotate
    from bot.storage.sealing import DataKeyError

    directory = Path(args.dir) if args.dir else data_dir_from()
    try:
        old = data_key_from()
        new = data_key_from(name="BOT_DATA_NEW_KEY")
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if len(new) > 1 or (not new and not args.to_plain) or (new and args.to_plain):
        print(
            "error: set BOT_DATA_NEW_KEY to one new key (`python -m bot data new-key`), or "
            "pass --to-plain to store the data unencrypted",
            file=sys.stderr,
        )
        return 2
    try:
        count = rotate(directory, old, new[0] if new else None)
    except (DataKeyError, OSError) as exc:
        print(f"error: {exc}; no file was changed by this step", file=sys.stderr)
        return 1
    target = "BOT_DATA_NEW_KEY" if new else "no key (plain JSON)"
    print(f"rotated {count} files in {directory} to {target}")
    if new:
        print("now set BOT_DATA_KEY to the new key, unset BOT_DATA_NEW_KEY, and start the bot")
    else:
        print("now unset BOT_DATA_KEY and start the bot")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    """Print a coach's weekly digest (or its CSV) from the data folder; sends nothing, logs
    no read, marks nothing sent: sending is the running bot's job."""
    from datetime import UTC, date, datetime

    from bot.config import data_dir_from, data_key_from
    from bot.core.coaching import is_coach, views_for_coach
    from bot.core.digest import build_digest, digest_csv, digest_text, digest_week
    from bot.services.coaching import digest_names
    from bot.storage.coaches import TinyDbCoachStore
    from bot.storage.sealing import DataKeyError, Sealer
    from bot.storage.tinydb_store import TinyDbRepository

    if not args.dry_run:
        print("error: only --dry-run is supported here; the bot sends digests", file=sys.stderr)
        return 2
    directory = Path(args.dir) if args.dir else data_dir_from()
    try:
        sealer = Sealer.with_keys(data_key_from())
        week = date.fromisoformat(args.week) if args.week else None
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        content = load_content(
            Path(args.content) if args.content else content_dir_from(), checks=()
        )
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    now = datetime.now(UTC)
    try:
        store = TinyDbCoachStore(directory, sealer)
        coach = store.coach(args.coach)
        if coach is None or not is_coach(coach):
            print(f"error: {args.coach} is not an approved coach", file=sys.stderr)
            return 1
        views = views_for_coach(
            store, TinyDbRepository(directory, sealer), coach.user_id, now, None
        )
    except DataKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    digest = build_digest(coach, views, week or digest_week(coach, now), now)
    if args.csv:
        print(digest_csv(digest), end="")
        return 0
    lang = args.lang or coach.lang
    print(
        digest_text(
            digest, lambda text_id: content.text(text_id, lang), lang, digest_names(content, lang)
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start the bot (long polling)")
    run.set_defaults(func=cmd_run)

    content = commands.add_parser("content", help="check or show content")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser("check", help="validate all content")
    check.add_argument("dir", nargs="?", help="content folder (default: BOT_CONTENT_DIR)")
    check.set_defaults(func=cmd_content_check)
    show = content_commands.add_parser(
        "show",
        help="preview an exercise, prompt, phase, questionnaire, the check-in, an escalation or "
        "a UI text",
    )
    show.add_argument(
        "id", help="e.g. box-breathing, checkin, crisis, crisis:self_harm, exercise.next"
    )
    show.add_argument("--lang", choices=("nl", "en"), default="nl")
    show.add_argument(
        "--country", choices=("BE", "NL"), default="BE", help="whose help lines an escalation gives"
    )
    show.add_argument("--content", help="content folder (default: BOT_CONTENT_DIR)")
    show.set_defaults(func=cmd_content_show)

    safety = commands.add_parser("safety", help="the safety engine, offline")
    safety_commands = safety.add_subparsers(dest="safety_command", required=True)
    assess = safety_commands.add_parser(
        "assess", help='read {"text","lang"} JSON lines on stdin, write assessments'
    )
    assess.add_argument("--content", help="content folder (default: BOT_CONTENT_DIR)")
    assess.set_defaults(func=cmd_safety_assess)
    evaluate = safety_commands.add_parser(
        "eval", help="recall, false alarms and misses on labelled JSON-lines files"
    )
    evaluate.add_argument("files", nargs="+", help='lines {"text","lang","expect","accept"?}')
    evaluate.add_argument("--content", help="content folder (default: BOT_CONTENT_DIR)")
    evaluate.set_defaults(func=cmd_safety_eval)
    train = safety_commands.add_parser(
        "train", help="rebuild content/safety/learned-model.bin from the labelled data"
    )
    train.add_argument("--content", help="content folder (default: BOT_CONTENT_DIR)")
    train.add_argument(
        "--no-embeddings", action="store_true", help="the n-gram vote only (no sentence encoder)"
    )
    train.set_defaults(func=cmd_safety_train)

    data = commands.add_parser("data", help="the data folder: keys, checks, rotation")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    new_key = data_commands.add_parser("new-key", help="print a fresh key for BOT_DATA_KEY")
    new_key.set_defaults(func=cmd_data_new_key)
    data_check = data_commands.add_parser(
        "check", help="every data file opens, parses and has a known schema; one line a problem"
    )
    data_check.add_argument("--dir", help="data folder (default: BOT_DATA_DIR)")
    data_check.set_defaults(func=cmd_data_check)
    rotate_key = data_commands.add_parser(
        "rotate-key",
        help="re-encrypt every file from BOT_DATA_KEY to BOT_DATA_NEW_KEY (stop the bot first)",
    )
    rotate_key.add_argument("--dir", help="data folder (default: BOT_DATA_DIR)")
    rotate_key.add_argument(
        "--to-plain", action="store_true", help="decrypt everything to plain JSON instead"
    )
    rotate_key.set_defaults(func=cmd_data_rotate_key)

    digest = commands.add_parser(
        "digest", help="print a coach's weekly digest from the data folder (sends nothing)"
    )
    digest.add_argument("--coach", type=int, required=True, help="the coach's Telegram user id")
    digest.add_argument("--dry-run", action="store_true", help="print instead of sending")
    digest.add_argument("--week", help="the week's first day, YYYY-MM-DD (default: the last due)")
    digest.add_argument("--lang", choices=("nl", "en"), help="default: the coach's language")
    digest.add_argument("--csv", action="store_true", help="print the week's numbers as CSV")
    digest.add_argument("--dir", help="data folder (default: BOT_DATA_DIR)")
    digest.add_argument("--content", help="content folder (default: BOT_CONTENT_DIR)")
    digest.set_defaults(func=cmd_digest)

    from bot import demo  # stdlib imports only; the demo loads its rig when it runs

    demo_parser = commands.add_parser(
        "demo", help="chat with the bot in this terminal: no Telegram account or token needed"
    )
    demo.add_arguments(demo_parser)
    demo_parser.set_defaults(func=demo.run)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
