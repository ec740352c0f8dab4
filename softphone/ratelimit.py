"""A per-sender token bucket for incoming requests (flood protection).

Sans-I/O: the caller passes `now` in. The agent asks `check(key, now)` for
every new MESSAGE before its handler runs; a refusal is answered 503 with
Retry-After (RFC 3261 21.5.4, 20.33), which tells a well-behaved sender to
slow down, and costs us no disk write.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

__all__ = ["RateLimit", "RateLimiter"]


@dataclass(frozen=True, kw_only=True)
class RateLimit:
    """How much one sender may send.

    Attributes:
        rate: requests per second a sender may keep up for ever.
        burst: how many requests a sender may send at once after a pause.
        max_senders: senders remembered at once; the least recently seen is
            forgotten first, so a flood from many addresses cannot grow
            memory without bound.

    Raises:
        ValueError: a value is not positive.
    """

    rate: float = 50.0
    burst: float = 100.0
    max_senders: int = 10_000

    def __post_init__(self) -> None:
        if not (self.rate > 0 and self.burst >= 1 and self.max_senders > 0):
            raise ValueError("rate and max_senders must be positive and burst at least 1")


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by sender (an address of record or a source address).

    A sender starts with a full bucket of `burst` tokens; each request takes
    one; tokens come back at `rate` per second up to `burst`.
    """

    def __init__(self, limit: RateLimit | None = None) -> None:
        self.limit = limit or RateLimit()
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        #: Requests refused since creation (for statistics and tests).
        self.refused = 0

    def check(self, key: str, now: float) -> float | None:
        """Take a token for *key* at time *now*.

        Returns None when the request may pass, else the number of seconds
        (at least 1, a whole number as Retry-After needs) after which one
        token will be back.
        """
        limit = self.limit
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=limit.burst, updated=now)
            self._buckets[key] = bucket
            if len(self._buckets) > limit.max_senders:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            # A clock that steps back must not mint tokens nor take them.
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(limit.burst, bucket.tokens + elapsed * limit.rate)
            bucket.updated = max(bucket.updated, now)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        self.refused += 1
        return float(max(1, math.ceil((1.0 - bucket.tokens) / limit.rate)))

    def __len__(self) -> int:
        """How many senders are remembered."""
        return len(self._buckets)
