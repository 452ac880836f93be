"""The data folder as a whole: the key check at start, `data check` and `data rotate-key`.

Nothing here writes except `rotate`; the start check and `check` only read, so a wrong key
or a wrong setting is found before the bot touches any file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot.core.models import RECORD_TYPES, Profile
from bot.storage.atomic import FOLDER_MODE, TEMP_SUFFIX, write_atomically
from bot.storage.coaches import FILE_NAME as COACHES_NAME
from bot.storage.coaches import READS_DIR as COACH_READS_DIR
from bot.storage.coaches import READS_FILE_NAME as COACH_READS_NAME
from bot.storage.codec import from_json, table_name
from bot.storage.migrations import CURRENT_SCHEMA, META_TABLE, schema_of
from bot.storage.sealing import TOKEN_START, DataKeyError, Sealer, is_sealed

FILE_MODE = 0o600
INDEX_NAME = "index.json"
HEAD_NAME = "profile.json"
USERS_DIR = "users"
RECORD_TABLES = {table_name(kind): kind for kind in RECORD_TYPES}
# Files of the whole bot beside the index: the coach side's store and its read log
# (bot/storage/coaches.py: coach-reads/<month>.json, or one coach-reads.json before the split).
# Sealed like the rest: a rotation and every check cover them.
SHARED_NAMES = (INDEX_NAME, COACHES_NAME, COACH_READS_NAME)


def _shared_files(data_dir: Path) -> list[Path]:
    found = [data_dir / name for name in SHARED_NAMES if (data_dir / name).is_file()]
    reads = data_dir / COACH_READS_DIR
    if reads.is_dir():
        found += sorted(p for p in reads.glob("*.json") if not p.name.startswith("."))
    return found


def data_files(data_dir: Path) -> list[Path]:
    """The index and every coachee's files: their folder's head and months, or a single file
    from before the split (temp files of killed writes are not among them)."""
    users = data_dir / USERS_DIR
    found = _shared_files(data_dir)
    if users.is_dir():
        found += sorted(
            (p for p in users.glob("*.json") if not p.name.startswith(".")),
            key=lambda p: (len(p.name), p.name),
        )
        for folder in _user_folders(data_dir):
            found += sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))
    return found


def _user_folders(data_dir: Path) -> list[Path]:
    users = data_dir / USERS_DIR
    if not users.is_dir():
        return []
    return sorted(
        (p for p in users.iterdir() if p.is_dir() and p.name.lstrip("-").isdigit()),
        key=lambda p: (len(p.name), p.name),
    )


def user_of(path: Path) -> int | None:
    """Whose data file this is: users/<id>/<part>.json, or users/<id>.json before the split."""
    for name in (path.parent.name, path.stem):
        if name.lstrip("-").isdigit():
            return int(name)
    return None


def leftover_temp_files(data_dir: Path) -> list[Path]:
    """What a writer killed between its temp file and the rename left: never read, never an
    acknowledged answer (the write had not returned)."""
    folders = [data_dir, data_dir / COACH_READS_DIR, data_dir / USERS_DIR, *_user_folders(data_dir)]
    return sorted(p for folder in folders for p in folder.glob(f".*{TEMP_SUFFIX}"))


def start_files(data_dir: Path) -> list[Path]:
    """What the start check opens: the index, each coachee's head (every file of a folder
    without one), and single files from before the split.

    A coachee's head is read before any of their files is written, and `rotate` writes each
    coachee's head after their months, so a head that opens with the key vouches for the
    folder; a month that does not (restored from another backup) is refused when read and
    found by `data check`. Opening every file took seconds at 10,000 coachees.
    """
    users = data_dir / USERS_DIR
    found = _shared_files(data_dir)
    if not users.is_dir():
        return found
    for entry in sorted(os.scandir(users), key=lambda e: (len(e.name), e.name)):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.name.endswith(".json"):
            found.append(Path(entry.path))
        elif entry.is_dir() and entry.name.lstrip("-").isdigit():
            head = Path(entry.path) / HEAD_NAME
            if head.is_file():
                found.append(head)
            else:
                found += sorted(
                    p for p in Path(entry.path).glob("*.json") if not p.name.startswith(".")
                )
    return found


def check_keys(data_dir: Path, keys: Sequence[str]) -> Sealer:
    """The sealer the bot runs with, after the index and every head opened with it (see
    start_files); else one line.

    With keys, reads those files once (the HMAC covers the whole file); without, only their
    first bytes. Writes nothing.
    """
    sealer = Sealer.with_keys(keys)
    files = start_files(data_dir) if data_dir.is_dir() else []
    sealed = [path for path in files if is_sealed(_start_of(path))]
    if not keys and sealed:
        raise DataKeyError(
            f"{len(sealed)} of {len(files)} data files in {data_dir} are encrypted but "
            "BOT_DATA_KEY is not set; set it to the key they were encrypted with"
        )
    if keys and len(sealed) < len(files):
        raise DataKeyError(
            f"BOT_DATA_KEY is set but {len(files) - len(sealed)} of {len(files)} data files in "
            f"{data_dir} are not encrypted; encrypt them first with `python -m bot data "
            "rotate-key` (see README, Privacy)"
        )
    failed: list[Path] = []
    for path in sealed:
        try:
            sealer.open(path.read_bytes(), path)
        except DataKeyError:
            failed.append(path)
    if failed:
        raise DataKeyError(
            f"BOT_DATA_KEY does not open {len(failed)} of {len(files)} data files in {data_dir} "
            f"(first: {failed[0].name}): a wrong key, or a rotation that did not finish "
            "(run it again, or list both keys: BOT_DATA_KEY=new,old)"
        )
    return sealer


def _start_of(path: Path) -> bytes:
    # Whether a file is sealed shows in its first bytes: without a key the start check reads
    # those only, not years of every coachee's history.
    with path.open("rb") as handle:
        return handle.read(len(TOKEN_START))


def check(data_dir: Path, keys: Sequence[str]) -> tuple[list[str], int]:
    """(one line per problem, number of data files): opens, parses, schema known, records
    readable, the index and the files agree, folders 0700 and files 0600."""
    if not data_dir.is_dir():
        return [f"{data_dir}: no such folder"], 0
    sealer = Sealer.with_keys(keys)
    problems: list[str] = []
    documents: dict[Path, dict[str, Any]] = {}
    files = data_files(data_dir)
    for folder in (
        data_dir,
        data_dir / COACH_READS_DIR,
        data_dir / USERS_DIR,
        *_user_folders(data_dir),
    ):
        if folder.is_dir() and folder.stat().st_mode & 0o777 != FOLDER_MODE:
            problems.append(f"{folder}: folder mode {folder.stat().st_mode & 0o777:o}, not 700")
    for path in files:
        if path.stat().st_mode & 0o777 != FILE_MODE:
            problems.append(f"{path}: file mode {path.stat().st_mode & 0o777:o}, not 600")
        try:
            document = json.loads(sealer.open(path.read_bytes(), path) or b"{}")
        except DataKeyError as exc:
            problems.append(str(exc))
            continue
        except ValueError as exc:
            problems.append(f"{path}: not valid JSON ({exc})")
            continue
        if not isinstance(document, dict) or not all(
            isinstance(t, dict) for t in document.values()
        ):
            problems.append(f"{path}: not TinyDB tables")
            continue
        version = schema_of(document)
        if version > CURRENT_SCHEMA:
            problems.append(f"{path}: schema {version}, newer than this code's {CURRENT_SCHEMA}")
            continue
        documents[path] = document
        if user_of(path) is not None:
            problems += _record_problems(path, document)
    for leftover in leftover_temp_files(data_dir):
        problems.append(
            f"{leftover}: left by a write that never finished (never read by the bot); "
            "delete it, or run `data rotate-key`, which removes it"
        )
    index = documents.get(data_dir / INDEX_NAME, {})
    listed = _ids(index.get("users", {}))
    erased = _ids(index.get("erased", {}))
    for path in files:
        user_id = user_of(path)
        if user_id is None:
            continue
        if user_id in erased:
            problems.append(f"{path}: belongs to a user who erased their data")
        elif path in documents and user_id not in listed:
            problems.append(f"{path}: not listed in the index")
    return problems, len(files)


def _ids(table: dict[str, Any]) -> set[int]:
    return {row["user_id"] for row in table.values() if isinstance(row, dict) and "user_id" in row}


def _record_problems(path: Path, document: dict[str, Any]) -> list[str]:
    problems = []
    for name, rows in document.items():
        if name == META_TABLE:
            continue
        kind = Profile if name == "profile" else RECORD_TABLES.get(name)
        if kind is None:
            problems.append(f"{path}: unknown table {name!r}")
            continue
        for key, row in rows.items():
            try:
                from_json(kind, row)
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                problems.append(f"{path}: {name} row {key} does not read ({type(exc).__name__})")
    return problems


def rotate(
    data_dir: Path,
    old: Sequence[str],
    new: str | None,
    written: Callable[[Path], None] = lambda _path: None,
) -> int:
    """Re-encrypt every data file to `new` (None: plain), one atomic write per file; returns
    how many. Every file must open first, or nothing is written. Killed halfway, each file
    holds either the old or the new form, and running it again finishes the job."""
    reader, writer = Sealer.for_rotation(old, new)
    files = data_files(data_dir)
    for path in files:
        reader.open(path.read_bytes(), path)  # raises before any write
    for leftover in leftover_temp_files(data_dir):
        # A plain one would stay readable beside the encrypted files: never acknowledged data.
        leftover.unlink()
    for path in files:
        write_atomically(path, writer.seal(reader.open(path.read_bytes(), path)))
        written(path)
    return len(files)
