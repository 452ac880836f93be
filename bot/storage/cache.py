"""A bounded, write-through cache of parsed coachee data (bot.storage.document.Stored).

Least recently used coachees go first once the parts held (each coachee's head plus every
parsed month) pass the bound, so memory stays bounded whatever the number of coachees or the
length of their histories. The repository changes an entry only under that coachee's lock
and after the files were written (write-through); a unit of work that raises, or a write
that fails halfway, drops the entry instead, so the cache never holds what the disk does not.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from bot.storage.document import Stored

# About 25 KiB of JSON per month of daily history: about 100 KiB of Python objects per
# parsed and decoded month, 35 KiB for a head. 500 parts stay near 50 MiB in the worst case
# and hold a few hundred coachees in the middle of a session; at 1,000 the start's rebuild
# (it reads every head once) took the RSS over 300 MB at 10,000 coachees.
DEFAULT_PARTS = 500


class PartsCache:
    def __init__(self, max_parts: int = DEFAULT_PARTS) -> None:
        self.max_parts = max(0, max_parts)
        self._guard = threading.Lock()
        self._entries: OrderedDict[int, Stored] = OrderedDict()
        self._weights: dict[int, int] = {}
        self._total = 0
        self.hits = 0
        self.misses = 0

    def get(self, user_id: int) -> Stored | None:
        with self._guard:
            found = self._entries.get(user_id)
            if found is None:
                self.misses += 1
                return None
            self.hits += 1
            self._entries.move_to_end(user_id)
            return found

    def put(self, user_id: int, stored: Stored) -> None:
        """Keep (or re-weigh) this coachee's entry, then evict the least recently used."""
        with self._guard:
            self._forget(user_id)
            weight = stored.weight()
            if weight > self.max_parts:
                return
            self._entries[user_id] = stored
            self._weights[user_id] = weight
            self._total += weight
            while self._total > self.max_parts and self._entries:
                oldest, _ = self._entries.popitem(last=False)
                self._total -= self._weights.pop(oldest)

    def drop(self, user_id: int) -> None:
        with self._guard:
            self._forget(user_id)

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()
            self._weights.clear()
            self._total = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def parts(self) -> int:
        return self._total

    def _forget(self, user_id: int) -> None:
        if user_id in self._entries:
            del self._entries[user_id]
            self._total -= self._weights.pop(user_id)
