"""The repository as the bot uses it, remembering each coachee's language and country.

The crisis answer goes out before any storage call (bot.telegram.safety_net), yet must speak
the coachee's language and give their country's lines. So every profile this process reads
or writes (a single call or a unit of work, whichever use case made it) is noted here, and
an erasure forgets it: what is remembered is what was last stored. Memory only; a profile
changed by another process (a data command) is seen at the bot's next read of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.core.models import Profile
from bot.core.ports import CoacheeFile, Repository


class RememberingRepository:
    """`inner`, noting (language, country) per coachee in `known` at each read and write."""

    def __init__(self, inner: Repository, known: dict[int, tuple[str, str]]) -> None:
        self.inner = inner
        self.known = known

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _note(self, user_id: int, profile: Profile | None) -> None:
        if profile is None:
            self.known.pop(user_id, None)
        else:
            self.known[user_id] = (profile.lang, profile.country)

    @contextmanager
    def unit_of_work(self, user_id: int) -> Iterator[CoacheeFile]:
        with self.inner.unit_of_work(user_id) as coachee:
            yield coachee
            profile = coachee.profile
        self._note(user_id, profile)  # written: the block ended without an error

    def load_profile(self, user_id: int) -> Profile | None:
        profile = self.inner.load_profile(user_id)
        self._note(user_id, profile)
        return profile

    def save_profile(self, profile: Profile) -> None:
        self.inner.save_profile(profile)
        self._note(profile.user_id, profile)

    def erase(self, user_id: int) -> None:
        self.inner.erase(user_id)
        self.known.pop(user_id, None)
