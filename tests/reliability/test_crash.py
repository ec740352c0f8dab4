"""SIGKILL the sending app mid-burst, and the receiving app mid-flood.

After a restart: every message the user sent is in the sender's history
with a true state (DELIVERED for a 200, else FAILED "closed before the
server answered"), and every MESSAGE the receiver answered 200 (seen on the
wire by a relay at the sender's side) is in the receiver's history.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from softphone.sip.delivery import DeliveryState, FailureKind
from softphone.sip.timers import TimerConfig
from softphone.store import Direction, Store
from softphone.transport.base import Address, Target, TransportKind
from tests.interop.harness import free_port
from tests.reliability.relay import LossyRelay
from tests.reliability.stack import ALICE, BOB, Identity, Peer, answered_identity, wait_until

ROOT = Path(__file__).resolve().parents[2]
CLOSED = FailureKind.CLOSED_BEFORE_ANSWER.reason


class Driver:
    """A crash_driver subprocess whose JSON lines are read on the loop."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[dict[str, object]] = []
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def start(cls, *args: str) -> Driver:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.reliability.crash_driver",
            *args,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        return cls(process)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            self.lines.append(json.loads(line))

    def has(self, key: str) -> bool:
        return any(key in line for line in self.lines)

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
        async with asyncio.timeout(10):
            await self.process.wait()
            await self._reader

    async def wait(self, timeout: float) -> int:
        async with asyncio.timeout(timeout):
            code = await self.process.wait()
            await self._reader
        return code


def answered(relay: LossyRelay) -> set[Identity]:
    return {i for i in map(answered_identity, relay.downstream) if i is not None}


@pytest.fixture
async def drivers() -> AsyncIterator[list[Driver]]:
    started: list[Driver] = []
    yield started
    for driver in started:
        await driver.kill()


async def test_sender_killed_mid_burst_then_restarted(
    tmp_path: Path, drivers: list[Driver]
) -> None:
    bob = Peer(BOB, Store.open(tmp_path / "bob.db"), timers=TimerConfig(t1=0.05))
    where = await bob.start()
    relay = await LossyRelay.start((where.host, where.port))
    proxy = "{}:{}".format(*relay.front)
    db = tmp_path / "alice.db"
    try:
        first = await Driver.start("send", "--db", str(db), "--proxy", proxy, "--count", "500")
        drivers.append(first)
        # Kill while the burst is on the wire: after 100 answers, before 500.
        assert await wait_until(lambda: len(answered(relay)) >= 100, 60.0)
        await first.kill()
        stored_ids = [line["stored"] for line in first.lines if "stored" in line]
        assert len(stored_ids) == 500  # send() returned only after each row was on disk
        killed_at = len(answered(relay))
        assert killed_at < 500, "the burst finished before the kill"

        second = await Driver.start("send", "--db", str(db), "--proxy", proxy, "--count", "0")
        drivers.append(second)
        assert await second.wait(120.0) == 0
        final = next(line["final"] for line in second.lines if "final" in line)
        assert isinstance(final, list)
        assert sorted(m["id"] for m in final) == sorted(stored_ids)

        received = {m.body for m in bob.store.messages("sip:alice@example.test", limit=10_000)}
        closed = 0
        for message in final:
            if message["state"] == DeliveryState.DELIVERED.value:
                assert message["code"] == 200
            else:
                # The one in flight at the kill: unknown whether it arrived.
                assert message["state"] == DeliveryState.FAILED.value
                assert message["reason"] == CLOSED
                closed += 1
        # Messages go out one at a time, so at most one was in flight.
        assert closed <= 1
        delivered = sum(m["state"] == "delivered" for m in final)
        # Every delivered message is at the receiver, each exactly once.
        assert len(received) >= delivered
        assert bob.store.count_messages("sip:alice@example.test") == len(received)
        print(
            f"\nsender crash: killed after {killed_at} answers; {delivered} delivered, "
            f"{closed} closed-before-answer, receiver has {len(received)}"
        )
    finally:
        relay.close()
        bob.close()


async def test_receiver_killed_mid_flood_then_restarted(
    tmp_path: Path, drivers: list[Driver]
) -> None:
    port = free_port()
    db = tmp_path / "bob.db"
    first = await Driver.start("listen", "--db", str(db), "--port", str(port))
    drivers.append(first)
    assert await wait_until(lambda: first.has("event"), 30.0)
    relay = await LossyRelay.start(("127.0.0.1", port))
    alice = Peer(ALICE, Store.open(tmp_path / "alice.db"), timers=TimerConfig(t1=0.05))
    await alice.start()
    alice.target = Target(Address(*relay.front), TransportKind.UDP)
    try:
        records = [
            alice.messaging.send("sip:bob@example.test", f"flood {n:04d}") for n in range(500)
        ]
        assert await wait_until(lambda: len(answered(relay)) >= 100, 60.0)
        await first.kill()
        killed_at = len(answered(relay))
        second = await Driver.start("listen", "--db", str(db), "--port", str(port))
        drivers.append(second)
        assert await wait_until(
            lambda: all(alice.store.message(r.id).state.is_final for r in records), 180.0, 0.1
        )
        await alice.messaging.drain()
        await second.kill()

        receiver = Store.open(db)
        try:
            rows = receiver.messages("sip:alice@example.test", limit=10_000)
            stored = {(m.peer, m.call_id or "", m.cseq or 0, m.from_tag or "") for m in rows}
            bodies = [m.body for m in rows]
        finally:
            receiver.close()
        # Every 200 the receiver put on the wire names a row in its history.
        assert answered(relay) <= stored
        assert len(bodies) == len(set(bodies))
        outcome = {"delivered": 0, "failed": 0}
        for record in records:
            final = alice.store.message(record.id)
            if final.state is DeliveryState.DELIVERED:
                assert final.body in bodies
                outcome["delivered"] += 1
            else:
                assert final.state is DeliveryState.FAILED and final.local_failure
                outcome["failed"] += 1
        assert alice.store.count_messages("sip:bob@example.test") == 500
        assert all(
            m.direction is Direction.OUT for m in alice.store.messages("sip:bob@example.test")
        )
        print(
            f"\nreceiver crash: killed after {killed_at} answers; {outcome}, "
            f"receiver stored {len(bodies)}, 200s on the wire {len(answered(relay))}"
        )
    finally:
        relay.close()
        alice.close()
