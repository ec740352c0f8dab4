"""A MESSAGE flood from SIPp at the running stack.

While SIPp sends at a fixed rate, a 10 ms timer on the same event loop
records how late it fires (the loop's lag); RSS is read before and after.
Asserted: every MESSAGE answered 200 is a row on disk, the rate limit
answers 503 with Retry-After, and the agent still answers OPTIONS. Lag and
memory are printed (a target, not a test: wall-clock figures vary by host).
"""

from __future__ import annotations

import asyncio
import statistics
from pathlib import Path

import pytest

from softphone.ratelimit import FloodLimits, RateLimit
from softphone.sip import Response, parse
from softphone.sip.timers import TimerConfig
from softphone.store import Store
from softphone.trace import Direction, TraceEntry
from tests.interop.harness import requires_sipp, start_sipp
from tests.reliability.stack import BOB, Identity, Peer, answered_identity, stored_identities
from tests.reliability.test_hostile import answers_options

pytestmark = requires_sipp


def call_id_of(data: bytes) -> str:
    """The Call-ID of a response we sent."""
    response = parse(data)
    assert isinstance(response, Response)
    return response.call_id


def rss_kib() -> int:
    """This process's resident set size in KiB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


class LagMonitor:
    """A timer every *interval* seconds recording how late it fires."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            expected = loop.time() + self.interval
            await asyncio.sleep(self.interval)
            self.lags.append(max(0.0, loop.time() - expected))

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def percentile(self, p: float) -> float:
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def flood(
    tmp_path: Path, *, rate: int, seconds: int, limits: FloodLimits
) -> dict[str, float]:
    bob = Peer(BOB, Store.open(tmp_path / "bob.db"), timers=TimerConfig(), limits=limits)
    where = await bob.start()
    answered: set[Identity] = set()
    refused: dict[str, bytes] = {}

    def tap(entry: TraceEntry) -> None:
        if entry.direction is Direction.OUT:
            identity = answered_identity(entry.data)
            if identity is not None:
                answered.add(identity)
            elif entry.data.startswith(b"SIP/2.0 503 "):
                # One per refused request: SIPp's retransmissions of it get
                # the same 503 again.
                refused[call_id_of(entry.data)] = entry.data

    bob.agent.add_observer(tap)
    monitor = LagMonitor()
    rss_before = rss_kib()
    monitor.start()
    calls = rate * seconds
    sipp = start_sipp(
        "uac_message.xml",
        tmp_path / "sipp",
        "-r",
        str(rate),
        "-l",
        str(calls),
        remote=f"{where.host}:{where.port}",
        service="bob",
        calls=calls,
        timeout=seconds + 60.0,
    )
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds + 70.0
        while sipp.process.poll() is None and loop.time() < deadline:
            await asyncio.sleep(0.05)
    finally:
        monitor.stop()
        result = sipp.stop()
    rss_after = rss_kib()
    try:
        stored = stored_identities(bob.store)
        # Nothing answered 200 is lost: every one is a row.
        assert answered <= stored
        assert len(answered) == len(stored)
        assert await answers_options(bob.agent)
        for data in refused.values():
            assert b"\r\nRetry-After: " in data
        # A refused request is never also taken: its answer does not change.
        assert not {identity[1] for identity in answered} & set(refused)
        assert result.successful_calls == len(answered), result.describe()[:2000]
        figures = {
            "sent": calls,
            "answered_200": len(answered),
            "refused_503": len(refused),
            "lag_p50_ms": statistics.median(monitor.lags) * 1000,
            "lag_p99_ms": monitor.percentile(0.99) * 1000,
            "lag_max_ms": max(monitor.lags) * 1000,
            "rss_before_mib": rss_before / 1024,
            "rss_after_mib": rss_after / 1024,
            "pending_transactions": bob.agent.pending_transactions,
        }
        print(f"\nflood {rate}/s x {seconds}s: {figures}")
        return figures
    finally:
        bob.close()


async def test_short_flood_is_answered_or_refused_and_nothing_is_lost(tmp_path: Path) -> None:
    # 500/s for 2 s from one source address against the product's limits
    # (20/s from one address after a burst of 100): most get 503.
    figures = await flood(tmp_path, rate=500, seconds=2, limits=FloodLimits())
    assert figures["answered_200"] > 0
    assert figures["refused_503"] > 0
    assert figures["answered_200"] + figures["refused_503"] <= figures["sent"]


@pytest.mark.slow
async def test_long_flood_2000_per_second_for_10_seconds(tmp_path: Path) -> None:
    limits = FloodLimits(
        per_source=RateLimit(rate=500.0, burst=500.0), overall=RateLimit(rate=1e6, burst=1e6)
    )
    figures = await flood(tmp_path, rate=2000, seconds=10, limits=limits)
    assert figures["answered_200"] > 0 and figures["refused_503"] > 0
