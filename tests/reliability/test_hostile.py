"""Hostile content: header injection, XML bombs, oversized packets, odd bodies.

Each test drives the running stack over loopback sockets and then checks
that it still answers OPTIONS (DESIGN: what must never happen).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from softphone.account import SettingsError
from softphone.agent import UserAgent
from softphone.services.messaging import MessageRefused
from softphone.sip import Headers, NameAddr, SipUri, parse
from softphone.sip.delivery import DeliveryState
from softphone.sip.errors import LocalProtocolError
from softphone.store import Store
from softphone.transport.base import Address, Target, TransportKind
from tests.reliability.relay import LossyRelay
from tests.reliability.stack import ALICE, BOB, Peer, options_probe, wait_until
from tests.services.notifier import Notifier, reginfo
from tests.services.test_presence import JOE, make_watcher, subscribed

FAST = dict(t1=0.02, t2=0.08, t4=0.1)


class Pair:
    def __init__(self, alice: Peer, bob: Peer, relay: LossyRelay) -> None:
        self.alice, self.bob, self.relay = alice, bob, relay


async def make_pair(tmp_path: Path, alice_account=ALICE) -> Pair:  # type: ignore[no-untyped-def]
    from softphone.sip.timers import TimerConfig

    alice = Peer(alice_account, Store.open(tmp_path / "a.db"), timers=TimerConfig(**FAST))
    bob = Peer(BOB, Store.open(tmp_path / "b.db"), timers=TimerConfig(**FAST))
    await alice.start()
    where = await bob.start()
    relay = await LossyRelay.start((where.host, where.port))
    alice.target = Target(Address(*relay.front), TransportKind.UDP)
    return Pair(alice, bob, relay)


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[Pair]:
    p = await make_pair(tmp_path)
    yield p
    p.relay.close()
    p.alice.close()
    p.bob.close()


class _Once(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        if not self.answer.done():
            self.answer.set_result(data)


async def udp_exchange(data: bytes, to: Address, *, timeout: float = 5.0) -> bytes:
    """Send one datagram from a fresh socket and return the first answer."""
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(_Once, local_addr=("127.0.0.1", 0))
    try:
        transport.sendto(data, (to.host, to.port))
        async with asyncio.timeout(timeout):
            return await protocol.answer
    finally:
        transport.close()


async def answers_options(agent: UserAgent) -> bool:
    local = agent.local_address(TransportKind.UDP)
    data = await udp_exchange(options_probe(77), local)
    return data.startswith(b"SIP/2.0 200 ")


# -- header injection is impossible by construction ------------------------------


@pytest.mark.parametrize("evil", ["\r\nX-Evil: 1", "\nX-Evil: 1", "\rX-Evil: 1", "\x00X-Evil: 1"])
def test_headers_refuse_line_breaks_and_nul(evil: str) -> None:
    headers = Headers()
    with pytest.raises(LocalProtocolError):
        headers.add("Subject", f"hi{evil}")
    with pytest.raises(LocalProtocolError):
        headers.add(f"X{evil}", "value")
    assert list(headers) == []


@pytest.mark.parametrize("evil", ["\r\nX-Evil: 1", "\nX-Evil: 1", "\x00X-Evil: 1"])
def test_name_addr_never_writes_a_line_break(evil: str) -> None:
    uri = SipUri.parse("sip:alice@example.test")
    try:
        text = str(NameAddr(uri, f"Alice{evil}"))
    except LocalProtocolError:
        return  # refused outright: also safe
    assert "\r" not in text and "\n" not in text and "\x00" not in text


@pytest.mark.parametrize(
    "peer", ["sip:bob@example.test\r\nX-Evil: 1", "sip:bob@exa\nmple.test", "sip:bob\x00@x.test"]
)
async def test_send_refuses_a_peer_with_line_breaks(pair: Pair, peer: str) -> None:
    with pytest.raises(MessageRefused):
        pair.alice.messaging.send(peer, "hi")
    assert pair.relay.upstream == []


async def test_display_name_with_line_breaks_never_reaches_the_wire(tmp_path: Path) -> None:
    name = "Alice\r\nX-Evil: 1\r\n\r\nINVITE sip:x SIP/2.0"
    # The settings refuse it first ...
    with pytest.raises(SettingsError):
        replace(ALICE, display_name=name)
    # ... and should one get past them, messaging cannot put it on the wire.
    evil = replace(ALICE)
    object.__setattr__(evil, "display_name", name)
    p = await make_pair(tmp_path, evil)
    try:
        record = p.alice.messaging.send("sip:bob@example.test", "hello")
        await p.alice.messaging.drain()
        final = p.alice.store.message(record.id)
        for data in p.relay.upstream:
            head = data.split(b"\r\n\r\n", 1)[0]
            lines = head.split(b"\r\n")
            assert not any(line.startswith((b"X-Evil", b"INVITE")) for line in lines)
            assert b"\x00" not in data
        if final.state is DeliveryState.DELIVERED:
            stored = p.bob.store.messages("sip:alice@example.test")
            assert [m.body for m in stored] == ["hello"]
        else:
            # Refused locally before anything was sent: a truthful failure.
            assert final.state is DeliveryState.FAILED and final.local_failure
            assert p.relay.upstream == []
    finally:
        p.relay.close()
        p.alice.close()
        p.bob.close()


async def test_body_with_crlf_and_nul_is_delivered_intact(pair: Pair) -> None:
    text = "line1\r\n\r\nINVITE sip:x@y SIP/2.0\r\nVia: bogus\x00end"
    record = pair.alice.messaging.send("sip:bob@example.test", text)
    await pair.alice.messaging.drain()
    assert pair.alice.store.message(record.id).state is DeliveryState.DELIVERED
    assert [m.body for m in pair.bob.store.messages("sip:alice@example.test")] == [text]
    # Content-Length framed it: the body never became headers on the wire.
    request = parse(pair.relay.upstream[0])
    assert "Via" in request.headers and len(request.headers.get_all("Via")) == 1


# -- odd charsets and multipart ------------------------------------------------------


def _message(body: bytes, content_type: str, n: int, display: str = "") -> bytes:
    name = f'"{display}" ' if display else ""
    return (
        f"MESSAGE sip:bob@example.test SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKodd{n};rport\r\n"
        f"Max-Forwards: 70\r\nFrom: {name}<sip:odd@example.test>;tag=o{n}\r\n"
        f"To: <sip:bob@example.test>\r\nCall-ID: odd{n}@x\r\nCSeq: 1 MESSAGE\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


@pytest.mark.parametrize(
    ("body", "charset", "expected"),
    [
        ("café".encode("latin-1"), "ISO-8859-1", "café"),
        ("café".encode("latin-1"), '"iso-8859-1"', "café"),
        ("café".encode(), "x-no-such-charset", "café"),
        (b"caf\xe9", "x-no-such-charset", "caf\ufffd"),
        ("안녕".encode("utf-16"), "UTF-16", "안녕"),
        (b"\xff\xfe\xfd", "UTF-8", "\ufffd\ufffd\ufffd"),
    ],
)
async def test_odd_charsets_store_readable_text(
    pair: Pair, body: bytes, charset: str, expected: str
) -> None:
    bob = pair.bob.agent.local_address(TransportKind.UDP)
    data = _message(body, f"text/plain;charset={charset}", 1)
    answer = await udp_exchange(data, bob)
    assert answer.startswith(b"SIP/2.0 200 ")
    assert [m.body for m in pair.bob.store.messages("sip:odd@example.test")] == [expected]
    assert await answers_options(pair.bob.agent)


async def test_deep_multipart_is_refused_quickly(pair: Pair) -> None:
    body = b""
    for depth in range(200):
        body = (
            f"--b{depth}\r\nContent-Type: multipart/mixed;boundary=b{depth + 1}\r\n\r\n".encode()
            + body
            + f"\r\n--b{depth}--\r\n".encode()
        )
    bob = pair.bob.agent.local_address(TransportKind.UDP)
    data = _message(body, "multipart/mixed;boundary=b0", 2)
    answer = await udp_exchange(data, bob)
    # RFC 3261 8.2.3: a type we do not take is 415 with Accept.
    assert answer.startswith(b"SIP/2.0 415 ")
    assert b"Accept: text/plain" in answer
    assert pair.bob.store.count_messages("sip:odd@example.test") == 0
    assert await answers_options(pair.bob.agent)


# -- oversized packets ------------------------------------------------------------------


async def test_udp_datagram_over_64_kb_is_answered_413(pair: Pair) -> None:
    bob = pair.bob.agent.local_address(TransportKind.UDP)
    head = _message(b"", "text/plain", 3)
    # The largest datagram loopback carries (65,535 - 20 - 8).
    data = head.replace(b"Content-Length: 0", b"Content-Length: 65000") + b"x" * 65_000
    data = data[:65_507]
    answer = await udp_exchange(data, bob)
    assert answer.startswith(b"SIP/2.0 413 ")
    assert pair.bob.store.count_messages("sip:odd@example.test") == 0
    assert await answers_options(pair.bob.agent)


async def test_receive_entry_refuses_any_oversized_datagram(pair: Pair) -> None:
    from tests.reliability.stack import CaptureTransport

    capture = CaptureTransport()
    data = _message(b"y" * 200_000, "text/plain", 4)
    pair.bob.agent.receive(data, Address("127.0.0.1", 9), capture)
    assert [d.split(b"\r\n", 1)[0] for d, _ in capture.sent] == [b"SIP/2.0 413 Message too large"]


async def test_tcp_huge_content_length_is_closed_without_buffering(tmp_path: Path) -> None:
    from softphone.sip.timers import TimerConfig

    bob = Peer(BOB, Store.open(tmp_path / "b.db"), timers=TimerConfig(**FAST))
    tcp = await bob.agent.listen(TransportKind.TCP, "127.0.0.1", 0)
    await bob.start()
    try:
        reader, writer = await asyncio.open_connection(tcp.local.host, tcp.local.port)
        head = _message(b"", "text/plain", 5).replace(
            b"Content-Length: 0", b"Content-Length: 4000000000"
        )
        writer.write(head.replace(b"SIP/2.0/UDP", b"SIP/2.0/TCP"))
        await writer.drain()
        # The framer refuses the declared size from the header alone: the
        # connection closes before a single body byte is sent.
        async with asyncio.timeout(5):
            rest = await reader.read()
        assert b"200 OK" not in rest
        writer.close()
        assert bob.store.count_messages("sip:odd@example.test") == 0
        assert await answers_options(bob.agent)
    finally:
        bob.close()


# -- XML bombs in a NOTIFY to a running Presence --------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">'
    "&lol9;</reginfo>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">&x;</reginfo>'
)


@pytest.mark.parametrize("bomb", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
async def test_xml_bomb_notify_gets_4xx_and_presence_keeps_working(bomb: str) -> None:
    notifier = await Notifier.start()
    watcher = await make_watcher(notifier)
    try:
        dialog = await subscribed(watcher, notifier)
        response = await notifier.notify(dialog, body=bomb)
        assert 400 <= response.status < 500
        # The same subscription still takes a good document.
        good = reginfo(JOE, [("c1", "active", "registered", "sip:joe@192.0.2.7")])
        response = await notifier.notify(dialog, body=good)
        assert response.status == 200
        assert await wait_until(lambda: len(watcher.presence.state(JOE).devices) == 1, 5.0)
        assert await answers_options(watcher.agent)
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()
        notifier.close()
