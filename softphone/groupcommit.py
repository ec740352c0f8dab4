"""Group commit: writes that arrive together share one transaction.

Each commit waits for the log to reach the disk (``synchronous=FULL``), so
one commit per received message caps a burst at the disk's sync rate. Here a
group stays open while writes keep coming: the loop reads one datagram per
turn, so as long as each turn brings another write the group waits one
more turn, up to a short window (a few milliseconds) or a full group. The
first turn that brings nothing (the socket is drained) closes the group;
a write that comes alone is committed on the next turn, without waiting.
Each write's callback runs right after the commit that holds it, so whoever
answers 200 OK from it answers for a row on disk.

The writes of a group run on the loop's thread (`Store.prepare_group`, on
the store's second connection to the file); the commit, the wait for the
disk, runs on a thread of its own, and the loop goes on reading the
network meanwhile. Writes that arrive during that wait form the next group,
committed as soon as the previous one is on disk, so under load a group is
everything that arrived during the previous sync. The callbacks run on the
loop's thread. An in-memory store (no file to sync) commits on the loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from softphone.store import PreparedGroup, Store, Write

__all__ = ["GroupCommit"]

log = logging.getLogger(__name__)

#: The longest a group stays open for more writes, in seconds.
WINDOW = 0.005
#: Most writes in one transaction; a full group is committed at once.
MAX_WRITES = 256


#: Told a write's result, or the exception that kept it off the disk.
Done = Callable[[Any, BaseException | None], None]


class _Group:
    """One group's writes and their callbacks, on its way to the disk."""

    __slots__ = ("dones", "prepared", "told")

    def __init__(self, dones: list[Done], prepared: PreparedGroup) -> None:
        self.dones = dones
        self.prepared = prepared
        self.told = False


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
        # The group whose commit runs on the committing thread, if any.
        self._committing: _Group | None = None
        self._future: concurrent.futures.Future[None] | None = None
        self._thread: concurrent.futures.ThreadPoolExecutor | None = None

    @property
    def pending(self) -> int:
        """Writes waiting for their group's commit."""
        count = len(self._pending)
        if self._committing is not None:
            count += len(self._committing.dones)
        return count

    def submit(self, write: Write, done: Done) -> None:
        """Queue *write*; *done* is called right after the commit that holds it.

        *done* gets (result, None), or (None, exception) when the write
        raised (e.g. `InvalidTransition`) or the commit failed
        (`sqlite3.Error`): then the row is not on disk.
        """
        self._pending.append((write, done))
        self._arrived = True
        if self._committing is not None:
            return  # the next group starts when this commit is on disk
        if len(self._pending) >= self._max_writes:
            self._start()
        elif self._timer is None:
            self._opened = time.monotonic()
            self._timer = asyncio.get_running_loop().call_soon(self._turn)

    def _turn(self) -> None:
        # Runs once per turn of the loop while a group is open.
        self._timer = None
        if self._committing is not None:
            return
        if self._arrived and time.monotonic() - self._opened < self._window:
            # This turn brought more: the burst is still being read.
            self._arrived = False
            self._timer = asyncio.get_running_loop().call_soon(self._turn)
            return
        self._start()

    def _take(self) -> list[tuple[Write, Done]]:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        group = self._pending[: self._max_writes]
        del self._pending[: self._max_writes]
        return group

    def _prepare(self, taken: list[tuple[Write, Done]]) -> _Group | None:
        # The writes, on this thread; None when the transaction failed.
        try:
            prepared = self._store.prepare_group([write for write, _ in taken])
        except Exception as exc:
            log.exception("cannot write %d writes", len(taken))
            for _, done in taken:
                _tell(done, None, exc)
            return None
        return _Group([done for _, done in taken], prepared)

    def _start(self) -> None:
        """Write the next group, and commit it on the committing thread."""
        taken = self._take()
        if not taken:
            return
        group = self._prepare(taken)
        if group is None:
            self._start_next()
            return
        if not self._store.commits_off_thread:
            self._commit_here(group)
            self._start_next()
            return
        if self._thread is None:
            self._thread = concurrent.futures.ThreadPoolExecutor(
                1, thread_name_prefix="store-commit"
            )
        loop = asyncio.get_running_loop()
        self._committing = group
        self._future = self._thread.submit(group.prepared.commit)

        def landed(future: concurrent.futures.Future[None]) -> None:
            # On the committing thread: hand the outcome to the loop.
            with contextlib.suppress(RuntimeError):  # a closed loop: flush() told them
                loop.call_soon_threadsafe(self._landed, group, future)

        self._future.add_done_callback(landed)

    def _landed(self, group: _Group, future: concurrent.futures.Future[None]) -> None:
        # On the loop: the group's commit ended.
        if self._committing is group:
            self._committing = None
            self._future = None
        self._tell_group(group, future.exception())
        self._start_next()

    def _start_next(self) -> None:
        # What arrived while the last group was committed starts the next
        # group, which stays open while turns bring more (as a new one does):
        # a sync per handful of rows would cost more than it saves.
        if not self._pending or self._committing is not None or self._timer is not None:
            return
        if len(self._pending) >= self._max_writes:
            self._start()
            return
        self._opened = time.monotonic()
        self._arrived = True
        self._timer = asyncio.get_running_loop().call_soon(self._turn)

    def _commit_here(self, group: _Group) -> None:
        error: BaseException | None = None
        try:
            group.prepared.commit()
        except Exception as exc:
            error = exc
        self._tell_group(group, error)

    def _tell_group(self, group: _Group, error: BaseException | None) -> None:
        if group.told:
            return
        group.told = True
        if error is not None:
            log.error("cannot commit %d writes: %s", len(group.dones), error)
            for done in group.dones:
                _tell(done, None, error)
            return
        group.prepared.announce()
        for done, result in zip(group.dones, group.prepared.results, strict=True):
            # `_tell`'s guard, written out: a group tells each of a few hundred writes.
            try:
                if isinstance(result, Exception):
                    done(None, result)
                else:
                    done(result, None)
            except Exception:  # one caller's bug must not keep the others unanswered
                log.exception("group commit callback failed")

    def flush(self) -> None:
        """Commit every queued write now, waiting for the one on its way (shutdown)."""
        group, future = self._committing, self._future
        if group is not None and future is not None:
            error: BaseException | None = None
            try:
                future.result()
            except Exception as exc:
                error = exc
            self._committing = None
            self._future = None
            self._tell_group(group, error)
        while self._pending:
            taken = self._take()
            prepared = self._prepare(taken)
            if prepared is not None:
                self._commit_here(prepared)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._thread is not None:
            self._thread.shutdown(wait=False)  # made again by the next group
            self._thread = None


def _tell(done: Done, result: Any, error: BaseException | None) -> None:
    try:
        done(result, error)
    except Exception:  # one caller's bug must not keep the others unanswered
        log.exception("group commit callback failed")
