"""Typing indications (RFC 3994 is-composing) for one account.

Outgoing: `typed(peer)` when the user edits a draft sends ``active`` (again
at most every `REFRESH` seconds while typing goes on); ``idle`` follows
`IDLE_AFTER` seconds without typing, or at once when the message is sent or
the draft erased (`stopped`). A peer that answers 415 gets no more (RFC 3994
4). Rate: per peer at most one ``active`` per `MIN_GAP` seconds, and an
``idle`` only after an ``active``.

Incoming: ``active`` marks the peer as typing until its refresh interval
(or RFC 3994's 120 s default) runs out, ``idle`` or a message from the peer
ends it. Nothing is stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from softphone.listeners import Listeners
from softphone.services.content import Composing, Receipt
from softphone.services.courier import Courier
from softphone.services.messaging import Messaging
from softphone.sip.iscomposing import (
    ACTIVE_TIMEOUT,
    DEFAULT_REFRESH,
    IDLE_TIMEOUT,
    ISCOMPOSING_CONTENT_TYPE,
    ComposingState,
    build_iscomposing,
)
from softphone.store import Direction, MessageRecord

log = logging.getLogger(__name__)

__all__ = ["IDLE_AFTER", "MIN_GAP", "REFRESH", "Typing", "TypingCallback"]

#: RFC 3994 3: the refresh interval we announce and keep while typing.
REFRESH = DEFAULT_REFRESH
#: RFC 3994 3: idle after this long without typing.
IDLE_AFTER = IDLE_TIMEOUT
#: Fewest seconds between two "active" indications to one peer.
MIN_GAP = 5.0

#: Told (peer, typing) whenever a peer starts or stops typing.
TypingCallback = Callable[[str, bool], None]


class _Outgoing:
    __slots__ = ("active_since", "idle_timer", "last_active")

    def __init__(self) -> None:
        self.active_since: float | None = None
        self.last_active = float("-inf")
        self.idle_timer: asyncio.TimerHandle | None = None


class Typing:
    """Send and show is-composing indications."""

    def __init__(self, messaging: Messaging, courier: Courier) -> None:
        self._courier = courier
        self._out: dict[str, _Outgoing] = {}
        self._refusing: set[str] = set()
        self._typing: dict[str, asyncio.TimerHandle] = {}
        self._listeners: Listeners[[str, bool]] = Listeners("typing", log)
        self._tasks: set[asyncio.Task[None]] = set()
        #: How many indications went out (a bound the tests check).
        self.sent = 0
        messaging.on_signal(self._on_signal)
        messaging.on_message_added(self._on_message)

    # -- outgoing -------------------------------------------------------------------

    def typed(self, peer: str) -> None:
        """The user changed the draft for *peer* (and it is not empty)."""
        if peer in self._refusing:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop, no network: nothing can be sent
            return
        now = loop.time()
        state = self._out.setdefault(peer, _Outgoing())
        if state.idle_timer is not None:
            state.idle_timer.cancel()
        state.idle_timer = loop.call_later(IDLE_AFTER, self.stopped, peer)
        refresh_due = state.active_since is None or now - state.last_active >= REFRESH - 1
        if refresh_due and now - state.last_active >= MIN_GAP:
            if state.active_since is None:
                state.active_since = now
            state.last_active = now
            self._send(peer, ComposingState.ACTIVE)

    def stopped(self, peer: str) -> None:
        """The user sent the message, erased the draft or paused: say ``idle``."""
        state = self._out.get(peer)
        if state is None:
            return
        if state.idle_timer is not None:
            state.idle_timer.cancel()
            state.idle_timer = None
        if state.active_since is not None:
            state.active_since = None
            self._send(peer, ComposingState.IDLE)

    def _send(self, peer: str, state: ComposingState) -> None:
        if peer in self._refusing:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop, no network: nothing can be sent
            return
        body = build_iscomposing(state, refresh=REFRESH)
        self.sent += 1
        task = loop.create_task(self._deliver(peer, body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, peer: str, body: bytes) -> None:
        status = await self._courier.send(peer, ISCOMPOSING_CONTENT_TYPE, body)
        if status == 415:
            # RFC 3994 4: a 415 means the peer does not support it; stop.
            self._refusing.add(peer)

    async def drain(self) -> None:
        """Wait for every indication on its way; cancel the idle timers."""
        for state in self._out.values():
            if state.idle_timer is not None:
                state.idle_timer.cancel()
        for handle in self._typing.values():
            handle.cancel()
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- incoming -------------------------------------------------------------------

    def on_change(self, callback: TypingCallback) -> None:
        """Call *callback* (peer, typing) when a peer starts or stops typing."""
        self._listeners.add(callback)

    def is_typing(self, peer: str) -> bool:
        """True while *peer* is composing a message to us."""
        return peer in self._typing

    def _on_signal(self, peer: str, value: Receipt | Composing) -> None:
        if not isinstance(value, Composing):
            return
        indication = value.indication
        if indication.state is ComposingState.IDLE:
            self._end(peer)
            return
        was = peer in self._typing
        old = self._typing.pop(peer, None)
        if old is not None:
            old.cancel()
        # RFC 3994 4: without a refresh the active state lasts 120 s.
        lasts = indication.refresh or ACTIVE_TIMEOUT
        self._typing[peer] = asyncio.get_running_loop().call_later(lasts, self._end, peer)
        if not was:
            self._tell(peer, True)

    def _on_message(self, record: MessageRecord) -> None:
        if record.direction is Direction.IN:
            # RFC 3994 4: a message from the composer ends its active state.
            self._end(record.peer)
        else:
            self.stopped(record.peer)

    def _end(self, peer: str) -> None:
        handle = self._typing.pop(peer, None)
        if handle is None:
            return
        handle.cancel()
        self._tell(peer, False)

    def _tell(self, peer: str, typing: bool) -> None:
        self._listeners(peer, typing)
