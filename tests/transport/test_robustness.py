"""Hostile input on real sockets: the stack keeps answering whatever it gets.

Invariant of every test here: after the bad input, a valid OPTIONS on the
same transport still gets 200 (DESIGN.md: one malformed datagram or
oversized packet must never stop the stack).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from softphone.agent import UserAgent
from softphone.sip.timers import TimerConfig
from softphone.transport.base import TransportKind
from softphone.transport.stream import StreamTransport
from tests.transport.test_rfc4475_uas import RawPeer, probe

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "rfc4475"

VALID = (
    b"MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKgarbage\r\n"
    b"From: <sip:alice@example.test>;tag=g1\r\n"
    b"To: <sip:bob@example.test>\r\n"
    b"Call-ID: garbage-1\r\n"
    b"CSeq: 1 MESSAGE\r\n"
    b"Max-Forwards: 70\r\n"
    b"Content-Type: text/plain\r\n"
    b"Content-Length: 11\r\n\r\n"
    b"hello there"
)


@pytest.fixture
async def bob() -> AsyncIterator[UserAgent]:
    # Fast timers so that transactions end (timer J, H: 64*T1) within a test.
    agent = UserAgent(timers=TimerConfig(t1=0.01, t2=0.04, t4=0.05))
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    await agent.listen(TransportKind.TCP, "127.0.0.1", 0)
    agent.handle("MESSAGE", lambda incoming: incoming.respond(200), accept=["text/plain"])
    yield agent
    agent.close()


@pytest.fixture
def peer() -> AsyncIterator[RawPeer]:
    raw = RawPeer()
    yield raw
    raw.close()


def garbage() -> list[bytes]:
    """Random bytes, truncated messages and oversized headers (seeded)."""
    rng = random.Random(4475)
    out = [rng.randbytes(rng.randrange(1, 1500)) for _ in range(150)]
    # Every prefix length of a valid MESSAGE, in steps.
    out += [VALID[:cut] for cut in range(1, len(VALID), 7)]
    # Valid start, then random bytes in place of the headers.
    out += [VALID[:40] + rng.randbytes(200) for _ in range(20)]
    # Torture files cut in half.
    out += [path.read_bytes()[: len(path.read_bytes()) // 2] for path in CORPUS.glob("*.dat")]
    head = VALID.split(b"\r\n\r\n")[0]
    out += [
        head + b"\r\nX-Huge: " + b"a" * 60_000 + b"\r\n\r\n",  # one huge header
        head + b"".join(b"\r\nX-%d: v" % n for n in range(400)) + b"\r\n\r\n",  # too many
        head + b"\r\nVia: " + b"SIP/2.0/UDP h;x," * 3000 + b"\r\n\r\n",  # huge Via list
        b"\x00" * 60_000,
        b"\r\n" * 3000,
    ]
    return out


async def test_garbage_flood_then_options_still_answered(bob: UserAgent, peer: RawPeer) -> None:
    destination = bob.local_address(TransportKind.UDP)
    flood = garbage()
    answers: list[bytes] = []
    # In bursts of 20, each followed by a probe that must get its 200: a
    # burst stays below the kernel's socket buffer, so a lost probe would be
    # the agent's fault, not UDP's.
    for start in range(0, len(flood), 20):
        *burst, last = flood[start : start + 20]
        for data in burst:
            peer.sock.sendto(data, (destination.host, destination.port))
        answers += await peer.exchange(last, bob)  # sends the probe after it
    # Answers to garbage go to the Via's sent-by (port 9 above), so only a
    # torture file asking for rport (mpart01) is answered here: with a 400.
    assert len(flood) > 250
    assert [a.split(b"\r\n")[0] for a in answers] == [
        b"SIP/2.0 400 No empty line after the header fields"
    ]
    assert b"Call-ID: 3d9485ad0c49859b@" in answers[0]  # mpart01's
    # Nothing the garbage started stays alive: every transaction ends by its
    # timers (J for the probes, H for INVITEs answered 405).
    for _ in range(200):
        if bob.pending_transactions == 0:
            break
        await asyncio.sleep(0.02)
    assert bob.pending_transactions == 0


async def test_too_many_headers_get_413_with_reason(bob: UserAgent, peer: RawPeer) -> None:
    head = VALID.split(b"\r\n\r\n")[0].replace(b"127.0.0.1:9", b"127.0.0.1:%d" % peer.port)
    too_many = head + b"".join(b"\r\nX-%d: v" % n for n in range(400)) + b"\r\n\r\n"
    answers = await peer.exchange(too_many, bob)
    # The parser stops before splitting the headers (no partial); the agent
    # reads Via, From, To, Call-ID and CSeq from the raw lines to answer.
    assert [a.split(b"\r\n")[0] for a in answers] == [b"SIP/2.0 413 Too many header fields"]
    assert b"Call-ID: garbage-1\r\n" in answers[0]


async def test_udp_crlf_keepalives_are_ignored(bob: UserAgent, peer: RawPeer) -> None:
    destination = bob.local_address(TransportKind.UDP)
    for keepalive in (b"\r\n", b"\r\n\r\n", b"\r\n\r\n\r\n\r\n"):
        peer.sock.sendto(keepalive, (destination.host, destination.port))
    answers = await peer.exchange(b"\r\n", bob)
    assert answers == []  # no pong on UDP, no 400: only the probe's 200 came


async def tcp_options(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    port = writer.get_extra_info("sockname")[1]
    request = probe(port, 7).replace(b"SIP/2.0/UDP", b"SIP/2.0/TCP")
    writer.write(request)
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    return head


async def test_tcp_crlfcrlf_ping_gets_crlf_pong_and_stream_continues(bob: UserAgent) -> None:
    destination = bob.local_address(TransportKind.TCP)
    reader, writer = await asyncio.open_connection(destination.host, destination.port)
    try:
        writer.write(b"\r\n\r\n")  # RFC 5626 4.4.1 ping
        await writer.drain()
        pong = await asyncio.wait_for(reader.readexactly(2), 5)
        assert pong == b"\r\n"
        head = await tcp_options(reader, writer)
        assert head.startswith(b"SIP/2.0 200 OK\r\n")
    finally:
        writer.close()


@pytest.mark.parametrize(
    "data",
    [
        # A Content-Length far beyond the limit: no body is ever sent.
        VALID.replace(b"Content-Length: 11", b"Content-Length: 100000000").split(b"\r\n\r\n")[0]
        + b"\r\n\r\n",
        # A header section that never ends.
        VALID.split(b"\r\n\r\n")[0] + b"\r\nX-Endless: " + b"a" * 70_000,
    ],
    ids=["content-length", "endless-header"],
)
async def test_tcp_oversized_message_is_answered_413_then_closed_without_buffering(
    bob: UserAgent, data: bytes
) -> None:
    destination = bob.local_address(TransportKind.TCP)
    transport = bob.transport(TransportKind.TCP)
    assert isinstance(transport, StreamTransport)
    reader, writer = await asyncio.open_connection(destination.host, destination.port)
    try:
        writer.write(data)
        await writer.drain()
        # The agent answers 413 from the header lines it could read, then
        # ends the stream (it cannot resynchronise, RFC 3261 18.3): EOF, not
        # a wait for 100 MB that never comes.
        rest = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
    assert rest.split(b"\r\n")[0] in (
        b"SIP/2.0 413 Message too large",
        b"SIP/2.0 413 Header section too large",
    )
    assert rest.endswith(b"\r\n\r\n")  # one whole response, then EOF
    for _ in range(100):
        if transport.connection_count == 0:
            break
        await asyncio.sleep(0.01)
    assert transport.connection_count == 0
    # A new connection is served normally.
    reader, writer = await asyncio.open_connection(destination.host, destination.port)
    try:
        assert (await tcp_options(reader, writer)).startswith(b"SIP/2.0 200 OK\r\n")
    finally:
        writer.close()
