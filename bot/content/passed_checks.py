"""A record of the content that passed every check, so that the next bot start, restart or
reload with the same files and the same code does not check them again.

The checks run every rule's examples through the safety engine: about 1.7 s of CPU of each
start, and the tests start a bot a hundred times. The record is one empty file per passed
state, named by a digest of every content file (name and bytes), of the bot's own source
and of the versions of the libraries that parse and validate; any change gives another
name, so the checks run again. It holds no text of the content and nothing of any user.
`python -m bot content check` always checks.

The folder is BOT_CHECKS_CACHE, else $XDG_CACHE_HOME/burnout-coach-bot/passed-checks, else
~/.cache/burnout-coach-bot/passed-checks. When it cannot be written the checks simply run
at every start, as before.
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
from importlib import metadata
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]
_LIBRARIES = ("pydantic", "pydantic-core", "PyYAML")


def folder() -> Path:
    configured = os.environ.get("BOT_CHECKS_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "burnout-coach-bot" / "passed-checks"


def digest(content_dir: Path) -> str | None:
    """What the checks' verdict depends on: the content files, the code, the libraries.
    None when a file cannot be read: then the checks run, and say so as they always did."""
    sha = hashlib.sha256()
    try:
        for root, label in ((content_dir, "content"), (_PACKAGE, "code")):
            pattern = "*.py" if label == "code" else "*"
            for path in sorted(p for p in root.rglob(pattern) if p.is_file()):
                if "__pycache__" in path.parts:
                    continue
                name = path.relative_to(root).as_posix()
                data = path.read_bytes()
                sha.update(f"{label}:{name}:{len(data)}\n".encode())
                sha.update(data)
    except OSError:
        return None
    for library in _LIBRARIES:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "-"
        sha.update(f"{library}=={version}\n".encode())
    sha.update(platform.python_version().encode())
    return sha.hexdigest()


def passed(key: str) -> bool:
    return (folder() / key).is_file()


def record(key: str) -> None:
    """Remember that `key` passed; a folder that cannot be written is no error."""
    try:
        where = folder()
        where.mkdir(parents=True, exist_ok=True)
        # Written under another name and renamed: a reader never sees half a record, and
        # two bots recording at once both succeed.
        handle, temporary = tempfile.mkstemp(dir=where, prefix=".writing-")
        os.close(handle)
        os.replace(temporary, where / key)
    except OSError:
        pass
