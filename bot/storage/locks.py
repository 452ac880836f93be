"""One lock per coachee, so two units of work on the same coachee never interleave.

Handlers run on the event loop and use cases in worker threads: without the lock a check-in
written in a thread and an escalation stored from the loop could each read the file, and the
later write would drop the other's record.
"""

from __future__ import annotations

import threading


class CoacheeLocks:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[int, threading.Lock] = {}

    def of(self, user_id: int) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(int(user_id))
            if lock is None:
                lock = self._locks[int(user_id)] = threading.Lock()
            return lock
