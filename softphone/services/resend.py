"""The automatic resend: failed messages go again on their schedule.

The policy (which failures, what pause, for how long) is the pure table of
`softphone.resend_policy`; the messaging service stores each failure's plan
with the message. This service only keeps one timer at the earliest planned
resend and says when the connection is back:

- when a resend is due and the account is connected, the message goes
  again (`Messaging.resend`: same Call-ID, From tag, CSeq and Message-ID);
- when it is due but the account is not connected, the next try is planned
  (the pause grows, the day still ends);
- when registration recovers, every message that failed for want of a
  connection goes at once, and so does one whose resend came due while
  offline; otherwise a server's 408/503/504 keeps its time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from softphone.services.messaging import Messaging
from softphone.store import MessageId, MessageRecord, Store

log = logging.getLogger(__name__)

__all__ = ["Resender"]


class Resender:
    """One timer over the store's planned resends."""

    def __init__(
        self,
        messaging: Messaging,
        store: Store,
        *,
        is_ready: Callable[[], bool] = lambda: True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._messaging = messaging
        self._store = store
        self._is_ready = is_ready
        self._clock = clock
        self._timer: asyncio.TimerHandle | None = None
        #: The resend time the timer is armed for (None: not armed).
        self._armed_for: float | None = None
        self._running = False
        #: Messages whose resend came due while the account was offline
        #: (planned again meanwhile): they go when the connection is back.
        self._overdue: set[MessageId] = set()
        messaging.on_message_state(self._on_state)

    def start(self) -> None:
        """Arm the timer for what a previous run planned (call after `Messaging.start`)."""
        self._running = True
        self._arm()

    def stop(self) -> None:
        """No more resends from this run; the plans stay on disk for the next."""
        self._running = False
        self._cancel()

    def connection_back(self) -> None:
        """Registration recovered: send what failed for want of a connection, now.

        Call when the account becomes registered (again), before queued
        messages are flushed, so older messages leave first.
        """
        if not self._running:
            return
        now = self._clock()
        policy = self._messaging.resend_policy
        going = [
            record
            for record in self._store.resend_planned()
            if record.resend_at is not None
            and (
                record.resend_at <= now
                or record.id in self._overdue
                or policy.when_connected(local_failure=record.local_failure)
            )
        ]
        self._overdue.clear()
        self._send_in_order_typed(going)
        self._arm()

    def _on_state(self, record: MessageRecord) -> None:
        if not self._running or record.resend_at is None:
            return
        if self._armed_for is None or record.resend_at < self._armed_for:
            self._arm()

    def _send_in_order_typed(self, records: list[MessageRecord]) -> None:
        # The plans are kept by time, but a message that failed more often
        # waits longer: the ones going together leave in the order they
        # were written (ids grow with it), so the recipient reads them so
        # (messages to one peer go one at a time, in this order).
        for record in sorted(records, key=lambda r: r.id):
            self._send(record)

    def _send(self, record: MessageRecord) -> None:
        try:
            self._messaging.resend(record.id)
        except Exception:  # one bad row must not stop the others
            log.exception("cannot resend message %s", record.id)

    def _fire(self) -> None:
        self._timer = None
        self._armed_for = None
        if not self._running:
            return
        now = self._clock()
        due: list[MessageRecord] = []
        for record in self._store.resend_planned():
            assert record.resend_at is not None
            if record.resend_at > now:
                break
            due.append(record)
        if self._is_ready():
            self._overdue.difference_update(record.id for record in due)
            self._send_in_order_typed(due)
        else:
            for record in due:
                # Its time (a 503's too) has come: the next try is planned,
                # but the connection coming back sends it at once rather
                # than one back-off step late.
                self._overdue.add(record.id)
                try:
                    self._messaging.postpone(record.id)
                except Exception:
                    log.exception("cannot plan the next resend of message %s", record.id)
        self._arm()

    def _arm(self) -> None:
        self._cancel()
        if not self._running:
            return
        planned = self._store.resend_planned()
        if not planned:
            return
        at = planned[0].resend_at
        assert at is not None
        self._armed_for = at
        delay = max(0.0, at - self._clock())
        self._timer = asyncio.get_running_loop().call_later(delay, self._fire)

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._armed_for = None
