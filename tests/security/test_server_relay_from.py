"""Finding 9: the relay does not let anyone speak as one of its users.

Look-alike senders (`alice@example.com.`, an IDN host, "Alice" from another
domain) used to be relayed anonymously and shown as Alice. The server now
relays only for an authenticated sender whose From is exactly the address
the credentials prove (RFC 3261 19.1.4 URI comparison).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from softphone.server import LocalServer
from tests.security.server_peers import Device, RawClient

pytestmark = pytest.mark.timeout(60)

PASSWORDS = {
    "sip:alice@example.com": "alice-pw",
    "sip:bob@example.com": "bob-pw",
    "sip:mallory@example.com": "mallory-pw",
}

LOOK_ALIKES = [
    "<sip:alice@example.com.>",
    "<sip:alice@xn--exmple-4nf.com>",  # ex\u0430mple.com, with a Cyrillic a
    '"Alice" <sip:alice@evil.test>',
    '"Alice" <sip:alice@example.com:5070>',
]


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    srv = LocalServer(PASSWORDS, domain="example.com")
    await srv.start("127.0.0.1", 0)
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
async def bob(server: LocalServer) -> AsyncIterator[tuple[RawClient, Device]]:
    raw = await RawClient(server).start()
    device = await Device(200).start()
    ok = await raw.send(
        "REGISTER",
        "sip:example.com",
        "<sip:bob@example.com>",
        [("Contact", f"<sip:bob@127.0.0.1:{device.port}>"), ("Expires", "60")],
        password="bob-pw",
    )
    assert ok.status == 200
    yield raw, device
    device.close()
    raw.close()


async def send(raw: RawClient, sender: str, **auth: str) -> int:
    response = await raw.send(
        "MESSAGE",
        "sip:bob@example.com",
        sender,
        [("Content-Type", "text/plain")],
        to="<sip:bob@example.com>",
        body=b"it's me, Alice",
        **auth,  # type: ignore[arg-type]
    )
    return response.status


async def test_look_alikes_are_not_relayed(bob: tuple[RawClient, Device]) -> None:
    raw, device = bob
    anonymous = [await send(raw, sender) for sender in LOOK_ALIKES]
    assert anonymous == [407] * len(LOOK_ALIKES)
    # A real user of the server signed in as mallory cannot send as Alice
    # or as a look-alike either.
    signed_in = [
        await send(raw, sender, username="mallory", password="mallory-pw")
        for sender in ["<sip:alice@example.com>", *LOOK_ALIKES]
    ]
    assert signed_in == [403] * (len(LOOK_ALIKES) + 1)
    assert device.requests == []


async def test_a_raw_unicode_host_is_refused_by_the_parser(
    server: LocalServer, bob: tuple[RawClient, Device]
) -> None:
    _, device = bob
    loop = asyncio.get_running_loop()
    answers: asyncio.Queue[bytes] = asyncio.Queue()

    class Sink(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
            answers.put_nowait(data)

    transport, _ = await loop.create_datagram_endpoint(Sink, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    request = (
        "MESSAGE sip:bob@example.com SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKidn1\r\n"
        "From: <sip:alice@ex\u0430mple.com>;tag=1\r\n"
        "To: <sip:bob@example.com>\r\nCall-ID: idn-1\r\nCSeq: 1 MESSAGE\r\n"
        "Max-Forwards: 70\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"
    ).encode()
    try:
        transport.sendto(request, (server.address.host, server.address.port))
        answer = await asyncio.wait_for(answers.get(), 5)
    finally:
        transport.close()
    assert answer.startswith(b"SIP/2.0 400 ")
    assert device.requests == []


async def test_the_real_alice_is_relayed(bob: tuple[RawClient, Device]) -> None:
    raw, device = bob
    # Escaped and differently cased forms of the same URI are the same
    # address (RFC 3261 19.1.4): user part escapes, host case.
    statuses = [
        await send(raw, sender, username="alice", password="alice-pw")
        for sender in ('"Alice" <sip:alice@example.com>', "<sip:%61lice@EXAMPLE.com>")
    ]
    assert statuses == [200, 200]
    assert [str(r.from_.uri) for r in device.requests] == [
        "sip:alice@example.com",
        "sip:alice@EXAMPLE.com",
    ]
