"""Finding 2: a forking loop must not take the server down (RFC 5393).

With the domain equal to the server's own address and contacts pointing
back at it, one MESSAGE used to be relayed to the server itself, forked
again on each pass, until the server stopped answering. Now contacts at the
server are refused at REGISTER, relaying to the server's own address is
never attempted, a request carrying the server's own Via or repeating one
being relayed is a loop (482), and Max-Forwards 0 gets 483.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from softphone.server import LocalServer
from softphone.server.loops import OwnAddresses
from softphone.sip import Contact, NameAddr, SipUri, new_tag
from softphone.trace import Direction, TraceEntry
from softphone.transport.base import Address
from tests.security.server_peers import Device, RawClient

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    # The issue's set-up: the domain is the server's own address.
    srv = LocalServer(
        {"sip:bob@127.0.0.1": "bob-pw", "sip:alice@127.0.0.1": "alice-pw"},
        domain="127.0.0.1",
        min_expires=1,
    )
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


BOB = "<sip:bob@127.0.0.1>"
ALICE = "<sip:alice@127.0.0.1>"


async def test_contacts_at_the_server_itself_are_refused(
    server: LocalServer, raw: RawClient
) -> None:
    port = server.address.port
    answers = []
    for contact in (
        f"<sip:bob@127.0.0.1:{port}>",
        f"<sip:bob@127.0.0.1:{port};transport=tcp>",
        f"<sip:bob@localhost:{port}>",
    ):
        response = await raw.send(
            "REGISTER",
            "sip:127.0.0.1",
            BOB,
            [("Contact", contact), ("Expires", "60")],
            password="bob-pw",
        )
        answers.append((response.status, response.reason))
    assert answers == [(403, "Contact points at this server")] * 3
    assert server.bindings("sip:bob@127.0.0.1") == []


async def test_the_loop_from_the_issue_leaves_the_server_answering(
    server: LocalServer, raw: RawClient
) -> None:
    # Bind the looping contacts behind the REGISTER checks' back, as a
    # contact whose name only resolves to the server would be.
    port = server.address.port
    looping = [
        Contact(NameAddr(SipUri.parse(f"sip:bob@127.0.0.1:{port}"))),
        Contact(NameAddr(SipUri.parse(f"sip:bob@127.0.0.1:{port};transport=tcp"))),
    ]
    now = asyncio.get_running_loop().time()
    server.location.register(
        "sip:bob@127.0.0.1", looping, expires=60, call_id="loop", cseq=1, now=now
    )
    messages_in: list[bytes] = []

    def on_trace(entry: TraceEntry) -> None:
        if entry.direction is Direction.IN and entry.data.startswith(b"MESSAGE "):
            messages_in.append(entry.data)

    server.agent.add_observer(on_trace)
    response = await asyncio.wait_for(
        raw.send(
            "MESSAGE",
            "sip:bob@127.0.0.1",
            ALICE,
            [("Content-Type", "text/plain")],
            to=BOB,
            password="alice-pw",
            body=b"loop?",
        ),
        10,
    )
    assert (response.status, response.reason) == (482, "Loop Detected")
    await asyncio.sleep(0.3)
    # The sender's MESSAGE twice (challenged, then with credentials) and
    # nothing relayed back to the server.
    assert len(messages_in) == 2
    options = await asyncio.wait_for(raw.send("OPTIONS", "sip:127.0.0.1", ALICE), 5)
    assert options.status == 200


async def test_own_via_and_a_request_already_being_relayed_are_loops(
    server: LocalServer, raw: RawClient
) -> None:
    device = await Device(200, delay=1.0).start()
    try:
        ok = await raw.send(
            "REGISTER",
            "sip:127.0.0.1",
            BOB,
            [("Contact", f"<sip:bob@127.0.0.1:{device.port}>"), ("Expires", "60")],
            password="bob-pw",
        )
        assert ok.status == 200
        plain = ("Content-Type", "text/plain")
        # A Via with the server's own address: this request went through it.
        own_via = ("Via", f"SIP/2.0/UDP {server.address.sent_by};branch=z9hG4bKold")
        looped = await raw.send(
            "MESSAGE", "sip:bob@127.0.0.1", ALICE, [plain, own_via], to=BOB, password="alice-pw"
        )
        assert (looped.status, looped.reason) == (482, "Loop Detected")
        # The same request (From tag, Call-ID, CSeq) again while the first
        # copy is still being relayed: RFC 3261 8.2.2.2's merged request.
        tag = new_tag()
        same = dict(call_id="merge-1", from_tag=tag, cseq=7, to=BOB, password="alice-pw")
        first = asyncio.ensure_future(
            raw.send("MESSAGE", "sip:bob@127.0.0.1", ALICE, [plain], **same)  # type: ignore[arg-type]
        )
        await asyncio.sleep(0.3)
        second = await raw.send("MESSAGE", "sip:bob@127.0.0.1", ALICE, [plain], **same)  # type: ignore[arg-type]
        assert ((await first).status, second.status) == (200, 482)
        assert len(device.requests) == 1
    finally:
        device.close()


async def test_max_forwards_is_counted_down_and_zero_is_refused(
    server: LocalServer, raw: RawClient
) -> None:
    device = await Device(200).start()
    try:
        ok = await raw.send(
            "REGISTER",
            "sip:127.0.0.1",
            BOB,
            [("Contact", f"<sip:bob@127.0.0.1:{device.port}>"), ("Expires", "60")],
            password="bob-pw",
        )
        assert ok.status == 200
        answers = []
        for hops in ("0", "1"):
            response = await raw.send(
                "MESSAGE",
                "sip:bob@127.0.0.1",
                ALICE,
                [("Content-Type", "text/plain"), ("Max-Forwards", hops)],
                to=BOB,
                password="alice-pw",
            )
            answers.append(response.status)
        assert answers == [483, 200]
        assert [r.max_forwards for r in device.requests] == [0]
    finally:
        device.close()


def test_own_addresses_when_bound_to_a_wildcard() -> None:
    own = OwnAddresses(Address("0.0.0.0", 5060), "sip.example.com")
    assert [
        own.is_own(host, port)
        for host, port in (
            ("127.0.0.1", 5060),
            ("127.0.0.2", 5060),  # any loopback address reaches a wildcard socket
            ("::1", 5060),
            ("[::1]", 5060),
            ("localhost", 5060),
            ("sip.example.com", 5060),  # the domain, on our port
            ("127.0.0.1", 5061),  # another port
            ("192.0.2.1", 5060),  # TEST-NET: not an address of this computer
            ("elsewhere.example.com", 5060),
        )
    ] == [True, True, True, True, True, True, False, False, False]
    bound = OwnAddresses(Address("127.0.0.1", 5070), "example.com")
    assert [bound.is_own(h, 5070) for h in ("127.0.0.1", "127.0.0.2")] == [True, False]
    assert bound.uri_is_own(SipUri.parse("sip:bob@127.0.0.1:5070;transport=tcp"))
    assert not bound.uri_is_own(SipUri.parse("sips:bob@127.0.0.1"))  # 5061
