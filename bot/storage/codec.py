"""Turns domain dataclasses into JSON-ready dicts and back, for every storage backend."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime, time
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def table_name(kind: type) -> str:
    """Where records of one type live: a TinyDB table, a key of an export."""
    return kind.__name__.lower()


def to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime) and value.utcoffset() is None:
        # A naive instant cannot be compared with the aware ones already stored: refuse it
        # here, or one coachee's history fails on every later `records(since=...)`.
        raise ValueError(
            f"naive datetime {value.isoformat()} cannot be stored; pass an aware UTC datetime"
        )
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


Decoder = Callable[[Any], Any]


def from_json(cls: type[T], data: dict[str, Any]) -> T:
    """Build `cls` from a stored dict; unknown keys (from a later schema) are ignored."""
    decoders = _decoders(cls)
    return cls(
        **{
            key: value if value is None or decoders[key] is None else decoders[key](value)
            for key, value in data.items()
            if key in decoders
        }
    )


@cache
def _decoders(cls: type) -> dict[str, Decoder | None]:
    """One decoder per field, worked out once per class: reading a long history stays cheap."""
    hints = typing.get_type_hints(cls)
    return {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls)}  # type: ignore[arg-type]


def _decoder(hint: Any) -> Decoder | None:
    """How to turn a JSON value back into `hint`; None when the JSON value already is one."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(options) != 1:
            return None
        inner = _decoder(options[0])
        if inner is None:
            return None
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            if item is None:
                return tuple
            return lambda value: tuple(item(v) for v in value)
        parts = [_decoder(a) for a in args]
        return lambda value: tuple(
            v if d is None else d(v) for d, v in zip(parts, value, strict=True)
        )
    if hint is datetime:
        return datetime.fromisoformat
    if hint is date:
        return date.fromisoformat
    if hint is time:
        return time.fromisoformat
    if dataclasses.is_dataclass(hint):
        return lambda value: from_json(hint, value)  # type: ignore[arg-type]
    return None


def export_document(repo: Any, user_id: int) -> dict[str, Any]:
    """Everything a repository holds about one coachee, JSON-ready: what /export sends."""
    from bot.core.models import RECORD_TYPES

    profile = repo.load_profile(user_id)
    return {
        "profile": to_json(profile) if profile else None,
        **{
            table_name(kind): [to_json(r) for r in repo.records(user_id, kind)]
            for kind in RECORD_TYPES
        },
    }
