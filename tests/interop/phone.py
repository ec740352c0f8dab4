"""The product's `Application` as a test drives it: statuses, traffic and inbox recorded."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import replace

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.services.registration import RegistrationState, RegistrationStatus
from softphone.sip.timers import TimerConfig
from softphone.store import Direction, MessageRecord, Store
from softphone.trace import Direction as TraceDirection
from softphone.trace import TraceEntry

#: Short timers: timer F = 64 * T1 = 1.28 s, so a dead UDP server costs ~1 s.
FAST = TimerConfig(t1=0.02)


class Phone:
    """One `Application` with everything it reports kept for assertions."""

    def __init__(self, account: Account, password: str, options: AppOptions | None = None) -> None:
        options = options or AppOptions(listen_host="127.0.0.1")
        if options.timers is None:
            options = replace(options, timers=FAST)
        self.app = Application(account, password, Store.open(":memory:"), options)
        self.statuses: list[RegistrationStatus] = []
        self.sent: list[TraceEntry] = []
        self.inbox: list[MessageRecord] = []
        self.finals: dict[int, MessageRecord] = {}
        self._changed = asyncio.Event()
        self.app.on_registration(self._on_status)
        self.app.agent.add_observer(self._observe)
        self.app.messaging.on_message_added(self._on_added)
        self.app.messaging.on_message_state(self._on_state)

    def _on_status(self, status: RegistrationStatus) -> None:
        self.statuses.append(status)
        self._changed.set()

    def _observe(self, entry: TraceEntry) -> None:
        if entry.direction is TraceDirection.OUT:
            self.sent.append(entry)

    def _on_added(self, record: MessageRecord) -> None:
        if record.direction is Direction.IN:
            self.inbox.append(record)
            self._changed.set()

    def _on_state(self, record: MessageRecord) -> None:
        if record.state.is_final:
            self.finals[record.id] = record
            self._changed.set()

    @property
    def status(self) -> RegistrationStatus:
        assert self.app.registration is not None
        return self.app.registration.status

    def requests_sent(self, method: str) -> list[TraceEntry]:
        """Outgoing requests of *method*, keep-alives left out."""
        return [e for e in self.sent if e.text.startswith(f"{method} ")]

    async def wait(self, predicate: Callable[[], bool], timeout: float) -> None:
        """Wait until *predicate* holds.

        Raises:
            TimeoutError: it did not within *timeout* seconds.
        """
        async with asyncio.timeout(timeout):
            while not predicate():
                # Woken by a status or message, or polled for other state.
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.05)

    async def settled(self, timeout: float = 15.0) -> RegistrationStatus:
        """The first registered-or-failed status."""
        assert self.app.registration is not None
        return await self.app.registration.wait_settled(timeout)

    async def send(self, to: str, text: str, timeout: float = 15.0) -> MessageRecord:
        """Send *text* and return the message in its final state."""
        record = self.app.messaging.send(to, text)
        await self.wait(lambda: record.id in self.finals, timeout)
        return self.finals[record.id]

    def registered(self) -> bool:
        return self.status.state is RegistrationState.REGISTERED
