"""The storage port: what the domain needs from a repository, whatever the backend."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol, TypeVar

from bot.core.models import Profile, Record

R = TypeVar("R", bound=Record)


class UserErased(RuntimeError):
    """A write for someone who erased their data and has not consented again since: refused,
    so that a job or handler still running at the moment of erasure recreates nothing."""

    def __init__(self, user_id: int) -> None:
        super().__init__(f"user {user_id} erased their data; nothing is stored for them")
        self.user_id = user_id


class CoacheeFile(Protocol):
    """One coachee's data inside a unit of work: read once, every change written together.

    A use case (bot.services) reads and changes the coachee through this object only; the
    repository writes what changed in one atomic write when the unit of work ends without
    an error, and nothing when it raises.
    """

    user_id: int

    @property
    def profile(self) -> Profile | None: ...

    def records(self, kind: type[R], since: datetime | None = None) -> list[R]: ...

    def find(self, kind: type[R], record_id: str) -> R | None: ...

    def save_profile(self, profile: Profile) -> None: ...

    def add(self, record: Record) -> None: ...

    def replace(self, record: Record) -> None:
        """Store a changed version of the record with this id (or add it when new)."""

    def record_consent(self) -> None:
        """The person said yes: lift an erasure's tombstone before the changes are written."""


class Repository(Protocol):
    """One coachee's data lives together; nothing here scans all users' histories."""

    def unit_of_work(self, user_id: int) -> AbstractContextManager[CoacheeFile]:
        """Hold this coachee's lock, read their data once, and write every change made
        through the CoacheeFile in one atomic write when the block ends without an error.
        A write for someone erased (and not consented since) raises UserErased at the end.
        Never nest two for the same coachee; the single-call methods below each take one."""

    def load_profile(self, user_id: int) -> Profile | None: ...

    def save_profile(self, profile: Profile) -> None: ...

    def record_refusal(self, user_id: int, at: datetime) -> None:
        """Keep only the fact that this person said no to storing their answers."""

    def refused_at(self, user_id: int) -> datetime | None: ...

    def record_consent(self, user_id: int) -> None:
        """This person said yes to storing their answers: lift an erasure's tombstone, so
        their writes are accepted again. The consent step calls it before save_profile."""

    def add(self, user_id: int, record: Record) -> None:
        """Store a new record; add, replace and save_profile raise UserErased after erase."""

    def replace(self, user_id: int, record: Record) -> None:
        """Store a changed version of a record with the same id."""

    def records(self, user_id: int, kind: type[R], since: datetime | None = None) -> list[R]: ...

    def user_ids(self) -> list[int]: ...

    def export(self, user_id: int) -> dict[str, Any]: ...

    def erase(self, user_id: int) -> None:
        """Remove everything about this person and leave a tombstone (their id only) until
        they consent again."""

    # --- retention (bot.core.retention) ---

    def erase_before(self, user_id: int, before: datetime) -> int:
        """Remove this coachee's records of every kind older than `before`, in one write;
        how many went. The profile stays."""

    def refusals(self) -> dict[int, datetime]:
        """Everyone whose only trace is a stored "no", with when they said it."""
