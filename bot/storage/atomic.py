"""A TinyDB storage that never leaves a half-written file and runs migrations on read.

TinyDB's JSONStorage rewrites the file in place, so a kill mid-write corrupts it; here every
write goes to a temp file in the same folder, is fsynced, then renamed over the old one. With
a key the bytes are sealed before they reach the temp file (bot/storage/sealing.py); folders
are created 0700 and files 0600, so other accounts on the host see neither data nor user ids.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from bot.storage.migrations import META_TABLE, SchemaError, migrate, stamp
from bot.storage.sealing import PLAIN, Sealer

TEMP_SUFFIX = ".tmp"
FOLDER_MODE = 0o700  # mkstemp already creates files 0600


class DataFileError(RuntimeError):
    """A data file that is not valid JSON: never overwrite it, a person must look at it."""


class AtomicJSONStorage(Storage):
    def __init__(self, path: str | os.PathLike[str], sealer: Sealer = PLAIN, **_: Any) -> None:
        self.path = Path(path)
        self.sealer = sealer

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        raw = self.sealer.open(raw, self.path)
        if not raw:
            return None
        try:
            document = json.loads(raw)
        except ValueError as exc:
            raise DataFileError(
                f"{self.path} is not valid JSON ({exc}); restore it from a "
                "backup before the bot touches it again"
            ) from None
        if not isinstance(document, dict):
            raise DataFileError(
                f"{self.path} holds a JSON {type(document).__name__}, not "
                "TinyDB tables; restore it from a backup"
            )
        try:
            return migrate(document)
        except SchemaError as exc:
            raise SchemaError(f"{self.path}: {exc}") from None

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if META_TABLE not in data:
            stamp(data)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        write_atomically(self.path, self.sealer.seal(text.encode("utf-8")))

    def close(self) -> None:
        pass


def temp_files_of(path: Path) -> list[Path]:
    """Temp files a killed writer may have left next to `path` (they hold its data too)."""
    return sorted(path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"))


def make_private_folder(folder: Path) -> None:
    """Create `folder` (and missing parents) 0700, and narrow it to 0700 if it is wider."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o777 != FOLDER_MODE:
        folder.chmod(FOLDER_MODE)


_batch = threading.local()


@contextmanager
def folders_synced_once() -> Iterator[None]:
    """Atomic writes inside the block fsync each file as always, but their folders only once,
    at the end: a unit of work writing a month and the head pays three fsyncs, not four. A
    write is not durable before the block ends; the caller acknowledges nothing before."""
    if getattr(_batch, "folders", None) is not None:
        yield
        return
    _batch.folders = folders = set()
    try:
        yield
    finally:
        _batch.folders = None
        for folder in sorted(folders):
            _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)  # make the rename itself survive a power cut
    finally:
        os.close(directory)


def write_atomically(path: Path, data: bytes) -> None:
    if not path.parent.is_dir():
        make_private_folder(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    folders = getattr(_batch, "folders", None)
    if folders is not None:
        folders.add(path.parent)
    else:
        _sync_folder(path.parent)
