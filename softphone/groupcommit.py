"""Group commit: writes that arrive together share one transaction.

Each commit waits for the log to reach the disk (``synchronous=FULL``), so
one commit per received message caps a burst at the disk's sync rate. Here a
group stays open while writes keep coming: the loop reads one datagram per
turn, so as long as each turn brings another write the group waits one
more turn, up to a short window (a few milliseconds) or a full group. The
first turn that brings nothing (the socket is drained) commits the group
with `Store.commit_group`; a write that comes alone is committed on the
next turn, without waiting. Each write's callback runs right after that
commit, so whoever answers 200 OK from it answers for a row on disk.

The commit runs on the event-loop thread, at most once per group: one
short commit per burst instead of one per row. A separate writer thread
would need a second connection, and the window's own writes (a typed
message is committed before `send` returns) would then wait on its lock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from softphone.store import Store, Write

__all__ = ["GroupCommit"]

log = logging.getLogger(__name__)

#: The longest a group stays open for more writes, in seconds.
WINDOW = 0.005
#: Most writes in one transaction; a full group is committed at once.
MAX_WRITES = 256


#: Told a write's result, or the exception that kept it off the disk.
Done = Callable[[Any, BaseException | None], None]


class GroupCommit:
    """Collects writes for *store* and commits them in groups on the running loop."""

    def __init__(
        self, store: Store, *, window: float = WINDOW, max_writes: int = MAX_WRITES
    ) -> None:
        self._store = store
        self._window = window
        self._max_writes = max_writes
        self._pending: list[tuple[Write, Done]] = []
        self._timer: asyncio.Handle | None = None
        # When the open group was opened, and whether a write came this turn.
        self._opened = 0.0
        self._arrived = False

    @property
    def pending(self) -> int:
        """Writes waiting for their group's commit."""
        return len(self._pending)

    def submit(self, write: Write, done: Done) -> None:
        """Queue *write*; *done* is called right after the commit that holds it.

        *done* gets (result, None), or (None, exception) when the write
        raised (e.g. `InvalidTransition`) or the commit failed
        (`sqlite3.Error`): then the row is not on disk.
        """
        self._pending.append((write, done))
        self._arrived = True
        if len(self._pending) >= self._max_writes:
            self.flush()
        elif self._timer is None:
            self._opened = time.monotonic()
            self._timer = asyncio.get_running_loop().call_soon(self._turn)

    def _turn(self) -> None:
        # Runs once per turn of the loop while a group is open.
        self._timer = None
        if self._arrived and time.monotonic() - self._opened < self._window:
            # This turn brought more: the burst is still being read.
            self._arrived = False
            self._timer = asyncio.get_running_loop().call_soon(self._turn)
            return
        self.flush()

    def flush(self) -> None:
        """Commit every queued write now (also used on shutdown)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        group, self._pending = self._pending, []
        if not group:
            return
        try:
            results = self._store.commit_group([write for write, _ in group])
        except Exception as exc:
            log.exception("cannot commit %d writes", len(group))
            for _, done in group:
                _tell(done, None, exc)
            return
        for (_, done), result in zip(group, results, strict=True):
            if isinstance(result, Exception):
                _tell(done, None, result)
            else:
                _tell(done, result, None)


def _tell(done: Done, result: Any, error: BaseException | None) -> None:
    try:
        done(result, error)
    except Exception:  # one caller's bug must not keep the others unanswered
        log.exception("group commit callback failed")
