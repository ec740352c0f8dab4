"""Finding 1, continued: a silent target is not retransmitted to again and again.

Even with the binding cap, a signed-in user with ten contacts at a host
that never answers made every MESSAGE cost that host about 110 datagrams
(ten transactions, each retransmitted until timer F, RFC 3261 17.1.2.2).
Now the relay sends one copy per transport address, and leaves out a
target whose last request timed out (480 at once) until its cool-down ends;
a live device of the same user still gets every message. Real sockets, the
real server, timers shortened so that timer F is 0.64 s.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from softphone.server import LocalServer
from softphone.server.silent import SilentTargets
from softphone.sip import Request, parse
from softphone.sip.timers import TimerConfig
from softphone.transport.base import Address, TransportKind
from tests.security.server_peers import Device, RawClient, wait_for

pytestmark = pytest.mark.timeout(60)

PASSWORDS = {"sip:alice@example.com": "alice-pw", "sip:bob@example.com": "bob-pw"}
BOB = "<sip:bob@example.com>"
ALICE = "<sip:alice@example.com>"


class Silent:
    """A UDP port that takes every datagram and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.port = int(self.sock.getsockname()[1])

    def received(self) -> list[Request]:
        """The MESSAGEs that came since the last call."""
        out = []
        while True:
            try:
                data = self.sock.recv(65535)
            except BlockingIOError:
                return out
            if data.strip(b"\r\n"):
                message = parse(data)
                assert isinstance(message, Request)
                out.append(message)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    srv = LocalServer(PASSWORDS, domain="example.com", min_expires=1, timers=TimerConfig(t1=0.01))
    await srv.start("127.0.0.1", 0)
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
async def raw(server: LocalServer) -> AsyncIterator[RawClient]:
    client = await RawClient(server).start()
    yield client
    client.close()


async def register(raw: RawClient, contacts: list[str]) -> int:
    response = await raw.send(
        "REGISTER",
        "sip:example.com",
        BOB,
        [*(("Contact", f"<{c}>") for c in contacts), ("Expires", "300")],
        password="bob-pw",
    )
    return response.status


async def message(raw: RawClient, text: str) -> tuple[int, str]:
    response = await raw.send(
        "MESSAGE",
        "sip:bob@example.com",
        ALICE,
        [("Content-Type", "text/plain")],
        to=BOB,
        password="alice-pw",
        body=text.encode(),
    )
    return response.status, response.reason


def branches(requests: list[Request]) -> set[str | None]:
    return {r.via[0].branch for r in requests}


async def test_ten_contacts_at_a_silent_host_cost_one_transaction_then_nothing(
    server: LocalServer, raw: RawClient
) -> None:
    victim = Silent()
    try:
        assert await register(raw, [f"sip:d{i}@127.0.0.1:{victim.port}" for i in range(10)]) == 200
        # The first MESSAGE: one copy to the one address the ten contacts
        # name, retransmitted until timer F, then 408 (RFC 3261 16.7).
        assert await message(raw, "one") == (408, "Request Timeout")
        first = victim.received()
        assert len(branches(first)) == 1, "one transaction, not one per contact"
        assert len(first) > 1  # its retransmissions (timer E) did go out
        # The next ones while it cools down: 480 at once, nothing sent there.
        assert await message(raw, "two") == (480, "Temporarily Unavailable")
        assert await message(raw, "three") == (480, "Temporarily Unavailable")
        await asyncio.sleep(0.1)  # room for datagrams a bug would still send
        assert victim.received() == []
    finally:
        victim.close()


async def test_a_live_device_keeps_getting_messages_beside_a_silent_one(
    server: LocalServer, raw: RawClient
) -> None:
    victim, phone = Silent(), await Device(200).start()
    silent_target = (TransportKind.UDP, Address("127.0.0.1", victim.port))
    try:
        contacts = [f"sip:bob@127.0.0.1:{phone.port}", f"sip:d@127.0.0.1:{victim.port}"]
        assert await register(raw, contacts) == 200
        assert await message(raw, "one") == (200, "OK")
        # The copy to the silent host runs to timer F after the phone's 200.
        await wait_for(lambda: server.silent.left_out(silent_target, server._now()), 10)
        victim.received()
        assert await message(raw, "two") == (200, "OK")
        await asyncio.sleep(0.1)
        assert victim.received() == []
        assert [r.body for r in phone.requests] == [b"one", b"two"]
    finally:
        victim.close()
        phone.close()


async def test_after_the_cool_down_the_target_is_tried_again(
    server: LocalServer, raw: RawClient
) -> None:
    server.silent = SilentTargets(cooldown=0.5)
    victim = Silent()
    target = (TransportKind.UDP, Address("127.0.0.1", victim.port))
    try:
        assert await register(raw, [f"sip:d@127.0.0.1:{victim.port}"]) == 200
        assert await message(raw, "one") == (408, "Request Timeout")
        assert await message(raw, "two") == (480, "Temporarily Unavailable")
        await wait_for(lambda: not server.silent.left_out(target, server._now()), 10)
        victim.received()
        assert await message(raw, "three") == (408, "Request Timeout")
        assert [r.body for r in victim.received()][:1] == [b"three"]
    finally:
        victim.close()
