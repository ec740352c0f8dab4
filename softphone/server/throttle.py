"""Failed logins counted per source address and per user (password guessing).

Sans-I/O: every call takes `now`. A source address or a user with
`failures_per_source` / `failures_per_user` failed authentications within
`window` seconds is blocked for `block` seconds: the server then answers
503 with Retry-After (RFC 3261 21.5.4) before looking at credentials, so a
guesser gets a few tries a minute instead of hundreds a second. Blocking a
user also holds up its owner for that time; that is the price of stopping a
guesser who rotates source addresses.
"""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass, field

__all__ = ["AuthThrottle"]


@dataclass(slots=True)
class _Record:
    failures: collections.deque[float] = field(default_factory=collections.deque)
    blocked_until: float = 0.0


class AuthThrottle:
    """Counts failed authentications and says who must wait.

    Args:
        failures_per_source: failures one source address may make per window.
        failures_per_user: failures against one user per window, any source.
        window: seconds over which failures are counted.
        block: seconds a source or user is refused once over its limit.
        max_tracked: addresses and users remembered at most (oldest first out),
            so a flood of made-up names cannot grow memory without bound.
    """

    def __init__(
        self,
        *,
        failures_per_source: int = 10,
        failures_per_user: int = 20,
        window: float = 60.0,
        block: float = 60.0,
        max_tracked: int = 10_000,
    ) -> None:
        self.failures_per_source = failures_per_source
        self.failures_per_user = failures_per_user
        self.window = window
        self.block = block
        self._max_tracked = max_tracked
        self._records: collections.OrderedDict[tuple[str, str], _Record] = collections.OrderedDict()

    def retry_after(self, source: str, user: str | None, now: float) -> int | None:
        """Whole seconds *source* (or *user*) must still wait, or None if free."""
        waits = [
            record.blocked_until - now
            for key in self._keys(source, user)
            if (record := self._records.get(key)) is not None and record.blocked_until > now
        ]
        return math.ceil(max(waits)) if waits else None

    def failed(self, source: str, user: str | None, now: float) -> list[tuple[str, str]]:
        """Count one failure; returns what it just blocked: ("source", address) or ("user", aor)."""
        blocked = []
        for key in self._keys(source, user):
            record = self._records.pop(key, None) or _Record()
            self._records[key] = record  # most recently used last
            record.failures.append(now)
            while record.failures and record.failures[0] <= now - self.window:
                record.failures.popleft()
            limit = self.failures_per_source if key[0] == "source" else self.failures_per_user
            if len(record.failures) >= limit and record.blocked_until <= now:
                record.blocked_until = now + self.block
                record.failures.clear()
                blocked.append(key)
        while len(self._records) > self._max_tracked:
            self._records.popitem(last=False)
        return blocked

    @staticmethod
    def _keys(source: str, user: str | None) -> list[tuple[str, str]]:
        keys = [("source", source)]
        if user is not None:
            keys.append(("user", user))
        return keys
