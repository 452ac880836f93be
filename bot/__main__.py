"""The command line: `python -m bot run | content check | content show | safety assess | safety
eval | safety train | demo`."""

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
    from bot.content.show import UnknownItem, render_item

    directory = Path(args.content) if args.content else content_dir_from()
    try:
        content = load_content(directory, checks=())
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    try:
        print(render_item(content, args.id, args.lang, args.country))
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

    from bot.content.live import MODEL_FILE
    from bot.safety_tools import train

    directory = Path(args.content) if args.content else content_dir_from()
    written = train(directory / MODEL_FILE, with_embeddings=not args.no_embeddings)
    print(json.dumps(written, indent=1))
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
        "show", help="preview an exercise, prompt, phase, questionnaire, escalation or UI text"
    )
    show.add_argument("id", help="e.g. box-breathing, crisis, crisis:self_harm, exercise.next")
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
