"""Relay targets that do not answer: no retransmissions to them for a while.

A relayed MESSAGE over UDP is retransmitted until timer F (RFC 3261
17.1.2.2: eleven datagrams in 32 s); ten devices registered at a host that
never answers made every MESSAGE cost that host about 110 datagrams. The
relay is a proxy and chooses its targets (RFC 3261 16.5), so a target whose
last request timed out is left out, answered 480 at once, for `cooldown`
seconds; then one request may try it again. A target with a request still
unanswered after `suspect_after` seconds is left out meanwhile too. An answer
of any kind clears it. Sans-I/O: the caller passes the time.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

__all__ = ["COOLDOWN", "SUSPECT_AFTER", "SilentTargets"]

_V = TypeVar("_V")

#: How long a target whose request timed out is left out.
COOLDOWN = 60.0
#: A request unanswered this long (RFC 3261 timer E has doubled to 4 s by
#: then: a live device answers within a round trip) makes its target suspect.
SUSPECT_AFTER = 4.0
#: Targets remembered at most (the oldest is forgotten first).
MAX_TRACKED = 4096


class SilentTargets:
    """Which relay targets to leave out because they do not answer."""

    def __init__(
        self,
        cooldown: float = COOLDOWN,
        suspect_after: float = SUSPECT_AFTER,
        max_tracked: int = MAX_TRACKED,
    ) -> None:
        self.cooldown = cooldown
        self.suspect_after = suspect_after
        self.max_tracked = max_tracked
        #: target -> until when it is left out.
        self._silent_until: dict[Hashable, float] = {}
        #: target -> (requests on their way, since when the oldest is).
        self._pending: dict[Hashable, tuple[int, float]] = {}

    def left_out(self, target: Hashable, now: float) -> bool:
        """True when *target* should get nothing now."""
        until = self._silent_until.get(target)
        if until is not None:
            if now < until:
                return True
            del self._silent_until[target]  # cooled down: one more try
        pending = self._pending.get(target)
        return pending is not None and now - pending[1] >= self.suspect_after

    def sending(self, target: Hashable, now: float) -> None:
        """A request to *target* is on its way."""
        count, since = self._pending.get(target, (0, now))
        self._pending[target] = (count + 1, since)
        self._trim(self._pending)

    def answered(self, target: Hashable) -> None:
        """*target* answered (any response): it is alive."""
        self._done(target)
        self._pending.pop(target, None)
        self._silent_until.pop(target, None)

    def timed_out(self, target: Hashable, now: float) -> None:
        """A request to *target* got no answer at all (timer F)."""
        self._done(target)
        self._silent_until[target] = now + self.cooldown
        self._trim(self._silent_until)

    def abandoned(self, target: Hashable) -> None:
        """A request to *target* ended without telling anything (cancelled, refused)."""
        self._done(target)

    def _done(self, target: Hashable) -> None:
        pending = self._pending.get(target)
        if pending is None:
            return
        count, since = pending
        if count <= 1:
            del self._pending[target]
        else:
            self._pending[target] = (count - 1, since)

    def _trim(self, table: dict[Hashable, _V]) -> None:
        while len(table) > self.max_tracked:
            del table[next(iter(table))]

    @property
    def tracked(self) -> int:
        """How many targets are remembered (for tests and the bench)."""
        return len(self._silent_until) + len(self._pending)
