"""The one place where stored files move from one schema version to the next.

Every file carries `_meta: {"1": {"schema": N}}` (TinyDB's table layout). A migration is a
function from the raw document of version N to version N+1; files are migrated on read
and written back at the new version by the next write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Document = dict[str, dict[str, Any]]

CURRENT_SCHEMA = 1
META_TABLE = "_meta"

# MIGRATIONS[n] turns a version-n document into version n+1.
MIGRATIONS: dict[int, Callable[[Document], Document]] = {}


class SchemaError(RuntimeError):
    """A data file this code cannot read safely: written by a newer version of the bot."""


def schema_of(document: Document) -> int:
    meta = document.get(META_TABLE, {})
    return int(next(iter(meta.values()), {}).get("schema", CURRENT_SCHEMA)) if meta else 0


def stamp(document: Document, version: int | None = None) -> Document:
    document[META_TABLE] = {"1": {"schema": CURRENT_SCHEMA if version is None else version}}
    return document


def migrate(document: Document) -> Document:
    version = schema_of(document)
    if version > CURRENT_SCHEMA:
        # Reading on would drop fields this code does not know and write the file back
        # without them at the next answer: refuse instead.
        raise SchemaError(
            f"data file has schema {version}, newer than this code's {CURRENT_SCHEMA}; "
            "upgrade the bot instead of downgrading it"
        )
    while version < CURRENT_SCHEMA:
        if version == 0:
            document = stamp(document, 1)  # files from before versioning: same layout
        else:
            document = stamp(MIGRATIONS[version](document), version + 1)
        version = schema_of(document)
    return document
