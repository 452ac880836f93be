"""A TinyDB storage that never leaves a half-written file and runs migrations on read.

TinyDB's JSONStorage rewrites the file in place, so a kill mid-write corrupts it; here every
write goes to a temp file in the same folder, is fsynced, then renamed over the old one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from bot.storage.migrations import META_TABLE, SchemaError, migrate, stamp

TEMP_SUFFIX = ".tmp"


class DataFileError(RuntimeError):
    """A data file that is not valid JSON: never overwrite it, a person must look at it."""


class AtomicJSONStorage(Storage):
    def __init__(self, path: str | os.PathLike[str], **_: Any) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
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
        write_atomically(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def close(self) -> None:
        pass


def temp_files_of(path: Path) -> list[Path]:
    """Temp files a killed writer may have left next to `path` (they hold its data too)."""
    return sorted(path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"))


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # make the rename itself survive a power cut
    finally:
        os.close(directory)
