"""Enter-to-delivered over a slow link: the first message against the second.

Alice reaches a real Kamailio (`tests/interop/harness.py`) through a UDP
relay on loopback that holds every datagram 100 ms in each direction; Bob
is registered directly. The time is from `Messaging.send()` (the Enter
key) to the DELIVERED state. The first MESSAGE meets the proxy's 407
challenge (two round trips); the second carries credentials pre-emptively
with the next nonce count (RFC 3261 22.3, RFC 7616 3.4) and needs one.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from bench.table import Row
from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.sip.delivery import DeliveryState
from softphone.store import MessageRecord, Store
from softphone.transport.base import Address
from tests.interop import harness

BENCH = "round trip: Enter-to-delivered, 100 ms each way"
DELAY = 0.100
USERS = {"alice": "alice-pw", "bob": "bob-pw"}


@dataclass(frozen=True)
class Plan:
    runs: int


SMOKE = Plan(runs=1)
FULL = Plan(runs=5)


class DelayRelay(asyncio.DatagramProtocol):
    """Forwards UDP between one client and one server, *delay* s each way."""

    def __init__(self, server: Address, delay: float) -> None:
        self.server = (server.host, server.port)
        self.delay = delay
        self.client: tuple[str, int] | None = None
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # CPython's selector datagram transport does not subclass
        # asyncio.DatagramTransport, so this is a cast, not a check.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if addr == self.server:
            destination = self.client
        else:
            self.client = addr
            destination = self.server
        if destination is not None and self.transport is not None:
            asyncio.get_running_loop().call_later(
                self.delay, self.transport.sendto, data, destination
            )

    @property
    def address(self) -> Address:
        assert self.transport is not None
        host, port = self.transport.get_extra_info("sockname")[:2]
        return Address(host, port)


async def start_relay(server: Address, delay: float = DELAY) -> DelayRelay:
    """A relay on 127.0.0.1 in front of *server*."""
    loop = asyncio.get_running_loop()
    transport, relay = await loop.create_datagram_endpoint(
        lambda: DelayRelay(server, delay), local_addr=("127.0.0.1", 0)
    )
    relay.transport = transport
    return relay


def _app(user: str, registrar: str) -> Application:
    account = Account(aor=f"sip:{user}@{harness.DOMAIN}", registrar=registrar)
    return Application(
        account,
        USERS[user],
        Store.open(":memory:"),
        AppOptions(listen_host="127.0.0.1", keepalive_interval=0),
    )


async def _delivered(app: Application, text: str) -> float:
    """Seconds from send() to DELIVERED."""
    done = asyncio.get_running_loop().create_future()
    started = time.perf_counter()

    def changed(record: MessageRecord) -> None:
        if record.body == text and record.state.is_final and not done.done():
            done.set_result((record.state, time.perf_counter() - started))

    app.messaging.on_message_state(changed)
    app.messaging.send(f"sip:bob@{harness.DOMAIN}", text)
    state, elapsed = await asyncio.wait_for(done, 30)
    if state is not DeliveryState.DELIVERED:
        raise RuntimeError(f"message ended {state.value}")
    return float(elapsed)


async def one_run(kam: harness.KamailioProcess) -> tuple[float, float]:
    """(first, second) Enter-to-delivered in seconds, with a fresh Alice."""
    relay = await start_relay(Address(kam.host, kam.port))
    bob = _app("bob", kam.hostport)
    alice = _app("alice", relay.address.sent_by)
    try:
        await bob.start()
        await alice.start()
        for app in (bob, alice):
            assert app.registration is not None
            status = await app.registration.wait_settled(10)
            if not app.is_ready():
                raise RuntimeError(f"not registered: {status.text}")
        first = await _delivered(alice, "first")
        second = await _delivered(alice, "second")
        return first, second
    finally:
        await alice.stop()
        await bob.stop()
        assert relay.transport is not None
        relay.transport.close()


def run(*, smoke: bool) -> list[Row]:
    """Measure the first and the second message; the rows."""
    plan = SMOKE if smoke else FULL
    if shutil.which("kamailio") is None:
        return [Row(BENCH, "first message", None, "ms", note="kamailio not installed")]
    results: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-roundtrip-") as tmp:
        try:
            kam = harness.start_kamailio(Path(tmp), USERS)
        except harness.HarnessError as exc:
            print(f"roundtrip: {exc}"[:300], file=sys.stderr)
            return [Row(BENCH, "first message", None, "ms", note="kamailio did not start")]
        try:
            for _ in range(plan.runs):
                results.append(asyncio.run(one_run(kam)))
        except (RuntimeError, TimeoutError) as exc:
            print(f"roundtrip: {exc}", file=sys.stderr)
        finally:
            kam.stop()
    if not results:
        return [Row(BENCH, "first message", None, "ms", note="no run finished")]
    first = statistics.median(r[0] for r in results) * 1e3
    second = statistics.median(r[1] for r in results) * 1e3
    round_trip = 2 * DELAY * 1e3
    detail = f"{len(results)} run{'s' if len(results) != 1 else ''}, one round trip = 200 ms"
    return [
        Row(
            BENCH,
            "first message (407 challenge)",
            first,
            "ms",
            detail=f"{first / round_trip:.1f} round trips; {detail}",
        ),
        Row(
            BENCH,
            "second message (pre-emptive credentials)",
            second,
            "ms",
            detail=f"{second / round_trip:.1f} round trips; {detail}",
            ratio=second / first,
        ),
    ]
