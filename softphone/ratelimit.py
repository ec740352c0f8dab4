"""Token buckets for incoming requests (flood and disk-fill protection).

Sans-I/O: the caller passes `now` in. The agent asks `FloodGuard.admit`
for every new request that may cost a disk write (MESSAGE) before its
handler runs: per source address (not the From address, which the sender
chooses) and over all sources together. A refusal is answered 503 with
Retry-After (RFC 3261 21.5.4, 20.33), which tells a well-behaved sender to
slow down, and costs us no disk write; a body over the cap is answered 413.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

__all__ = ["FloodGuard", "FloodLimits", "RateLimit", "RateLimiter", "Refusal"]


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


@dataclass(frozen=True, kw_only=True)
class FloodLimits:
    """The limits the product runs with unless told otherwise.

    Attributes:
        per_source: what one source address (IP) may send. Everything a
            server relays comes from its address, so this is also what all
            buddies together may send through it.
        overall: what all sources together may send.
        max_body: the largest body stored, in bytes; larger is refused 413.
    """

    per_source: RateLimit = RateLimit(rate=20.0, burst=100.0)
    overall: RateLimit = RateLimit(rate=100.0, burst=300.0, max_senders=1)
    max_body: int = 16 * 1024

    def __post_init__(self) -> None:
        if self.max_body <= 0:
            raise ValueError("max_body must be positive")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request was not admitted, as the response says it."""

    status: int
    reason: str
    #: Seconds for Retry-After (503), else None.
    retry_after: int | None = None


class FloodGuard:
    """Admits or refuses new requests by `FloodLimits`."""

    def __init__(self, limits: FloodLimits | None = None) -> None:
        self.limits = limits or FloodLimits()
        self.per_source = RateLimiter(self.limits.per_source)
        self.overall = RateLimiter(self.limits.overall)

    def admit(self, source: str, body_size: int, now: float) -> Refusal | None:
        """Check one new request from *source* (an IP address) with a body.

        Returns None when it may pass, else the refusal to answer with. A
        refused request takes no token from the overall bucket, so one
        noisy source cannot lock every other one out.
        """
        wait = self.per_source.check(source, now)
        if wait is not None:
            return Refusal(503, "Too many requests from your address", int(wait))
        wait = self.overall.check("*", now)
        if wait is not None:
            return Refusal(503, "Too many requests", int(wait))
        if body_size > self.limits.max_body:
            # RFC 3261 21.4.13: 413 Request Entity Too Large.
            return Refusal(413, f"Message body over {self.limits.max_body} bytes")
        return None
